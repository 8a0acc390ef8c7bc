"""Uploads: public photos served by the app for a year under content-hashed names, private uploads
never from /media/, and text compressed by the app (``CompressionMiddleware``)."""

import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import override_settings
from PIL import Image

from tumbuh.core.storage import (
    IMMUTABLE,
    clean_name,
    content_hashed_name,
    is_content_hashed,
    private_storage,
)


def webp(colour="teal", size=(24, 18)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "WEBP")
    return buffer.getvalue()


def wsgi_get(path: str, **headers):
    """GET ``path`` from the project's WSGI application itself (``tumbuh.wsgi``)."""
    from tumbuh.wsgi import application

    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "wsgi.errors": sys.stderr}
    environ.update(
        {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    )
    setup_testing_defaults(environ)
    environ["SERVER_NAME"] = environ["HTTP_HOST"] = "localhost"
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(response_headers)

    chunks = application(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return answer["status"], answer["headers"], body


# --- names ----------------------------------------------------------------------------------


def test_a_content_hashed_name_carries_the_sha256_of_the_bytes():
    data = webp()
    digest = hashlib.sha256(data).hexdigest()[:16]
    assert content_hashed_name("stores/thumbnails/abc.webp", ContentFile(data)) == (
        f"stores/thumbnails/abc.{digest}.webp"
    )
    # A name that already has a hash gets the hash of the new bytes, not a second one.
    other = webp("orange")
    renamed = content_hashed_name(f"stores/thumbnails/abc.{digest}.webp", ContentFile(other))
    assert renamed == f"stores/thumbnails/abc.{hashlib.sha256(other).hexdigest()[:16]}.webp"
    assert is_content_hashed(renamed) and not is_content_hashed("stores/thumbnails/abc.webp")


def test_the_public_storage_names_files_by_content_and_keeps_one_copy(settings):
    storage = storages["default"]
    data = webp()
    first = storage.save("stores/thumbnails/p1.webp", ContentFile(data))
    again = storage.save("stores/thumbnails/p1.webp", ContentFile(data))
    changed = storage.save("stores/thumbnails/p1.webp", ContentFile(webp("orange")))
    assert first == again == f"stores/thumbnails/p1.{hashlib.sha256(data).hexdigest()[:16]}.webp"
    assert changed != first and is_content_hashed(changed)
    stored = sorted(p.name for p in (settings.MEDIA_ROOT / "stores" / "thumbnails").iterdir())
    assert stored == sorted([first.rsplit("/", 1)[1], changed.rsplit("/", 1)[1]])


@pytest.mark.parametrize(
    "name",
    ["", "/etc/passwd", "../private/x.webp", "a/../../b.webp", "a//b.webp", ".hidden.webp",
     "a/./b.webp", "a\\..\\b.webp", "a\x00.webp"],
)  # fmt: skip
def test_names_that_are_not_plain_relative_paths_are_refused(name):
    assert clean_name(name) is None


def test_private_uploads_have_no_url(settings):
    storage = private_storage()
    name = storage.save("programmes/attendance/sheet.jpg", ContentFile(b"\xff\xd8 names"))
    assert (settings.PRIVATE_MEDIA_ROOT / name).exists()
    assert not (settings.MEDIA_ROOT / name).exists()
    with pytest.raises(ValueError, match="no public URL"):
        storage.url(name)


# --- serving --------------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(DEBUG=False, ALLOWED_HOSTS=["localhost"], SECURE_SSL_REDIRECT=False)
def test_a_public_photo_is_served_by_the_wsgi_app_for_a_year():
    data = webp()
    name = storages["default"].save("stores/thumbnails/p2.webp", ContentFile(data))
    digest = hashlib.sha256(data).hexdigest()[:16]

    status, headers, body = wsgi_get(f"/media/{name}", **{"Accept-Encoding": "gzip"})

    assert status == 200
    assert body == data  # as stored: a photo is not compressed again
    assert headers["Content-Type"] == "image/webp"
    assert headers["Content-Length"] == str(len(data))
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable" == IMMUTABLE
    assert headers["ETag"] == f'"{digest}"'
    assert "Content-Encoding" not in headers
    assert "Cookie" not in headers.get("Vary", "")
    assert "Set-Cookie" not in headers
    # Nothing that only matters for documents: two dozen thumbnails per page on 2G.
    assert not {"Content-Security-Policy", "X-Frame-Options", "Content-Disposition"} & set(headers)
    assert headers["X-Content-Type-Options"] == "nosniff"

    # Conditional GET: the browser's copy is still good.
    status, headers, body = wsgi_get(f"/media/{name}", **{"If-None-Match": f'"{digest}"'})
    assert (status, body) == (304, b"")
    assert headers["Cache-Control"] == IMMUTABLE


@pytest.mark.django_db
def test_a_name_without_a_content_hash_is_never_served_immutable(client, settings):
    # An upload from before content-hashed names (e.g. ``<public id>.webp``).
    path = settings.MEDIA_ROOT / "stores" / "products" / "old.webp"
    path.parent.mkdir(parents=True)
    path.write_bytes(webp())

    response = client.get("/media/stores/products/old.webp")

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, no-cache"
    assert "immutable" not in response["Cache-Control"]
    etag = response["ETag"]
    assert client.get("/media/stores/products/old.webp", HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/media/../private/programmes/attendance/sheet.jpg",
        "/media/%2e%2e/private/programmes/attendance/sheet.jpg",
        "/media/stores/..%2f..%2fprivate%2fprogrammes%2fattendance%2fsheet.jpg",
        "/media//etc/passwd",
        "/media/stores%5c..%5c..%5cprivate%5csheet.jpg",
        "/media/programmes/attendance/sheet.jpg",  # the private name, asked of the public media
        "/media/notes.html",  # not a photo
        "/media/stores/thumbnails/missing.0123456789abcdef.webp",
    ],
)
def test_traversal_private_names_and_other_files_are_404(client, settings, url):
    private_storage().save("programmes/attendance/sheet.jpg", ContentFile(b"\xff\xd8 names"))
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / "notes.html").write_text("<script>alert(1)</script>")

    response = client.get(url)

    assert response.status_code == 404
    assert b"names" not in response.content and b"alert" not in response.content


# --- compression ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_html_is_compressed_by_the_app_when_the_browser_accepts_gzip(client):
    plain = client.get("/")
    compressed = client.get("/", HTTP_ACCEPT_ENCODING="gzip")

    assert "Content-Encoding" not in plain
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    html = gzip.decompress(compressed.content)
    # The same page (it holds no nonce, nothing per request).
    assert html == plain.content
    assert len(compressed.content) < len(plain.content) / 2


# --- the data migrations' helpers -------------------------------------------------------------


@pytest.mark.django_db
def test_files_kept_in_the_public_media_before_move_to_the_private_storage(settings, office_32):
    from tumbuh.core.storage import move_to_private_storage
    from tumbuh.registry.models import ImportBatch

    name = "imports/2026/01/mitra.csv"
    (settings.MEDIA_ROOT / "imports" / "2026" / "01").mkdir(parents=True)
    (settings.MEDIA_ROOT / name).write_bytes(b"nama,nik\nAni,3204124512900001\n")
    batch = ImportBatch.objects.create(
        organisation=office_32, file=name, file_name="mitra.csv", file_sha256="0" * 64
    )

    assert move_to_private_storage(ImportBatch.objects.all(), "file") == 1

    assert not (settings.MEDIA_ROOT / name).exists()
    assert (settings.PRIVATE_MEDIA_ROOT / name).read_bytes().startswith(b"nama,nik")
    batch.refresh_from_db()
    assert batch.file.name == name
    assert move_to_private_storage(ImportBatch.objects.all(), "file") == 0  # run again: nothing


# --- object storage, switched on by the environment ---------------------------------------------


def settings_in(tmp_path, *, setup: bool = False, **env) -> subprocess.CompletedProcess:
    """Load the settings (and with ``setup`` the apps and models) in a fresh interpreter with
    ``env``; print the storages' backends and whether django-storages was imported."""
    code = (
        f"import json, sys, django; {'django.setup(); ' if setup else ''}"
        "from django.conf import settings; "
        "print(json.dumps({name: s['BACKEND'] for name, s in settings.STORAGES.items()})); "
        "print('storages' in sys.modules)"
    )
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TUMBUH_"))},
        "DJANGO_SETTINGS_MODULE": "tumbuh.settings",
        "TUMBUH_VAR_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=60
    )


def test_s3_switches_both_storages(tmp_path):
    result = settings_in(
        tmp_path,
        TUMBUH_MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="tumbuh-media",
        TUMBUH_PRIVATE_BUCKET_NAME="tumbuh-private",
    )
    assert result.returncode == 0, result.stderr
    backends, imported = result.stdout.splitlines()
    assert json.loads(backends) == {
        "default": "tumbuh.core.storage_s3.PublicS3Storage",
        "private": "tumbuh.core.storage_s3.PrivateS3Storage",
        "staticfiles": "django.contrib.staticfiles.storage.StaticFilesStorage",
    }
    assert imported == "False"  # the settings name the backends; the models load them


def test_local_storage_is_the_default_and_needs_no_django_storages(tmp_path):
    result = settings_in(tmp_path, setup=True)  # every model loaded, storages included
    assert result.returncode == 0, result.stderr
    backends, imported = result.stdout.splitlines()
    assert json.loads(backends)["default"] == "tumbuh.core.storage.PublicFileSystemStorage"
    assert json.loads(backends)["private"] == "tumbuh.core.storage.PrivateFileSystemStorage"
    assert imported == "False"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TUMBUH_MEDIA_STORAGE": "ftp"}, "TUMBUH_MEDIA_STORAGE must be 'local' or 's3'"),
        ({"TUMBUH_MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "m"}, "two different buckets"),
        (
            {
                "TUMBUH_MEDIA_STORAGE": "s3",
                "AWS_STORAGE_BUCKET_NAME": "same",
                "TUMBUH_PRIVATE_BUCKET_NAME": "same",
            },
            "two different buckets",
        ),
    ],
)
def test_a_wrong_storage_setting_stops_with_a_clear_message(tmp_path, env, message):
    result = settings_in(tmp_path, **env)
    assert result.returncode != 0
    assert message in result.stderr
