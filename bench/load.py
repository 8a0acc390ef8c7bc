"""Shared load-test helpers: a gunicorn server with DEBUG off, and threaded clients timing it.

``server_env()`` gives the environment for a production-like server, ``gunicorn(workers, env)``
starts ``gunicorn tumbuh.wsgi`` on a free local port (a context manager yielding the base URL;
it stops the server afterwards), ``wait_for(url)`` waits until it answers, and
``measure(urls, clients, seconds)`` has threaded clients request random URLs for a fixed time and
returns the requests/s and p50/p95/p99 latency fields the benches print.
"""

import contextlib
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env() -> dict:
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "TUMBUH_DATA_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
    }


@contextlib.contextmanager
def gunicorn(workers: int, env: dict) -> Iterator[str]:
    """Run ``gunicorn tumbuh.wsgi`` on a free port; yield ``http://127.0.0.1:PORT``."""
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own server
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tumbuh.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def wait_for(url: str) -> None:
    for _attempt in range(100):
        try:
            urllib.request.urlopen(url, timeout=5).read()  # noqa: S310
            return
        except OSError:
            time.sleep(0.2)


def measure(urls: Sequence[str], clients: int, seconds: float) -> dict:
    """Threaded clients GET random ``urls`` for ``seconds``; the throughput and latency fields."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(number: int):
        rng = random.Random(number)
        while time.perf_counter() < deadline:
            url = rng.choice(urls)
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
                    response.read()
                    ok = response.status == 200
            except OSError:
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    centiles = statistics.quantiles(latencies, n=100)
    return {
        "seconds": round(wall, 1),
        "requests": len(latencies),
        "errors": errors[0],
        "requests_per_s": round(len(latencies) / wall, 1),
        "p50_ms": round(centiles[49] * 1000, 1),
        "p95_ms": round(centiles[94] * 1000, 1),
        "p99_ms": round(centiles[98] * 1000, 1),
    }
