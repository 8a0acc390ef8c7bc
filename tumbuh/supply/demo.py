"""Demo supply chains: growers, a BumDes collector, processors and resellers in priority areas.

Synthetic, from the demo registry's businesses and the seed. For up to ``CHAINS`` priority areas
(the NTT, Labuan Bajo and Papua areas of the flagship programme first, then the others that
have the businesses a chain needs) one chain is planned inside the area's regencies:

- a BumDes (one whose village has other businesses, as the 3T village survey gives, first) that
  collects a raw commodity from its village's producers, members or not, paid and unpaid, into
  its own wholesale offer;
- growers with wholesale offers and price tiers; processors (participants of the programmes'
  cohorts first, then food processors by KBLI) with a request for supply, which is matched, and
  an offer of what they make; resellers that buy it;
- links of every basis: declared by one side, confirmed by the other, recorded by a mentor (the
  processor's own mentor when it has one), from collections and from paid orders;
- B2B orders: in the first chain one in every status (quotation requested, quoted, ordered,
  partly delivered, delivered, completed, declined, cancelled), in the others a few; with delivery
  notes, signed handovers (BAST), invoices paid and unpaid.

Everything goes through ``services`` (the same paths as the pages and the API), as the system
actor; nothing is written by hand. A chain already built (its BumDes or its first grower has a
demo offer) is skipped, so a second run adds nothing. Logins are made for a grower, a processor
and the BumDes of the first chain.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from tumbuh.accounts.models import User
from tumbuh.accounts.services import system_actor
from tumbuh.core.demodata import DemoReport, demo_password
from tumbuh.regions.models import PriorityArea
from tumbuh.registry.models import Enterprise, EnterpriseKbli
from tumbuh.registry.services import link_account
from tumbuh.supply.models import Collection, Offer, SupplyLink, SupplyOrder
from tumbuh.supply.services import collections, links, market, orders

CHAINS = 4
# Areas tried first, in this order; then every other area by slug.
PREFERRED_AREAS = [
    "atd-2022-13-kawasan-nusa-tenggara-timur",
    "dpsp-5-labuan-bajo",
    "atd-2022-13-kawasan-papua",
    "atd-2022-13-kawasan-jawa-tengah",
    "atd-2022-13-kawasan-nusa-tenggara-barat",
]
OFFER_NOTE = "Stok demo rantai pasok (data sintetis)."
VILLAGE_PRODUCERS = 4
LOGINS = {
    "grower": ("petani@demo.tumbuh.id", "Maria Bano", "Petani pemasok (grower)"),
    "processor": ("pengolah@demo.tumbuh.id", "Agustinus Seran", "Pengolah pangan (processor)"),
    "bumdes": ("bumdes.pengumpul@demo.tumbuh.id", "Yosefina Luruk", "BumDes pengumpul (collector)"),
}


@dataclass(frozen=True)
class Goods:
    """What a chain trades: (name, KBLI, unit, unit price in rupiah) of its raw commodity, a
    second one, and the processors' product."""

    raw: tuple[str, str, str, int]
    second: tuple[str, str, str, int]
    product: tuple[str, str, str, int]


GOODS = [
    Goods(
        ("Jagung pipil kering", "01111", "kg", 4_500),
        ("Kacang tanah kupas", "01114", "kg", 22_000),
        ("Jagung bose instan", "", "pak", 15_000),
    ),
    Goods(
        ("Singkong segar", "01135", "kg", 2_500),
        ("Kedelai lokal", "01113", "kg", 11_000),
        ("Keripik singkong balado", "10794", "pak", 12_000),
    ),
    Goods(
        ("Sagu basah", "", "kg", 8_000),
        ("Ubi jalar ungu", "01135", "kg", 6_000),
        ("Tepung sagu kemasan", "", "pak", 20_000),
    ),
    Goods(
        ("Kedelai lokal", "01113", "kg", 11_000),
        ("Jagung pipil kering", "01111", "kg", 4_500),
        ("Keripik tempe", "10794", "pak", 10_000),
    ),
]


@dataclass
class Chain:
    """The businesses of one area's demo chain, by role."""

    area: PriorityArea
    bumdes: Enterprise
    village_producers: list[Enterprise]
    growers: list[Enterprise]
    processors: list[Enterprise]
    resellers: list[Enterprise]
    goods: Goods = GOODS[0]
    members: set[int] = field(default_factory=set)


def load(*, seed: int, report: DemoReport) -> None:
    chains = plan_chains(seed)
    if not chains:
        report.say("supply: no priority area has the businesses a chain needs; skipped")
        return
    system = system_actor()
    built = 0
    for number, chain in enumerate(chains):
        if Offer.objects.filter(
            supplier__in=[chain.growers[0], chain.bumdes], description__endswith=OFFER_NOTE
        ).exists():
            continue  # built by an earlier run
        rng = random.Random(f"supply:{seed}:{chain.area.slug}")
        with transaction.atomic():
            build_chain(chain, rng=rng, every_status=number == 0, by=system)
        built += 1
    first = chains[0]
    for role, enterprise in (
        ("grower", first.growers[0]),
        ("processor", first.processors[0]),
        ("bumdes", first.bumdes),
    ):
        login, name, who = LOGINS[role]
        _login(login, name, f"{who}, {enterprise.name}", enterprise, seed=seed, report=report)
    members = set().union(*(chain.members for chain in chains))
    report.say(
        f"supply: chains in {len(chains)} priority areas "
        f"({', '.join(chain.area.name for chain in chains)}; {built} built this run), "
        f"{Offer.objects.filter(supplier_id__in=members).count()} offers, "
        f"{SupplyOrder.objects.filter(buyer_id__in=members).count()} B2B orders, "
        f"{Collection.objects.filter(collector_id__in=members).count()} BumDes collections, "
        f"{SupplyLink.objects.filter(buyer_id__in=members).count()} supply links"
    )


def _login(login: str, name: str, who: str, enterprise: Enterprise, *, seed, report) -> None:
    user = User.objects.filter(email=login).first()
    if user is None:
        user = User.objects.create_user(email=login, full_name=name)
    password = demo_password(login, seed)
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    role = "manager" if enterprise.kind == Enterprise.Kind.BUMDES else "owner"
    link_account(user=user, enterprise=enterprise, role=role, by=system_actor())
    report.add_login(login, password, who)


# --- planning ------------------------------------------------------------------------------------


def _areas() -> list[PriorityArea]:
    areas = list(PriorityArea.objects.order_by("slug"))
    rank = {slug: number for number, slug in enumerate(PREFERRED_AREAS)}
    return sorted(areas, key=lambda area: (rank.get(area.slug, len(rank)), area.slug))


def plan_chains(seed: int) -> list[Chain]:
    """The chains of up to ``CHAINS`` areas, each from businesses no other chain uses; the same
    for the same registry and seed."""
    from tumbuh.programmes.models import Enrolment

    enrolled = set(Enrolment.objects.values_list("enterprise_id", flat=True))
    used: set[int] = set()
    chains: list[Chain] = []
    for area in _areas():
        if len(chains) == CHAINS:
            break
        regencies = list(area.members.values_list("regency_id", flat=True))
        if not regencies:
            continue
        businesses = list(
            Enterprise.objects.deduplicated()
            .filter(village__regency_id__in=regencies)
            .exclude(pk__in=used)
            .order_by("pk")
        )
        chain = _plan(area, businesses, enrolled, rng=random.Random(f"supply:{seed}:{area.slug}"))
        if chain is not None:
            chain.goods = GOODS[len(chains) % len(GOODS)]
            chains.append(chain)
            used |= chain.members
    return chains


def _plan(area, businesses, enrolled: set[int], *, rng: random.Random) -> Chain | None:
    bumdes_list = [e for e in businesses if e.kind == Enterprise.Kind.BUMDES]
    umkm = [e for e in businesses if e.kind == Enterprise.Kind.UMKM]
    if not bumdes_list or len(umkm) < 4:
        return None
    regency_of = {e.pk: e.village_id[:5] for e in businesses}
    by_village: dict[str, list[Enterprise]] = {}
    for enterprise in umkm:
        by_village.setdefault(enterprise.village_id, []).append(enterprise)
    enrolled_in: dict[str, int] = {}
    for enterprise in umkm:
        if enterprise.pk in enrolled:
            enrolled_in[regency_of[enterprise.pk]] = (
                enrolled_in.get(regency_of[enterprise.pk], 0) + 1
            )
    ties = {e.pk: rng.random() for e in bumdes_list}
    bumdes = min(
        bumdes_list,
        key=lambda e: (
            len(by_village.get(e.village_id, [])) < 2,
            -enrolled_in.get(regency_of[e.pk], 0),
            ties[e.pk],
        ),
    )
    focus = regency_of[bumdes.pk]
    codes = _kbli_prefixes([e.pk for e in umkm])
    taken: set[int] = set()

    def pick(candidates, count, key):
        chosen = sorted((e for e in candidates if e.pk not in taken), key=key)[:count]
        taken.update(e.pk for e in chosen)
        return chosen

    order = {e.pk: rng.random() for e in umkm}
    processors = pick(
        umkm,
        2,
        key=lambda e: (
            e.pk not in enrolled,
            "10" not in codes.get(e.pk, ()),
            regency_of[e.pk] != focus,
            order[e.pk],
        ),
    )
    village_producers = pick(
        by_village.get(bumdes.village_id, []),
        VILLAGE_PRODUCERS,
        key=lambda e: ("01" not in codes.get(e.pk, ()), order[e.pk]),
    )
    growers = pick(
        umkm,
        2,
        key=lambda e: (regency_of[e.pk] != focus, "01" not in codes.get(e.pk, ()), order[e.pk]),
    )
    if len(growers) < 2:  # few businesses in the area: the BumDes's producers sell directly too
        growers += village_producers[: 2 - len(growers)]
    resellers = pick(
        umkm,
        2,
        key=lambda e: (regency_of[e.pk] != focus, "47" not in codes.get(e.pk, ()), order[e.pk]),
    )
    if not processors or len(growers) < 2 or not resellers:
        return None
    members = {bumdes.pk, *taken}
    return Chain(
        area=area,
        bumdes=bumdes,
        village_producers=village_producers,
        growers=growers,
        processors=processors,
        resellers=resellers,
        members=members,
    )


# KBLI 2020 groups by their first digits: crops (011-013), food processing (10), trade (46, 47).
CROPS = ("011", "012", "013")
FOOD = ("10",)
TRADE = ("46", "47")


def _kbli_prefixes(ids: list[int]) -> dict[int, set[str]]:
    """What each business does, by KBLI: "01" when it grows crops, "10" when it processes food,
    "47" when it trades."""
    prefixes: dict[int, set[str]] = {}
    for start in range(0, len(ids), 500):
        for enterprise_id, code in EnterpriseKbli.objects.filter(
            enterprise_id__in=ids[start : start + 500]
        ).values_list("enterprise_id", "code"):
            kinds = prefixes.setdefault(enterprise_id, set())
            if code.startswith(CROPS):
                kinds.add("01")
            if code.startswith(FOOD):
                kinds.add("10")
            if code.startswith(TRADE):
                kinds.add("47")
    return prefixes


# --- building ------------------------------------------------------------------------------------


def _tiers(price: int, steps) -> list[tuple[int, int]]:
    return [(quantity, price * percent // 100) for quantity, percent in steps]


def build_chain(chain: Chain, *, rng: random.Random, every_status: bool, by) -> None:
    """Offers, collections, requests, links and orders of one chain, through the services."""
    raw, product = chain.goods.raw, chain.goods.product
    grower_offers = [
        market.publish_offer(
            supplier=grower,
            commodity=raw[0],
            commodity_kbli=raw[1],
            unit=raw[2],
            min_order_quantity=100,
            tiers=_tiers(raw[3], [(100, 100), (500, 95), (1000, 90)]),
            available_quantity=rng.choice([3000, 4000, 5000]),
            capacity_per_week=rng.choice([800, 1000, 1500]),
            lead_time_days=rng.choice([1, 2, 3]),
            description=OFFER_NOTE,
            by=by,
        )
        for grower in chain.growers
    ]
    bumdes_offer = market.publish_offer(
        supplier=chain.bumdes,
        commodity=raw[0],
        commodity_kbli=raw[1],
        unit=raw[2],
        min_order_quantity=50,
        tiers=_tiers(raw[3], [(50, 110), (300, 105)]),
        available_quantity=0 if chain.village_producers else 600,
        capacity_per_week=600,
        lead_time_days=2,
        description=f"Hasil kumpulan BumDes dari petani desa. {OFFER_NOTE}",
        by=by,
    )
    today = timezone.localdate()
    for number, producer in enumerate(chain.village_producers):
        collections.record_collection(
            collector=chain.bumdes,
            producer=producer,
            commodity=raw[0],
            commodity_kbli=raw[1],
            unit=raw[2],
            quantity=rng.choice([150, 200, 250, 300]),
            unit_price_idr=raw[3] * 85 // 100,
            collected_on=today - datetime.timedelta(days=2 + 3 * number),
            is_member=number % 2 == 0,
            offer=bumdes_offer,
            paid=number % 3 != 1,
            note="Ditimbang di gudang BumDes.",
            by=by,
        )
    processor = chain.processors[0]
    product_offer = market.publish_offer(
        supplier=processor,
        commodity=product[0],
        commodity_kbli=product[1],
        unit=product[2],
        min_order_quantity=20,
        tiers=_tiers(product[3], [(20, 100), (100, 90)]),
        available_quantity=400,
        capacity_per_week=300,
        lead_time_days=3,
        description=OFFER_NOTE,
        by=by,
    )
    for buyer in chain.processors:
        market.publish_request(
            buyer=buyer,
            commodity=raw[0],
            commodity_kbli=raw[1],
            unit=raw[2],
            quantity=200,
            period="week",
            starts_on=today + datetime.timedelta(days=30),
            max_price_idr=raw[3] * 110 // 100,
            note="Untuk produksi rutin; bisa bertahap.",
            by=by,
        )
    _links(chain, by=by)
    _orders(chain, grower_offers, bumdes_offer, product_offer, every_status=every_status, by=by)


def _links(chain: Chain, *, by) -> None:
    """A link declared by one side, one confirmed by the other, one recorded by a mentor."""
    from tumbuh.programmes.models import Assignment

    raw, second, product = chain.goods.raw, chain.goods.second, chain.goods.product
    processor, grower = chain.processors[0], chain.growers[1]
    links.declare_link(
        supplier=grower,
        buyer=processor,
        commodity=second[0],
        commodity_kbli=second[1],
        unit=second[2],
        usual_volume=50,
        period="month",
        side=processor,
        by=by,
    )
    reseller = chain.resellers[0]
    declared = links.declare_link(
        supplier=processor,
        buyer=reseller,
        commodity=product[0],
        commodity_kbli=product[1],
        unit=product[2],
        usual_volume=40,
        side=reseller,
        by=by,
    )
    links.confirm_link(link=declared, by=by)
    assignment = (
        Assignment.objects.filter(
            enterprise__in=[processor, grower], is_active=True, mentor__is_active=True
        )
        .select_related("mentor__user")
        .order_by("pk")
        .first()
    )
    links.record_link_by_mentor(
        supplier=grower,
        buyer=processor,
        commodity=raw[0],
        commodity_kbli=raw[1],
        unit=raw[2],
        usual_volume=150,
        by=assignment.mentor.user if assignment else by,
    )


def _order(offer, buyer, quantity, upto: str, *, terms="net14", fee=0, by) -> SupplyOrder:
    """An order taken through the services up to ``upto`` (a status)."""
    order = orders.request_quotation(
        buyer=buyer,
        items={offer: quantity},
        delivery_address=f"Gudang {buyer.name}"[:300],
        note="Mohon dikemas dalam karung bersih.",
        by=by,
    )
    if upto == SupplyOrder.Status.REQUESTED:
        return order
    if upto == SupplyOrder.Status.DECLINED:
        return orders.decline(order=order, reason="Stok minggu ini sudah dipesan.", by=by)
    order = orders.quote(order=order, terms=terms, delivery_fee_idr=fee, by=by)
    if upto == SupplyOrder.Status.QUOTED:
        return order
    order = orders.issue_purchase_order(order=order, by=by)
    if upto == SupplyOrder.Status.CANCELLED:
        return orders.cancel(order=order, reason="Rencana produksi berubah.", by=by)
    if upto == SupplyOrder.Status.ORDERED:
        return order
    line = order.lines.get()
    first = quantity if upto != SupplyOrder.Status.DELIVERING else quantity // 2
    delivery = orders.send_delivery(
        order=order, quantities={line.pk: first}, carrier="Pikap desa", by=by
    )
    orders.sign_handover(
        delivery=delivery, receiver_name=f"Petugas gudang {buyer.name}"[:100], by=by
    )
    invoice = orders.issue_invoice(order=order, by=by)
    if upto in (SupplyOrder.Status.DELIVERING, SupplyOrder.Status.COMPLETED):
        orders.record_payment(invoice=invoice, method="transfer", reference="Transfer demo", by=by)
    order.refresh_from_db()
    return order


def _orders(chain, grower_offers, bumdes_offer, product_offer, *, every_status: bool, by) -> None:
    S = SupplyOrder.Status
    processor = chain.processors[0]
    other = chain.processors[-1]
    first, second = grower_offers
    if every_status:
        plan = [
            (first, processor, 300, S.REQUESTED),
            (first, processor, 200, S.QUOTED),
            (first, other, 300, S.ORDERED),
            (second, processor, 400, S.DELIVERING),
            (second, other, 200, S.DELIVERED),
            (first, processor, 500, S.COMPLETED),
            (second, processor, 100, S.DECLINED),
            (first, other, 300, S.CANCELLED),
        ]
    else:
        plan = [
            (first, processor, 500, S.COMPLETED),
            (second, processor, 400, S.DELIVERING),
            (first, other, 200, S.REQUESTED),
        ]
    for offer, buyer, quantity, upto in plan:
        _order(offer, buyer, quantity, upto, fee=50_000 if quantity >= 300 else 0, by=by)
    # The BumDes sells on what it collected; the processor sells what it makes to a reseller.
    bumdes_offer.refresh_from_db()
    collected = min(300, bumdes_offer.available_quantity // 50 * 50)
    if collected:
        _order(bumdes_offer, processor, collected, S.COMPLETED, terms="cash", by=by)
    _order(product_offer, chain.resellers[0], 40, S.QUOTED, terms="net7", by=by)
    if len(chain.resellers) > 1:
        _order(product_offer, chain.resellers[1], 20, S.REQUESTED, by=by)
