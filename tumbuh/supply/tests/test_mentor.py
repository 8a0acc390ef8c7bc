"""The mentor app's ``supply_link`` records through the sync endpoint: applied for a business of
the caseload, replays answered as duplicates without writing, refusals with their reason and
field and nothing written."""

import json
import uuid

import pytest
from django.urls import reverse

from tumbuh.conftest import make_enterprise, make_owner
from tumbuh.core.models import AuditEvent
from tumbuh.programmes.mentor import sync
from tumbuh.programmes.tests.builders import assign, make_mentor
from tumbuh.supply.models import SupplyLink
from tumbuh.supply.services import links
from tumbuh.supply.tests.builders import BANJARAN

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    """A mentor with a keripik maker in their caseload and a grower who is not."""
    mentor = make_mentor()
    maker = make_enterprise("Keripik Bu Sari")
    grower = make_enterprise("Tani Singkong Makmur", village=BANJARAN)
    assign(mentor, maker)
    return mentor, maker, grower


def link_record(supplier, buyer, *, client_id=None, **changes):
    data = {
        "supplier": getattr(supplier, "public_id", supplier),
        "buyer": getattr(buyer, "public_id", buyer),
        "commodity": "Singkong segar",
        "commodity_kbli": "01135",
        "unit": "kg",
        "usual_volume": 200,
        "period": "week",
        **changes,
    }
    return {"client_id": client_id or str(uuid.uuid4()), "kind": "supply_link", "data": data}


def post(client, records):
    return client.post(
        reverse("programmes:mentor-sync"),
        data=json.dumps({"records": records}),
        content_type="application/json",
    )


def test_a_mentor_records_a_link_and_a_replay_writes_nothing(client_of, chain):
    mentor, maker, grower = chain
    record = link_record(grower, maker)
    client = client_of(mentor.user)
    response = post(client, [record, record])
    assert response.status_code == 200
    first, repeated = response.json()["results"]
    server = {
        "supplier": grower.public_id,
        "buyer": maker.public_id,
        "commodity": "Singkong segar",
        "commodity_kbli": "01135",
        "unit": "kg",
        "usual_volume": 200,
        "period": "week",
        "basis": "mentor",
    }
    assert first == {"client_id": record["client_id"], "status": "applied", "server": server}
    assert repeated == {"client_id": record["client_id"], "status": "duplicate", "server": server}
    link = SupplyLink.objects.get()
    assert (link.supplier, link.buyer, link.basis, link.recorded_by, link.usual_volume) == (
        grower,
        maker,
        "mentor",
        mentor.user,
        200,
    )

    # The device lost the answer and sends the record again, after the caseload changed.
    events = AuditEvent.objects.count()
    mentor.assignments.update(is_active=False)
    [again] = post(client, [record]).json()["results"]
    assert again == {"client_id": record["client_id"], "status": "duplicate", "server": server}
    assert AuditEvent.objects.count() == events and SupplyLink.objects.count() == 1


def test_refusals_name_the_reason_and_field_and_write_nothing(chain):
    mentor, maker, grower = chain
    stranger = make_enterprise("Usaha Lain", village=BANJARAN)
    bad_unit = link_record(grower, maker, unit="gantang")
    records = [
        link_record(grower, stranger),
        bad_unit,
        link_record(grower, "ZZZZZZZZZZ"),
        link_record(maker, maker),
        link_record(grower, maker, commodity=""),
        link_record(grower, maker, usual_volume="banyak"),
        link_record(grower, maker, period="year"),
        link_record(grower, maker, unit=None),
    ]
    results = sync.apply_batch(user=mentor.user, records=records)
    assert [(r.status, r.reason, r.field) for r in results] == [
        ("refused", "not_in_caseload", "supplier"),
        ("refused", "unit_invalid", "unit"),
        ("refused", "not_in_caseload", "buyer"),
        ("refused", "same_business", "buyer"),
        ("refused", "required", "commodity"),
        ("refused", "quantity_invalid", "usual_volume"),
        ("refused", "period_unknown", "period"),
        ("refused", "required", "unit"),
    ]
    assert all(r.detail for r in results)
    assert not SupplyLink.objects.exists()

    # Corrected on the device, the refused record comes again under its id and applies.
    bad_unit["data"]["unit"] = "kg"
    [result] = sync.apply_batch(user=mentor.user, records=[bad_unit])
    assert result.status == "applied" and SupplyLink.objects.get().basis == "mentor"


def test_only_a_mentor_and_only_the_device_that_made_the_id(client_of, chain):
    mentor, maker, grower = chain
    owner = make_owner(maker)
    assert post(client_of(owner), [link_record(grower, maker)]).status_code == 403
    [refused] = sync.apply_batch(user=owner, records=[link_record(grower, maker)])
    assert (refused.status, refused.reason) == ("refused", "not_a_mentor")

    record = link_record(grower, maker)
    sync.apply_batch(user=mentor.user, records=[record])
    other = make_mentor()
    assign(other, maker)
    [taken] = sync.apply_batch(user=other.user, records=[record])
    assert (taken.status, taken.reason) == ("refused", "client_id_taken")
    record["data"]["usual_volume"] = 300
    [changed] = sync.apply_batch(user=mentor.user, records=[record])
    assert (changed.status, changed.reason) == ("refused", "client_id_taken")
    assert SupplyLink.objects.get().usual_volume == 200


def test_a_mentor_raises_a_declared_link_and_never_lowers_a_confirmed_one(chain):
    mentor, maker, grower = chain
    links.declare_link(
        supplier=grower, buyer=maker, commodity="Singkong segar", side=maker, by=make_owner(maker)
    )
    [result] = sync.apply_batch(
        user=mentor.user, records=[link_record(grower, maker, commodity_kbli="")]
    )
    assert (result.status, result.server["basis"]) == ("applied", "mentor")

    other = make_enterprise("Tani Jagung", village=BANJARAN)
    for side, person in ((maker, make_owner(maker)), (other, make_owner(other))):
        links.declare_link(supplier=other, buyer=maker, commodity="Jagung", side=side, by=person)
    [result] = sync.apply_batch(
        user=mentor.user, records=[link_record(other, maker, commodity="Jagung", commodity_kbli="")]
    )
    assert (result.status, result.server["basis"]) == ("applied", "confirmed")
    assert SupplyLink.objects.count() == 2
