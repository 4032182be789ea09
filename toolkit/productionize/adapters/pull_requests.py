"""Open or update the review request: GitHub pull requests and GitLab merge requests (REST).

GitHub: ``POST /repos/{owner}/{repo}/pulls``; 422 when one exists for the head, then
``GET /repos/{owner}/{repo}/pulls?head=owner:branch&state=open`` (Link-paginated) and
``PATCH /repos/{owner}/{repo}/pulls/{number}``.
GitLab: ``POST /projects/:id/merge_requests``; 409 when one exists, then
``GET /projects/:id/merge_requests?source_branch=…&state=opened`` and ``PUT …/:iid``.
The API base is configurable (``GITHUB_API_URL`` / ``GITLAB_API_URL`` / ``--api-url``).
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import quote, urlencode

from .. import __version__
from ..core.publication import RemoteUrl, redact
from ..errors import PublishError
from .retrying import RetryPolicy, TransientError, call_with_retries

PROVIDERS = ("github", "gitlab", "none")
TIMEOUT = 30
MAX_PAGES = 20

_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


def credential_username(provider: str) -> str:
    """Return the basic-auth user name git pairs with a token for this provider."""
    return {"github": "x-access-token", "gitlab": "oauth2"}.get(provider, "token")


def api_base(provider: str, remote: RemoteUrl, api_url: str | None) -> str:
    """Return the REST API root: explicit, environment, or derived from the remote host."""
    if api_url:
        return api_url.rstrip("/")
    if provider == "github":
        env = os.environ.get("GITHUB_API_URL")
        if env:
            return env.rstrip("/")
        host = remote.host.split(":")[0] if not remote.is_http else remote.host
        if host.lower() == "github.com":
            return "https://api.github.com"
        return f"https://{host}/api/v3"  # GitHub Enterprise Server
    env = os.environ.get("GITLAB_API_URL") or os.environ.get("CI_API_V4_URL")
    if env:
        return env.rstrip("/")
    scheme = remote.scheme if remote.is_http else "https"
    host = remote.host if remote.is_http else remote.host.split(":")[0]
    return f"{scheme}://{host}/api/v4"


def open_or_update_pull_request(
    provider: str,
    remote: RemoteUrl,
    *,
    token: str | None,
    api_url: str | None,
    base: str,
    branch: str,
    title: str,
    body: str,
    retry: RetryPolicy,
    on_retry: Callable[[str], None] | None = None,
) -> tuple[str, str]:
    """Create the PR/MR for ``branch`` or update the open one; return (web URL, action)."""
    if not token:
        env_name = "GITHUB_TOKEN" if provider == "github" else "GITLAB_TOKEN"
        raise PublishError(
            f"no token for the {provider} API: set {env_name} or configure a git credential "
            f"helper for {remote.host}"
        )
    api = _Api(api_base(provider, remote, api_url), provider, token, retry, on_retry)
    if provider == "github":
        return _github(api, remote, base, branch, title, body)
    if provider == "gitlab":
        return _gitlab(api, remote, base, branch, title, body)
    raise PublishError(f"unknown provider {provider!r}")


def _github(api, remote: RemoteUrl, base, branch, title, body) -> tuple[str, str]:
    parts = remote.path.split("/")
    if len(parts) != 2 or not all(parts):
        raise PublishError(f"cannot tell owner/repository from the GitHub remote {remote.url}")
    owner, repo = parts
    root = f"/repos/{quote(owner)}/{quote(repo)}/pulls"
    status, data, _ = api.call(
        "POST", root, {"title": title, "head": branch, "base": base, "body": body}, ok=(201, 422)
    )
    if status == 201:
        return data["html_url"], "opened"
    if not _already_exists(data):
        raise PublishError(f"GitHub refused the pull request: {_github_errors(data)}")
    query = urlencode({"head": f"{owner}:{branch}", "state": "open", "per_page": 100})
    for pull in api.pages(f"{root}?{query}"):
        head, target = pull.get("head") or {}, pull.get("base") or {}
        if head.get("ref") == branch and target.get("ref") == base:
            _, updated, _ = api.call(
                "PATCH", f"{root}/{pull['number']}", {"title": title, "body": body}
            )
            return updated.get("html_url") or pull["html_url"], "updated"
    raise PublishError(
        f"GitHub says a pull request exists for {branch!r} but none is open into {base!r}"
    )


def _already_exists(data) -> bool:
    text = json.dumps(data).lower() if data is not None else ""
    return "already exists" in text


def _github_errors(data) -> str:
    if not isinstance(data, dict):
        return str(data)
    errors = [e.get("message") or e.get("code") for e in data.get("errors", []) if e]
    return "; ".join(filter(None, [data.get("message"), *errors])) or "validation failed"


def _gitlab(api, remote: RemoteUrl, base, branch, title, body) -> tuple[str, str]:
    project = quote(remote.path, safe="")
    root = f"/projects/{project}/merge_requests"
    status, data, _ = api.call(
        "POST",
        root,
        {"source_branch": branch, "target_branch": base, "title": title, "description": body},
        ok=(201, 409),
    )
    if status == 201:
        return data["web_url"], "opened"
    query = urlencode({"source_branch": branch, "target_branch": base, "state": "opened"})
    for request in api.pages(f"{root}?{query}&per_page=100"):
        if request.get("source_branch") == branch:
            _, updated, _ = api.call(
                "PUT", f"{root}/{request['iid']}", {"title": title, "description": body}
            )
            return updated.get("web_url") or request["web_url"], "updated"
    raise PublishError(f"GitLab says a merge request exists for {branch!r} but none is open")


class _Api:
    """A tiny JSON REST client with auth, retries and Link pagination."""

    def __init__(self, base, provider, token, retry, on_retry):
        self.base = base
        self.provider = provider
        self.token = token
        self.retry = retry
        self.on_retry = on_retry

    def headers(self) -> dict[str, str]:
        common = {
            "User-Agent": f"productionize/{__version__}",
            "Content-Type": "application/json",
        }
        if self.provider == "github":
            return {
                **common,
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "Authorization": f"Bearer {self.token}",
            }
        return {**common, "Accept": "application/json", "PRIVATE-TOKEN": self.token}

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.base + path

    def call(self, method, path, payload=None, ok=(200, 201)):
        """Send one request (retrying transient failures); return (status, json, headers)."""
        url = self.url(path)

        def once():
            data = json.dumps(payload).encode() if payload is not None else None
            request = urllib.request.Request(url, data=data, method=method, headers=self.headers())
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                    return response.status, _json(response.read()), dict(response.headers)
            except urllib.error.HTTPError as exc:
                body = _json(exc.read())
                if exc.code in ok:
                    return exc.code, body, dict(exc.headers)
                if exc.code >= 500 or exc.code == 429:
                    retry_after = _retry_after(exc.headers.get("Retry-After"))
                    raise TransientError(
                        f"{method} {self._safe(url)} answered {exc.code}", retry_after
                    ) from None
                raise self._error(method, url, exc.code, body) from None
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                raise TransientError(f"{method} {self._safe(url)} failed: {reason}") from None

        def on_retry(attempt, wait, exc):
            if self.on_retry:
                self.on_retry(f"API attempt {attempt} failed ({exc}); retrying in {wait:g}s")

        try:
            status, body, headers = call_with_retries(once, self.retry, on_retry)
        except TransientError as exc:
            raise PublishError(
                f"{self._safe(str(exc))} (gave up after {self.retry.attempts} attempts)"
            ) from None
        if status not in ok:
            raise self._error(method, url, status, body)
        return status, body, headers

    def pages(self, path):
        """Yield the items of a list endpoint, following ``Link: rel="next"`` headers."""
        url = path
        for _ in range(MAX_PAGES):
            _, items, headers = self.call("GET", url, ok=(200,))
            yield from (items if isinstance(items, list) else [])
            link = headers.get("Link") or headers.get("link") or ""
            match = _LINK_NEXT.search(link)
            if not match:
                return
            url = match.group(1)

    def _safe(self, text: str) -> str:
        return redact(text, (self.token,))

    def _error(self, method, url, status, body) -> PublishError:
        message = body.get("message") if isinstance(body, dict) else None
        message = message if isinstance(message, str) else json.dumps(message) if message else ""
        name = "GitHub" if self.provider == "github" else "GitLab"
        env_name = "GITHUB_TOKEN" if self.provider == "github" else "GITLAB_TOKEN"
        if status == 401:
            return PublishError(
                f"{name} API rejected the token ({status} {message or 'Unauthorized'}): check "
                f"{env_name}"
            )
        if status in (403, 404):
            hint = f"the repository does not exist or the token in {env_name} cannot open PRs"
            return PublishError(
                f"{name} API {method} {self._safe(url)} answered {status} "
                f"{self._safe(message)}: {hint}"
            )
        return PublishError(
            f"{name} API {method} {self._safe(url)} answered {status}: {self._safe(message)}"
        )


def _json(data: bytes):
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return {"message": data[:200].decode("utf-8", "replace")}


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
