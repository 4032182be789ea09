"""Load generator run as a separate process: POST /predict from N threads for a fixed time.

    python load_client.py URL SECONDS THREADS PAYLOADS.json  ->  one JSON line of figures

Each thread keeps one connection open and cycles through the payloads (single records and small
batches). An error is any non-200 answer or transport failure.
"""

from __future__ import annotations

import json
import sys
import threading
import time

import httpx


def main() -> None:
    url, seconds, threads, payload_file = (
        sys.argv[1],
        float(sys.argv[2]),
        int(sys.argv[3]),
        sys.argv[4],
    )
    payloads = json.loads(open(payload_file, encoding="utf-8").read())
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    fallbacks = 0
    lock = threading.Lock()

    def worker(offset: int) -> None:
        nonlocal fallbacks
        mine, codes, fell = [], {}, 0
        with httpx.Client(base_url=url, timeout=30) as client:
            index = offset
            while time.monotonic() < deadline:
                body = payloads[index % len(payloads)]
                index += 1
                start = time.perf_counter()
                try:
                    response = client.post("/predict", json=body)
                    code = str(response.status_code)
                    if response.status_code == 200 and response.json().get("fallback"):
                        fell += 1
                except httpx.HTTPError as exc:
                    code = type(exc).__name__
                mine.append(time.perf_counter() - start)
                codes[code] = codes.get(code, 0) + 1
        with lock:
            latencies.extend(mine)
            for code, n in codes.items():
                statuses[code] = statuses.get(code, 0) + n
            fallbacks += fell

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    ordered = sorted(latencies) or [0.0]

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    print(
        json.dumps(
            {
                "requests": len(latencies),
                "errors": sum(n for code, n in statuses.items() if code != "200"),
                "statuses": statuses,
                "fallback_answers": fallbacks,
                "rps": len(latencies) / seconds,
                "p50_ms": pct(0.50),
                "p99_ms": pct(0.99),
                "max_ms": ordered[-1] * 1000,
            }
        )
    )


if __name__ == "__main__":
    main()
