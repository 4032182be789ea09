"""A real git smart-HTTP server on loopback: ``git http-backend`` (CGI) behind basic auth.

Started and stopped by the tests; it can be taken down and brought back on the same port to
simulate a network fault, and it records every request line and Authorization header so tests
can check that credentials never travel in URLs.
"""

from __future__ import annotations

import base64
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BACKEND = "/usr/lib/git-core/git-http-backend"


class GitHttpServer:
    """Serve the bare repositories under ``root`` at ``http://127.0.0.1:<port>/<name>.git``."""

    def __init__(self, root: Path, password: str, username: str | None = None):
        self.root = root
        self.password = password
        self.username = username  # None: any user name (as GitHub does for tokens)
        self.requests: list[str] = []
        self.auth_headers: list[str] = []
        self.port = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> GitHttpServer:
        handler = _make_handler(self)
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=10)
            self._server = None

    def url(self, name: str, credentials: str | None = None) -> str:
        auth = f"{credentials}@" if credentials else ""
        return f"http://{auth}127.0.0.1:{self.port}/{name}.git"

    # -- repositories ------------------------------------------------------------------------

    def create_repo(self, name: str, files: dict[str, str] | None = None) -> Path:
        """Create a bare repository with one commit on ``main`` (HEAD -> main)."""
        bare = self.root / f"{name}.git"
        git("init", "--quiet", "--bare", "--initial-branch=main", str(bare))
        # the server is strict like a protected forge: no history rewrite, no deletion
        git("config", "receive.denyNonFastForwards", "true", cwd=bare)
        git("config", "receive.denyDeletes", "true", cwd=bare)
        git("config", "http.receivepack", "true", cwd=bare)
        if files is not None:
            seed = self.root / f"{name}-seed"
            git("init", "--quiet", "--initial-branch=main", str(seed))
            for path, text in files.items():
                (seed / path).parent.mkdir(parents=True, exist_ok=True)
                (seed / path).write_text(text)
            git("add", "-A", cwd=seed)
            git("commit", "--quiet", "-m", "Initial commit", cwd=seed)
            git("push", "--quiet", str(bare), "main:main", cwd=seed)
        return bare


def git(*args: str, cwd: Path | None = None, check: bool = True) -> str:
    """Run git for test set-up and return stdout."""
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
    return result.stdout.strip()


def _make_handler(server: GitHttpServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep pytest output clean
            pass

        def do_GET(self):
            self._serve()

        def do_POST(self):
            self._serve()

        def _authorized(self) -> str | None:
            header = self.headers.get("Authorization", "")
            server.auth_headers.append(header)
            if not header.startswith("Basic "):
                return None
            try:
                user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                return None
            if password != server.password:
                return None
            if server.username is not None and user != server.username:
                return None
            return user

        def _body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size = int(self.rfile.readline().strip().split(b";")[0], 16)
                    if size == 0:
                        self.rfile.readline()
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _serve(self):
            server.requests.append(f"{self.command} {self.path}")
            body = self._body()
            user = self._authorized()
            if user is None:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="git"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            path, _, query = self.path.partition("?")
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "GIT_PROJECT_ROOT": str(server.root),
                "GIT_HTTP_EXPORT_ALL": "1",
                "PATH_INFO": path,
                "QUERY_STRING": query,
                "REQUEST_METHOD": self.command,
                "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                "CONTENT_LENGTH": str(len(body)),
                "REMOTE_USER": user,
                "REMOTE_ADDR": "127.0.0.1",
                "GIT_CONFIG_COUNT": "1",
                "GIT_CONFIG_KEY_0": "safe.directory",
                "GIT_CONFIG_VALUE_0": "*",
            }
            if self.headers.get("Content-Encoding"):
                env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
            if self.headers.get("Git-Protocol"):
                env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
            result = subprocess.run([BACKEND], input=body, env=env, capture_output=True)
            head, _, payload = result.stdout.partition(b"\r\n\r\n")
            if not _:
                head, _, payload = result.stdout.partition(b"\n\n")
            status = 200
            headers = []
            for line in head.decode("latin-1").splitlines():
                name, _, value = line.partition(":")
                if name.lower() == "status":
                    status = int(value.strip().split()[0])
                elif name:
                    headers.append((name, value.strip()))
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler
