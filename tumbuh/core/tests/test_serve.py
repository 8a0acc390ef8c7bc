"""`tumbuh serve` runs gunicorn with production settings and serves pages and static files."""

import gzip
import hashlib
import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

from tumbuh.core.tests.test_settings import PRODUCTION, ROOT, tumbuh


def _webp() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (24, 18), "teal").save(buffer, "WEBP")
    return buffer.getvalue()


THUMBNAIL = _webp()


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
        # The vendored htmx too: precompressed by WhiteNoise, cached for good.
        script = re.search(r'"(vendor/htmx-[0-9.]+\.min\.[0-9a-f]+\.js)"', manifest).group(1)
        status, headers, body = get(f"{base}/static/{script}", **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert headers["Cache-Control"] == "max-age=315360000, public, immutable"
        assert len(body) < 20_000  # htmx is about 50 KB uncompressed

        # Pages are compressed by the app itself.
        status, headers, body = get(f"{base}/masuk/", **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(body).startswith(b"<!doctype html>")

        # Public media: a product thumbnail under its content-hashed name, for a year.
        digest = hashlib.sha256(THUMBNAIL).hexdigest()[:16]
        name = f"stores/thumbnails/demo.{digest}.webp"
        (tmp_path / "media" / "stores" / "thumbnails").mkdir(parents=True)
        (tmp_path / "media" / name).write_bytes(THUMBNAIL)
        status, headers, body = get(f"{base}/media/{name}", **{"Accept-Encoding": "gzip"})
        assert (status, body) == (200, THUMBNAIL)
        assert headers["Content-Type"] == "image/webp"
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert headers["ETag"] == f'"{digest}"' and "Content-Encoding" not in headers
    finally:
        server.terminate()
        server.wait(timeout=10)
