"""Whole public pages cached for anonymous visitors, keyed by versions that every change bumps.

A cached page is found under a key made of its address, the language, today's date and the
*version tokens* of the scopes it shows: ``store:<slug>`` for a store's pages, ``catalogue`` for
the national catalogue, and ``all`` for every public page (regions reloaded, a restore, a demo
load). A token is a random string kept in Django's cache (``CACHES``: Redis in production, a
file cache in the embedded default); ``bump(scope)`` replaces it, so every page cached under the
old token is never read again. Nothing is ever invalidated by deleting entries, and no entry can
outlive the data it was rendered from:

- a page is read under the tokens read *before* its data, so a page rendered from older data is
  always stored under a token that a later change has already replaced;
- ``bump`` replaces the token at once (inside the writer's transaction, so the writer's own next
  read is fresh) and again when the transaction commits, so a page rendered by someone else from
  the data just before the commit is stored under a token that the commit's bump makes obsolete;
- a token that is missing (evicted, a cleared cache) is made anew: every page under it is a miss.

Who gets a cached page: a GET or HEAD without a session cookie (so nobody signed in, no cart,
no messages). Everyone else gets the page rendered for them, with the same version-based ETag
(plus what is theirs: who they are, their CSRF cookie) and no database query for the ETag.

What differs per visitor inside a cached page is put in on the way out: the CSRF token of a form
(``{% csrf_token %}`` renders a marker in the cached copy). Pages that are cached carry no CSP
nonce: their inline CSS is allowed by its hash (``core.inline_styles``); a view that asked for a
nonce anyway is served uncached, never with a nonce shared by every visitor. A page without a
per-visitor part is stored gzip-compressed too, and served as stored.

Conditional GET: the ETag comes from the tokens (no query), so a revalidation answers 304 before
any view runs. Responses say ``Cache-Control: private, no-cache``: a browser keeps the page and
asks each time whether it changed; a shared cache never stores it.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import re
import secrets
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.translation import get_language

EVERY_PAGE = "all"
VERSION_PREFIX = "tumbuh:pagever:"
PAGE_PREFIX = "tumbuh:page:"
CSRF_MARKER = b"\x00tumbuh-csrf\x00"
CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{32,64}(")')
GZIP_ACCEPTED = re.compile(r"\bgzip\b")


def _version_key(scope: str) -> str:
    return VERSION_PREFIX + hashlib.sha256(scope.encode()).hexdigest()[:32]


def _new_token() -> str:
    return secrets.token_urlsafe(12)


def bump(*scopes: str) -> None:
    """A change of what ``scopes`` show: new tokens now and again once the transaction commits."""
    keys = [_version_key(scope) for scope in scopes if scope]
    if not keys:
        return

    def replace() -> None:
        cache.set_many({key: _new_token() for key in keys}, timeout=None)

    replace()
    transaction.on_commit(replace)


def versions(scopes: Iterable[str]) -> list[str]:
    """The current token of each scope (made when missing), in the order given."""
    keys = [_version_key(scope) for scope in scopes]
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    for key in missing:
        cache.add(key, _new_token(), timeout=None)  # another process may have made it first
    if missing:
        found.update(cache.get_many(missing))
    return [found.get(key, "") for key in keys]


def is_cacheable_visitor(request) -> bool:
    """Nobody signed in and nothing of theirs in the page: no session cookie, no messages."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _visitor_part(request) -> str:
    """What a page rendered for one visitor also depends on: who they are, their CSRF cookie."""
    user = getattr(request, "user", None)
    who = str(user.pk) if user is not None and user.is_authenticated else ""
    return f"{who}|{request.COOKIES.get(settings.CSRF_COOKIE_NAME, '')}"


def _page_key(request, tokens: list[str]) -> str:
    parts = [
        request.get_full_path(),
        get_language() or "",
        timezone.localdate().isoformat(),
        *tokens,
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _store(response, *, timeout: int, key: str, request) -> None:
    """Keep a rendered page, its CSRF token replaced by the marker. Pages with a nonce or
    a cookie of their own are not kept."""
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies.keys() - {settings.CSRF_COOKIE_NAME}
        or getattr(request, "_csp_nonce", None)
        or response.has_header("Content-Encoding")
    ):
        return
    body = CSRF_INPUT.sub(lambda match: match[1] + CSRF_MARKER + match[2], response.content)
    entry = {
        "body": body,
        "content_type": response["Content-Type"],
        "language": response.get("Content-Language", ""),
        # A page without a per-visitor part is compressed once, here, not per request.
        "gzip": None if CSRF_MARKER in body else gzip.compress(body, compresslevel=9, mtime=0),
    }
    cache.set(PAGE_PREFIX + key, entry, timeout)


def _from_entry(request, entry: dict) -> HttpResponse:
    body = entry["body"]
    if CSRF_MARKER in body:
        body = body.replace(CSRF_MARKER, get_token(request).encode())
    response = HttpResponse(content_type=entry["content_type"])
    if entry["gzip"] is not None and GZIP_ACCEPTED.search(
        request.headers.get("Accept-Encoding", "")
    ):
        response.content = entry["gzip"]
        response["Content-Encoding"] = "gzip"
    else:
        response.content = body
    patch_vary_headers(response, ["Accept-Encoding"])
    if entry["language"]:
        response["Content-Language"] = entry["language"]
    return response


def cached_page(
    scopes: Callable[..., list[str]],
    *,
    timeout: Callable[[], int] | None = None,
):
    """Serve a public GET view from the page cache.

    ``scopes(request, *args, **kwargs)`` names what the page shows (besides ``all``);
    ``timeout()``, called on a miss, may shorten how long the page is kept (a campaign that
    ends in a minute). The view itself runs only on a miss, or for a visitor with a session.
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            tokens = versions([EVERY_PAGE, *scopes(request, *args, **kwargs)])
            key = _page_key(request, tokens)
            shared = is_cacheable_visitor(request)
            etag = '"' + (key if shared else _etag_for(key, request)) + '"'
            not_modified = get_conditional_response(request, etag=etag)
            if not_modified is not None:
                return _headers(not_modified, etag)
            entry = cache.get(PAGE_PREFIX + key) if shared else None
            if entry is not None:
                return _headers(_from_entry(request, entry), etag)
            response = view(request, *args, **kwargs)
            if shared:
                seconds = settings.TUMBUH_PAGE_CACHE_SECONDS
                if timeout is not None:
                    seconds = max(0, min(seconds, timeout()))
                if seconds:
                    _store(response, timeout=seconds, key=key, request=request)
            if response.status_code != 200:
                return response
            return _headers(response, etag)

        return wrapper

    return decorate


def _etag_for(key: str, request) -> str:
    return hashlib.sha256(f"{key}|{_visitor_part(request)}".encode()).hexdigest()


def _headers(response, etag: str):
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ["Cookie"])
    return response
