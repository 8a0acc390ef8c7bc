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
