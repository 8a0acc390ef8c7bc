"""The words the offline queue script shows, translated on the server and given to the page as
JSON (``mentor-texts``), so the script needs no catalogue of its own."""

from django.utils.dates import MONTHS_3
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

# The network types a mentor can report; the values are the connectivity ledger's technologies.
TECHNOLOGIES = [
    ("none", gettext_lazy("no signal")),
    ("2g", "2G"),
    ("3g", "3G"),
    ("4g", "4G"),
]


def mentor_texts() -> dict[str, object]:
    return {
        "waiting": _("%(count)s records waiting to sync"),
        "nothing_waiting": _("Nothing is waiting to sync."),
        "synced": _("%(count)s records synced"),
        "syncing": _("Syncing…"),
        "sync_now": _("Sync now"),
        "sync_failed": _("Sync failed; the records stay on this phone and are sent later."),
        "still_offline": _("No connection yet; the records stay on this phone."),
        "offline": _("You are offline. What you record is kept on this phone."),
        "queued": _("Saved on this phone; it is sent when there is a connection."),
        "storage_full": _(
            "This phone has no room left for more records: sync first (or leave out the photo)."
        ),
        "photo_unreadable": _("The photo cannot be read; take it again or leave it out."),
        "state_queued": _("waiting"),
        "state_refused": _("refused"),
        "state_conflict": _("changed on the server"),
        "discard": _("Discard"),
        "conflict_explain": _("This note was changed on the server. Choose which text to keep."),
        "mine": _("Mine"),
        "theirs": _("Server"),
        "keep_mine": _("Keep mine"),
        "take_theirs": _("Take the server's"),
        "merge": _("Save the merged text"),
        "choose_participant": _("Choose the participant."),
        "code_or_reason": _(
            "Give the attendance code, or the reason the participant has no phone."
        ),
        "already_queued": _("This participant is already recorded on this phone."),
        "code_unchecked": _("The code cannot be checked on this phone; the server checks it."),
        "code_not_yet_valid": _("The attendance code is not valid yet."),
        "code_expired": _("The attendance code has expired."),
        "code_wrong_session": _("This code belongs to another session."),
        "code_wrong": _("The attendance code is wrong."),
        "note_empty": _("Write what happened on the visit."),
        "signal_incomplete": _("Choose the village and the network seen."),
        "label_attendance": _("Attendance: %(name)s"),
        "label_visit_note": _("Visit note: %(name)s"),
        "label_signal_check": _("Signal check: %(name)s"),
        "label_supply_link_to": _("Supply link: %(name)s supplies %(other)s (%(commodity)s)"),
        "label_supply_link_from": _("Supply link: %(name)s buys from %(other)s (%(commodity)s)"),
        "link_incomplete": _("Choose the other business, and give the commodity and the unit."),
        "measure_offline": _("No connection: choose the network type only."),
        "measuring": _("Measuring…"),
        "measured": _("%(kb)s KB in %(ms)s ms: about %(kbps)s kbit/s"),
        "measure_failed": _("The measurement failed; choose the network type only."),
        # Correcting a record the server refused.
        "refused_explain": _(
            "The server did not accept this record. It stays on this phone: correct it and "
            "send it again, or discard it."
        ),
        "refused_count": _("%(count)s records refused: correct them below and send them again."),
        "correct": _("Correct"),
        "send_again": _("Send again"),
        "discard_sure": _("Discard for good?"),
        "field_text": _("What happened at the visit"),
        "field_visited_at": _("Visited at (%(zone)s, the business's local time)"),
        "field_visited_at_phone": _("Visited at (this phone's time)"),
        "field_code": _("Attendance code shown by the participant"),
        "field_no_phone_reason": _("No phone: reason"),
        "field_technology": _("Network seen"),
        "field_place": _("Where in the village (optional)"),
        "field_commodity": _("Commodity (e.g. fresh cassava)"),
        "field_unit": _("Unit"),
        "field_usual_volume": _("Usual volume (optional)"),
        "note_has_identity_number": _(
            "The note holds a 16-digit number (a NIK or a family card number). Leave "
            "identity numbers out of notes; they belong in the business's record."
        ),
        "time_missing": _("Give the date and the time."),
        # Times written as the server writes them (core.times): "1 Apr 2026 22.30 WITA".
        "months": [str(MONTHS_3[number]).title() for number in range(1, 13)],
        "time_separator": ":" if (get_language() or "id").startswith("en") else ".",
        "technologies": [[value, str(label)] for value, label in TECHNOLOGIES],
    }
