"""Buyer pages: the session cart, guest checkout, the order status page with its payment
instructions (QRIS drawn as inline SVG, bank details, provider QR) and the WhatsApp order link.

Every page works with JavaScript off (plain forms; the region picker submits to narrow its
lists) and stays within the storefront's page budget. The status page is reached by the
order's random code and shows no personal data beyond the masked phone number.
"""

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tumbuh.regions.queries import picker_from
from tumbuh.stores import gateway
from tumbuh.stores.models import Order, Product, Store
from tumbuh.stores.services import orders as order_services

CART_KEY = "stores_cart"
MY_ORDERS_KEY = "stores_orders"
CART_MAX_LINES = 30


def _cart(request) -> dict[str, int]:
    cart = request.session.get(CART_KEY)
    return dict(cart) if isinstance(cart, dict) else {}


def _save_cart(request, cart: dict[str, int]) -> None:
    request.session[CART_KEY] = cart


def _cart_groups(cart: dict[str, int]) -> list[dict]:
    """The cart's products grouped per store: [{store, lines: [{product, quantity, …}], …}]."""
    products = (
        Product.objects.filter(public_id__in=list(cart), is_active=True, store__status="live")
        .select_related("store")
        .prefetch_related("wholesale_tiers")
    )
    groups: dict[int, dict] = {}
    for product in sorted(products, key=lambda p: (p.store.name, p.title)):
        quantity = cart[product.public_id]
        unit = product.price_for(quantity)
        group = groups.setdefault(
            product.store_id, {"store": product.store, "lines": [], "subtotal_idr": 0}
        )
        group["lines"].append(
            {
                "product": product,
                "quantity": quantity,
                "unit_price_idr": unit,
                "total_idr": unit * quantity,
                "short": quantity > product.stock,
            }
        )
        group["subtotal_idr"] += unit * quantity
    return list(groups.values())


@require_http_methods(["GET", "POST"])
def cart(request):
    """The cart: add (from a product page), change quantities, remove; grouped per store."""
    items = _cart(request)
    if request.method == "POST":
        public_id = (request.POST.get("product") or "").strip()[:20]
        product = Product.objects.filter(
            public_id=public_id, is_active=True, store__status="live"
        ).first()
        if product is None:
            messages.error(request, _("This product is not on sale."))
            return redirect("stores:cart")
        try:
            quantity = int(request.POST.get("quantity", "1"))
        except ValueError:
            quantity = -1
        action = request.POST.get("action", "add")
        if action == "remove":
            quantity = 0
        elif quantity < 0 or quantity > order_services.MAX_QUANTITY:
            messages.error(request, _("A quantity must be between 1 and 10,000."))
            return redirect("stores:cart")
        if action == "add":
            quantity += items.get(public_id, 0)
        if quantity <= 0:
            items.pop(public_id, None)
        elif public_id not in items and len(items) >= CART_MAX_LINES:
            messages.error(request, _("The cart can hold at most 30 different products."))
            return redirect("stores:cart")
        else:
            items[public_id] = min(quantity, order_services.MAX_QUANTITY)
            if quantity > product.stock:
                messages.warning(
                    request,
                    _("Only %(stock)s of “%(title)s” left.")
                    % {"stock": product.stock, "title": product.title},
                )
        _save_cart(request, items)
        if action == "add":
            messages.success(request, _("Added to the cart."))
        return redirect("stores:cart")
    return render(request, "stores/checkout/cart.html", {"groups": _cart_groups(items)})


@require_http_methods(["GET", "POST"])
def checkout(request, slug):
    """Guest checkout for one store's part of the cart: buyer, village, delivery, payment."""
    store = get_object_or_404(Store.objects.live().select_related("village"), slug=slug)
    items = _cart(request)
    group = next((g for g in _cart_groups(items) if g["store"].pk == store.pk), None)
    if group is None:
        messages.info(request, _("Your cart has nothing from this store."))
        return redirect("stores:cart")
    data = request.POST if request.method == "POST" else {}
    params = data if data.get("province") else {"district": store.village.district_id}
    picker = picker_from(params)
    village = picker.chosen.get("village")
    errors = []
    if request.method == "POST" and data.get("action") == "order":
        try:
            order = order_services.place_order(
                store=store,
                items=[
                    order_services.Item(
                        product=line["product"].public_id, quantity=line["quantity"]
                    )
                    for line in group["lines"]
                ],
                buyer_name=data.get("name", ""),
                buyer_phone=data.get("phone", ""),
                village_code=village.code if village else "",
                delivery=data.get("delivery", ""),
                payment_method=data.get("payment", ""),
                address=data.get("address", ""),
                note=data.get("note", ""),
            )
        except ValidationError as error:
            errors = error.messages
        else:
            for line in group["lines"]:
                items.pop(line["product"].public_id, None)
            _save_cart(request, items)
            mine = [order.code, *request.session.get(MY_ORDERS_KEY, [])][:20]
            request.session[MY_ORDERS_KEY] = mine
            return redirect("stores:order-status", order.code)
    payments = [(code, Order.PaymentMethod(code).label) for code in store.payment_methods]
    return render(
        request,
        "stores/checkout/checkout.html",
        {
            "store": store,
            "group": group,
            "picker": picker,
            "deliveries": order_services.delivery_choices(store),
            "payments": payments,
            "data": data,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _qr_svg(text: str) -> str:
    return segno.make(text, error="m", micro=False).svg_inline(scale=4, border=2, omitsize=False)


def order_status(request, code):
    """An order by its code: status, lines, what to pay and how; no personal data but the
    masked phone."""
    order = get_object_or_404(
        Order.objects.select_related("store", "payment"), code=str(code).upper()[:12]
    )
    payment = getattr(order, "payment", None)
    qr_svg = ""
    if (
        payment is not None
        and payment.qr_string
        and order.status == Order.Status.AWAITING_PAYMENT
        and order.payment_method in Order.DIGITAL_METHODS
    ):
        qr_svg = _qr_svg(payment.qr_string)
    sandbox = (
        order.payment_method == Order.PaymentMethod.PROVIDER
        and gateway.sandbox_enabled()
        and gateway.provider_configured()
        and gateway.get_gateway().is_sandbox
    )
    return render(
        request,
        "stores/checkout/status.html",
        {
            "order": order,
            "store": order.store,
            "lines": list(order.lines.all()),
            "events": [(e.at, Order.Status(e.to_status).label) for e in order.events.all()],
            "payment": payment,
            "qr_svg": qr_svg,
            "sandbox": sandbox,
            "whatsapp_link": order_services.whatsapp_order_link(order),
            "may_cancel": order.status in (Order.Status.NEW, Order.Status.AWAITING_PAYMENT),
        },
    )


@require_POST
def order_cancel(request, code):
    """The buyer cancels an unpaid order (only from the browser that placed it)."""
    order = get_object_or_404(Order, code=str(code).upper()[:12])
    if order.code not in request.session.get(MY_ORDERS_KEY, []):
        raise Http404
    try:
        order_services.cancel_by_buyer(order=order)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The order is cancelled."))
    return redirect(reverse("stores:order-status", args=[order.code]))


@require_POST
def order_charge(request, code):
    """Ask the payment provider for the QR again (when the first charge failed)."""
    from tumbuh.stores.gateway import GatewayError

    order = get_object_or_404(Order, code=str(code).upper()[:12])
    try:
        order_services.charge_provider(order=order)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except GatewayError as error:
        messages.error(request, error.reason)
    return redirect(reverse("stores:order-status", args=[order.code]))


@require_POST
def order_sandbox_pay(request, code):
    """Demo only (sandbox provider): pretend the buyer paid, via the signed notification path.
    Not found where the sandbox is off (its route is absent then too)."""
    if not gateway.sandbox_enabled():
        raise Http404
    order = get_object_or_404(Order, code=str(code).upper()[:12])
    try:
        order_services.simulate_sandbox_payment(order=order)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("stores:order-status", args=[order.code]))
