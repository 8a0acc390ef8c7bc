"""Shared load-test helpers: the production server with DEBUG off, and clients timing it.

``server_env()`` gives the environment for a production-like server; ``gunicorn(workers, env)``
starts gunicorn exactly as ``tumbuh serve`` does (``tumbuh.cli.gunicorn_arguments``: gthread
workers with threads, the access log written) on a free local port, as a context manager
yielding the base URL, and stops it afterwards; ``wait_for(url)`` waits until it answers;
``measure(urls, clients, seconds)`` has threaded Python clients request random URLs for a fixed
time (``bench/load.py`` uses wrk instead where it is installed).
"""

import contextlib
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


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
def gunicorn(workers: int | None, env: dict, *, application: str = "tumbuh.wsgi") -> Iterator[str]:
    """Run ``application`` as ``tumbuh serve`` runs it, on a free port; yield its base URL.

    The access log goes to a temporary file, as production writes it to its journal.
    """
    from tumbuh.cli import gunicorn_arguments

    port = free_port()
    env = {**env, "BIND": f"127.0.0.1:{port}"}
    if workers:  # else as tumbuh serve chooses
        env["WEB_CONCURRENCY"] = str(workers)
    arguments = gunicorn_arguments([], application=application, environment=env)
    with running(arguments, env):
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def running(arguments: list[str], env: dict) -> Iterator[None]:
    """A server process from the project root, its output (the access log) in a temporary file
    as production writes it to its journal; stopped afterwards."""
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed below
    server = subprocess.Popen(arguments, cwd=ROOT, env=env, stdout=log)  # noqa: S603
    try:
        yield
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


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
