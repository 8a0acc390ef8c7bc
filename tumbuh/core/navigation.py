"""Links to parts of the platform that may not be installed yet."""

from django.urls import NoReverseMatch, reverse


def reverse_if_available(url_name: str, *args) -> str | None:
    """The URL for ``url_name``, or None while the part that owns it is not built yet."""
    try:
        return reverse(url_name, args=args)
    except NoReverseMatch:
        return None
