"""Uploads in S3-compatible object storage (``TUMBUH_MEDIA_STORAGE=s3``), through django-storages.

Imported only when the settings name these backends, so that nothing needs boto3 unless object
storage is switched on (``uv sync --extra s3``). The public bucket holds content-hashed names and
gives every object ``Cache-Control: public, max-age=31536000, immutable``; the private bucket's
objects are private and have no URL: the app streams them to staff through its own views.
"""

from storages.backends.s3 import S3Storage

from tumbuh.core.storage import IMMUTABLE, PRIVATE, ContentHashedNamesMixin


class PublicS3Storage(ContentHashedNamesMixin, S3Storage):
    """Product photos and thumbnails: content-hashed keys, cached for a year, unsigned URLs."""

    def get_object_parameters(self, name):
        parameters = super().get_object_parameters(name)
        parameters.setdefault("CacheControl", IMMUTABLE)
        return parameters


class PrivateS3Storage(S3Storage):
    """Uploads with people's names: a private bucket, read only by the app's checked views."""

    def get_object_parameters(self, name):
        parameters = super().get_object_parameters(name)
        parameters.setdefault("CacheControl", PRIVATE)
        return parameters

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError(
            "Private uploads have no public URL; link to the view of the record they belong to."
        )
