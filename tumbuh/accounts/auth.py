"""How API callers authenticate: a partner's API key, or the console's session cookie."""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from ninja.security import HttpBearer, SessionAuth

from tumbuh.accounts.lockout import API_KEY_LOGIN, locked_out_error
from tumbuh.accounts.services import authenticate_api_key


class APIKeyBearer(HttpBearer):
    """``Authorization: Bearer tmb_<prefix>_<secret>``; the request then acts as the key."""

    openapi_description = "A partner organisation's API key, issued in the console."

    def authenticate(self, request, token):
        """The key, or None; wrong keys count towards the sign-in lockout (per key prefix and
        per address, ``accounts/lockout.py``), and a locked-out caller gets 429."""
        credentials = {"username": API_KEY_LOGIN % _prefix(token)}
        if not AxesProxyHandler.is_allowed(request, credentials):
            raise locked_out_error()
        api_key = authenticate_api_key(token)
        if api_key is None:
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        return api_key


def _prefix(token: str) -> str:
    parts = (token or "").split("_")
    return parts[1][:32] if len(parts) >= 3 and parts[0] == "tmb" else ""


class SessionCookie(SessionAuth):
    """The console's session cookie, CSRF-checked on changes (403 without the token). A caller
    with no session cookie at all is not checked for CSRF: it is simply not signed in (401)."""

    def _get_key(self, request):
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)


# Either works; endpoints pass ``request.auth`` (a User or an APIKey) to the scoping helper.
api_auth = [APIKeyBearer(), SessionCookie()]
