"""Authenticated REST handlers: lint, split preview, build, publish, job status.

Each handler is parse -> call the toolkit -> serialize. Blocking work never runs on the event
loop, nor in its process: quick calls (lint, preview) go to a small pool of worker processes
(worker_pool) and are awaited; builds and pushes become jobs the front-end polls (and may
cancel) at ``jobs/<id>``.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from .. import __version__
from ..model import to_dict
from .child_process import run_in_child
from .jobs import JobRunner, Reporter
from .paths import scrub_root
from .quick_calls import lint_response, preview_response, requirements_response
from .requests import (
    NotAvailable,
    ProductionizeError,
    RequestFailed,
    build_options,
    error_body,
    load_notebook,
    parse_body,
    require,
    resolve,
)
from .worker_pool import WorkerBusy, WorkerFailed, WorkerPool, shared_pool

PROVIDERS = ("none", "github", "gitlab")
# build switches the UI may send, with their defaults (verify: faithfulness check; train: first model)
BUILD_FLAGS = {"verify": True, "force": False, "train": True}
BUILD_IN_CHILD = "productionize.server.build_job:build_summary"
# what each feature needs from the toolkit (any one of the alternatives); GET /productionize/info
FEATURES = {
    "lint": [("adapters.linting", "lint_notebook")],
    "split": [("adapters.splitting", "render_inputs")],
    "build": [("adapters.building", "build_project"), ("adapters.splitting", "split_to_dir")],
    "service": [("adapters.building", "build_project")],
    "publish": [("adapters.publishing", "publish")],
}


@dataclass
class ServerState:
    """What the handlers share: the job runner and the worker processes for quick calls."""

    jobs: JobRunner
    quick: WorkerPool
    log: Any


class ProductionizeHandler(APIHandler):
    """Base: JSON errors without tracebacks, root-dir resolution, off-loop execution."""

    @property
    def state(self) -> ServerState:
        return self.settings["productionize"]

    @property
    def root_dir(self) -> str:
        root = getattr(self.contents_manager, "root_dir", None)
        return root or self.settings["server_root_dir"]

    def body(self) -> dict:
        return parse_body(self.request.body)

    async def run_in_worker(self, fn: Callable, *args) -> Any:
        """Await ``fn(*args)`` in a worker process; 503 when busy or when the worker died."""
        try:
            return await self.state.quick.run(fn, *args)
        except WorkerBusy as exc:
            self.set_header("Retry-After", "1")
            raise RequestFailed(
                503, {"error": "Busy", "message": f"the server is busy ({exc}); retry shortly"}
            ) from None
        except WorkerFailed as exc:
            raise RequestFailed(
                503, {"error": "WorkerFailed", "message": f"{exc}; retry (a new one is starting)"}
            ) from None

    def send_json(self, status: int, data: Any) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(data))

    def write_error(self, status_code: int, **kwargs) -> None:
        # APIHandler would add a traceback to 500s; the UI shows messages, the log keeps details
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = getattr(exc, "log_message", None) or self._reason
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error": "HTTPError", "message": message, "status": status_code}))

    def describe_error(self, exc: BaseException) -> tuple[int, dict]:
        """Status and JSON body for a failure; unexpected ones are logged, not leaked."""
        return describe_error(exc, self.root_dir, self.log)


def describe_error(exc: BaseException, root: str, log: Any) -> tuple[int, dict]:
    """Status and JSON body for a failure (shared by handlers and background jobs)."""
    if isinstance(exc, RequestFailed):
        return exc.status, exc.body
    if isinstance(exc, NotAvailable):
        return 501, {"error": "NotAvailable", "message": str(exc), "feature": exc.feature}
    if isinstance(exc, ProductionizeError):
        return error_body(exc, root)
    log.error("productionize: unexpected failure", exc_info=exc)
    return 500, {
        "error": "InternalError",
        "message": f"{type(exc).__name__}: {scrub_root(str(exc), root)} (details in the server log)",
    }


def _installed(module: str, name: str) -> bool:
    try:
        require(module, name)
    except NotAvailable:
        return False
    return True


def json_errors(method: Callable) -> Callable:
    """Turn any failure of a handler method into a JSON error response."""

    @functools.wraps(method)
    async def wrapper(self: ProductionizeHandler, *args, **kwargs):
        try:
            return await method(self, *args, **kwargs)
        except tornado.web.HTTPError:
            raise
        except Exception as exc:  # every failure becomes data for the UI
            status, body = self.describe_error(exc)
            self.send_json(status, body)

    return wrapper


class InfoHandler(ProductionizeHandler):
    @tornado.web.authenticated
    @json_errors
    async def get(self) -> None:
        features = {
            feature: any(_installed(*need) for need in needs) for feature, needs in FEATURES.items()
        }
        self.send_json(200, {"version": __version__, "features": features})


class LintHandler(ProductionizeHandler):
    @tornado.web.authenticated
    @json_errors
    async def post(self) -> None:
        self.send_json(
            200, await self.run_in_worker(lint_response, self.root_dir, self.request.body)
        )


class SplitPreviewHandler(ProductionizeHandler):
    @tornado.web.authenticated
    @json_errors
    async def post(self) -> None:
        answer = await self.run_in_worker(preview_response, self.root_dir, self.request.body)
        self.send_json(200, answer)


class RequirementsHandler(ProductionizeHandler):
    @tornado.web.authenticated
    @json_errors
    async def post(self) -> None:
        answer = await self.run_in_worker(requirements_response, self.root_dir, self.request.body)
        self.send_json(200, answer)


class BuildHandler(ProductionizeHandler):
    @tornado.web.authenticated
    @json_errors
    async def post(self) -> None:
        body = self.body()
        root = self.root_dir
        request = load_notebook(root, body, saved_only=True)
        outdir_api = body.get("outdir") or default_outdir(request.api_path)
        outdir = resolve(root, outdir_api, must_exist=False)
        options = build_options(root, body, request.file)
        flags = {k: bool(body.get(k, default)) for k, default in BUILD_FLAGS.items()}

        def work(progress: Reporter) -> dict:
            progress("build", f"building {request.api_path} into {outdir_api}")
            args = (str(request.file), str(outdir), options, flags, root)
            summary = run_in_child(BUILD_IN_CHILD, args, progress)
            progress("done", f"project written to {outdir_api}")
            return {"outdir": outdir_api, "files": list_files(outdir), "build": summary}

        job = self.state.jobs.submit("build", work)
        self.send_json(202, {"job": self.state.jobs.snapshot(job.id)})


class PublishHandler(ProductionizeHandler):
    @tornado.web.authenticated
    @json_errors
    async def post(self) -> None:
        body = self.body()
        root = self.root_dir
        outdir_api = body.get("outdir")
        outdir = resolve(root, outdir_api, must_exist=False)
        if not outdir.exists():
            raise RequestFailed(
                404,
                {
                    "error": "NotBuilt",
                    "message": f"{outdir_api} does not exist yet: build the project first "
                    "(Build Production Project), then publish it",
                    "path": outdir_api,
                },
            )
        remote = body.get("remote")
        if not isinstance(remote, str) or not remote.strip():
            raise RequestFailed(400, {"error": "BadRequest", "message": "'remote' is required"})
        provider = body.get("provider") or "none"
        if provider not in PROVIDERS:
            raise RequestFailed(
                400,
                {
                    "error": "BadRequest",
                    "message": f"provider must be one of {', '.join(PROVIDERS)}",
                },
            )
        publish = require("adapters.publishing", "publish")
        kwargs = {
            "branch": body.get("branch") or None,
            "base": body.get("base") or "main",
            "provider": provider,
            "subdir": body.get("subdir") or None,
            "overwrite_edited": bool(body.get("overwrite_edited", False)),
        }

        def work(progress: Callable[[str, str], None]) -> dict:
            progress("publish", f"publishing {outdir_api} to {without_credentials(remote)}")
            result = publish(str(outdir), remote.strip(), progress=progress, **kwargs)
            return _jsonable(to_dict(result))

        job = self.state.jobs.submit("publish", work)
        self.send_json(202, {"job": self.state.jobs.snapshot(job.id)})


class JobHandler(ProductionizeHandler):
    @tornado.web.authenticated
    @json_errors
    async def get(self, job_id: str) -> None:
        self._send(self.state.jobs.snapshot(job_id), job_id)

    @tornado.web.authenticated
    @json_errors
    async def delete(self, job_id: str) -> None:
        self._send(self.state.jobs.cancel(job_id), job_id)

    def _send(self, job: dict | None, job_id: str) -> None:
        if job is None:
            raise RequestFailed(404, {"error": "NotFound", "message": f"no job {job_id}"})
        self.send_json(200, {"job": job})


def without_credentials(url: str) -> str:
    """A remote URL fit for messages: ``https://user:token@host/x`` -> ``https://host/x``."""
    return re.sub(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", r"\1", url.strip())


def default_outdir(notebook_api_path: str) -> str:
    """Where a notebook's project goes unless the UI says otherwise: ``<stem>-production``."""
    path = Path(notebook_api_path)
    return (path.parent / f"{path.stem}-production").as_posix()


def list_files(outdir: Path) -> list[str]:
    """Files of a generated project, relative and sorted (skips VCS and cache folders)."""
    skip = {".git", "__pycache__", ".ipynb_checkpoints", ".pytest_cache"}
    found = []
    for dirpath, dirnames, filenames in os.walk(outdir):
        dirnames[:] = sorted(d for d in dirnames if d not in skip)
        for name in filenames:
            found.append(Path(dirpath, name).relative_to(outdir).as_posix())
    return sorted(found)


def _jsonable(value: Any) -> Any:
    """Make a result JSON-safe (paths and other odd leaves become strings)."""
    return json.loads(json.dumps(value, default=str))


def setup_handlers(web_app: tornado.web.Application, log: Any) -> None:
    """Mount the handlers under ``<base_url>productionize/``."""
    state = ServerState(
        jobs=JobRunner(lambda exc: describe_error(exc, _root(web_app), log)[1]),
        quick=shared_pool(),
        log=log,
    )
    web_app.settings["productionize"] = state
    base = url_path_join(web_app.settings["base_url"], "productionize")
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "info"), InfoHandler),
            (url_path_join(base, "lint"), LintHandler),
            (url_path_join(base, "split"), SplitPreviewHandler),
            (url_path_join(base, "requirements"), RequirementsHandler),
            (url_path_join(base, "build"), BuildHandler),
            (url_path_join(base, "publish"), PublishHandler),
            (url_path_join(base, r"jobs/(?P<job_id>[A-Za-z0-9-]+)"), JobHandler),
        ],
    )


def _root(web_app: tornado.web.Application) -> str:
    manager = web_app.settings.get("contents_manager")
    return getattr(manager, "root_dir", None) or web_app.settings.get("server_root_dir", ".")
