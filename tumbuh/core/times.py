"""Times in the zone of their place: WIB, WITA or WIT.

Indonesia keeps three time zones, fixed per province and without daylight saving: WIB (UTC+7)
in Sumatra, Java and West and Central Kalimantan, WITA (UTC+8) in Bali, Nusa Tenggara, the
rest of Kalimantan and Sulawesi, WIT (UTC+9) in Maluku and Papua. Moments are stored as moments
(UTC in the database); each is shown in the zone of the place it belongs to — a session in its
village's zone, an order in its store's village's, a licensing case or a visit note in the
business's village's — and always with the zone's name, because the same page is read in
Jakarta and in Jayapura. The server's own zone (``settings.TIME_ZONE``, Asia/Jakarta) is never
taken for a place's.

``local_time`` is the one way to write a moment for a person ("20.00 WITA"); templates reach it
through ``{% load tumbuh %}``: ``{{ moment|in_zone:place }}``, ``{{ moment|date_in_zone:place }}``
and ``{% local_time moment place "time" %}``. A date shown alone carries no zone, but a date
computed from a moment (the day an order came in, "today" for a business) is the place's date.

A *place* is any of: a region code (``"53.71.01.1001"``, ``"53"``: its first two digits name the
province), a region object (a province's stored ``time_zone`` wins), anything with a
``village_id`` (a business, a store, a session, an order), or a zone's name (``"WITA"``).
``None`` stands for no place at all and means the server's zone, WIB, still named.
"""

import datetime
from zoneinfo import ZoneInfo

from django.utils import dateformat, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

WIB, WITA, WIT = "WIB", "WITA", "WIT"
IANA_NAMES = {WIB: "Asia/Jakarta", WITA: "Asia/Makassar", WIT: "Asia/Jayapura"}
ZONES = {name: ZoneInfo(iana) for name, iana in IANA_NAMES.items()}
# Keppres 41/1987. WITA: Bali, West and East Nusa Tenggara, South, East and North Kalimantan,
# all of Sulawesi. WIT: Maluku, North Maluku and the six Papua provinces. Everything else is WIB.
WITA_PROVINCES = frozenset({"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"})
WIT_PROVINCES = frozenset({"81", "82", "91", "92", "93", "94", "95", "96"})

# How far a device's clock may run ahead of the server's before a moment it reports counts as
# "in the future". Phones set their clock from the network; ten minutes covers a clock that
# drifted during a week offline, not a date typed wrong (which is refused, shown on the device
# and corrected there).
CLOCK_SKEW = datetime.timedelta(minutes=10)

# Django date-format patterns per style; "{sep}" is the hour-minute separator of the language
# (Indonesian writes 20.00, English 20:00). Date styles carry no zone name.
_PATTERNS = {
    "time": "H{sep}i",
    "short": "j M H{sep}i",
    "datetime": "j M Y H{sep}i",
    "long": "l, j F Y H{sep}i",
    "date": "j M Y",
    "long_date": "j F Y",
}
DATE_STYLES = frozenset({"date", "long_date"})


def zone_of_province(code: str) -> str:
    """The zone name of a province by its two-digit Kemendagri code: ``"53"`` → ``"WITA"``."""
    if code in WIT_PROVINCES:
        return WIT
    if code in WITA_PROVINCES:
        return WITA
    return WIB


def zone_name(place) -> str:
    """``"WIB"``, ``"WITA"`` or ``"WIT"``: the zone of ``place`` (see the module docstring)."""
    if place is None:
        return WIB
    if isinstance(place, str):
        if place in ZONES:
            return place
        if len(place) >= 2 and place[:2].isdigit():
            return zone_of_province(place[:2])
        raise ValueError(f"not a region code or zone name: {place!r}")
    stored = getattr(place, "time_zone", None)
    if stored in ZONES:
        return str(stored)
    code = getattr(place, "code", None) or getattr(place, "village_id", None)
    if isinstance(code, str) and code:
        return zone_name(code)
    raise TypeError(f"{type(place).__name__} is not a place with a time zone")


def zone_info(place) -> ZoneInfo:
    return ZONES[zone_name(place)]


def utc_offset_minutes(place) -> int:
    """Minutes east of UTC (420, 480 or 540), for a device that converts on its own."""
    offset = timezone.now().astimezone(zone_info(place)).utcoffset()
    return int(offset.total_seconds() // 60)


def local_moment(moment: datetime.datetime, place) -> datetime.datetime:
    """``moment`` as the clock on the wall of ``place`` shows it (an aware datetime)."""
    if timezone.is_naive(moment):
        raise ValueError("a moment needs its time zone; a wall-clock time is read by moment_at")
    return moment.astimezone(zone_info(place))


def local_date(moment: datetime.datetime, place) -> datetime.date:
    """The calendar day ``moment`` falls on at ``place``."""
    return local_moment(moment, place).date()


def today(place, *, now: datetime.datetime | None = None) -> datetime.date:
    """Today at ``place`` (in Jayapura the day starts two hours before it does in Jakarta)."""
    return local_date(now or timezone.now(), place)


def day_bounds(day: datetime.date, place) -> tuple[datetime.datetime, datetime.datetime]:
    """The first moment of ``day`` at ``place`` and the first moment of the next day."""
    zone = zone_info(place)
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
    return start, end


def moment_at(wall: datetime.datetime, place) -> datetime.datetime:
    """The moment a wall-clock time typed for ``place`` names: 20.00 typed for a Kupang session
    is 20.00 WITA (12.00 UTC), whatever the zone of the server or of the person typing."""
    if timezone.is_aware(wall):
        raise ValueError("already a moment; give the wall-clock time without a zone")
    return wall.replace(tzinfo=zone_info(place))


def input_value(moment: datetime.datetime, place) -> str:
    """The value of a ``datetime-local`` input showing ``moment`` at ``place``."""
    return local_moment(moment, place).strftime("%Y-%m-%dT%H:%M")


def local_time(moment: datetime.datetime, place, style: str = "datetime") -> str:
    """``moment`` written for a person at ``place``, with the zone's name: "1 Apr 2026 20.00 WITA".

    Styles: ``time`` ("20.00 WITA"), ``short`` ("1 Apr 20.00 WITA"), ``datetime`` (the
    default), ``long`` ("Rabu, 1 April 2026 20.00 WITA"); ``date`` ("1 Apr 2026") and
    ``long_date`` ("1 April 2026") give the place's date alone, with no zone name. Month and day
    names and the separator follow the active language.
    """
    if style not in _PATTERNS:
        raise ValueError(f"unknown style {style!r}; one of {sorted(_PATTERNS)}")
    separator = ":" if (get_language() or "id").startswith("en") else "."
    text = dateformat.format(local_moment(moment, place), _PATTERNS[style].format(sep=separator))
    if style in DATE_STYLES:
        return text
    return f"{text} {zone_name(place)}"


def is_in_future(moment: datetime.datetime, *, now: datetime.datetime | None = None) -> bool:
    """True when ``moment`` is later than now by more than a device clock may be ahead."""
    return moment > (now or timezone.now()) + CLOCK_SKEW


def future_problem(
    moment: datetime.datetime, *, place, what: str, now: datetime.datetime | None = None
) -> str:
    """Empty when ``moment`` may be now or past; else a sentence for the person who gave it,
    naming ``what`` (e.g. "The visit time") with both times in the zone of ``place``."""
    now = now or timezone.now()
    if not is_in_future(moment, now=now):
        return ""
    return _(
        "%(what)s (%(moment)s) is in the future: it is now %(now)s there. Check the date and "
        "the time, and the phone's clock."
    ) % {"what": what, "moment": local_time(moment, place), "now": local_time(now, place)}
