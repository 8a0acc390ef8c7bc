"""Seller pages (phone-first, JavaScript optional): the store-opening wizard, the seller's home,
products and stock, what is owed to consignment producers, and the offline edit queue's sync.

Who may use them: a signed-in owner of a registered business or a BumDes manager
(``enterprises_of``); a store is reachable only by the people who run its business.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tumbuh.regions.queries import picker_from
from tumbuh.registry.services import enterprises_of
from tumbuh.stores import images, queries
from tumbuh.stores.forms import (
    ProductForm,
    RestockForm,
    StoreBasicsForm,
    StoreDeliveryForm,
    StoreLocationForm,
    StorePaymentForm,
)
from tumbuh.stores.models import Store
from tumbuh.stores.services import shop

WIZARD_TITLES = {
    1: _("Name"),
    2: _("Place"),
    3: _("Delivery"),
    4: _("Payment"),
    5: _("Open"),
}


def _posted(request):
    """The form data of a POST (even an empty one), or None for a GET."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def _refusal(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


def _my_store(request, public_id) -> Store:
    store = get_object_or_404(
        Store.objects.select_related("enterprise", "village"), public_id=public_id
    )
    try:
        shop.check_runs(request.user, store)
    except PermissionDenied:
        raise Http404 from None  # another seller's store does not exist for this user
    return store


def _limited_uploads(view):
    """Views taking photos: refuse a body above the limit before anything reads it.

    CSRF is checked inside, after the upload handlers are set (Django's documented pattern).
    """
    protected = csrf_protect(view)

    @csrf_exempt
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            handler = images.LimitedUploadHandler(request)
            request.upload_handlers.insert(0, handler)
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
            if declared > handler.limit:
                request.upload_too_large = True
        return protected(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _upload_too_large(request) -> bool:
    if getattr(request, "upload_too_large", False):
        return True
    return any(getattr(h, "too_large", False) for h in request.upload_handlers)


def _too_large_message() -> str:
    return _("The photo is too large (at most %(limit)d MB).") % {
        "limit": images.MAX_UPLOAD_BYTES // (1024 * 1024)
    }


# --- home ---------------------------------------------------------------------------------------


@login_required
@require_GET
def seller_home(request):
    enterprises = enterprises_of(request.user)
    stores = list(queries.stores_of(request.user).order_by("name", "pk"))
    return render(
        request,
        "stores/seller/home.html",
        {
            "stores": stores,
            "enterprises": enterprises,
            "may_open": bool(enterprises),
            "orders_url": reverse("stores:seller-orders"),
        },
    )


# --- the wizard ---------------------------------------------------------------------------------


def _wizard(request, store, step, form, **extra):
    context = {
        "store": store,
        "step": step,
        "steps": [(n, WIZARD_TITLES[n]) for n in range(1, shop.WIZARD_STEPS + 1)],
        "form": form,
        **extra,
    }
    return render(request, f"stores/wizard/step{step}.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def open_store(request):
    """Step 1: name and short description; resumes a draft when the seller has one."""
    enterprises = enterprises_of(request.user)
    if not enterprises:
        return render(request, "stores/wizard/not_allowed.html", status=403)
    draft = queries.stores_of(request.user).filter(status=Store.Status.DRAFT).first()
    if request.method == "GET" and draft and "baru" not in request.GET:
        return redirect("stores:wizard-step", draft.public_id, draft.wizard_step)
    form = StoreBasicsForm(_posted(request)[0], enterprises=enterprises)
    if request.method == "POST" and form.is_valid():
        chosen = next(e for e in enterprises if e.pk == form.cleaned_data["enterprise"])
        try:
            store = shop.start_store(
                enterprise=chosen,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                by=request.user,
            )
        except ValidationError as error:
            _refusal(form, error)
        else:
            return redirect("stores:wizard-step", store.public_id, 2)
    return _wizard(request, None, 1, form, enterprises=enterprises)


@login_required
@_limited_uploads
@require_http_methods(["GET", "POST"])
def wizard_step(request, public_id, step):
    """Steps 1–5 of a store being opened, and the same pages as the settings of a live store."""
    store = _my_store(request, public_id)
    if step not in WIZARD_TITLES:
        raise Http404
    if store.status == Store.Status.DRAFT and step > store.wizard_step:
        return redirect("stores:wizard-step", store.public_id, store.wizard_step)
    handler = {1: _step_basics, 2: _step_location, 3: _step_delivery, 4: _step_payment}.get(
        step, _step_open
    )
    return handler(request, store)


def _next(request, store, step):
    """After a step: the next step of a draft, or back to the store for a live one."""
    if store.status == Store.Status.DRAFT:
        return redirect("stores:wizard-step", store.public_id, step + 1)
    messages.success(request, _("Saved."))
    return redirect("stores:seller-store", store.public_id)


def _step_basics(request, store):
    form = StoreBasicsForm(
        _posted(request)[0],
        enterprises=[store.enterprise],
        initial={
            "enterprise": store.enterprise_id,
            "name": store.name,
            "description": store.description,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            shop.update_store_details(
                store=store,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                by=request.user,
            )
        except ValidationError as error:
            _refusal(form, error)
        else:
            return _next(request, store, 1)
    return _wizard(request, store, 1, form)


def _step_location(request, store):
    form = StoreLocationForm(_posted(request)[0], initial={"pickup_point": store.pickup_point})
    source = request.POST if request.method == "POST" else {"village": store.village_id}
    picker = picker_from(source)
    if request.method == "POST" and "refresh" not in request.POST and form.is_valid():
        village = picker.chosen.get("village")
        try:
            shop.set_store_location(
                store=store,
                village_code=village.code if village else "",
                pickup_point=form.cleaned_data["pickup_point"],
                by=request.user,
            )
        except ValidationError as error:
            _refusal(form, error)
        else:
            return _next(request, store, 2)
    return _wizard(request, store, 2, form, picker=picker)


def _step_delivery(request, store):
    initial = {
        "offers_pickup": store.offers_pickup,
        "offers_local_delivery": store.offers_local_delivery,
        "offers_courier": store.offers_courier,
        "courier_rate_idr": store.courier_rate_idr,
        "courier_note": store.courier_note,
    }
    for number, zone in enumerate(store.delivery_zones.all()):
        initial[f"zone_{number}_name"] = zone.name
        initial[f"zone_{number}_fee"] = zone.fee_idr
    form = StoreDeliveryForm(_posted(request)[0], initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shop.set_store_delivery(
                store=store,
                offers_pickup=data["offers_pickup"],
                offers_local_delivery=data["offers_local_delivery"],
                zones=form.zones(),
                offers_courier=data["offers_courier"],
                courier_rate_idr=data["courier_rate_idr"] or 0,
                courier_note=data["courier_note"],
                by=request.user,
            )
        except ValidationError as error:
            _refusal(form, error)
        else:
            return _next(request, store, 3)
    return _wizard(request, store, 3, form)


def _step_payment(request, store):
    initial = {
        "whatsapp": "",
        "accepts_cod": store.accepts_cod,
        "accepts_transfer": store.accepts_transfer,
        "bank_name": store.bank_name,
        "bank_account_number": store.bank_account_number,
        "bank_account_holder": store.bank_account_holder,
        "accepts_qris": store.accepts_qris,
        "qris_payload": store.qris_payload,
        "accepts_provider": store.accepts_provider,
    }
    if request.method == "POST" and _upload_too_large(request):
        form = StorePaymentForm(initial=initial)
        return _wizard(request, store, 4, form, refusals=[_too_large_message()])
    form = StorePaymentForm(*_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payload = data["qris_payload"]
            if data.get("qris_photo"):
                payload = images.read_qr(data["qris_photo"])
            shop.set_store_payments(
                store=store,
                whatsapp=data["whatsapp"],
                accepts_cod=data["accepts_cod"],
                accepts_transfer=data["accepts_transfer"],
                bank_name=data["bank_name"],
                bank_account_number=data["bank_account_number"],
                bank_account_holder=data["bank_account_holder"],
                accepts_qris=data["accepts_qris"] or bool(data.get("qris_photo")),
                qris_payload=payload,
                accepts_provider=data["accepts_provider"],
                by=request.user,
            )
        except ValidationError as error:
            _refusal(form, error)
        else:
            return _next(request, store, 4)
    return _wizard(request, store, 4, form)


def _step_open(request, store):
    form = None
    if request.method == "POST":
        try:
            if "close" in request.POST:
                shop.suspend_store(store=store, by=request.user)
                messages.success(request, _("Your store is closed to buyers for now."))
            else:
                shop.publish_store(store=store, by=request.user)
                messages.success(request, _("Your store is open to buyers."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("stores:wizard-step", store.public_id, 5)
        return redirect("stores:seller-store", store.public_id)
    return _wizard(
        request,
        store,
        5,
        form,
        zones=list(store.delivery_zones.all()),
        has_product=queries.has_product_on_sale(store),
    )


# --- one store: products, stock, consignment ----------------------------------------------------


@login_required
@require_GET
def seller_store(request, public_id):
    store = _my_store(request, public_id)
    products = store.products.select_related("producer").order_by("title", "pk")
    return render(
        request,
        "stores/seller/store.html",
        {
            "store": store,
            "products": products,
            "orders_url": reverse("stores:seller-orders"),
        },
    )


def _product_form_response(request, store, form, product=None, refusals=()):
    return render(
        request,
        "stores/seller/product_form.html",
        {"store": store, "form": form, "product": product, "refusals": refusals},
    )


@login_required
@_limited_uploads
@require_http_methods(["GET", "POST"])
def product_create(request, public_id):
    store = _my_store(request, public_id)
    producers = queries.producers_for(store)
    if request.method == "POST" and _upload_too_large(request):
        form = ProductForm(producers=producers)
        return _product_form_response(request, store, form, refusals=[_too_large_message()])
    form = ProductForm(*_posted(request), producers=producers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        producer = next((p for p in producers if p.pk == data.get("producer")), None)
        try:
            product = shop.create_product(
                store=store,
                title=data["title"],
                description=data["description"],
                category=data["category"],
                price_idr=data["price_idr"],
                unit=data["unit"],
                weight_grams=data["weight_grams"] or 0,
                stock=data["stock"],
                made_in_indonesia=data["made_in_indonesia"],
                producer=producer,
                consignment_share_percent=data.get("consignment_share_percent") or 0,
                halal_certificate_number=data["halal_certificate_number"],
                photo=data["photo"],
                tiers=form.tiers(),
                by=request.user,
            )
        except ValidationError as error:
            _refusal(form, error)
        else:
            messages.success(request, _("Product added: %(title)s") % {"title": product.title})
            if store.status == Store.Status.DRAFT:
                # Back to opening the store, which needs a product before it can go live.
                return redirect("stores:wizard-step", store.public_id, store.wizard_step)
            return redirect("stores:seller-store", store.public_id)
    return _product_form_response(request, store, form)


@login_required
@_limited_uploads
@require_http_methods(["GET", "POST"])
def product_edit(request, public_id, product_id):
    store = _my_store(request, public_id)
    product = get_object_or_404(store.products, public_id=product_id)
    producers = queries.producers_for(store)
    if product.producer not in producers:
        producers.append(product.producer)
    initial = {
        name: getattr(product, name)
        for name in (
            "title",
            "description",
            "category",
            "price_idr",
            "unit",
            "weight_grams",
            "stock",
            "made_in_indonesia",
            "consignment_share_percent",
            "halal_certificate_number",
            "is_active",
        )
    }
    initial["producer"] = product.producer_id
    for number, tier in enumerate(product.wholesale_tiers.all()):
        initial[f"tier_{number}_quantity"] = tier.min_quantity
        initial[f"tier_{number}_price"] = tier.price_idr
    if request.method == "POST" and _upload_too_large(request):
        form = ProductForm(initial=initial, producers=producers)
        return _product_form_response(
            request, store, form, product, refusals=[_too_large_message()]
        )
    form = ProductForm(*_posted(request), initial=initial, producers=producers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        producer = next((p for p in producers if p.pk == data.get("producer")), None)
        try:
            shop.update_product(
                product=product,
                by=request.user,
                base_version=int(request.POST.get("version") or product.version),
                title=data["title"],
                description=data["description"],
                category=data["category"],
                price_idr=data["price_idr"],
                unit=data["unit"],
                weight_grams=data["weight_grams"] or 0,
                stock=data["stock"],
                is_active=data["is_active"],
                made_in_indonesia=data["made_in_indonesia"],
                producer=producer,
                consignment_share_percent=data.get("consignment_share_percent")
                if producer
                else None,
                halal_certificate_number=data["halal_certificate_number"],
                photo=data["photo"],
                tiers=form.tiers(),
            )
        except ValidationError as error:
            _refusal(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("stores:seller-store", store.public_id)
    return _product_form_response(request, store, form, product)


@login_required
@require_POST
def product_restock(request, public_id, product_id):
    store = _my_store(request, public_id)
    product = get_object_or_404(store.products, public_id=product_id)
    form = RestockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter how many units to add."))
    else:
        try:
            shop.restock(product=product, quantity=form.cleaned_data["quantity"], by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Stock of %(title)s is now %(stock)d.")
                % {"title": product.title, "stock": product.stock},
            )
    return redirect("stores:seller-store", store.public_id)


@login_required
@require_GET
def consignment(request, public_id):
    store = _my_store(request, public_id)
    return render(
        request,
        "stores/seller/consignment.html",
        {"store": store, "owed": queries.consignment_owed(store)},
    )


# --- offline edits ------------------------------------------------------------------------------


@login_required
@require_POST
def sync(request):
    """Receive the edits queued on the seller's phone (JSON); answer each edit's outcome."""
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse(
            {"code": "invalid", "detail": _("The request is not JSON.")}, status=400
        )
    edits = body.get("edits") if isinstance(body, dict) else None
    if not isinstance(edits, list) or len(edits) > 500:
        return JsonResponse(
            {"code": "invalid", "detail": _("Send a list of at most 500 edits.")}, status=400
        )
    results = shop.sync_product_edits(
        by=request.user, edits=[e for e in edits if isinstance(e, dict)]
    )
    return JsonResponse({"results": results})


@require_GET
def seller_service_worker(request):
    body = render_to_string("stores/seller/sw.js", {"offline_url": reverse("stores:seller-home")})
    response = HttpResponse(body, content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("stores:seller-home")
    return response


@require_GET
def seller_manifest(request):
    body = {
        "name": _("Tumbuh: my store"),
        "short_name": _("My store"),
        "start_url": reverse("stores:seller-home"),
        "scope": reverse("stores:seller-home"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#14532d",
        "lang": request.LANGUAGE_CODE,
        "icons": [
            {
                "src": static(f"stores/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
            }
            for size in (192, 512)
        ],
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response
