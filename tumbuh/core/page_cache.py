"""Whole public pages cached for anonymous visitors, keyed by versions that every change bumps.

A cached page is kept under its address, the language and today's date, together with the
*version tokens* of the scopes it shows, read before its data: ``store:<slug>`` for a store's
pages, ``catalogue`` for the national catalogue, and ``all`` for every public page (regions
reloaded, a restore). A token is a random string kept in Django's cache (``CACHES``: Redis in
production, a file cache in the embedded default); ``bump(scope)`` replaces it, and a kept page
is served only while every token it was rendered under is still current. Nothing is ever
invalidated by deleting entries, and no entry can outlive the data it was rendered from:

- a page is rendered under the tokens read *before* its data, so a page rendered from older data
  always holds a token that a later change has already replaced;
- ``bump`` replaces the token at once (inside the writer's transaction, so the writer's own next
  read is fresh) and again when the transaction commits, so a page rendered by someone else from
  the data just before the commit holds a token that the commit's bump makes obsolete;
- a token that is missing (evicted, a cleared cache) is made anew: every page that held it is a
  miss.

Who gets a cached page: a GET or HEAD without a session cookie (so nobody signed in, no cart,
no messages). ``PageCacheMiddleware`` serves it right after the language is known, before
sessions, sign-in, CSRF checks, URL resolution or the view: a kept page carries the scopes and
tokens it was rendered under and is served while they are all still current. Everyone else gets
the page rendered for them, with the same version-based ETag (plus what is theirs: who they
are, their CSRF cookie) and no database query for the ETag.

What differs per visitor inside a cached page is put in on the way out: the CSRF token of a form
(the kept copy holds a marker in its place; the visitor gets their token and its cookie). Pages that are cached carry no CSP
nonce: their inline CSS is allowed by its hash (``core.inline_styles``); a view that asked for a
nonce anyway is served uncached, never with a nonce shared by every visitor. A page without a
per-visitor part is kept gzip-compressed only, and served as kept (decompressed for the rare
client that does not take gzip).

Conditional GET: the ETag comes from the tokens, and Last-Modified from the moment the newest of
them was made (no query), so a revalidation answers 304 before any view runs. Responses say ``Cache-Control: private, no-cache``: a browser keeps the page and
asks each time whether it changed; a shared cache never stores it.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
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
    """When the change happened (seconds, for Last-Modified) and a random part (never twice)."""
    return f"{int(time.time())}-{secrets.token_urlsafe(12)}"


def changed_at(tokens: list[str]) -> int | None:
    """The moment of the latest change among ``tokens`` (Unix seconds), for Last-Modified."""
    moments = [int(token.split("-", 1)[0]) for token in tokens if token[:1].isdigit()]
    return max(moments) if moments else None


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


def _address_key(request) -> str:
    """Where a page is kept: its address, language and day (halal certificates expire)."""
    parts = [request.get_full_path(), get_language() or "", timezone.localdate().isoformat()]
    return PAGE_PREFIX + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _etag(request, tokens: list[str], *, shared: bool) -> str:
    parts = [_address_key(request), *tokens]
    if not shared:
        parts.append(_visitor_part(request))
    return '"' + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40] + '"'


@dataclass(frozen=True)
class Mark:
    """Set on a response by :func:`cached_page`: the middleware may keep it."""

    scopes: list[str]
    tokens: list[str]
    etag: str
    seconds: int


# Headers a kept page is served again with; the rest are made per response.
NOT_KEPT = {"vary", "etag", "cache-control", "content-length", "content-encoding", "set-cookie"}


def _headers(response, etag: str, last_modified: int | None):
    response["ETag"] = etag
    # Whole seconds: given only once the second of the latest change has passed, so any later
    # change has a later stamp and If-Modified-Since never hides it.
    if last_modified is not None and last_modified < int(time.time()):
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ["Cookie"])
    return response


class PageCacheMiddleware:
    """Serves a kept page before sessions, sign-in, CSRF, URL resolution and the view run.

    It sits after ``LanguageMiddleware`` (the language is part of the address) and before
    everything else that reads the request. A kept page carries the scopes and tokens it was
    rendered under; it is served only while every one of those tokens is still current (two
    cache reads: the page, then the tokens), so a change is never hidden by it. On the way out
    it keeps what :func:`cached_page` marked, with the headers the inner middleware added
    (security policy, framing), the CSRF token of a form replaced by a marker.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        shared = settings.TUMBUH_PAGE_CACHE_SECONDS and is_cacheable_visitor(request)
        if not shared:
            return self.get_response(request)
        key = _address_key(request)
        entry = cache.get(key)
        if entry is not None and versions(entry["scopes"]) == entry["tokens"]:
            return self._serve(request, entry)
        response = self.get_response(request)
        mark = getattr(response, "page_cache", None)
        if mark is not None:
            self._keep(request, response, mark, key)
        return response

    def _serve(self, request, entry: dict):
        last_modified = changed_at(entry["tokens"])
        not_modified = get_conditional_response(
            request, etag=entry["etag"], last_modified=last_modified
        )
        if not_modified is not None:
            return _headers(not_modified, entry["etag"], last_modified)
        response = HttpResponse()
        for name, value in entry["headers"]:
            response[name] = value
        if entry["body"] is not None:
            # The visitor's own token, and the cookie that goes with it, as the CSRF
            # middleware would give them; the compression middleware compresses the page.
            self.csrf.process_request(request)
            response.content = entry["body"].replace(CSRF_MARKER, get_token(request).encode())
            response = self.csrf.process_response(request, response)
        elif GZIP_ACCEPTED.search(request.headers.get("Accept-Encoding", "")):
            response.content = entry["gzip"]
            response["Content-Encoding"] = "gzip"
        else:
            response.content = gzip.decompress(entry["gzip"])
        patch_vary_headers(response, ["Accept-Encoding"])
        # Served from outside CommonMiddleware, which would set it: without a length the server
        # chunks the body, and the last chunk can wait on a delayed ACK (seen: 40-360 ms).
        response["Content-Length"] = str(len(response.content))
        return _headers(response, entry["etag"], last_modified)

    def _keep(self, request, response, mark: Mark, key: str) -> None:
        """Keep a rendered page. Pages with a nonce or a cookie of their own are not kept."""
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
            "scopes": mark.scopes,
            "tokens": mark.tokens,
            "etag": mark.etag,
            "headers": [
                (name, value)
                for name, value in response.headers.items()
                if name.lower() not in NOT_KEPT
            ],
        }
        if CSRF_MARKER in body:
            entry.update(body=body, gzip=None)
        else:  # nothing of the visitor's: compressed once, here, and kept only compressed
            entry.update(body=None, gzip=gzip.compress(body, compresslevel=9, mtime=0))
        cache.set(key, entry, mark.seconds)


def cached_page(
    scopes: Callable[..., list[str]],
    *,
    timeout: Callable[[], int] | None = None,
):
    """A public GET view whose page may be kept for every visitor without a session.

    ``scopes(request, *args, **kwargs)`` names what the page shows (besides ``all``). The
    tokens of those scopes are read *before* the view reads its data; they make the ETag (a
    revalidation answers 304 with no query) and are kept with the page by
    :class:`PageCacheMiddleware`. ``timeout()``, called when a page is kept, may shorten how
    long (a campaign that ends in a minute).
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            names = [EVERY_PAGE, *scopes(request, *args, **kwargs)]
            tokens = versions(names)
            shared = is_cacheable_visitor(request)
            etag = _etag(request, tokens, shared=shared)
            last_modified = changed_at(tokens)
            not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
            if not_modified is not None:
                return _headers(not_modified, etag, last_modified)
            response = view(request, *args, **kwargs)
            if response.status_code != 200:
                return response
            if shared:
                seconds = settings.TUMBUH_PAGE_CACHE_SECONDS
                if timeout is not None:
                    seconds = max(0, min(seconds, timeout()))
                if seconds:
                    response.page_cache = Mark(names, tokens, etag, seconds)
            return _headers(response, etag, last_modified)

        return wrapper

    return decorate
