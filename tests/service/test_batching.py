"""The generated adaptive batcher (service/batching.py), run in-process on a real event loop."""

from __future__ import annotations

import asyncio
import threading

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


def wait_until(condition):
    """Wait for another thread to reach a state (bounded: a hang fails instead of blocking)."""
    for _ in range(2000):
        if condition():
            return
        threading.Event().wait(0.005)
    raise AssertionError("the other threads never got there")


def test_threads_queued_behind_a_running_prediction_share_the_next_call(batching):
    calls, release = [], threading.Event()

    def run_batch(jobs):
        calls.append(list(jobs))
        if len(calls) == 1:
            release.wait(10)  # the first prediction is slow: the others queue meanwhile
        return [f"answer {job}" for job in jobs]

    coalescer = batching.ThreadCoalescer(run_batch)
    answers = {}

    def client(name):
        answers[name] = coalescer.submit(name, 1)

    threads = [threading.Thread(target=client, args=("a",))]
    threads[0].start()
    wait_until(lambda: calls)
    for index, name in enumerate("bcde"):
        threads.append(threading.Thread(target=client, args=(name,)))
        threads[-1].start()
        wait_until(lambda index=index: len(coalescer._pending) == index + 1)
    release.set()
    for thread in threads:
        thread.join(10)
    assert calls == [["a"], ["b", "c", "d", "e"]]
    assert answers == {name: f"answer {name}" for name in "abcde"}


def test_a_lone_thread_predicts_at_once_and_an_error_reaches_its_whole_batch(batching):
    calls, release = [], threading.Event()

    def run_batch(jobs):
        calls.append(list(jobs))
        if len(calls) == 1:
            release.wait(10)
            return ["first"]
        raise RuntimeError("model exploded")

    coalescer = batching.ThreadCoalescer(run_batch)
    outcomes = {}

    def client(name):
        try:
            outcomes[name] = coalescer.submit(name, 1)
        except RuntimeError as exc:
            outcomes[name] = str(exc)

    first = threading.Thread(target=client, args=("a",))
    first.start()
    wait_until(lambda: calls)
    others = [threading.Thread(target=client, args=(name,)) for name in "bc"]
    for thread in others:
        thread.start()
    wait_until(lambda: len(coalescer._pending) == 2)
    release.set()
    for thread in [first, *others]:
        thread.join(10)
    assert outcomes == {"a": "first", "b": "model exploded", "c": "model exploded"}
    assert sorted(calls[1]) == ["b", "c"]
    calls.clear()
    assert batching.ThreadCoalescer(lambda jobs: [j * 2 for j in jobs]).submit(21, 1) == 42
