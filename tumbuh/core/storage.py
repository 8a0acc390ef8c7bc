"""Where uploads are kept: public media under content-hashed names, private uploads apart.

Two storages are configured in ``settings.STORAGES``:

- ``default``, the **public** media (product photos and thumbnails). Every file is stored under
  a name that carries the first 16 hex digits of the SHA-256 of its bytes
  (``stores/thumbnails/k3x9q2m7a1bc.4f0c2a9be1d3c5a7.webp``): a changed photo gets a new name, so
  a name can be cached by browsers and proxies for a year (``immutable``). Served by
  :func:`tumbuh.core.views.public_media` (or by the reverse proxy, or from object storage).
- ``private``, uploads with people's names or faces (attendance sign-in sheets, halal visit
  photos, partner import files). Outside the public media root, with no URL of their own
  (``url()`` refuses): each is served only by a view of its app that checks the viewer may see
  the record it belongs to, through :func:`private_file_response`.

With ``TUMBUH_MEDIA_STORAGE=s3`` both are S3-compatible buckets (``tumbuh.core.storage_s3``,
which alone imports django-storages and boto3).
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import posixpath
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, Http404
from django.utils.functional import cached_property

HASH_LENGTH = 16
# name.<16 to 64 hex digits>.ext, as written by ContentHashedNamesMixin.
HASHED_NAME = re.compile(r"\.(?P<hash>[0-9a-f]{16,64})\.[A-Za-z0-9]{1,10}$")
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, no-cache"
PRIVATE = "private, no-store"


def file_sha256(content) -> str:
    """The SHA-256 of a file-like object's bytes, read in chunks from its start."""
    digest = hashlib.sha256()
    if not hasattr(content, "chunks"):
        content = File(content)
    for chunk in content.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def content_hashed_name(name: str, content) -> str:
    """``name`` with the content's hash before its extension (a hash already there is replaced).

    >>> content_hashed_name("stores/a.webp", ContentFile(b"x"))
    'stores/a.2d711642b726b044.webp'
    """
    directory, base = posixpath.split(name)
    match = HASHED_NAME.search(base)
    if match:
        base = base[: match.start()] + base[match.end("hash") :]
    stem, extension = posixpath.splitext(base)
    hashed = f"{stem}.{file_sha256(content)[:HASH_LENGTH]}{extension}"
    return posixpath.join(directory, hashed) if directory else hashed


def is_content_hashed(name: str) -> bool:
    return HASHED_NAME.search(name) is not None


class ContentHashedNamesMixin:
    """Saves every file under a name carrying the hash of its bytes.

    The same bytes saved again under the same name are already there: nothing is written and
    the existing name is returned, so re-saving an unchanged photo never makes a copy.
    """

    def save(self, name, content, max_length=None):
        if name is None:
            name = content.name
        if not hasattr(content, "chunks"):
            content = File(content, name)
        name = content_hashed_name(str(name).replace("\\", "/"), content)
        if self.exists(name):
            return name
        return super().save(name, content, max_length=max_length)


class PublicFileSystemStorage(ContentHashedNamesMixin, FileSystemStorage):
    """The public media root (``MEDIA_ROOT``, served at ``MEDIA_URL``), content-hashed names."""


class PrivateFileSystemStorage(FileSystemStorage):
    """Private uploads in ``PRIVATE_MEDIA_ROOT``, outside the public media root; no URL."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError(
            "Private uploads have no public URL; link to the view of the record they belong to."
        )


def private_storage():
    """The private storage (``STORAGES["private"]``), as a callable for ``FileField(storage=)``:
    the migrations then name this function, not the backend chosen by the settings."""
    return storages["private"]


def clean_name(name: str) -> str | None:
    """A storage name from a URL, or None when it is not a plain relative path.

    Refuses absolute paths, backslashes, empty, ``.`` and ``..`` segments, hidden files and
    control characters, before any storage is asked.
    """
    if not name or name.startswith("/") or "\\" in name or len(name) > 255:
        return None
    if any(ord(character) < 32 or ord(character) == 127 for character in name):
        return None
    parts = name.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return None
    return name


def file_response(storage, name: str, *, cache_control: str, as_attachment: bool = False):
    """Stream ``name`` from ``storage`` with its type, length and ``cache_control``; 404 when
    it is missing or not a safe name."""
    try:
        handle = storage.open(name, "rb")
    except Exception:  # missing, unsafe (SuspiciousFileOperation) or unreachable
        raise Http404("no such file") from None
    content_type, _encoding = mimetypes.guess_type(name)
    response = FileResponse(
        handle,
        content_type=content_type or "application/octet-stream",
        as_attachment=as_attachment,
        filename=posixpath.basename(name),
    )
    response["Cache-Control"] = cache_control
    return response


def private_file_response(field_file, *, as_attachment: bool = False):
    """A private upload (a ``FieldFile`` of a private storage), for a view that has already
    checked the viewer may see its record. Never stored by any cache."""
    if not field_file:
        raise Http404("no file")
    response = file_response(
        field_file.storage, field_file.name, cache_control=PRIVATE, as_attachment=as_attachment
    )
    response.is_language_neutral = True
    return response


@contextlib.contextmanager
def local_path(field_file) -> Iterator[Path]:
    """A local path to read ``field_file`` from: its own on a file system storage, else a
    temporary copy (object storage), removed afterwards."""
    try:
        path = field_file.path
    except NotImplementedError:  # object storage has no local path
        path = None
    if path is not None:
        yield Path(path)
        return
    suffix = Path(field_file.name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
        with field_file.storage.open(field_file.name, "rb") as source:
            shutil.copyfileobj(source, copy)
        copy.flush()
        yield Path(copy.name)


# --- for data migrations --------------------------------------------------------------------------


def move_to_private_storage(rows, field: str) -> int:
    """Move the files of ``rows`` (a queryset) in ``field`` from the public storage to the
    private one, under the same name; returns how many moved. Run again, it moves nothing."""
    public, private = storages["default"], storages["private"]
    moved = 0
    for pk, name in rows.exclude(**{field: ""}).values_list("pk", field).iterator():
        if not public.exists(name):
            continue  # already private, or gone
        if not private.exists(name):
            with public.open(name, "rb") as source:
                saved = private.save(name, File(source, name))
            if saved != name:
                rows.filter(pk=pk).update(**{field: saved})
        public.delete(name)
        moved += 1
    return moved


def rename_to_content_hashes(rows, fields: list[str]) -> int:
    """Store again, under content-hashed names, the public files of ``rows`` in ``fields`` whose
    names carry no hash yet, and delete the old names; returns how many were renamed."""
    public = storages["default"]
    renamed = 0
    for row in rows.iterator():
        changes = {}
        for field in fields:
            name = getattr(row, field).name
            if not name or is_content_hashed(name) or not public.exists(name):
                continue
            with public.open(name, "rb") as source:
                changes[field] = public.save(name, File(source, name))
        if changes:
            rows.filter(pk=row.pk).update(**changes)
            for field in changes:
                public.delete(getattr(row, field).name)
            renamed += len(changes)
    return renamed
