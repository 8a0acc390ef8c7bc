"""Request middleware that belongs to no single app."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


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
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        # No deactivate(): a streaming response renders after this returns, in this language.
        return response
