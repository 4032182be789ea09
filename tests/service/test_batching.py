"""The generated adaptive batcher (service/batching.py), run in-process on a real event loop."""

from __future__ import annotations

import asyncio

import pytest

from tests.service.test_schema_validation import load_module
from tests.service.test_service_plan import rendered


@pytest.fixture(scope="module")
def batching():
    _, files = rendered("fastapi")
    source = {f.path: f.content for f in files}["src/churn_fixture/service/batching.py"]
    return load_module("generated_batching", source)


def run_together(coalescer, jobs):
    """Submit every (job, rows) in the same event-loop turn; return the answers in order."""

    async def together():
        return await asyncio.gather(
            *(coalescer.submit(job, rows) for job, rows in jobs), return_exceptions=True
        )

    return asyncio.run(together())


def recording(calls):
    def run_batch(jobs):
        calls.append(list(jobs))
        return [f"answer {job}" for job in jobs]

    return run_batch


def test_requests_submitted_together_share_one_call_and_keep_their_order(batching):
    calls = []
    coalescer = batching.Coalescer(recording(calls))
    answers = run_together(coalescer, [(f"r{i}", 1) for i in range(8)])
    assert calls == [[f"r{i}" for i in range(8)]]
    assert answers == [f"answer r{i}" for i in range(8)]


def test_a_lone_request_is_answered_alone_without_waiting_for_company(batching):
    calls = []
    coalescer = batching.Coalescer(recording(calls))

    async def one_after_another():
        first = await coalescer.submit("a", 1)
        second = await coalescer.submit("b", 1)
        return first, second

    assert asyncio.run(one_after_another()) == ("answer a", "answer b")
    assert calls == [["a"], ["b"]]


def test_batches_stop_at_max_rows_but_a_big_request_still_runs(batching):
    calls = []
    coalescer = batching.Coalescer(recording(calls), max_rows=10)
    answers = run_together(coalescer, [("a", 4), ("b", 4), ("c", 4), ("huge", 50), ("d", 1)])
    assert calls == [["a", "b"], ["c"], ["huge"], ["d"]]
    assert answers == ["answer a", "answer b", "answer c", "answer huge", "answer d"]


def test_an_error_reaches_every_request_of_the_batch_and_the_next_batch_runs(batching):
    calls = []

    def failing(jobs):
        calls.append(list(jobs))
        if len(calls) == 1:
            raise RuntimeError("model exploded")
        return ["ok" for _ in jobs]

    coalescer = batching.Coalescer(failing)
    answers = run_together(coalescer, [("a", 1), ("b", 1)])
    assert [type(a) for a in answers] == [RuntimeError, RuntimeError]
    assert run_together(coalescer, [("c", 1)]) == ["ok"]


def test_a_cancelled_request_is_left_out_of_the_batch(batching):
    calls = []
    coalescer = batching.Coalescer(recording(calls))

    async def cancel_one():
        kept = coalescer.submit("kept", 1)
        gone = coalescer.submit("gone", 1)
        gone.cancel()
        return await kept

    assert asyncio.run(cancel_one()) == "answer kept"
    assert calls == [["kept"]]
