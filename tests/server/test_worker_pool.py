"""The worker processes behind lint/preview: typed failures, a dead worker, a full queue, orphans."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from productionize.errors import InputError
from productionize.model import Location
from productionize.server.requests import RequestFailed
from productionize.server.worker_pool import (
    WorkerBusy,
    WorkerCrashed,
    WorkerFailed,
    WorkerPool,
)
from tests.conftest import ROOT
from tests.loopback import wait_for


def refuse_input(message: str) -> None:
    raise InputError(message, Location("nb.ipynb", cell_index=3, line=2))


def refuse_request() -> None:
    raise RequestFailed(404, {"error": "PathRefused", "message": "no such file"})


def divide_by_zero() -> float:
    return 1 / 0


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in state  # a zombie has exited; only its parent has not reaped it


@pytest.fixture(scope="module")
def pool():
    workers = WorkerPool(workers=1)
    yield workers
    workers.shutdown()


def test_calls_run_in_a_worker_process(pool):
    worker = asyncio.run(pool.run(os.getpid))
    assert worker != os.getpid()
    assert alive(worker)


def test_failures_come_back_typed_with_their_location(pool):
    with pytest.raises(InputError) as refused:
        asyncio.run(pool.run(refuse_input, "not a notebook"))
    assert str(refused.value) == "nb.ipynb:cell 3:2: not a notebook"
    with pytest.raises(RequestFailed) as failed:
        asyncio.run(pool.run(refuse_request))
    assert (failed.value.status, failed.value.body["error"]) == (404, "PathRefused")
    with pytest.raises(WorkerCrashed, match="ZeroDivisionError: division by zero"):
        asyncio.run(pool.run(divide_by_zero))


def test_a_dead_worker_fails_its_call_and_the_next_call_gets_a_new_one(pool):
    before = asyncio.run(pool.run(os.getpid))
    with pytest.raises(WorkerFailed, match="stopped unexpectedly"):
        asyncio.run(pool.run(die))
    after = asyncio.run(pool.run(os.getpid))
    assert after != before and alive(after)
    assert pool.pending == 0


def test_calls_beyond_the_bound_are_refused_not_queued():
    pool = WorkerPool(workers=1, max_pending=2)

    async def flood() -> list:
        calls = [asyncio.ensure_future(pool.run(time.sleep, 0.5)) for _ in range(2)]
        await asyncio.sleep(0)  # both are now waiting or running
        with pytest.raises(WorkerBusy):
            await pool.run(os.getpid)
        return await asyncio.gather(*calls)

    try:
        assert asyncio.run(flood()) == [None, None]
        assert pool.pending == 0
        assert asyncio.run(pool.run(os.getpid)) != os.getpid()  # room again
    finally:
        pool.shutdown()


def test_shutdown_stops_the_workers():
    pool = WorkerPool(workers=1)
    worker = asyncio.run(pool.run(os.getpid))
    pool.shutdown()
    assert not alive(worker)


SERVER = """
import asyncio, os, sys, time
from productionize.server.worker_pool import WorkerPool
print(asyncio.run(WorkerPool(workers=1).run(os.getpid)), flush=True)
time.sleep(600)
"""


def test_workers_exit_when_the_server_is_killed():
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "toolkit"), str(ROOT)])},
    )
    try:
        worker = int(server.stdout.readline())
        assert alive(worker)
    finally:
        server.kill()
        server.wait()
    assert wait_for(lambda: not alive(worker), attempts=100), "worker outlived its server"


@pytest.mark.parametrize("endpoint", ["lint", "split"])
async def test_a_full_queue_answers_503_retry(jp_serverapp, jp_fetch, saved_notebook, endpoint):
    state = jp_serverapp.web_app.settings["productionize"]
    shared, state.quick = state.quick, WorkerPool(workers=1, max_pending=0)
    try:
        response = await jp_fetch(
            "productionize",
            endpoint,
            method="POST",
            body=json.dumps({"path": saved_notebook}),
            raise_error=False,
        )
    finally:
        state.quick = shared
    assert response.code == 503
    assert response.headers["Retry-After"] == "1"
    body = json.loads(response.body)
    assert body["error"] == "Busy" and "retry" in body["message"]
