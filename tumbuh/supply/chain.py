"""The chain of a priority area: who plays which role, the network of who supplies whom, and the
programme's three supply measures per area and per regency (which also feed the dashboards).

**Read once, then worked out in Python.** :func:`load_chain` reads the supply tables (links,
B2B orders and their delivery notes and paid invoices, collections, offers, requests) in a
handful of grouped queries, optionally only the rows touching some regencies, and the places,
kinds, KBLI codes and ``trained`` milestones of the businesses they name. Every business is
counted once: a record merged into another (``Enterprise.merged_into``) stands for its survivor,
in the survivor's village.

**Roles** (:func:`assign_roles`), simple rules on the relations known (supply links, B2B orders
in any status, collections) and the registry's facts:

- *collector*: a BumDes (``Enterprise.kind == "bumdes"``) that buys in the chain (collections,
  or a link or order as buyer);
- *grower/producer*: supplies but buys nothing in the chain (and holds no manufacturing KBLI);
- *processor*: holds a KBLI code of section C (manufacturing: ``registry.queries
  .kbli_section_ranges``) or takes part in a processing programme (a programme for KBLI section
  C, enrolment holding a place), or buys from a grower or a collector (someone who buys nothing else in
  the chain, or a BumDes), or buys from others that are not processors;
- *reseller*: buys only from processors, and holds no manufacturing KBLI.

**Measures** (:class:`Measures`) of the businesses and trade in a set of regencies:

- (a) *trained processors with a digital B2B order*: processors with the registry milestone
  ``trained`` (deduplicated), and of them those on either side of at least one B2B order with an
  invoice paid by transfer or QRIS (``Invoice.DIGITAL_METHODS``);
- (b) *B2B value*: the paid invoices' amounts of the orders whose buyer lies in the regencies;
- (c) *share sourced inside*: of what the buyers of the regencies bought (paid B2B invoices and
  every recorded collection, paid or not), the part whose supplier lies inside the area (for an
  area: in its core or surrounding regencies; for the dashboards: in a priority area the buyer's
  regency belongs to as well).

Each measure is kept as whole numbers (counts, rupiah) so that regencies add up to an area, a
province and the country; the shares are computed at the end.
"""

import datetime
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tumbuh.accounts.permissions import Capability, roles_with
from tumbuh.accounts.scoping import scope_for
from tumbuh.core.money import decimal_text
from tumbuh.programmes.models import Enrolment, Programme
from tumbuh.regions.models import PriorityArea, PriorityAreaRegency, Regency, Village
from tumbuh.registry.models import Enterprise, EnterpriseKbli, Milestone
from tumbuh.registry.queries import kbli_section_ranges
from tumbuh.supply.models import (
    Collection,
    DeliveryNoteLine,
    Invoice,
    Offer,
    SupplyLink,
    SupplyOrder,
    SupplyRequest,
)
from tumbuh.supply.places import centre

GROWER, COLLECTOR, PROCESSOR, RESELLER = "grower", "collector", "processor", "reseller"
ROLES = {
    GROWER: gettext_lazy("Grower or producer"),
    COLLECTOR: gettext_lazy("Collector (BumDes)"),
    PROCESSOR: gettext_lazy("Processor"),
    RESELLER: gettext_lazy("Reseller"),
}
AREA_ROLES = (PriorityAreaRegency.Role.CORE, PriorityAreaRegency.Role.SURROUNDING)
B2B_WINDOW_DAYS = 90
WEEKS_IN_WINDOW = B2B_WINDOW_DAYS / 7
WEEKS_IN_MONTH = 52 / 12
MAX_DRAWN_NODES = 400


# --- reading the chain ------------------------------------------------------------------------


@dataclass
class Business:
    """A business of the chain as it counts now (the survivor of any merge)."""

    pk: int
    public_id: str
    name: str
    village_id: str
    kind: str
    is_manufacturing: bool = False
    is_trained: bool = False
    role: str = GROWER

    @property
    def regency(self) -> str:
        return self.village_id[:5]

    @property
    def role_label(self) -> str:
        return str(ROLES[self.role])


@dataclass
class Trade:
    """What passed between one supplier and one buyer: paid B2B invoices, orders with a digital
    payment, collections, and what was delivered in the last 90 days (by unit)."""

    paid_idr: int = 0
    digital_orders: int = 0
    collected_idr: int = 0
    delivered: dict[str, int] = field(default_factory=dict)

    @property
    def bought_idr(self) -> int:
        return self.paid_idr + self.collected_idr


@dataclass
class Link:
    """One supply link, between survivors, with its usual volume per week (None: not known)."""

    supplier: int
    buyer: int
    commodity: str
    unit: str
    weekly: int | None
    basis: str


@dataclass
class Chain:
    """The supply chain as read by :func:`load_chain`."""

    businesses: dict[int, Business]
    links: list[Link]
    trades: dict[tuple[int, int], Trade]
    pairs: set[tuple[int, int]]  # every (supplier, buyer) known from links, orders, collections
    active: set[int]  # businesses with links, offers, requests, orders or collections


def _survivor(pk: int, merged: dict[int, int]) -> int:
    return merged.get(pk, pk)


def _near(regencies: Iterable[str] | None, *sides: str) -> Q:
    """Rows with one of ``sides`` (a business foreign key) in ``regencies`` (none: every row);
    a merged record is near when its survivor is."""
    if regencies is None:
        return Q()
    codes = sorted(set(regencies))
    condition = Q(pk__in=[])
    for side in sides:
        condition |= Q(**{f"{side}__village__regency_id__in": codes})
        condition |= Q(**{f"{side}__merged_into__village__regency_id__in": codes})
    return condition


def manufacturing_q(field_name: str = "code") -> Q:
    """KBLI codes of section C (manufacturing), by their two-digit divisions."""
    condition = Q(pk__in=[])
    for low, high in kbli_section_ranges().get("C", []):
        condition |= Q(**{f"{field_name}__gte": low, f"{field_name}__lte": f"{high}999"})
    return condition


def in_processing_programmes(ids: set[int]) -> list[int]:
    """Of ``ids``, the businesses enrolled (holding a place) in a processing programme: one
    whose eligibility names KBLI section C (manufacturing)."""
    programmes = [
        pk
        for pk, sections in Programme.objects.values_list("pk", "kbli_sections")
        if "C" in (sections or [])
    ]
    if not programmes:
        return []
    return list(
        Enrolment.objects.filter(
            cohort__programme_id__in=programmes,
            enterprise_id__in=ids,
            status__in=Enrolment.HOLDS_PLACE,
        ).values_list("enterprise_id", flat=True)
    )


def load_chain(regencies: Iterable[str] | None = None, *, now=None) -> Chain:
    """The supply chain of the rows touching ``regencies`` (regency codes; None: the whole
    country), with every business they name, as the survivors count."""
    regencies = None if regencies is None else set(regencies)
    now = now or timezone.now()
    since = now - datetime.timedelta(days=B2B_WINDOW_DAYS)
    raw_links = list(
        SupplyLink.objects.filter(_near(regencies, "supplier", "buyer")).values_list(
            "supplier_id", "buyer_id", "commodity", "unit", "usual_volume", "period", "basis"
        )
    )
    orders = SupplyOrder.objects.filter(_near(regencies, "supplier", "buyer"))
    order_pairs = set(orders.values_list("supplier_id", "buyer_id").distinct().order_by())
    invoices = (
        Invoice.objects.filter(status=Invoice.Status.PAID)
        .filter(_near(regencies, "order__supplier", "order__buyer"))
        .values("order__supplier_id", "order__buyer_id")
        .annotate(
            value=Sum("amount_idr"),
            digital=Count("order_id", filter=Q(method__in=Invoice.DIGITAL_METHODS), distinct=True),
        )
        .order_by()
    )
    delivered = (
        DeliveryNoteLine.objects.filter(note__sent_at__gte=since)
        .filter(_near(regencies, "note__order__supplier", "note__order__buyer"))
        .values("note__order__supplier_id", "note__order__buyer_id", "order_line__unit")
        .annotate(quantity=Sum("quantity"))
        .order_by()
    )
    collections = (
        Collection.objects.filter(_near(regencies, "producer", "collector"))
        .values("producer_id", "collector_id")
        .annotate(value=Sum("amount_idr"))
        .order_by()
    )
    sellers = set(
        Offer.objects.filter(_near(regencies, "supplier"))
        .values_list("supplier_id", flat=True)
        .distinct()
        .order_by()
    )
    askers = set(
        SupplyRequest.objects.filter(_near(regencies, "buyer"))
        .values_list("buyer_id", flat=True)
        .distinct()
        .order_by()
    )
    invoices, delivered, collections = list(invoices), list(delivered), list(collections)

    named = {pk for row in raw_links for pk in row[:2]} | sellers | askers
    named |= {pk for pair in order_pairs for pk in pair}
    named |= {row["producer_id"] for row in collections} | {
        row["collector_id"] for row in collections
    }
    records = Enterprise.objects.filter(pk__in=named).values_list(
        "pk", "merged_into_id", "public_id", "name", "village_id", "kind"
    )
    merged: dict[int, int] = {}
    businesses: dict[int, Business] = {}
    survivors_wanted = set()
    for pk, merged_into, public_id, name, village, kind in records:
        if merged_into:
            merged[pk] = merged_into
            survivors_wanted.add(merged_into)
        else:
            businesses[pk] = Business(pk, public_id, name, village, kind)
    for pk, public_id, name, village, kind in Enterprise.objects.filter(
        pk__in=survivors_wanted - set(businesses)
    ).values_list("pk", "public_id", "name", "village_id", "kind"):
        businesses[pk] = Business(pk, public_id, name, village, kind)
    all_ids = set(businesses) | set(merged)
    for pk in EnterpriseKbli.objects.filter(
        Q(enterprise_id__in=all_ids) & manufacturing_q()
    ).values_list("enterprise_id", flat=True):
        businesses[_survivor(pk, merged)].is_manufacturing = True
    for pk in in_processing_programmes(all_ids):
        businesses[_survivor(pk, merged)].is_manufacturing = True
    for pk in Milestone.objects.filter(
        enterprise_id__in=all_ids, kind=Milestone.Kind.TRAINED
    ).values_list("enterprise_id", flat=True):
        businesses[_survivor(pk, merged)].is_trained = True

    def pair(supplier: int, buyer: int) -> tuple[int, int] | None:
        supplier, buyer = _survivor(supplier, merged), _survivor(buyer, merged)
        return None if supplier == buyer else (supplier, buyer)

    links = []
    pairs: set[tuple[int, int]] = set()
    for supplier, buyer, commodity, unit, volume, period, basis in raw_links:
        key = pair(supplier, buyer)
        if key is None:
            continue
        pairs.add(key)
        weekly = volume
        if volume is not None and period == "month":
            weekly = round(volume / WEEKS_IN_MONTH)
        links.append(Link(*key, commodity, unit, weekly, basis))
    trades: dict[tuple[int, int], Trade] = defaultdict(Trade)
    for supplier, buyer in order_pairs:
        key = pair(supplier, buyer)
        if key:
            pairs.add(key)
    for row in invoices:
        key = pair(row["order__supplier_id"], row["order__buyer_id"])
        if key:
            trades[key].paid_idr += row["value"] or 0
            trades[key].digital_orders += row["digital"] or 0
    for row in delivered:
        key = pair(row["note__order__supplier_id"], row["note__order__buyer_id"])
        if key:
            unit = row["order_line__unit"]
            trades[key].delivered[unit] = trades[key].delivered.get(unit, 0) + row["quantity"]
    for row in collections:
        key = pair(row["producer_id"], row["collector_id"])
        if key:
            pairs.add(key)
            trades[key].collected_idr += row["value"] or 0
    active = {pk for key in pairs for pk in key}
    active |= {_survivor(pk, merged) for pk in sellers | askers}
    chain = Chain(businesses, links, dict(trades), pairs, active)
    assign_roles(chain)
    return chain


def assign_roles(chain: Chain) -> None:
    """Set each business's ``role`` by the rules of the module's docstring."""
    suppliers: dict[int, set[int]] = defaultdict(set)
    for supplier, buyer in chain.pairs:
        suppliers[buyer].add(supplier)
    undecided = []
    for pk, business in chain.businesses.items():
        bought_from = suppliers.get(pk, set())
        if business.kind == Enterprise.Kind.BUMDES and bought_from:
            business.role = COLLECTOR
        elif business.is_manufacturing:  # a KBLI of section C, or a processing programme
            business.role = PROCESSOR
        elif not bought_from:
            business.role = GROWER
        elif any(
            not suppliers.get(s) or chain.businesses[s].kind == Enterprise.Kind.BUMDES
            for s in bought_from
            if s in chain.businesses
        ):
            business.role = PROCESSOR
        else:
            undecided.append(business)
    waiting = {business.pk for business in undecided}
    for business in undecided:
        bought_from = [chain.businesses[s] for s in suppliers[business.pk] if s in chain.businesses]
        only_processors = bool(bought_from) and all(
            s.role == PROCESSOR and s.pk not in waiting for s in bought_from
        )
        business.role = RESELLER if only_processors else PROCESSOR


# --- measures ---------------------------------------------------------------------------------


@dataclass
class Measures:
    """The three measures of a set of regencies, as additive whole numbers."""

    processors: int = 0
    processors_trained: int = 0
    processors_trained_digital: int = 0
    b2b_value_idr: int = 0
    bought_value_idr: int = 0
    bought_inside_value_idr: int = 0

    def __add__(self, other: "Measures") -> "Measures":
        return Measures(
            *(getattr(self, name) + getattr(other, name) for name in self.__dataclass_fields__)
        )

    @property
    def digital_share(self) -> float | None:
        """(a) Trained processors with a digital B2B order, of the trained processors."""
        if not self.processors_trained:
            return None
        return self.processors_trained_digital / self.processors_trained

    @property
    def inside_share(self) -> float | None:
        """(c) The part of what the buyers bought that came from inside."""
        if not self.bought_value_idr:
            return None
        return self.bought_inside_value_idr / self.bought_value_idr

    @property
    def digital_share_text(self) -> str:
        return share_text(self.digital_share)

    @property
    def inside_share_text(self) -> str:
        return share_text(self.inside_share)


def share_text(share: float | None) -> str:
    """A share as "45,3 %", or "–" when there is nothing to share."""
    return "–" if share is None else decimal_text(share, percent=True)


def measures_by_regency(
    chain: Chain,
    regencies: Iterable[str] | None,
    is_inside: Callable[[str, str], bool],
) -> dict[str, Measures]:
    """The measures per regency of the buyers and processors in ``regencies`` (None: every
    regency); ``is_inside(buyer_regency, supplier_regency)`` says whether a purchase was sourced
    inside."""
    wanted = None if regencies is None else set(regencies)
    result: dict[str, Measures] = defaultdict(Measures)
    digital: set[int] = set()
    for (supplier, buyer), trade in chain.trades.items():
        if trade.digital_orders:
            digital.update((supplier, buyer))
    for pk, business in chain.businesses.items():
        if business.role != PROCESSOR or pk not in chain.active:
            continue
        if wanted is not None and business.regency not in wanted:
            continue
        row = result[business.regency]
        row.processors += 1
        if business.is_trained:
            row.processors_trained += 1
            row.processors_trained_digital += pk in digital
    for (supplier, buyer), trade in chain.trades.items():
        buyer_regency = chain.businesses[buyer].regency
        if wanted is not None and buyer_regency not in wanted:
            continue
        if not (trade.paid_idr or trade.collected_idr):
            continue
        row = result[buyer_regency]
        row.b2b_value_idr += trade.paid_idr
        row.bought_value_idr += trade.bought_idr
        if is_inside(buyer_regency, chain.businesses[supplier].regency):
            row.bought_inside_value_idr += trade.bought_idr
    return dict(result)


def area_regencies(area: PriorityArea) -> list[str]:
    """The core and surrounding regencies of ``area`` (a province-wide member is too wide to
    bound a chain and is left out, as matching leaves it out)."""
    return list(
        PriorityAreaRegency.objects.filter(area=area, role__in=AREA_ROLES)
        .order_by("regency_id")
        .values_list("regency_id", flat=True)
    )


def area_measures(chain: Chain, regencies: list[str]) -> tuple[Measures, dict[str, Measures]]:
    """An area's measures, in total and per regency (every regency of the area, in order)."""
    inside = set(regencies)
    rows = measures_by_regency(chain, inside, lambda _buyer, supplier: supplier in inside)
    per_regency = {code: rows.get(code, Measures()) for code in regencies}
    return sum(per_regency.values(), Measures()), per_regency


def areas_measures(areas: list[PriorityArea]) -> dict[int, Measures]:
    """The measures of each of ``areas``, from one reading of the chains touching them."""
    members: dict[int, list[str]] = defaultdict(list)
    for area_id, code in PriorityAreaRegency.objects.filter(
        area__in=areas, role__in=AREA_ROLES
    ).values_list("area_id", "regency_id"):
        members[area_id].append(code)
    every = {code for codes in members.values() for code in codes}
    chain = load_chain(every) if every else None
    result = {}
    for area in areas:
        codes = sorted(members.get(area.pk, []))
        result[area.pk] = area_measures(chain, codes)[0] if chain and codes else Measures()
    return result


def regency_facts() -> dict[str, Measures]:
    """The measures of every regency of the country, for the dashboards' rollups. What was bought
    is measured for the buyers in a priority area's core or surrounding regencies, sourced inside
    when the supplier's regency shares a priority area with the buyer's."""
    areas_of: dict[str, set[int]] = defaultdict(set)
    for area_id, code in PriorityAreaRegency.objects.filter(role__in=AREA_ROLES).values_list(
        "area_id", "regency_id"
    ):
        areas_of[code].add(area_id)

    def is_inside(buyer: str, supplier: str) -> bool:
        return bool(areas_of.get(buyer, set()) & areas_of.get(supplier, set()))

    facts = measures_by_regency(load_chain(), None, is_inside)
    for regency, measures in facts.items():
        if regency not in areas_of:  # sourcing is measured for the buyers of the areas only
            measures.bought_value_idr = measures.bought_inside_value_idr = 0
    return facts


# --- the network of an area -------------------------------------------------------------------


@dataclass
class Node:
    """A business of the area's network and where it is drawn."""

    business: Business
    place: str = ""
    latitude: float | None = None
    longitude: float | None = None
    x: int | None = None
    y: int | None = None


@dataclass
class Edge:
    """Supplier → buyer in the area: the weekly volume (from the links' usual volume, else
    the B2B deliveries of the last 90 days per week), its unit and how it is known."""

    supplier: Business
    buyer: Business
    commodities: list[str]
    weekly: int | None
    unit: str
    basis: str

    @property
    def basis_label(self) -> str:
        return str(BASIS_LABELS.get(self.basis, self.basis))


@dataclass
class Network:
    """The businesses of an area's chain and the supply relations between them."""

    nodes: list[Node]
    edges: list[Edge]
    outside_links: int  # links of the area's businesses with a business outside it


def area_network(area: PriorityArea, *, chain: Chain | None = None) -> Network:
    """The businesses of the area's regencies that take part in supply (links, offers,
    requests, B2B orders, collections) and the supply relations between them."""
    regencies = set(area_regencies(area))
    chain = chain or load_chain(regencies)
    inside = {
        pk
        for pk in chain.active
        if pk in chain.businesses and chain.businesses[pk].regency in regencies
    }
    villages = {
        village.code: village
        for village in Village.objects.filter(
            code__in={chain.businesses[pk].village_id for pk in inside}
        ).select_related("district", "regency")
    }
    nodes = []
    for pk in sorted(inside, key=lambda pk: (chain.businesses[pk].name, pk)):
        business = chain.businesses[pk]
        place = centre(villages[business.village_id]) if business.village_id in villages else None
        village = villages.get(business.village_id)
        node = Node(business, village.name if village else business.village_id)
        if place:
            node.latitude, node.longitude = place
        nodes.append(node)
    by_pair: dict[tuple[int, int], Edge] = {}
    outside = 0
    for link in chain.links:
        key = (link.supplier, link.buyer)
        if not (link.supplier in inside and link.buyer in inside):
            outside += link.supplier in inside or link.buyer in inside
            continue
        edge = by_pair.get(key)
        if edge is None:
            edge = by_pair[key] = Edge(
                chain.businesses[link.supplier],
                chain.businesses[link.buyer],
                [],
                None,
                link.unit,
                link.basis,
            )
        edge.commodities.append(link.commodity)
        if link.weekly is not None:
            edge.weekly = (edge.weekly or 0) + link.weekly
        if SupplyLink.STRENGTH.index(link.basis) > SupplyLink.STRENGTH.index(edge.basis):
            edge.basis = link.basis
    for key, trade in chain.trades.items():
        if not trade.delivered or key[0] not in inside or key[1] not in inside:
            continue
        unit, quantity = max(trade.delivered.items(), key=lambda item: item[1])
        edge = by_pair.get(key)
        if edge is None:
            edge = by_pair[key] = Edge(
                chain.businesses[key[0]], chain.businesses[key[1]], [], None, unit, "orders"
            )
        if edge.weekly is None:
            edge.weekly = round(quantity / WEEKS_IN_WINDOW)
            edge.unit = unit
            edge.basis = "orders_90_days"
    edges = sorted(
        by_pair.values(), key=lambda e: (-(e.weekly or 0), e.supplier.name, e.buyer.name)
    )
    return Network(nodes, edges, outside)


BASIS_LABELS = {
    **{value: label for value, label in SupplyLink.Basis.choices},
    "orders_90_days": gettext_lazy("B2B deliveries, last 90 days"),
}

# Okabe–Ito colours (as the maps use) and a shape per role, as relative path data around the
# node's centre; the legend shows the same glyphs.
ROLE_STYLE = {
    GROWER: ("#009e73", "m-5 0a5 5 0 1 0 10 0a5 5 0 1 0-10 0z", "●"),
    COLLECTOR: ("#e69f00", "m-5-5h10v10h-10z", "■"),
    PROCESSOR: ("#0072b2", "m0-7l7 7-7 7-7-7z", "◆"),
    RESELLER: ("#cc79a7", "m0-7l6 11h-12z", "▲"),
}
EACH_TITLED_UP_TO = 80  # above this, one path per role (no title per node) keeps the page small


def network_svg(area: PriorityArea, network: Network, regencies: list[str]) -> SafeString:
    """The network over the outlines of the area's regencies: nodes by role (shape and colour),
    edges by weekly volume (width), a legend; no script, no style, whole units."""
    # Imported here, not with the module: NumPy, Shapely and the boundaries are heavy, and the
    # URL configuration imports this module (core/tests/test_startup.py). The regions' map
    # drawing is reused for the area's outlines: a frame around several regencies is not among
    # its public maps.
    import numpy as np

    from tumbuh.regions.boundaries import layer
    from tumbuh.regions.maps import _frame, _legend, _shape_paths, _svg

    boundaries = layer("regency")
    shapes = np.array([boundaries.index(c) for c in regencies if c in boundaries.positions])
    parts = []
    if len(shapes):
        bounds = boundaries.bounds[shapes]
        frame = _frame(
            float(bounds[:, 0].min()),
            float(bounds[:, 1].min()),
            float(bounds[:, 2].max()),
            float(bounds[:, 3].max()),
        )
        outlines = _shape_paths(boundaries, shapes, frame)
        parts.append(
            '<g fill="#f4f4f4" stroke="#888" stroke-width="1" fill-rule="evenodd">'
            + "".join(f'<path d="{outlines[i]}"/>' for i in shapes.tolist() if i in outlines)
            + "</g>"
        )
        height = frame.height
    else:
        frame, height = None, 300

    placed = [node for node in network.nodes if node.latitude is not None]
    degree: dict[int, int] = defaultdict(int)
    for edge in network.edges:
        degree[edge.supplier.pk] += 1
        degree[edge.buyer.pk] += 1
    placed.sort(key=lambda node: (-degree[node.business.pk], node.business.pk))
    drawn = placed[:MAX_DRAWN_NODES]
    if frame is not None and drawn:
        x, y = frame.project([n.longitude for n in drawn], [n.latitude for n in drawn])
        seen: dict[tuple[int, int], int] = defaultdict(int)
        for node, px, py in zip(drawn, x.tolist(), y.tolist(), strict=True):
            spot = (round(px), round(py))
            # Businesses of one village share its centre: spread them on a small spiral.
            turn = seen[spot]
            seen[spot] += 1
            angle, radius = turn * 2.4, 9 * math.sqrt(turn)
            node.x = round(px + radius * math.cos(angle))
            node.y = round(py + radius * math.sin(angle))
    positioned = {node.business.pk: node for node in drawn if node.x is not None}

    weights = [edge.weekly for edge in network.edges if edge.weekly]
    heaviest = max(weights, default=0)
    titled = len(positioned) <= EACH_TITLED_UP_TO
    by_width: dict[int, list[str]] = defaultdict(list)
    each: list[str] = []
    for edge in network.edges:
        a, b = positioned.get(edge.supplier.pk), positioned.get(edge.buyer.pk)
        if a is None or b is None or (a.x, a.y) == (b.x, b.y):
            continue
        width = 1 + round(5 * math.sqrt(edge.weekly / heaviest)) if edge.weekly else 1
        if not titled:
            by_width[width if edge.weekly else 0].append(f"M{a.x} {a.y}L{b.x} {b.y}")
            continue
        # Few edges: each its own line, stopped short of the buyer so that the arrow shows
        # which way the goods go, and named by its title.
        length = math.hypot(b.x - a.x, b.y - a.y)
        stop = min(10, length / 2) / length
        end_x, end_y = round(b.x - (b.x - a.x) * stop), round(b.y - (b.y - a.y) * stop)
        volume = f"{edge.weekly} {edge.unit}/{_('week')}" if edge.weekly else _("volume not known")
        name = escape(f"{edge.supplier.name} → {edge.buyer.name}: {volume}")
        dashes = "" if edge.weekly else ' stroke-dasharray="4 3"'
        each.append(
            f'<path stroke-width="{width}"{dashes} marker-end="url(#chain-arrow)"'
            f' d="M{a.x} {a.y}L{end_x} {end_y}"><title>{name}</title></path>'
        )
    parts.append(
        '<defs><marker id="chain-arrow" viewBox="0 0 10 10" refX="10" refY="5"'
        ' markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto"><path d="M0 0L10 5L0 10z" fill="#555"/></marker></defs>'
    )
    parts.append('<g fill="none" stroke="#555" stroke-opacity="0.7" stroke-linecap="round">')
    parts.extend(each)
    for width in sorted(by_width):
        dashes = ' stroke-dasharray="4 3"' if width == 0 else ""
        parts.append(f'<path stroke-width="{width or 1}"{dashes} d="{"".join(by_width[width])}"/>')
    parts.append("</g>")

    counts = dict.fromkeys(ROLE_STYLE, 0)
    parts.append('<g stroke="#fff" stroke-width="1">')
    for role, (colour, shape, _glyph) in ROLE_STYLE.items():
        mine = [n for n in positioned.values() if n.business.role == role]
        counts[role] = len(mine)
        if not mine:
            continue
        if titled:
            parts.append(f'<g fill="{colour}">')
            parts.extend(
                f'<path d="M{n.x} {n.y}{shape}"><title>'
                f"{escape(n.business.name)}: {escape(ROLES[role])}</title></path>"
                for n in mine
            )
            parts.append("</g>")
        else:
            path = "".join(f"M{n.x} {n.y}{shape}" for n in mine)
            parts.append(
                f'<path fill="{colour}" d="{path}"><title>{escape(ROLES[role])}</title></path>'
            )
    parts.append("</g>")
    items = [
        (colour, f"{glyph} {ROLES[role]} ({counts[role]})")
        for role, (colour, _shape, glyph) in ROLE_STYLE.items()
    ]
    notes = [_("Lines go from supplier to buyer; width: usual volume per week; dashed: not known.")]
    left_out = len(network.nodes) - len(positioned)
    if left_out:
        notes.append(
            ngettext(
                "%(count)s business is not drawn (no place known, or beyond the %(cap)s drawn).",
                "%(count)s businesses are not drawn (no place known, or beyond the %(cap)s drawn).",
                left_out,
            )
            % {"count": left_out, "cap": MAX_DRAWN_NODES}
        )
    legend, legend_height = _legend(items, height, notes=notes)
    parts.append(legend)
    title = _("Supply chain of %(area)s") % {"area": area.name}
    return _svg(title=title, height=height + legend_height, body="".join(parts), interactive=False)


# --- the console's reads ----------------------------------------------------------------------


def visible_areas(user):
    """The priority areas with at least one regency in the regions ``user`` sees the
    dashboards of (national staff: every area). An area made of whole provinces only is too
    wide to bound a chain (``places.areas_of_regency``) and is left out."""
    scope = scope_for(user, roles=roles_with(Capability.VIEW_DASHBOARDS))
    bounded = PriorityAreaRegency.objects.exclude(role=PriorityAreaRegency.Role.PROVINCE)
    areas = PriorityArea.objects.filter(pk__in=bounded.values("area_id"))
    if scope.is_national:
        return areas
    touching = scope.filter(PriorityAreaRegency.objects.all(), "regency__code").values("area_id")
    return areas.filter(pk__in=touching)


@dataclass
class RegencyRow:
    """One regency of an area and its measures."""

    code: str
    name: str
    measures: Measures


@dataclass
class AreaPage:
    """What the console page of an area shows."""

    area: PriorityArea
    total: Measures
    regencies: list[RegencyRow]
    network: Network
    svg: SafeString


def area_page(area: PriorityArea) -> AreaPage:
    """An area's measures, per regency, its network and its drawing, from one reading."""
    codes = area_regencies(area)
    loaded = load_chain(codes)
    total, per_regency = area_measures(loaded, codes)
    names = dict(Regency.objects.filter(code__in=codes).values_list("code", "name"))
    network = area_network(area, chain=loaded)
    return AreaPage(
        area=area,
        total=total,
        regencies=[RegencyRow(code, names.get(code, code), per_regency[code]) for code in codes],
        network=network,
        svg=network_svg(area, network, codes),
    )
