"""Sign-in lockout against password guessing, with django-axes.

After ``AXES_FAILURE_LIMIT`` wrong passwords in a row for one account, or from one address, even
the right password is refused until the cool-off (``AXES_COOLOFF_TIME``) has passed; a success
before that resets the account's count. An administrator can lift a lockout early
(``tumbuh axes_reset_username user:<id>``, or the admin's "access attempts").

Axes keeps what it counts by: the account as ``user:<id>`` (so 0812-3456-7890, +6281234567890
and 081234567890 are one account, and no e-mail address or phone number is stored or logged),
an unknown login as a keyed hash, and the client's address (``client_ip``).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from tumbuh.accounts.backends import find_user
from tumbuh.core.validators import normalise_phone

# What a wrong API key counts against: its prefix (the secret is never kept).
API_KEY_LOGIN = "apikey:%s"


def lockout_username(request, credentials) -> str:
    """What axes counts failures of: the account, never the login as typed."""
    login = (credentials or {}).get("username")
    if isinstance(login, str) and login.startswith(API_KEY_LOGIN % ""):
        return login
    if login is None and request is not None:
        login = request.POST.get("username", "")
    login = str(login or "").strip()
    user = find_user(login)
    if user is not None:
        return f"user:{user.pk}"
    try:
        normalised = login.lower() if "@" in login else normalise_phone(login)
    except ValidationError:
        normalised = login.lower()
    return "login:" + salted_hmac("tumbuh.accounts.lockout", normalised).hexdigest()[:24]


def client_ip(request) -> str | None:
    """The client's address: behind ``TUMBUH_PROXY_COUNT`` reverse proxies, the address the
    outermost one saw (each proxy appends to X-Forwarded-For); else the connection's. None when
    there is none (a request made in-process, as Django's test client's ``force_login`` does):
    the address column is an IP address type on PostgreSQL."""
    proxies = settings.TUMBUH_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def _minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def locked_out(request, original_response=None, credentials=None):
    """The sign-in page again, saying why and for how long (429); for the API, its error body."""
    from tumbuh.accounts.forms import LoginForm

    if request.path.startswith("/api/"):
        error = locked_out_error()
        response = JsonResponse({"code": "rate_limited", "detail": error.message}, status=429)
        response["Retry-After"] = str(_minutes() * 60)
        return response
    lockout = _(
        "Too many wrong passwords for this account or from this connection. Sign-in is paused "
        "for %(minutes)d minutes; after that, try again, or ask your administrator to reset your "
        "password."
    ) % {"minutes": _minutes()}
    context = {"form": LoginForm(request), "lockout": lockout, "next": ""}
    return render(request, "accounts/login.html", context, status=429)


def locked_out_error():
    """The API's answer to a caller locked out for wrong keys or passwords (429)."""
    from ninja.errors import HttpError

    error = HttpError(
        429,
        _(
            "Too many wrong API keys or passwords from this connection. Try again in "
            "%(minutes)d minutes."
        )
        % {"minutes": _minutes()},
    )
    error.message = str(error)
    error.retry_after = _minutes() * 60
    return error
