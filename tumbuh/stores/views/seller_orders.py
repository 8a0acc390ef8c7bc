"""Seller order pages (phone-first): today's and open orders, one order with its status
buttons and payment confirmation, the buyer's WhatsApp link, and what is owed to consignment
producers with payouts. Only orders of the stores the signed-in user runs are reachable; another
seller's order answers 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tumbuh.core import keyset, times
from tumbuh.core.refusals import Refused
from tumbuh.registry.models import Enterprise
from tumbuh.stores import queries
from tumbuh.stores.error_codes import StoresError
from tumbuh.stores.models import Order, Store
from tumbuh.stores.services import orders as order_services
from tumbuh.stores.services import shop

PAGE = 100


def _placed_today(stores) -> Q:
    """Orders placed today at their store: each store's own day, in its village's zone (a store
    in Kupang starts its day an hour before one in Bandung)."""
    by_zone: dict[str, list[int]] = {}
    for store in stores:
        by_zone.setdefault(times.zone_name(store.village_id), []).append(store.pk)
    today = Q(pk__in=[])
    for zone, store_ids in by_zone.items():
        start, end = times.day_bounds(times.today(zone), zone)
        today |= Q(store_id__in=store_ids, created_at__gte=start, created_at__lt=end)
    return today


@login_required
def seller_orders(request):
    """Today's orders, the open ones, or the latest (``?tampil=hari-ini|terbuka|semua``)."""
    show = request.GET.get("tampil", "hari-ini")
    stores = list(queries.stores_of(request.user))
    orders = queries.orders_for_seller(request.user)
    if show == "terbuka":
        orders = orders.exclude(status__in=["completed", "cancelled", "refunded"])
    elif show == "semua":
        pass
    else:
        show = "hari-ini"
        orders = orders.filter(_placed_today(stores))
    page = keyset.page_from_request(
        request, orders.prefetch_related("lines"), ordering=("-created_at", "-pk"), size=PAGE
    )
    rows = [{"order": o, "whatsapp": order_services.whatsapp_buyer_link(o)} for o in page]
    return render(
        request,
        "stores/orders/seller_list.html",
        {"rows": rows, "show": show, "stores": stores, "page": page},
    )


def _my_order(request, code) -> Order:
    try:
        return queries.seller_order(request.user, str(code).upper()[:12])
    except PermissionDenied:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def seller_order(request, code):
    """One order: lines, buyer, delivery, payment; buttons for the allowed next statuses."""
    order = _my_order(request, code)
    if request.method == "POST":
        to = request.POST.get("to", "")
        try:
            if to == "paid":
                order_services.confirm_receipt(order=order, by=request.user)
            else:
                order_services.seller_transition(
                    order=order, to=to, by=request.user, note=request.POST.get("note", "")
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The order is now “%(status)s”.") % {"status": order.get_status_display()},
            )
        return redirect("stores:seller-order", order.code)
    next_statuses = [
        (status, Order.Status(status).label)
        for status in order.allowed_next()
        if not (status == "paid" and order.payment_method == "provider")
        and status != "awaiting_payment"
    ]
    return render(
        request,
        "stores/orders/seller_detail.html",
        {
            "order": order,
            "store": order.store,
            "lines": list(order.lines.select_related("producer")),
            "events": [
                (e.at, Order.Status(e.to_status).label, e.source) for e in order.events.all()
            ],
            "payment": getattr(order, "payment", None),
            "next_statuses": next_statuses,
            "whatsapp": order_services.whatsapp_buyer_link(order),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def seller_balances(request, public_id):
    """What the store owes each consignment producer, with a form to record a payout."""
    store = get_object_or_404(Store.objects.select_related("enterprise"), public_id=public_id)
    try:
        shop.check_runs(request.user, store)
    except PermissionDenied:
        raise Http404 from None
    if request.method == "POST":
        producer = Enterprise.objects.filter(pk=request.POST.get("producer") or 0).first()
        try:
            if producer is None:
                raise Refused(StoresError.PRODUCER_REQUIRED, _("Choose a producer."))
            order_services.record_payout(
                store=store,
                producer=producer,
                amount_idr=request.POST.get("amount_idr", ""),
                note=request.POST.get("note", ""),
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Payout recorded."))
        return redirect("stores:seller-balances", store.public_id)
    balances = queries.consignment_balances(store=store)
    names = dict(
        Enterprise.objects.filter(pk__in=[r["producer_id"] for r in balances]).values_list(
            "pk", "name"
        )
    )
    for row in balances:
        row["name"] = names.get(row["producer_id"], "")
    return render(request, "stores/orders/balances.html", {"store": store, "balances": balances})
