"""Run git in a cached bare clone, with credentials passed per command and never stored.

Credentials travel in the environment of the one git process that needs them
(``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n`` set an ``http.<url>.extraHeader``
scoped to the remote's origin), so they are never written to the clone's config, to a remote URL
on disk, to the command line (visible in ``ps``) or to a message: every text leaving this module
is redacted.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..core.publication import RemoteUrl, redact
from ..errors import PublishError
from .retrying import TransientError

ZERO_OID = "0" * 40

_TRANSIENT = re.compile(
    r"Failed to connect|Connection refused|Could not resolve host|timed out|Connection reset|"
    r"returned error: 5\d\d|HTTP 5\d\d|RPC failed|early EOF|unexpected disconnect|"
    r"remote end hung up unexpectedly|Empty reply from server|TLS|SSL_|gnutls|"
    r"Could not read from remote repository|Connection closed",
    re.IGNORECASE,
)
_AUTH = re.compile(
    r"Authentication failed|could not read (Username|Password)|returned error: 40[13]|"
    r"terminal prompts disabled|Permission denied \(publickey|Invalid username or password|"
    r"HTTP Basic: Access denied",
    re.IGNORECASE,
)
_MISSING_REPOSITORY = re.compile(
    r"does not appear to be a git repository|Repository not found", re.IGNORECASE
)
_NOT_FOUND = re.compile(
    r"returned error: 404|Repository not found|does not appear to be a git repository|"
    r"not found",
    re.IGNORECASE,
)


class AuthenticationError(PublishError):
    """The remote refused our credentials (or asked for some we do not have)."""


@dataclass(frozen=True)
class Credentials:
    """HTTP basic credentials for the remote (a token is the password)."""

    username: str
    password: str

    def header(self) -> str:
        raw = f"{self.username}:{self.password}".encode()
        return "Authorization: Basic " + base64.b64encode(raw).decode("ascii")

    def secrets(self) -> tuple[str, ...]:
        raw = f"{self.username}:{self.password}".encode()
        return (self.password, base64.b64encode(raw).decode("ascii"))


class GitClient:
    """git commands against one bare repository, for one remote."""

    def __init__(self, repo: Path, remote: RemoteUrl, credentials: Credentials | None = None):
        self.repo = repo
        self.remote = remote
        self.credentials = credentials
        self.secrets = credentials.secrets() if credentials else ()

    # -- plumbing -------------------------------------------------------------------------------

    def _env(self, network: bool, extra: dict[str, str] | None) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "GIT_TERMINAL_PROMPT": "0",  # never hang on a password prompt
                "GIT_DIR": str(self.repo),
                "LC_ALL": "C",  # stable messages to classify
                "LANGUAGE": "C",
            }
        )
        env.pop("GIT_WORK_TREE", None)
        env.pop("GIT_INDEX_FILE", None)
        if network and self.credentials and self.remote.is_http:
            count = int(env.get("GIT_CONFIG_COUNT", "0") or 0)
            scope = f"{self.remote.scheme}://{self.remote.host}/"
            env[f"GIT_CONFIG_KEY_{count}"] = f"http.{scope}.extraHeader"
            env[f"GIT_CONFIG_VALUE_{count}"] = self.credentials.header()
            env["GIT_CONFIG_COUNT"] = str(count + 1)
        if extra:
            env.update(extra)
        return env

    def run(
        self,
        *args: str,
        input: bytes | str | None = None,
        network: bool = False,
        env: dict[str, str] | None = None,
        check: bool = True,
        cwd: Path | None = None,
    ) -> subprocess.CompletedProcess:
        """Run one git command; raise PublishError (redacted) when it fails and ``check``."""
        data = input.encode("utf-8") if isinstance(input, str) else input
        try:
            result = subprocess.run(
                ["git", *args],
                input=data,
                capture_output=True,
                env=self._env(network, env),
                cwd=cwd or self.repo,
                timeout=600 if network else 120,
            )
        except FileNotFoundError:
            raise PublishError("git is not installed (it is needed to publish)") from None
        except subprocess.TimeoutExpired:
            if network:
                raise TransientError(
                    f"git {args[0]} timed out talking to {self.remote.url}"
                ) from None
            raise PublishError(f"git {args[0]} timed out") from None
        if check and result.returncode != 0:
            raise self.failure(args, result)
        return result

    def text(self, *args: str, **kwargs) -> str:
        """Run git and return its stdout as text without the trailing newline."""
        return self.run(*args, **kwargs).stdout.decode("utf-8", "replace").rstrip("\n")

    def failure(self, args: tuple[str, ...], result: subprocess.CompletedProcess) -> Exception:
        """Turn a failed git process into a typed, redacted error."""
        stderr = self.clean(result.stderr)
        stdout = self.clean(result.stdout)
        detail = _last_lines(stderr or stdout)
        verb = args[0] if args else "git"
        if _AUTH.search(stderr):
            return AuthenticationError(
                f"authentication to {self.remote.url} failed ({detail}); set GITHUB_TOKEN / "
                "GITLAB_TOKEN (or pass a token), or configure a git credential helper that "
                "knows this host"
            )
        # git adds "Could not read from remote repository" (transient-looking) to a missing repo
        missing = _MISSING_REPOSITORY.search(stderr) and verb in ("fetch", "ls-remote", "push")
        if _TRANSIENT.search(stderr) and not missing:
            return TransientError(f"git {verb} could not reach {self.remote.url}: {detail}")
        if _NOT_FOUND.search(stderr) and verb in ("fetch", "ls-remote", "push"):
            return PublishError(f"no git repository at {self.remote.url} ({detail})")
        return PublishError(f"git {verb} failed: {detail}")

    def clean(self, data: bytes | str | None) -> str:
        """Decode and redact a process output."""
        if data is None:
            return ""
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        return redact(text, self.secrets).strip()

    # -- queries --------------------------------------------------------------------------------

    def resolve(self, ref: str) -> str | None:
        """Return the commit id of ``ref`` or None when it does not exist."""
        result = self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        return result.stdout.decode().strip() or None if result.returncode == 0 else None

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """Tell whether ``ancestor`` is reachable from ``descendant``."""
        result = self.run("merge-base", "--is-ancestor", ancestor, descendant, check=False)
        if result.returncode not in (0, 1):
            raise self.failure(("merge-base",), result)
        return result.returncode == 0

    def tree_of(self, commit: str | None) -> str | None:
        """Return the tree id of a commit (None for None)."""
        return self.text("rev-parse", f"{commit}^{{tree}}") if commit else None

    def list_tree(self, commit: str, subdir: str) -> dict[str, tuple[str, str]]:
        """Map project-relative path -> (mode, blob id) for files under ``subdir`` at ``commit``."""
        args = ["ls-tree", "-r", "-z", "--full-tree", commit]
        if subdir:
            args += ["--", subdir]
        out = self.run(*args).stdout.decode("utf-8", "surrogateescape")
        entries = {}
        prefix = f"{subdir}/" if subdir else ""
        for record in filter(None, out.split("\0")):
            meta, path = record.split("\t", 1)
            mode, kind, oid = meta.split()
            if kind == "blob" and path.startswith(prefix):
                entries[path[len(prefix) :]] = (mode, oid)
        return entries

    def read_blobs(self, oids: list[str]) -> dict[str, bytes]:
        """Read many blobs in one ``cat-file --batch`` process."""
        unique = sorted(set(oids))
        if not unique:
            return {}
        out = self.run("cat-file", "--batch", input="\n".join(unique) + "\n").stdout
        blobs, pos = {}, 0
        for oid in unique:
            header_end = out.index(b"\n", pos)
            header = out[pos:header_end].decode().split()
            if len(header) < 3:  # "<oid> missing"
                pos = header_end + 1
                continue
            size = int(header[2])
            start = header_end + 1
            blobs[oid] = out[start : start + size]
            pos = start + size + 1
        return blobs

    def read_file(self, commit: str | None, path: str) -> bytes | None:
        """Return a file's bytes at ``commit`` or None when absent."""
        if not commit:
            return None
        result = self.run("cat-file", "blob", f"{commit}:{path}", check=False)
        return result.stdout if result.returncode == 0 else None


def _last_lines(text: str, count: int = 3) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    interesting = [line for line in lines if not line.startswith("hint:")]
    return " / ".join(interesting[-count:]) or "no output"
