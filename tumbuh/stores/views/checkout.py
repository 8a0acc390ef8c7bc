"""Buyer pages: the session cart, guest checkout, the order status page with its payment
instructions (QRIS drawn as inline SVG, bank details, provider QR) and the WhatsApp order link.

Every page works with JavaScript off (plain forms; the region picker submits to narrow its
lists) and stays within the storefront's page budget. The checkout form carries a one-time
token, so sending it again gives the same order (``core.idempotency`` through
``place_order_once``), and placing orders is limited per address (``stores.ratelimit``). The
status page is reached by the order's random code and shows no personal data beyond the masked
phone number, and tells the buyer until when an unpaid order is held.
"""

import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tumbuh.regions.queries import picker_from
from tumbuh.stores import gateway, ratelimit
from tumbuh.stores.error_codes import StoresError
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


def _lines_text(lines: dict[str, int]) -> str:
    """Cart lines as the checkout form carries them: "<product>:<quantity>" sorted, spaced."""
    return " ".join(f"{product}:{quantity}" for product, quantity in sorted(lines.items()))


def _lines_from_text(text) -> dict[str, int]:
    lines = {}
    for part in str(text or "")[:2000].split()[: order_services.MAX_LINES]:
        product, _colon, quantity = part.partition(":")
        if product and quantity.isdigit():
            lines[product[:20]] = int(quantity[:6])
    return lines


def _place(store: Store, *, current: dict[str, int], data, village_code: str) -> Order:
    """Place the order of the form: with its one-time token through the idempotent service path
    (the same token and cart again: the same order), else (a page rendered before tokens) once
    more. ``current``: this store's lines of the session cart, empty after the order emptied
    it; the cart the token was used for is then the one the form showed."""
    details = {
        "items": [order_services.Item(product=p, quantity=q) for p, q in current.items()],
        "buyer_name": data.get("name", ""),
        "buyer_phone": data.get("phone", ""),
        "village_code": village_code,
        "delivery": data.get("delivery", ""),
        "payment_method": data.get("payment", ""),
        "address": data.get("address", ""),
        "note": data.get("note", ""),
    }
    token = (data.get("token") or "").strip()
    if not token:
        return order_services.place_order(store=store, **details)
    cart = current or _lines_from_text(data.get("lines"))
    order, _created = order_services.place_order_once(
        key=token,
        store=store,
        data={"lines": sorted(cart.items())},
        channel="web",
        **details,
    )
    return order


@require_http_methods(["GET", "POST"])
def checkout(request, slug):
    """Guest checkout for one store's part of the cart: buyer, village, delivery, payment.

    The form carries a one-time token made when it is drawn, and the cart it shows: sent again
    (a reply lost on the way, the back button), it leads to the order the token placed, never
    to a second one; the same token with another cart is refused. Placing is limited per
    address (``stores.ratelimit``: 429).
    """
    store = get_object_or_404(Store.objects.live().select_related("village"), slug=slug)
    items = _cart(request)
    group = next((g for g in _cart_groups(items) if g["store"].pk == store.pk), None)
    data = request.POST if request.method == "POST" else {}
    ordering = request.method == "POST" and data.get("action") == "order"
    resent = ordering and data.get("token") and data.get("lines")
    if group is None and not resent:
        messages.info(request, _("Your cart has nothing from this store."))
        return redirect("stores:cart")
    current = {
        line["product"].public_id: line["quantity"] for line in (group or {}).get("lines", [])
    }
    params = data if data.get("province") else {"district": store.village.district_id}
    picker = picker_from(params)
    village = picker.chosen.get("village")
    token = (data.get("token") or "").strip()[:100]
    errors, status, retry_after = [], 200, None
    if ordering:
        try:
            ratelimit.check_order_rate(request)
            village_code = village.code if village else ""
            order = _place(store, current=current, data=data, village_code=village_code)
        except ratelimit.TooManyOrders as error:
            errors, status, retry_after = error.messages, 429, error.retry_after
        except order_services.CheckoutFormReused as error:
            errors, status, token = error.messages, 400, ""  # a new token for the cart shown now
        except ValidationError as error:
            if group is None and getattr(error, "code", "") == StoresError.ORDER_EMPTY:
                messages.info(request, _("Your cart has nothing from this store."))
                return redirect("stores:cart")
            errors, status = error.messages, 400
        else:
            for public_id in current:
                items.pop(public_id, None)
            _save_cart(request, items)
            mine = request.session.get(MY_ORDERS_KEY, [])
            if order.code not in mine:
                request.session[MY_ORDERS_KEY] = [order.code, *mine][:20]
            return redirect("stores:order-status", order.code)
    if group is None:  # sent again after the order emptied the cart, and refused
        messages.error(request, " ".join(errors))
        return redirect("stores:cart")
    payments = [(code, Order.PaymentMethod(code).label) for code in store.payment_methods]
    response = render(
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
            "token": token or secrets.token_urlsafe(24),
            "lines": _lines_text(current),
        },
        status=status,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _qr_svg(text: str) -> str:
    import segno  # only the status page of a QRIS order draws one: not at start-up

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
            "pay_by": order.payment_due_at,
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
