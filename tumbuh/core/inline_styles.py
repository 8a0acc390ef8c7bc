"""Critical CSS inlined in pages, allowed by the Content Security Policy through its hash.

A ``<style>`` element needs either a nonce or its hash in ``style-src``. A nonce is per request,
so a page cached for every visitor (``core.page_cache``) cannot carry one: it would be a nonce
shared by everybody. So every inline style is the text of one static file listed in
``settings.TUMBUH_INLINE_STYLES``, inlined by ``{% inline_style %}``, and
``ContentSecurityPolicyMiddleware`` adds the SHA-256 of each listed file to ``style-src``. The
policy is then the same for every response, and no page holds a nonce.
"""

import base64
import hashlib
from functools import cache

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib.staticfiles import finders


def _read(path: str) -> str:
    if path not in settings.TUMBUH_INLINE_STYLES:
        raise ValueError(f"{path} is not in TUMBUH_INLINE_STYLES: the policy would block it")
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(f"static file {path} not found")
    with open(found, encoding="utf-8") as handle:
        return handle.read()


_read_once = cache(_read)


def text(path: str) -> str:
    """The CSS of ``path`` as inlined (read again on every call with DEBUG on, for editing)."""
    return _read(path) if settings.DEBUG else _read_once(path)


def _hashes() -> list[str]:
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(text(path).encode()).digest()).decode() + "'"
        for path in settings.TUMBUH_INLINE_STYLES
    ]


_hashes_once = cache(_hashes)


def hashes() -> list[str]:
    """``'sha256-…'`` of every inlinable file, for ``style-src`` (computed once, or on every call
    with DEBUG on)."""
    return _hashes() if settings.DEBUG else _hashes_once()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the inline styles' hashes added to ``style-src``."""

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only:
            parts.update = {**(parts.update or {}), "style-src": hashes()}
        return parts
