"""Bounded retries with exponential backoff for network calls (git push/fetch, REST APIs)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


class TransientError(Exception):
    """A failure worth retrying (connection refused, timeout, HTTP 5xx/429); text is redacted."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry: ``attempts`` tries, delays doubling from ``delay``."""

    attempts: int = 4
    delay: float = 1.0
    max_delay: float = 20.0

    def delays(self) -> list[float]:
        return [min(self.delay * 2**i, self.max_delay) for i in range(self.attempts - 1)]


def retry_policy_from_env() -> RetryPolicy:
    """Read PRODUCTIONIZE_NETWORK_ATTEMPTS / PRODUCTIONIZE_NETWORK_BACKOFF (seconds) if set."""
    policy = RetryPolicy()
    try:
        attempts = int(os.environ.get("PRODUCTIONIZE_NETWORK_ATTEMPTS", policy.attempts))
        delay = float(os.environ.get("PRODUCTIONIZE_NETWORK_BACKOFF", policy.delay))
    except ValueError:
        return policy
    return RetryPolicy(attempts=max(1, min(attempts, 10)), delay=max(0.0, min(delay, 60.0)))


def call_with_retries(
    action: Callable[[], T],
    policy: RetryPolicy,
    on_retry: Callable[[int, float, TransientError], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``action``; on TransientError wait and retry up to the policy, then re-raise the last."""
    delays = policy.delays()
    for attempt in range(1, policy.attempts + 1):
        try:
            return action()
        except TransientError as exc:
            if attempt >= policy.attempts:
                raise
            wait = delays[attempt - 1]
            if exc.retry_after is not None:
                wait = min(max(wait, exc.retry_after), policy.max_delay)
            if on_retry is not None:
                on_retry(attempt, wait, exc)
            sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover
