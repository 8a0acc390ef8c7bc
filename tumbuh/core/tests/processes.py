"""Tumbuh in real processes, for the fault tests: a worker or a server killed mid-way.

Each test gets its own var directory with a SQLite file database, migrated once per test run
with the Jawa Barat regions (``var_dir``), and runs ``tumbuh`` there with production settings
(DEBUG off). The environment of the test run (``DATABASE_URL`` of the PostgreSQL pass, the
test settings) is left out, so these tests run the same on both passes of CI. The tests read
the outcome straight from the SQLite file (``rows``).
"""

import contextlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PROVINCE = "32"  # Jawa Barat, where the conftest's villages are
ENVIRONMENT = {
    "DEBUG": "0",
    "SECRET_KEY": "a-secret-for-the-fault-tests-that-is-long-enough-0123456789-abcdefghijkl",
    "TUMBUH_DATA_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "DJANGO_SETTINGS_MODULE": "tumbuh.settings",
}
_template: dict[str, Path] = {}


def environment(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a production process in ``var_dir``; nothing of this test run's."""
    kept = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TUMBUH_", "DJANGO_", "DATABASE_", "AWS_", "EMAIL_"))
        and key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "TASKS_BACKEND", "MEDIA_ROOT"}
    }
    return {**kept, **ENVIRONMENT, "TUMBUH_VAR_DIR": str(var_dir), **extra}


def tumbuh(var_dir: Path, *arguments: str, timeout: float = 60, **extra: str) -> str:
    """Run ``tumbuh <arguments>`` to its end in ``var_dir``; its output, or a failure."""
    result = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "tumbuh.cli", *arguments],
        cwd=ROOT,
        env=environment(var_dir, **extra),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def python(var_dir: Path, code: str, *, timeout: float = 60, **extra: str) -> str:
    """Run Python ``code`` with Django set up in ``var_dir``; what it prints."""
    return tumbuh(var_dir, "shell", "--no-imports", "-c", code, timeout=timeout, **extra)


def var_dir(tmp_path_factory) -> Path:
    """A var directory of its own with a migrated database holding the Jawa Barat regions (the
    first call of a test run prepares it, the others copy it)."""
    if "path" not in _template:
        template = tmp_path_factory.mktemp("tumbuh-var")
        tumbuh(template, "migrate", "--verbosity", "0", timeout=180)
        python(
            template,
            "from tumbuh.regions.services import load_regions; "
            f"load_regions(provinces=[{PROVINCE!r}])",
            timeout=120,
        )
        _template["path"] = template
    copy = tmp_path_factory.mktemp("var")
    shutil.copytree(_template["path"], copy, dirs_exist_ok=True)
    return copy


def rows(var_dir: Path, sql: str, parameters=()) -> list[tuple]:
    """Read the database file of ``var_dir`` directly."""
    with contextlib.closing(sqlite3.connect(var_dir / "tumbuh.sqlite3", timeout=20)) as database:
        return database.execute(sql, parameters).fetchall()


def wait_for(condition, *, seconds: float = 30, what: str = "the condition"):
    """Poll ``condition()`` until it gives something true; that value."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {seconds:.0f} s")


def paused_process(var_dir: Path, point: str, *, seconds: float = 30) -> int:
    """The id of the process that paused at the fault point ``point`` (``core.faults``)."""
    marker = var_dir / "faults" / f"{point}.pid"
    wait_for(marker.exists, seconds=seconds, what=f"a pause at {point}")
    return int(marker.read_text())


def kill(pid: int) -> None:
    """SIGKILL, as when the machine loses the process: no handler runs, no transaction ends.
    Returns once the process is gone (or a zombie: it holds no file and no lock then)."""
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: _gone(pid), seconds=10, what=f"the end of process {pid}")


def _gone(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return status.rsplit(")", 1)[1].split()[0] in {"Z", "X"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serving(var_dir: Path, **extra: str):
    """``tumbuh serve`` (gunicorn, two workers) in ``var_dir`` until the block ends; yields the
    master process and the base URL. Its log is ``var_dir/serve.log``."""
    port = free_port()
    env = environment(
        var_dir,
        BIND=f"127.0.0.1:{port}",
        SITE_URL=f"http://127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        GUNICORN_THREADS="2",
        **extra,
    )
    with (var_dir / "serve.log").open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "tumbuh.cli", "serve"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            wait_for(lambda: _answers(base_url + "/healthz", server), seconds=60, what="serve")
            yield server, base_url
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def _answers(url: str, server: subprocess.Popen) -> bool:
    if server.poll() is not None:
        raise AssertionError(f"tumbuh serve stopped (exit {server.returncode})")
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
            return response.status == 200
    except OSError:
        return False
