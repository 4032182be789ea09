"""Background jobs: real worker threads; progress, results, failures and cancellation."""

from __future__ import annotations

import threading

import pytest

from productionize.errors import SplitError
from productionize.model import Location
from productionize.server.jobs import JobRunner


def describe(exc: BaseException) -> dict:
    return {"error": type(exc).__name__, "message": str(exc)}


@pytest.fixture
def runner():
    runner = JobRunner(describe)
    yield runner
    runner.shutdown()


def wait(runner: JobRunner, job_id: str) -> dict:
    runner.get(job_id).future.result(timeout=30)
    return runner.snapshot(job_id)


def test_a_job_reports_its_steps_and_result(runner):
    def work(progress):
        progress("clone", "cloning the repository")
        progress("push", "")
        return {"branch": "productionize/churn"}

    job = runner.submit("publish", work)
    done = wait(runner, job.id)
    assert done["state"] == "succeeded"
    assert done["finished"] is True
    assert done["result"] == {"branch": "productionize/churn"}
    assert [m["step"] for m in done["messages"]] == ["clone", "push"]
    assert done["messages"][0]["detail"] == "cloning the repository"


def test_a_failing_job_keeps_the_error_as_data(runner):
    def work(progress):
        raise SplitError("cycle between stages", Location("nb.ipynb", 3, line=2))

    done = wait(runner, runner.submit("build", work).id)
    assert done["state"] == "failed"
    assert done["error"] == {
        "error": "SplitError",
        "message": "nb.ipynb:cell 3:2: cycle between stages",
    }
    assert done["result"] is None


def test_a_running_job_stops_at_its_next_step_when_cancelled(runner):
    started, release = threading.Event(), threading.Event()
    reached_after_cancel = []

    def work(progress):
        progress("start", "")
        started.set()
        release.wait(timeout=30)
        progress("next", "")  # raises: the cancel was requested meanwhile
        reached_after_cancel.append(True)

    job = runner.submit("build", work)
    assert started.wait(timeout=30)
    assert runner.cancel(job.id)["cancel_requested"] is True
    release.set()
    done = wait(runner, job.id)
    assert done["state"] == "cancelled"
    assert reached_after_cancel == []


def test_a_queued_job_never_starts_when_cancelled(runner):
    release = threading.Event()
    ran = []
    blocker = runner.submit("build", lambda progress: release.wait(timeout=30))
    queued = runner.submit("build", lambda progress: ran.append(True))
    assert runner.cancel(queued.id)["state"] == "cancelled"
    release.set()
    wait(runner, blocker.id)
    assert runner.snapshot(queued.id)["state"] == "cancelled"
    assert ran == []


def test_jobs_run_one_at_a_time(runner):
    inside, overlaps = [], []
    lock = threading.Lock()

    def work(progress):
        with lock:
            inside.append(1)
            overlaps.append(len(inside))
        progress("work", "")
        with lock:
            inside.pop()

    jobs = [runner.submit("build", work) for _ in range(4)]
    for job in jobs:
        wait(runner, job.id)
    assert overlaps == [1, 1, 1, 1]


def test_unknown_jobs_are_none(runner):
    assert runner.snapshot("nope") is None
    assert runner.cancel("nope") is None
