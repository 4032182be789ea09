"""Latency prober run as a separate process, so the heavy clients' threads cannot delay it.

    python status_probe.py URL TOKEN STOPFILE  ->  one JSON line: {"latencies": [...]}

GETs /api/status every 50 ms until STOPFILE exists (at most 10 minutes); any non-200 fails.
"""

from __future__ import annotations

import json
import os
import sys
import time

import httpx

LIMIT_SECONDS = 600


def main() -> None:
    url, token, stopfile = sys.argv[1:4]
    latencies: list[float] = []
    deadline = time.monotonic() + LIMIT_SECONDS
    headers = {"Authorization": f"token {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        while not os.path.exists(stopfile) and time.monotonic() < deadline:
            start = time.perf_counter()
            status = client.get("/api/status").status_code
            latencies.append(time.perf_counter() - start)
            if status != 200:
                raise SystemExit(f"GET /api/status answered {status}")
            time.sleep(0.05)
    print(json.dumps({"latencies": latencies}))


if __name__ == "__main__":
    main()
