"""The mentor app's ``supply_link`` records: a link a mentor saw on a visit.

Listed in ``settings.MENTOR_SYNC_KINDS`` and applied by ``programmes.mentor.sync`` like the
programmes app's kinds (``handlers.apply_visit_note``): the mentor's device queues
``{supplier, buyer, commodity, commodity_kbli?, unit, usual_volume?, period?}`` (the two
businesses by public id, at least one of them in the mentor's caseload), and the handler writes
it with ``services.links.record_link_by_mentor``.

Replays are recognised by ``client_id`` through ``core.idempotency.run_once`` (scope
``supply.mentor_link``): the first application stores its answer with the record, so a replay
gets it back as ``duplicate`` and writes nothing, even after the caseload changed. The same id
with other data, or from another person, is an error on that device (``client_id_taken``), never
a replay. A refusal (a ``SupplyError`` or ``ProgrammesError`` code and the key of ``data`` at
fault) stores nothing, so the corrected record can come again with the same id.
"""

from django.utils.translation import gettext as _

from tumbuh.core.idempotency import IdempotencyConflict, run_once
from tumbuh.core.refusals import Refused
from tumbuh.programmes.error_codes import ProgrammesError
from tumbuh.programmes.mentor import caseload
from tumbuh.programmes.mentor.sync import APPLIED, DUPLICATE, Result, SyncRecord, text_field
from tumbuh.registry.models import Enterprise
from tumbuh.supply.models import SupplyLink
from tumbuh.supply.services.links import record_link_by_mentor

SCOPE = "supply.mentor_link"
FIELDS = ("supplier", "buyer", "commodity", "commodity_kbli", "unit", "usual_volume", "period")


def _business(data: dict, key: str) -> Enterprise:
    public_id = text_field(data, key, limit=12)
    enterprise = Enterprise.objects.filter(public_id=public_id).first()
    if enterprise is None:
        raise Refused(ProgrammesError.NOT_IN_CASELOAD, _("There is no such business."), field=key)
    return enterprise


def _server(link: SupplyLink) -> dict:
    return {
        "supplier": link.supplier.public_id,
        "buyer": link.buyer.public_id,
        "commodity": link.commodity,
        "commodity_kbli": link.commodity_kbli,
        "unit": link.unit,
        "usual_volume": link.usual_volume,
        "period": link.period,
        "basis": link.basis,
    }


def apply_supply_link(*, user, record: SyncRecord, memo=None) -> Result:
    """Record the supply link a mentor saw between two businesses, one of their caseload."""
    mentor = caseload.require_mentor(user, memo)
    data = record.data

    def write() -> tuple[int, dict]:
        supplier = _business(data, "supplier")
        buyer = _business(data, "buyer")
        if not (
            caseload.in_caseload(mentor, supplier, memo)
            or caseload.in_caseload(mentor, buyer, memo)
        ):
            raise Refused(
                ProgrammesError.NOT_IN_CASELOAD,
                _("Neither business is in your caseload."),
                field="supplier",
            )
        link = record_link_by_mentor(
            supplier=supplier,
            buyer=buyer,
            commodity=text_field(data, "commodity", limit=80, label=_("The commodity")),
            commodity_kbli=text_field(data, "commodity_kbli", limit=5, required=False),
            unit=text_field(data, "unit", limit=20, label=_("The unit")),
            usual_volume=data.get("usual_volume"),
            period=text_field(data, "period", limit=5, required=False) or "week",
            by=user,
        )
        return 200, {"recorded_by": user.pk, "link": _server(link)}

    request = {"user": user.pk, **{key: data.get(key) for key in FIELDS}}
    try:
        answer = run_once(scope=SCOPE, key=record.client_id, data=request, action=write)
    except IdempotencyConflict:
        # Device ids are random UUIDs: another record under the same id is an error on that
        # device, never a replay to confirm.
        raise Refused(
            ProgrammesError.CLIENT_ID_TAKEN, _("This record id is already used.")
        ) from None
    status = APPLIED if answer.created else DUPLICATE
    return Result(client_id=record.client_id, status=status, server=answer.body["link"])
