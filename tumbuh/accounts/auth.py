"""How API callers authenticate: a partner's API key, or the console's session cookie."""

from ninja.security import HttpBearer, django_auth

from tumbuh.accounts.services import authenticate_api_key


class APIKeyBearer(HttpBearer):
    """``Authorization: Bearer tmb_<prefix>_<secret>``; the request then acts as the key."""

    openapi_description = "A partner organisation's API key, issued in the console."

    def authenticate(self, request, token):
        return authenticate_api_key(token)


# Either works; endpoints pass ``request.auth`` (a User or an APIKey) to the scoping helper.
api_auth = [APIKeyBearer(), django_auth]
