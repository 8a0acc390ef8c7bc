"""Request middleware that belongs to no single app."""

from django.conf import settings
from django.middleware.gzip import GZipMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

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
# PostgreSQL text column: left to reach the database it is a server error.
NUL_IN_QUERY = ("%00", "\x00")
NUL_IN_BODY = (b"\x00", b"\\u0000")
BODY_TYPES_CHECKED = ("application/json", "application/x-www-form-urlencoded", "text/")


class RejectNulMiddleware:
    """Refuses, before any view, a request whose address, query or text body holds a NUL.

    The API answers with its one error body (422, ``reason`` ``nul_character``); pages with a
    plain 400. Uploads (multipart) are left alone: a photo holds NUL bytes, and its form fields
    are checked by their forms.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._holds_nul(request):
            return self._refusal(request)
        return self.get_response(request)

    @staticmethod
    def _holds_nul(request) -> bool:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or any(mark in query.lower() for mark in NUL_IN_QUERY):
            return True
        content_type = request.META.get("CONTENT_TYPE", "").lower()
        if request.method in ("POST", "PUT", "PATCH") and content_type.startswith(
            BODY_TYPES_CHECKED
        ):
            try:
                body = request.body
            except Exception:
                return False
            marks = NUL_IN_BODY
            if content_type.startswith("application/x-www-form-urlencoded"):
                marks = (*NUL_IN_BODY, b"%00")
            return any(mark in body for mark in marks)
        return False

    @staticmethod
    def _refusal(request):
        from django.http import HttpResponse, JsonResponse

        detail = translation.gettext(
            "The request holds a NUL character (a zero byte), which no field may hold."
        )
        if request.path.startswith("/api/"):
            body = {"code": "invalid", "detail": detail, "reason": "nul_character"}
            return JsonResponse(body, status=422)
        return HttpResponse(detail, status=400, content_type="text/plain; charset=utf-8")
