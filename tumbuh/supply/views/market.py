"""The market pages of a business's supply (light pages, no JavaScript needed): its supply home,
publishing a wholesale offer or a request for supply, an offer's page (restock, close, ask for a
quotation), finding suppliers near it, and declaring or confirming a supply link.

Who may use them: a signed-in person who acts for a business (its owner or the BumDes's
manager, ``registry.services.enterprises_of``). A person acting for several businesses picks one
with ``?usaha=<public id>``, which every link and form of these pages keeps; a business the
person does not act for answers 404, exactly like one that does not exist. Every change goes
through the supply services, whose refusals are shown next to the input at fault.
"""

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tumbuh.core.money import rupiah
from tumbuh.registry.models import Enterprise
from tumbuh.registry.services import enterprises_of
from tumbuh.stores.models import Store
from tumbuh.supply import queries
from tumbuh.supply.forms.market import (
    FindForm,
    LinkForm,
    OfferForm,
    QuotationForm,
    RestockForm,
    SupplyRequestForm,
    add_refusal,
)
from tumbuh.supply.models import Offer, SupplyLink, SupplyRequest
from tumbuh.supply.services import links, market, orders
from tumbuh.supply.services.common import acts_for

# How many of each list the supply home shows (newest or nearest first).
SHOWN = 20
# The businesses of the regency offered in the link form's list.
NEIGHBOURS = 200


def order_path(code: str) -> str:
    """A B2B order's page (``views/orders.py``)."""
    return reverse("supply:order", args=[code])


# --- which business ------------------------------------------------------------------------------


def _chosen(request) -> Enterprise | None:
    """The business the page acts for: ``?usaha=`` (404 when the person does not act for it),
    else the person's first; None when they act for none."""
    public_id = request.GET.get("usaha", "").strip()[:12]
    business = queries.business_for(request.user, public_id or None)
    if public_id and business is None:
        raise Http404
    return business


def _with_business(url: str, business: Enterprise) -> str:
    return f"{url}?{urlencode({'usaha': business.public_id})}"


def _unlinked(request, status: int = 403):
    """The page for a signed-in person who acts for no business: how to get linked."""
    return render(request, "supply/market_unlinked.html", status=status)


def _page(request, template: str, business: Enterprise, context: dict, status: int = 200):
    """Render a market page with what every one of them shows: the business and its query."""
    return render(
        request,
        template,
        {
            "business": business,
            "usaha": urlencode({"usaha": business.public_id}),
            **context,
        },
        status=status,
    )


# --- the supply home -----------------------------------------------------------------------------


def _share_text(request, match, business) -> tuple[Enterprise, str]:
    """The other side of a match and a WhatsApp text about it (no phone number in it)."""
    offer, supply_request = match.offer, match.request
    offer_url = request.build_absolute_uri(reverse("supply:offer", args=[offer.public_id]))
    if offer.supplier_id == business.pk:
        other = supply_request.buyer
        text = _(
            "Hello %(buyer)s, %(supplier)s can supply the %(quantity)s %(unit)s of %(commodity)s "
            "you are looking for: %(url)s"
        ) % {
            "buyer": other.name,
            "supplier": business.name,
            "quantity": supply_request.quantity,
            "unit": supply_request.unit,
            "commodity": supply_request.commodity,
            "url": offer_url,
        }
    else:
        other = offer.supplier
        text = _(
            "Hello %(supplier)s, %(buyer)s would like to buy %(commodity)s from your offer: %(url)s"
        ) % {
            "supplier": other.name,
            "buyer": business.name,
            "commodity": offer.commodity,
            "url": offer_url,
        }
    return other, text


def _match_rows(request, business) -> list[dict]:
    """The business's matches with the other side, the commodity, the distance and a WhatsApp
    link: to the other side's public store number when it has a live store, otherwise a share
    link without a number (a registry phone never goes into a URL)."""
    matches = list(queries.matches_of(business)[:SHOWN])
    sides = [_share_text(request, match, business) for match in matches]
    stores = {}
    for store in Store.objects.live().filter(enterprise__in={other.pk for other, _t in sides}):
        stores.setdefault(store.enterprise_id, store)
    rows = []
    for match, (other, text) in zip(matches, sides, strict=True):
        store = stores.get(other.pk)
        link = store.whatsapp_link(text) if store else ""
        rows.append(
            {
                "match": match,
                "other": other,
                "is_supplier": match.offer.supplier_id == business.pk,
                "commodity": match.offer.commodity
                if match.offer.supplier_id != business.pk
                else match.request.commodity,
                "whatsapp": link or "https://wa.me/?text=" + quote(text),
            }
        )
    return rows


def _link_rows(link_list, business, *, other_side: str) -> list[dict]:
    return [
        {
            "link": link,
            "other": getattr(link, other_side),
            "may_confirm": link.basis == SupplyLink.Basis.DECLARED
            and link.declared_by_id not in (None, business.pk),
        }
        for link in link_list
    ]


@login_required
@require_GET
def home(request):
    """A business's supply: its open offers and requests, their matches, its suppliers and
    buyers, its B2B orders on each side, and where to go next."""
    businesses = enterprises_of(request.user)
    business = _chosen(request)
    if business is None:
        return _unlinked(request, status=200)
    recent = list(queries.orders_of(business)[: SHOWN * 2])
    return _page(
        request,
        "supply/market_home.html",
        business,
        {
            "businesses": businesses if len(businesses) > 1 else [],
            "offers": list(
                queries.offers_of(business).filter(status=Offer.Status.OPEN).order_by("commodity")
            ),
            "requests": list(
                queries.requests_of(business)
                .filter(status=SupplyRequest.Status.OPEN)
                .order_by("starts_on", "pk")
            ),
            "matches": _match_rows(request, business),
            "suppliers": _link_rows(
                queries.suppliers_of(business)[:SHOWN], business, other_side="supplier"
            ),
            "buyers": _link_rows(queries.buyers_of(business)[:SHOWN], business, other_side="buyer"),
            "as_buyer": [
                {"order": order, "other": order.supplier, "path": order_path(order.code)}
                for order in recent
                if order.buyer_id == business.pk
            ][:SHOWN],
            "as_supplier": [
                {"order": order, "other": order.buyer, "path": order_path(order.code)}
                for order in recent
                if order.supplier_id == business.pk
            ][:SHOWN],
            "is_bumdes": business.kind == Enterprise.Kind.BUMDES,
        },
    )


# --- offers --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def offer_new(request):
    """Publish a wholesale offer (``market.publish_offer``)."""
    business = _chosen(request)
    if business is None:
        return _unlinked(request)
    form = OfferForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            offer = market.publish_offer(
                supplier=business,
                commodity=data["commodity"],
                commodity_kbli=data["commodity_kbli"],
                unit=data["unit"],
                min_order_quantity=data["min_order_quantity"],
                tiers=form.tiers(),
                available_quantity=data["available_quantity"],
                capacity_per_week=data["capacity_per_week"],
                lead_time_days=data["lead_time_days"],
                description=data["description"],
                by=request.user,
            )
        except ValidationError as error:
            add_refusal(form, error, fields=form.refusal_fields())
        else:
            messages.success(request, _("Your offer is published."))
            return redirect(
                _with_business(reverse("supply:offer", args=[offer.public_id]), business)
            )
    return _page(
        request,
        "supply/market_offer_form.html",
        business,
        {"form": form},
        status=422 if form.errors else 200,
    )


def _offer_business(request, offer: Offer) -> Enterprise | None:
    """Whom the offer's page is for: ``?usaha=`` when given; else the supplier when the person
    acts for it; else the person's first business."""
    if not request.GET.get("usaha") and acts_for(request.user, offer.supplier):
        return offer.supplier
    return _chosen(request)


@login_required
@require_http_methods(["GET", "POST"])
def offer(request, public_id):
    """An offer's page for any business: its supplier, place, tiers and terms; the supplier
    restocks or closes it here, another business asks for a quotation."""
    offer = get_object_or_404(
        Offer.objects.select_related(
            "supplier__village__district", "supplier__village__regency"
        ).prefetch_related("tiers"),
        public_id=str(public_id).upper()[:12],
    )
    business = _offer_business(request, offer)
    if business is None:
        return _unlinked(request)
    is_supplier = business.pk == offer.supplier_id
    if not is_supplier and offer.status != Offer.Status.OPEN:
        raise Http404  # a closed offer is the supplier's own record
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action and action not in ({"restock", "close"} if is_supplier else {"quote"}):
        raise Http404  # a step that is not this business's to take on this offer
    here = _with_business(reverse("supply:offer", args=[offer.public_id]), business)
    restock = RestockForm(request.POST if action == "restock" else None, prefix="restock")
    quotation = QuotationForm(request.POST if action == "quote" else None, prefix="quote")
    if action == "close":
        market.close_offer(offer=offer, by=request.user)
        messages.success(request, _("The offer is closed."))
        return redirect(here)
    if action == "restock" and restock.is_valid():
        try:
            market.restock_offer(offer=offer, add=restock.cleaned_data["add"], by=request.user)
        except ValidationError as error:
            add_refusal(restock, error)
        else:
            messages.success(request, _("Stock added."))
            return redirect(here)
    if action == "quote" and quotation.is_valid():
        data = quotation.cleaned_data
        try:
            order = orders.request_quotation(
                buyer=business,
                items={offer: data["quantity"]},
                wanted_by=data["wanted_by"],
                delivery_address=data["delivery_address"],
                note=data["note"],
                by=request.user,
            )
        except ValidationError as error:
            add_refusal(
                quotation,
                error,
                fields={f"items.{offer.public_id}": "quantity", "items": "quantity"},
            )
        else:
            messages.success(request, _("Your request for a quotation is sent."))
            return redirect(order_path(order.code))
    tiers = list(offer.tiers.all())
    km = None
    if not is_supplier:
        km, _area, _near = market.nearness(offer.supplier, business)
    return _page(
        request,
        "supply/market_offer.html",
        business,
        {
            "offer": offer,
            "tiers": tiers,
            "is_supplier": is_supplier,
            "distance_km": km,
            "restock": restock,
            "quotation": quotation,
        },
        status=422 if restock.errors or quotation.errors else 200,
    )


# --- requests for supply -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request):
    """Publish a request for supply (``market.publish_request``), then show its matches
    (``?terbit=<its public id>``)."""
    business = _chosen(request)
    if business is None:
        return _unlinked(request)
    form = SupplyRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            published = market.publish_request(
                buyer=business,
                commodity=data["commodity"],
                commodity_kbli=data["commodity_kbli"],
                unit=data["unit"],
                quantity=data["quantity"],
                period=data["period"],
                starts_on=data["starts_on"],
                max_price_idr=data["max_price_idr"],
                note=data["note"],
                by=request.user,
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("Your request for supply is published."))
            query = urlencode({"usaha": business.public_id, "terbit": published.public_id})
            return redirect(f"{reverse('supply:request-new')}?{query}")
    published = None
    if request.method == "GET" and request.GET.get("terbit"):
        published = get_object_or_404(
            queries.requests_of(business), public_id=request.GET["terbit"][:12]
        )
    return _page(
        request,
        "supply/market_request_form.html",
        business,
        {
            "form": form,
            "published": published,
            "published_matches": (
                list(published.matches.select_related("offer__supplier__village"))
                if published
                else []
            ),
        },
        status=422 if form.errors else 200,
    )


# --- finding suppliers ---------------------------------------------------------------------------


@login_required
@require_GET
def find(request):
    """Open offers near the business (in a priority area it shares, or within the matching
    distance), of the commodity asked, nearest first."""
    business = _chosen(request)
    if business is None:
        return _unlinked(request)
    form = FindForm(request.GET)
    words = form.cleaned_data["q"] if form.is_valid() else ""
    found = queries.offers_near(business, commodity=words)
    rows = [
        {
            "offer": offer,
            "km": km,
            "lowest": rupiah(min((tier.price_idr for tier in offer.tiers.all()), default=0)),
        }
        for offer, km in found
    ]
    return _page(
        request,
        "supply/market_find.html",
        business,
        {"form": form, "rows": rows, "asked": "q" in request.GET},
    )


# --- supply links --------------------------------------------------------------------------------


def _neighbours(business: Enterprise) -> list[Enterprise]:
    """The businesses of the business's regency, by name (at most ``NEIGHBOURS``)."""
    return list(
        Enterprise.objects.filter(
            village__regency_id=business.village.regency_id, merged_into__isnull=True
        )
        .exclude(pk=business.pk)
        .order_by("name", "pk")
        .only("pk", "name")[:NEIGHBOURS]
    )


def _other_business(form: LinkForm, neighbours: list[Enterprise]) -> Enterprise | None:
    """The business the form names: by its public id when given, else the one chosen."""
    public_id = form.cleaned_data["other_public_id"].strip().lower()
    if public_id:
        other = Enterprise.objects.filter(public_id=public_id, merged_into__isnull=True).first()
        if other is None:
            form.add_error("other_public_id", _("No business has this id."))
        return other
    chosen = form.cleaned_data["other"]
    other = next((e for e in neighbours if e.pk == chosen), None)
    if other is None:
        form.add_error("other", _("Choose a business from the list."))
        return None
    return Enterprise.objects.get(pk=other.pk)


@login_required
@require_http_methods(["GET", "POST"])
def link_new(request):
    """Declare that another business supplies this one, or that this one supplies it
    (``links.declare_link``); the other side confirms it on its own supply home."""
    business = _chosen(request)
    if business is None:
        return _unlinked(request)
    neighbours = _neighbours(business)
    form = LinkForm(request.POST if request.method == "POST" else None, neighbours=neighbours)
    if request.method == "POST" and form.is_valid():
        other = _other_business(form, neighbours)
        if other is not None:
            data = form.cleaned_data
            supplier, buyer = (
                (other, business) if data["direction"] == "supplies_me" else (business, other)
            )
            try:
                links.declare_link(
                    supplier=supplier,
                    buyer=buyer,
                    commodity=data["commodity"],
                    commodity_kbli=data["commodity_kbli"],
                    unit=data["unit"],
                    usual_volume=data["usual_volume"],
                    period=data["period"],
                    side=business,
                    by=request.user,
                )
            except ValidationError as error:
                add_refusal(
                    form, error, fields={"buyer": "other", "supplier": "other", "side": "other"}
                )
            else:
                messages.success(
                    request,
                    _(
                        "The link with %(name)s is recorded; it is confirmed once %(name)s says so too."
                    )
                    % {"name": other.name},
                )
                return redirect(_with_business(reverse("supply:home"), business))
    return _page(
        request,
        "supply/market_link_form.html",
        business,
        {"form": form},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def link_confirm(request, pk):
    """The side that did not declare a link confirms it (``links.confirm_link``)."""
    link = get_object_or_404(SupplyLink.objects.select_related("supplier", "buyer"), pk=pk)
    own = [side for side in (link.supplier, link.buyer) if acts_for(request.user, side)]
    if not own:
        raise Http404
    business = own[0] if len(own) == 1 else _chosen(request) or own[0]
    try:
        links.confirm_link(link=link, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The link is confirmed."))
    return redirect(_with_business(reverse("supply:home"), business))


urlpatterns = [
    path("rantai-pasok/", home, name="home"),
    path("rantai-pasok/penawaran/baru/", offer_new, name="offer-new"),
    path("rantai-pasok/penawaran/<str:public_id>/", offer, name="offer"),
    path("rantai-pasok/permintaan/baru/", request_new, name="request-new"),
    path("rantai-pasok/cari/", find, name="find"),
    path("rantai-pasok/mitra/baru/", link_new, name="link-new"),
    path("rantai-pasok/mitra/<int:pk>/konfirmasi/", link_confirm, name="link-confirm"),
]
