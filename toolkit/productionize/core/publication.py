"""Publishing decisions as pure functions: branch names, commit messages, the manifest of
generated files, hand-edit detection, remote URLs without credentials.

The adapter (``adapters/publishing.py``) does the git and HTTP work and asks these functions
what to do, so every rule here is testable without a repository.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

MANIFEST_PATH = ".productionize/published.json"
REPORT_PATH = "productionize-report.json"
BRANCH_PREFIX = "productionize/"


@dataclass(frozen=True)
class RemoteUrl:
    """A remote repository URL split into the parts publishing needs (never credentials)."""

    url: str  # the URL without user/password: safe to print and to write to disk
    host: str  # host[:port]; empty for local paths
    path: str  # repository path on the host without leading "/" or trailing ".git"
    scheme: str  # https, http, ssh, file, or "" for scp-like / local paths
    username: str | None = None
    password: str | None = None

    @property
    def is_http(self) -> bool:
        return self.scheme in ("http", "https")


@dataclass(frozen=True)
class HandEdit:
    """A file in the deployment repository that differs from what the last publish wrote."""

    path: str  # repository-relative
    change: str  # "edited" | "deleted" | "not generated" (a file we did not write is in the way)


@dataclass(frozen=True)
class TreeChanges:
    """What to write, keep and delete under the sub-directory, and which hand edits block."""

    write: tuple[tuple[str, str], ...]  # (repository path, sha256) for each file to write
    keep: tuple[HandEdit, ...]  # hand edits kept: the generator's output for them did not change
    delete: tuple[str, ...]  # repository paths of previously generated files no longer produced
    hand_edits: tuple[HandEdit, ...]  # hand edits this publish would overwrite or delete


_SCP_LIKE = re.compile(r"^(?:(?P<user>[^@/]+)@)?(?P<host>[^:/]+):(?P<path>[^/].*)$")
_CREDENTIALS_IN_URL = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")


def parse_remote(url: str) -> RemoteUrl:
    """Split a git remote URL (https, ssh, scp-like ``git@host:owner/repo``, or a local path)."""
    if "://" in url:
        parts = urlsplit(url)
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        if ":" in (parts.hostname or "") and parts.hostname:  # IPv6 literal
            netloc = f"[{parts.hostname}]" + (f":{parts.port}" if parts.port else "")
        clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
        if parts.username and parts.scheme == "ssh":
            clean = urlunsplit((parts.scheme, f"{parts.username}@{netloc}", parts.path, "", ""))
        return RemoteUrl(
            url=clean,
            host=netloc,
            path=_repo_path(parts.path),
            scheme=parts.scheme.lower(),
            username=parts.username if parts.scheme != "ssh" else None,
            password=parts.password,
        )
    match = _SCP_LIKE.match(url)
    if match and not url.startswith(("/", ".")):
        return RemoteUrl(url=url, host=match["host"], path=_repo_path(match["path"]), scheme="")
    return RemoteUrl(url=url, host="", path=_repo_path(url), scheme="")


def _repo_path(path: str) -> str:
    path = path.strip("/")
    return path[: -len(".git")] if path.endswith(".git") else path


def redact(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """Hide credentials embedded in URLs and any of ``secrets`` in a message."""
    text = _CREDENTIALS_IN_URL.sub(r"\g<scheme>***@", text)
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def cache_key(url: str) -> str:
    """Name the cached clone of a remote: a hash of its URL without credentials."""
    clean = parse_remote(url).url.rstrip("/")
    return hashlib.sha256(clean.encode("utf-8")).hexdigest()[:20]


def default_branch_name(notebook_path: str) -> str:
    """Derive ``productionize/<notebook-stem>`` with characters git accepts in a branch."""
    stem = posixpath.basename(notebook_path.replace("\\", "/"))
    if stem.endswith(".ipynb"):
        stem = stem[: -len(".ipynb")]
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "notebook"
    return BRANCH_PREFIX + slug


def branch_name_problem(name: str) -> str | None:
    """Explain why ``name`` is not a valid git branch name, or return None (check-ref-format)."""
    if not name or name == "@" or name.startswith("-"):
        return "is empty or starts with '-'"
    if any(ord(ch) < 32 or ch in " ~^:?*[\\\x7f" for ch in name):
        return "contains a space or one of ~^:?*[\\ or a control character"
    if ".." in name or "@{" in name or "//" in name:
        return "contains '..', '@{' or '//'"
    if name.startswith("/") or name.endswith(("/", ".", ".lock")):
        return "starts with '/' or ends with '/', '.' or '.lock'"
    if any(part.startswith(".") for part in name.split("/")):
        return "has a component starting with '.'"
    return None


def normalize_subdir(subdir: str | None) -> str:
    """Turn a user sub-directory into a clean relative POSIX path ('' = repository root)."""
    if subdir is None:
        return ""
    text = subdir.replace("\\", "/").strip()
    if text.startswith("/"):
        raise ValueError(f"sub-directory must be relative to the repository root: {subdir}")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts) or (parts and parts[0] == ".git"):
        raise ValueError(f"sub-directory must stay inside the repository: {subdir}")
    return "/".join(parts)


def repo_path(subdir: str, relative: str) -> str:
    """Join the sub-directory and a project-relative path into a repository path."""
    return f"{subdir}/{relative}" if subdir else relative


def sha256_hex(data: bytes) -> str:
    """Hash file content the way the manifest records it."""
    return hashlib.sha256(data).hexdigest()


def notebook_identity(report: dict) -> tuple[str, str | None]:
    """Return (notebook path, content sha256) from a report, tolerating older shapes."""
    notebook = report.get("notebook")
    if isinstance(notebook, dict):
        path = notebook.get("path") or notebook.get("name")
        digest = notebook.get("sha256") or notebook.get("hash")
    else:
        path = notebook if isinstance(notebook, str) else None
        digest = None
    path = path or report.get("notebook_path") or "notebook.ipynb"
    digest = digest or report.get("notebook_sha256") or report.get("notebook_hash")
    return str(path), (str(digest) if digest else None)


def tool_version_of(report: dict) -> str | None:
    """Return the productionize version that generated the report, if recorded."""
    for key in ("tool_version", "productionize_version", "version"):
        value = report.get(key)
        if isinstance(value, str):
            return value
    tool = report.get("tool")
    if isinstance(tool, dict) and isinstance(tool.get("version"), str):
        return tool["version"]
    return None


def commit_message(report: dict, tool_version: str) -> str:
    """Write the commit message: notebook, its content hash and the tool version, as trailers."""
    path, digest = notebook_identity(report)
    name = posixpath.basename(path.replace("\\", "/"))
    short = digest[:12] if digest else "unknown"
    generated_by = tool_version_of(report) or tool_version
    lines = [
        f"Publish {name} (sha256 {short}) with productionize {generated_by}",
        "",
        f"Generated from the notebook {path} by productionize; files a reviewer edits are",
        "kept: the next publish stops instead of overwriting them.",
        "",
        f"Notebook: {path}",
        f"Notebook-SHA256: {digest or 'unknown'}",
        f"Productionize-Version: {generated_by}",
    ]
    if generated_by != tool_version:
        lines.append(f"Published-With: productionize {tool_version}")
    return "\n".join(lines) + "\n"


def manifest_text(
    files: dict[str, str], report: dict, tool_version: str, metrics: dict | None = None
) -> str:
    """Render the manifest that records the hash of every file a publish wrote (and metrics)."""
    path, digest = notebook_identity(report)
    data = {
        "files": dict(sorted(files.items())),
        "notebook": {"path": path, "sha256": digest},
        "schema": 1,
        "tool_version": tool_version,
    }
    if metrics:
        data["metrics"] = dict(sorted(metrics.items()))
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def manifest_metrics(text: str | None) -> dict:
    """Read the model metrics a manifest recorded ({} when none)."""
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    metrics = data.get("metrics") if isinstance(data, dict) else None
    return metrics if isinstance(metrics, dict) else {}


def scalar_metrics(value) -> dict:
    """Keep the number/string entries of a metrics mapping (drop nested or missing values)."""
    if not isinstance(value, dict):
        return {}
    return {
        str(k): v
        for k, v in value.items()
        if isinstance(v, (int, float, str)) and not isinstance(v, bool)
    }


def parse_manifest(text: str | None) -> dict[str, str]:
    """Read the project-relative path -> sha256 table of a manifest ({} when absent/unreadable)."""
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return {}
    return {str(k): str(v) for k, v in files.items() if isinstance(v, str)}


def plan_changes(
    subdir: str,
    generated: dict[str, str],
    current: dict[str, str],
    manifest: dict[str, str],
) -> TreeChanges:
    """Decide what to write/keep/delete, and which hand edits are in the way (a 3-way check).

    ``generated``: project-relative path -> sha256 of the files to publish now.
    ``current``: project-relative path -> sha256 of the files under the sub-directory on the
    branch we build on. ``manifest``: what the last publish generated (path -> sha256).
    A file differing from what we generated last time was changed by hand. When the generator's
    output for it did not change either, the reviewer's version is simply kept; when both
    changed, it is a conflict (``hand_edits``): the caller stops, or overwrites on request.
    """
    conflicts: list[HandEdit] = []
    kept: list[HandEdit] = []
    write: list[tuple[str, str]] = []
    for path, digest in sorted(generated.items()):
        have, recorded = current.get(path), manifest.get(path)
        target = repo_path(subdir, path)
        edit = None
        if have != digest:
            if have is None and recorded is not None:
                edit = HandEdit(target, "deleted")
            elif have is not None and recorded is None:
                edit = HandEdit(target, "not generated")
            elif have is not None and recorded != have:
                edit = HandEdit(target, "edited")
        if edit is not None and recorded == digest:
            kept.append(edit)
            continue
        if edit is not None:
            conflicts.append(edit)
        write.append((target, digest))
    delete = []
    for path, recorded in sorted(manifest.items()):
        if path in generated or path not in current:
            continue
        if current[path] != recorded:
            conflicts.append(HandEdit(repo_path(subdir, path), "edited"))
        delete.append(repo_path(subdir, path))
    conflicts.sort(key=lambda edit: edit.path)
    return TreeChanges(
        write=tuple(write), keep=tuple(kept), delete=tuple(delete), hand_edits=tuple(conflicts)
    )


def compare_url(remote: RemoteUrl, base: str, branch: str, provider: str) -> str | None:
    """Return the web page comparing ``branch`` with ``base``, or None for non-web remotes."""
    if not remote.host or not remote.path:
        return None
    scheme = remote.scheme if remote.is_http else "https"
    host = remote.host
    if not remote.is_http and ":" in host:  # ssh port is not the web port
        host = host.split(":", 1)[0]
    page = f"{scheme}://{host}/{remote.path}"
    flavour = provider if provider in ("github", "gitlab") else _guess_forge(remote)
    refs = f"{quote(base, safe='/')}...{quote(branch, safe='/')}"
    if flavour == "gitlab":
        return f"{page}/-/compare/{refs}"
    return f"{page}/compare/{refs}"


def _guess_forge(remote: RemoteUrl) -> str:
    return "gitlab" if "gitlab" in remote.host.lower() else "github"
