"""`tumbuh serve` runs gunicorn with production settings and serves pages and static files."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

from tumbuh.core.tests.test_settings import PRODUCTION, ROOT, tumbuh


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, **headers):
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - localhost only
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return response.status, dict(response.headers), response.read()


def test_serve_answers_with_production_settings(tmp_path):
    port = free_port()
    env = {
        **PRODUCTION,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    migrated = tumbuh("migrate", "--verbosity", "0", env=env, tmp_path=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    environment = {**os.environ, **env, "TUMBUH_VAR_DIR": str(tmp_path)}
    server = subprocess.Popen(
        [sys.executable, "-m", "tumbuh.cli", "serve"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                status, _headers, body = get(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("tumbuh serve did not start")
        assert (status, body) == (200, b"ok")

        status, headers, body = get(f"{base}/")
        assert status == 200
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Content-Language"] == "id"

        # The console page links the hashed (cache-busted) stylesheet, served compressed.
        login_status, _h, _b = get(f"{base}/masuk/")
        assert login_status == 200
        assert (tmp_path / "static" / "staticfiles.json").exists()
        manifest = (tmp_path / "static" / "staticfiles.json").read_text()
        hashed = re.search(r'"css/console\.css": "(css/console\.[0-9a-f]+\.css)"', manifest).group(
            1
        )
        status, headers, _body = get(f"{base}/static/{hashed}", **{"Accept-Encoding": "gzip"})
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        assert "immutable" in headers["Cache-Control"]
    finally:
        server.terminate()
        server.wait(timeout=10)
