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
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from tumbuh.accounts.backends import find_user
from tumbuh.core.validators import normalise_phone


def lockout_username(request, credentials) -> str:
    """What axes counts failures of: the account, never the login as typed."""
    login = (credentials or {}).get("username")
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


def client_ip(request) -> str:
    """The client's address: behind ``TUMBUH_PROXY_COUNT`` reverse proxies, the address the
    outermost one saw (each proxy appends to X-Forwarded-For); else the connection's."""
    proxies = settings.TUMBUH_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def locked_out(request, original_response=None, credentials=None):
    """The sign-in page again, saying why and for how long (429)."""
    from tumbuh.accounts.forms import LoginForm

    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    lockout = _(
        "Too many wrong passwords for this account or from this connection. Sign-in is paused "
        "for %(minutes)d minutes; after that, try again, or ask your administrator to reset your "
        "password."
    ) % {"minutes": minutes}
    context = {"form": LoginForm(request), "lockout": lockout, "next": ""}
    return render(request, "accounts/login.html", context, status=429)
