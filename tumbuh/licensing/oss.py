"""The one module that reaches OSS (Online Single Submission, oss.go.id), which issues NIBs.

The platform asks OSS one thing: does this NIB exist, and for which business (``inquiry_nib``).
OSS offers no public API to the programme yet, so the default client is offline and says so:
every answer is "not checked with OSS", and a NIB recorded with it keeps the status "entered",
never "confirmed with OSS". A real client (an OSS RBA partner integration) implements
:class:`OssClient` and is named in the setting ``TUMBUH_OSS_CLIENT`` (a dotted path); tests
replace the client with :func:`set_client`.
"""

from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

DEFAULT_CLIENT = "tumbuh.licensing.oss.OfflineOssClient"


@dataclass(frozen=True)
class NibInquiry:
    """What OSS answered about a NIB.

    ``checked`` is False when OSS was not asked (offline); then ``found`` means nothing.
    ``business_name`` is the name OSS holds, when it told us.
    """

    nib: str
    checked: bool
    found: bool = False
    business_name: str = ""
    note: str = ""


class OssClient(Protocol):
    """What the licensing pipeline needs from OSS."""

    name: str

    def inquiry_nib(self, nib: str) -> NibInquiry:
        """Look ``nib`` up in OSS."""


class OfflineOssClient:
    """The default: no connection to OSS, and honest about it."""

    name = "offline"

    def inquiry_nib(self, nib: str) -> NibInquiry:
        return NibInquiry(
            nib=nib,
            checked=False,
            note=str(_("Not checked with OSS: no OSS connection is configured.")),
        )


_override: OssClient | None = None


@cache
def _configured() -> OssClient:
    path = getattr(settings, "TUMBUH_OSS_CLIENT", "") or DEFAULT_CLIENT
    return import_string(path)()


def client() -> OssClient:
    """The OSS client in use: the one set by :func:`set_client`, else the configured one."""
    return _override if _override is not None else _configured()


def set_client(replacement: OssClient | None) -> None:
    """Replace the client (tests; ``None`` goes back to the configured one)."""
    global _override
    _override = replacement


def inquiry_nib(nib: str) -> NibInquiry:
    return client().inquiry_nib(nib)
