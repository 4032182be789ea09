"""A lean HTTP/1.1 load generator for bench/service.py, run as its own process.

    python bench/loadgen.py URL PAYLOAD_FILE --mode latency --requests 1500
    python bench/loadgen.py URL PAYLOAD_FILE --mode concurrent --clients 8 --requests 2000

Prints one JSON object: per-request seconds (``latency``) or requests/s (``concurrent``).

Why not httpx: a general-purpose client spends 0.3-0.5 ms of Python per request building and
parsing messages, which is of the same order as the service overhead being measured, and with
several client threads in one interpreter the GIL makes the client the bottleneck. This client
sends pre-built request bytes on keep-alive connections (like ``wrk``) and parses only the status
line and Content-Length, so nearly all of the measured time is the server's. It runs in its own
process so that it never shares an interpreter with a server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sys
import time
from urllib.parse import urlsplit


def build_request(host: str, port: int, path: str, body: bytes) -> bytes:
    """Return the bytes of one keep-alive POST with a JSON body."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode() + body


def _parse_head(head: bytes) -> tuple[int, int | None, bool]:
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length, chunked = None, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    return status, length, chunked


class BlockingConnection:
    """One keep-alive connection used by one sequential client."""

    def __init__(self, host: str, port: int):
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def _fill(self) -> None:
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buffer += chunk

    def exchange(self, request: bytes) -> tuple[int, bytes]:
        """Send one request, return (status, body)."""
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status, length, chunked = _parse_head(head)
        if chunked:
            body = b""
            while True:
                while b"\r\n" not in self.buffer:
                    self._fill()
                size_line, _, self.buffer = self.buffer.partition(b"\r\n")
                size = int(size_line.split(b";")[0], 16)
                while len(self.buffer) < size + 2:
                    self._fill()
                body += self.buffer[:size]
                self.buffer = self.buffer[size + 2 :]
                if size == 0:
                    return status, body
        length = length or 0
        while len(self.buffer) < length:
            self._fill()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, body

    def close(self) -> None:
        """Close the socket."""
        self.sock.close()


async def _async_exchange(reader, writer, request: bytes) -> int:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status, length, chunked = _parse_head(head[:-4])
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                return status
    await reader.readexactly(length or 0)
    return status


async def _concurrent(host: str, port: int, request: bytes, clients: int, total: int) -> dict:
    per_client = max(1, total // clients)
    connections = [await asyncio.open_connection(host, port) for _ in range(clients)]
    for reader, writer in connections:  # warm every connection once
        await _async_exchange(reader, writer, request)
    errors = 0

    async def client(reader, writer):
        nonlocal errors
        for _ in range(per_client):
            if await _async_exchange(reader, writer, request) != 200:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(client(r, w) for r, w in connections))
    wall = time.perf_counter() - started
    for _, writer in connections:
        writer.close()
    return {"requests": per_client * clients, "seconds": wall, "errors": errors}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("payload")
    parser.add_argument("--mode", choices=["latency", "concurrent"], default="latency")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()
    url = urlsplit(args.url)
    host, port = url.hostname, url.port
    with open(args.payload, "rb") as handle:
        request = build_request(host, port, url.path, handle.read())
    if args.mode == "concurrent":
        result = asyncio.run(_concurrent(host, port, request, args.clients, args.requests))
        print(json.dumps(result))
        return 0
    connection = BlockingConnection(host, port)
    for _ in range(args.warmup):
        status, body = connection.exchange(request)
        if status != 200:
            raise SystemExit(f"HTTP {status}: {body[:300]!r}")
    times = []
    for _ in range(args.requests):
        started = time.perf_counter()
        status, _ = connection.exchange(request)
        times.append(time.perf_counter() - started)
        if status != 200:
            raise SystemExit(f"HTTP {status}")
    connection.close()
    print(json.dumps({"times": times}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
