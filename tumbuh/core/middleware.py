"""Request middleware that belongs to no single app."""

from django.conf import settings
from django.middleware.gzip import GZipMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

from tumbuh.core.money import thousands

# What is worth compressing: text. Photos (WebP, JPEG, PNG), PDFs, spreadsheets (zip inside) and
# the mentor app's signal probe (random bytes) are sent as they are.
COMPRESSIBLE_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/manifest+json",
    "application/xml",
    "application/geo+json",
    "image/svg+xml",
)


class CompressionMiddleware(GZipMiddleware):
    """Django's GZipMiddleware, for text responses only.

    GZipMiddleware pads each compressed body with random bytes ("Heal The BREACH", Django 4.2+),
    so pages carrying a CSRF token may be compressed. It sits right after WhiteNoise, which
    answers static files itself with precompressed copies, and before every middleware that
    reads or writes a response body. Streaming responses (CSV exports) are compressed chunk by
    chunk as they stream.
    """

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if not content_type.startswith(COMPRESSIBLE_TYPES):
            return response
        return super().process_response(request, response)


class LanguageMiddleware:
    """Bahasa Indonesia unless the visitor chose English with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language; Tumbuh's pages are
    Indonesian first whatever the browser says, and English only on request (the ``bahasa``
    cookie set by the switch in every page's footer).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if getattr(response, "is_language_neutral", False):
            # An uploaded file is the same in every language: no Vary: Cookie that would keep
            # shared caches from storing it.
            return response
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        # No deactivate(): a streaming response renders after this returns, in this language.
        return response


# A NUL character can be written in a URL (%00) or a JSON string (\u0000) but not stored in a
# PostgreSQL text column: left to reach the database it is a server error. A value far longer
# than any field holds is refused too, before a parser or the database meets it.
NUL_IN_QUERY = ("%00", "\x00")
NUL_IN_BODY = (b"\x00", b"\\u0000")
BODY_TYPES_CHECKED = ("application/json", "application/x-www-form-urlencoded", "text/")
MAX_QUERY_VALUE = 1_000  # characters of one query parameter (a search, a filter, a code)
MAX_TEXT = 10_000  # characters of one value in a JSON or form body (a description at most)


class InputGuardMiddleware:
    """Refuses, before any view, a request whose address, query or text body holds a NUL, or
    a value longer than any field takes (``MAX_QUERY_VALUE``; ``MAX_TEXT`` in the API's JSON
    bodies and in forms).

    The API answers with its one error body (422, ``reason`` ``nul_character`` or
    ``text_too_long``); pages with a plain 400. Uploads (multipart) are left alone: a photo
    holds NUL bytes, and its form fields are checked by their forms.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = self._problem(request)
        if problem:
            return self._refusal(request, problem)
        return self.get_response(request)

    @classmethod
    def _problem(cls, request) -> str:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or any(mark in query.lower() for mark in NUL_IN_QUERY):
            return "nul_character"
        if any(len(value) > MAX_QUERY_VALUE for value in cls._query_values(request)):
            return "text_too_long"
        content_type = request.META.get("CONTENT_TYPE", "").lower()
        if request.method not in ("POST", "PUT", "PATCH") or not content_type.startswith(
            BODY_TYPES_CHECKED
        ):
            return ""
        try:
            body = request.body
        except Exception:
            return ""
        marks = NUL_IN_BODY
        if content_type.startswith("application/x-www-form-urlencoded"):
            marks = (*NUL_IN_BODY, b"%00")
        if any(mark in body for mark in marks):
            return "nul_character"
        # Only the API's JSON bodies and forms: the mentor app's sync carries photos as base64
        # text in its JSON, which its own handler bounds (programmes/mentor/handlers.py).
        checked = request.path.startswith("/api/") or not content_type.startswith(
            "application/json"
        )
        if checked and len(body) > MAX_TEXT and cls._longest_text(body, content_type) > MAX_TEXT:
            return "text_too_long"
        return ""

    @staticmethod
    def _query_values(request) -> list[str]:
        try:
            return [value for values in request.GET.lists() for value in values[1]]
        except Exception:
            return []

    @staticmethod
    def _longest_text(body: bytes, content_type: str) -> int:
        """The length of the longest text value in a JSON or form body (0 if unreadable)."""
        import json

        from django.http import QueryDict

        if content_type.startswith("application/x-www-form-urlencoded"):
            try:
                values = [v for _key, vs in QueryDict(body).lists() for v in vs]
            except Exception:
                return 0
            return max((len(value) for value in values), default=0)
        if not content_type.startswith("application/json"):
            return len(body)
        try:
            data = json.loads(body)
        except ValueError:
            return 0  # the API answers 400 for a body it cannot parse
        longest, stack = 0, [data]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                longest = max(longest, len(item))
            elif isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
        return longest

    @staticmethod
    def _refusal(request, problem: str):
        from django.http import HttpResponse, JsonResponse

        if problem == "nul_character":
            detail = translation.gettext(
                "The request holds a NUL character (a zero byte), which no field may hold."
            )
        else:
            detail = translation.gettext(
                "A value of the request is longer than any field takes (at most %(limit)s "
                "characters)."
            ) % {"limit": thousands(MAX_TEXT)}
        if request.path.startswith("/api/"):
            body = {"code": "invalid", "detail": detail, "reason": problem}
            return JsonResponse(body, status=422)
        return HttpResponse(detail, status=400, content_type="text/plain; charset=utf-8")
