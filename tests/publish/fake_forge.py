"""A small local fake of the GitHub and GitLab pull/merge-request REST APIs.

It follows the documented contracts the client relies on:
- GitHub: ``POST /repos/{owner}/{repo}/pulls`` → 201, or 422 "Validation Failed" with
  "A pull request already exists for owner:branch." when an open PR has the same head and base;
  ``GET /repos/{owner}/{repo}/pulls?head=owner:branch&state=open&per_page=&page=`` with a
  ``Link: <…>; rel="next"`` header; ``PATCH /repos/{owner}/{repo}/pulls/{number}``;
  401 ``{"message": "Bad credentials"}`` without a valid ``Authorization: Bearer``/``token``.
- GitLab: ``POST /projects/:id/merge_requests`` → 201, or 409 "Another open merge request
  already exists for this source branch"; ``GET …/merge_requests?source_branch=&state=opened``;
  ``PUT …/merge_requests/:iid``; 401 ``{"message": "401 Unauthorized"}`` without PRIVATE-TOKEN.
Failures can be injected (HTTP 502 for the next N requests) to test retries.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit


class FakeForge:
    """In-memory GitHub + GitLab API on 127.0.0.1 (GitHub under /, GitLab under /api/v4)."""

    def __init__(self, token: str, page_size: int = 30):
        self.token = token
        self.page_size = page_size  # the server caps per_page like GitHub does (at 100)
        self.pulls: list[dict] = []
        self.merge_requests: list[dict] = []
        self.requests: list[tuple[str, str, dict | None, dict]] = []
        self.fail_next = 0
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeForge:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def add_pull(self, owner_repo: str, head: str, base: str, title: str = "other") -> dict:
        number = len(self.pulls) + 1
        pull = {
            "number": number,
            "state": "open",
            "title": title,
            "body": "",
            "repo": owner_repo,
            "head": {"ref": head, "label": f"{owner_repo.split('/')[0]}:{head}"},
            "base": {"ref": base},
            "html_url": f"https://github.example/{owner_repo}/pull/{number}",
        }
        self.pulls.append(pull)
        return pull


def _make_handler(forge: FakeForge):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            self._dispatch()

        def do_POST(self):
            self._dispatch()

        def do_PATCH(self):
            self._dispatch()

        def do_PUT(self):
            self._dispatch()

        def _send(self, status: int, data, headers: dict | None = None):
            payload = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def _dispatch(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            payload = json.loads(raw) if raw else None
            forge.requests.append(
                (self.command, self.path, payload, {k.lower(): v for k, v in self.headers.items()})
            )
            if forge.fail_next > 0:
                forge.fail_next -= 1
                self._send(502, {"message": "Bad Gateway"})
                return
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path.startswith("/api/v4/"):
                self._gitlab(parts.path[len("/api/v4") :], query, payload)
            else:
                self._github(parts.path, query, payload)

        # -- GitHub ----------------------------------------------------------------------

        def _github(self, path, query, payload):
            auth = self.headers.get("Authorization", "")
            if auth not in (f"Bearer {forge.token}", f"token {forge.token}"):
                self._send(401, {"message": "Bad credentials"})
                return
            segments = path.strip("/").split("/")
            if len(segments) < 4 or segments[0] != "repos" or segments[3] != "pulls":
                self._send(404, {"message": "Not Found"})
                return
            repo = f"{segments[1]}/{segments[2]}"
            if len(segments) == 4 and self.command == "POST":
                missing = [k for k in ("title", "head", "base") if not (payload or {}).get(k)]
                if missing:
                    self._send(422, {"message": "Validation Failed", "errors": missing})
                    return
                for pull in forge.pulls:
                    if (
                        pull["repo"] == repo
                        and pull["state"] == "open"
                        and pull["head"]["ref"] == payload["head"]
                        and pull["base"]["ref"] == payload["base"]
                    ):
                        message = (
                            f"A pull request already exists for {segments[1]}:{payload['head']}."
                        )
                        self._send(
                            422,
                            {
                                "message": "Validation Failed",
                                "errors": [
                                    {
                                        "resource": "PullRequest",
                                        "code": "custom",
                                        "message": message,
                                    }
                                ],
                            },
                        )
                        return
                pull = forge.add_pull(repo, payload["head"], payload["base"], payload["title"])
                pull["body"] = payload.get("body", "")
                self._send(201, pull)
                return
            if len(segments) == 4 and self.command == "GET":
                items = [p for p in forge.pulls if p["repo"] == repo]
                if query.get("state", "open") != "all":
                    items = [p for p in items if p["state"] == query.get("state", "open")]
                if "head" in query:
                    items = [p for p in items if p["head"]["label"] == query["head"]]
                per_page = min(int(query.get("per_page", 30)), 100, forge.page_size)
                page = int(query.get("page", 1))
                chunk = items[(page - 1) * per_page : page * per_page]
                headers = {}
                if page * per_page < len(items):
                    nxt = dict(query, page=str(page + 1))
                    link = "&".join(f"{k}={v}" for k, v in nxt.items())
                    headers["Link"] = f'<{forge.url}{path}?{link}>; rel="next"'
                self._send(200, chunk, headers)
                return
            if len(segments) == 5 and self.command == "PATCH":
                for pull in forge.pulls:
                    if pull["repo"] == repo and str(pull["number"]) == segments[4]:
                        pull.update(
                            {k: v for k, v in (payload or {}).items() if k in ("title", "body")}
                        )
                        self._send(200, pull)
                        return
            self._send(404, {"message": "Not Found"})

        # -- GitLab ----------------------------------------------------------------------

        def _gitlab(self, path, query, payload):
            if self.headers.get("PRIVATE-TOKEN") != forge.token:
                self._send(401, {"message": "401 Unauthorized"})
                return
            segments = path.strip("/").split("/")
            if len(segments) < 3 or segments[0] != "projects" or segments[2] != "merge_requests":
                self._send(404, {"message": "404 Not found"})
                return
            project = unquote(segments[1])
            if len(segments) == 3 and self.command == "POST":
                for mr in forge.merge_requests:
                    if (
                        mr["project"] == project
                        and mr["state"] == "opened"
                        and mr["source_branch"] == payload["source_branch"]
                        and mr["target_branch"] == payload["target_branch"]
                    ):
                        message = (
                            "Another open merge request already exists for this source "
                            f"branch: !{mr['iid']}"
                        )
                        self._send(409, {"message": [message]})
                        return
                iid = len(forge.merge_requests) + 1
                mr = {
                    "iid": iid,
                    "project": project,
                    "state": "opened",
                    "web_url": f"https://gitlab.example/{project}/-/merge_requests/{iid}",
                    **{k: payload.get(k) for k in ("source_branch", "target_branch", "title")},
                    "description": payload.get("description", ""),
                }
                forge.merge_requests.append(mr)
                self._send(201, mr)
                return
            if len(segments) == 3 and self.command == "GET":
                items = [
                    mr
                    for mr in forge.merge_requests
                    if mr["project"] == project
                    and mr["state"] == query.get("state", "opened")
                    and mr["source_branch"] == query.get("source_branch", mr["source_branch"])
                ]
                self._send(200, items)
                return
            if len(segments) == 4 and self.command == "PUT":
                for mr in forge.merge_requests:
                    if mr["project"] == project and str(mr["iid"]) == segments[3]:
                        mr.update(
                            {k: v for k, v in payload.items() if k in ("title", "description")}
                        )
                        self._send(200, mr)
                        return
            self._send(404, {"message": "404 Not found"})

    return Handler
