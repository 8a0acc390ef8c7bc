"""A B2B order's pages, the same for both sides (light pages, no JavaScript needed).

``/rantai-pasok/pesanan/<code>/`` shows the order to whoever acts for its supplier or its buyer
(anyone else gets 404): the parties, the lines with what was delivered and invoiced, the terms,
the status with what happens next, the history, the delivery notes with their handover (BAST),
the invoices, and a link to each document's PDF. Each step is a small POST form shown only to the
side that may take it, sent to ``/rantai-pasok/pesanan/<code>/<step>/``: one view, one service
per step (``services.orders``). A refused step (``Refused``: a bad price, a form sent twice, a
step the order has moved past) comes back to the order with its message and writes nothing.
The documents are at ``/rantai-pasok/pesanan/<code>/dokumen/<name>.pdf``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tumbuh.core.refusals import Refused
from tumbuh.supply import documents, queries
from tumbuh.supply.error_codes import SupplyError
from tumbuh.supply.forms.orders import (
    DeliveryForm,
    HandoverForm,
    PaymentForm,
    QuoteForm,
    ReasonForm,
)
from tumbuh.supply.models import DeliveryNote, Invoice, SupplyOrder
from tumbuh.supply.services import orders as order_services
from tumbuh.supply.services.common import acts_for

S = SupplyOrder.Status


def _order_or_404(request, code) -> SupplyOrder:
    order = queries.order_for(request.user, str(code).upper()[:12])
    if order is None:
        raise Http404
    return order


# --- the page ----------------------------------------------------------------------------------


def _to_invoice(deliveries, lines) -> int:
    """How many units have been handed over and not yet invoiced, all lines together."""
    handed = sum(
        line.quantity
        for delivery in deliveries
        if delivery.received_at
        for line in delivery.lines.all()
    )
    return handed - sum(line.invoiced_quantity for line in lines)


def next_step(
    order: SupplyOrder, *, side: str, owed: int, unsigned: int, unpaid: int, to_invoice: int
) -> str:
    """One sentence on what happens next, for the side reading the page."""
    status = order.status
    supplier = side in ("supplier", "both")
    buyer = side in ("buyer", "both")
    if status == S.REQUESTED:
        if supplier:
            return _("Quote your prices and payment terms, or decline.")
        return _("Waiting for the supplier's quotation.")
    if status == S.QUOTED:
        if buyer:
            return _("Check the quotation, then issue the purchase order or cancel.")
        return _("Waiting for the buyer's purchase order.")
    if status in (S.ORDERED, S.DELIVERING, S.DELIVERED):
        steps = []
        if unsigned:
            steps.append(
                _("Sign the handover of each delivery when the goods arrive.")
                if buyer
                else _("Waiting for the buyer to sign the handover.")
            )
        if supplier and to_invoice > 0:
            steps.append(_("Issue the invoice for what was handed over."))
        if unpaid:
            steps.append(
                _("Pay the invoice by its due date.")
                if buyer
                else _("Waiting for the buyer's payment.")
            )
        if owed and status != S.DELIVERED:
            steps.append(
                _("Send the rest with a delivery note.")
                if supplier
                else _("Waiting for the next delivery.")
            )
        if not steps:
            steps.append(_("Waiting for the other side."))
        return " ".join(steps)
    if status == S.COMPLETED:
        return _("Completed: everything was delivered, handed over and paid.")
    return _("This order is closed; nothing more happens.")


def _event_text(event) -> str:
    """What one event of the history says: a document made, or the status reached."""
    if event.kind == "delivery":
        return _("Delivery note %(number)s sent") % {"number": event.document}
    if event.kind == "handover":
        return _("Handover %(number)s signed") % {"number": event.document}
    if event.kind == "invoice":
        return _("Invoice %(number)s issued") % {"number": event.document}
    if event.kind == "payment":
        return _("Invoice %(number)s paid") % {"number": event.document}
    return str(S(event.to_status).label).capitalize() if event.to_status in S.values else ""


@login_required
@require_GET
def order_page(request, code):
    """The order for whoever acts for either side, with the steps that side may take."""
    order = _order_or_404(request, code)
    is_supplier = acts_for(request.user, order.supplier)
    is_buyer = acts_for(request.user, order.buyer)
    side = "both" if is_supplier and is_buyer else "supplier" if is_supplier else "buyer"
    lines = list(order.lines.all())
    deliveries = list(
        DeliveryNote.objects.filter(order=order).prefetch_related("lines__order_line")
    )
    invoices = list(Invoice.objects.filter(order=order))
    events = list(order.events.all())
    status = order.status
    owed = sum(line.quantity - line.delivered_quantity for line in lines)
    unsigned = [delivery for delivery in deliveries if not delivery.received_at]
    unpaid = [invoice for invoice in invoices if invoice.status == Invoice.Status.ISSUED]
    to_invoice = _to_invoice(deliveries, lines)
    names = {"supplier": order.supplier.name, "buyer": order.buyer.name, "system": "Tumbuh"}

    forms = {}
    if is_supplier and status in (S.REQUESTED, S.QUOTED):
        forms["quote"] = QuoteForm(order=order, lines=lines)
        forms["decline"] = ReasonForm(key="decline")
    if is_supplier and status in (S.ORDERED, S.DELIVERING) and owed:
        forms["delivery"] = DeliveryForm(
            lines=lines, expected=f"SJ-{order.code}-{len(deliveries) + 1}"
        )
    if is_supplier and status in (S.DELIVERING, S.DELIVERED) and to_invoice > 0:
        forms["invoice"] = True
    if is_buyer and status == S.QUOTED:
        forms["purchase_order"] = True
    if is_buyer and status == S.DELIVERING:
        forms["close_short"] = ReasonForm(key="close")
    if (is_buyer and status in (S.REQUESTED, S.QUOTED)) or status == S.ORDERED:
        forms["cancel"] = ReasonForm(key="cancel")
    handovers = (
        [
            (
                delivery,
                HandoverForm(key=f"handover{delivery.pk}", initial={"delivery": delivery.number}),
            )
            for delivery in unsigned
        ]
        if is_buyer
        else []
    )
    payments = [
        (invoice, PaymentForm(key=f"pay{invoice.pk}", initial={"invoice": invoice.number}))
        for invoice in unpaid
    ]
    return render(
        request,
        "supply/order_detail.html",
        {
            "order": order,
            "side": side,
            "is_supplier": is_supplier,
            "is_buyer": is_buyer,
            "lines": lines,
            "owed": owed,
            "deliveries": deliveries,
            "invoices": invoices,
            "events": [
                (
                    event,
                    names.get(event.side, ""),
                    _event_text(event),
                    order.supplier if event.side == "supplier" else order.buyer,
                )
                for event in events
            ],
            "next_step": next_step(
                order,
                side=side,
                owed=owed,
                unsigned=len(unsigned),
                unpaid=len(unpaid),
                to_invoice=to_invoice,
            ),
            "forms": forms,
            "handovers": handovers,
            "payments": payments,
            "documents": documents.available(order, deliveries, invoices),
        },
    )


# --- the steps ---------------------------------------------------------------------------------


def _bound(form):
    """The form's data, or a refusal naming the first field at fault (the forms only parse)."""
    if not form.is_valid():
        name, errors = next(iter(form.errors.items()))
        label = form.fields[name].label if name in form.fields else ""
        message = f"{label}: {errors[0]}" if label else errors[0]
        raise Refused(SupplyError.FIELD_REQUIRED, message, field=name)
    return form.cleaned_data


def _lines(order):
    return list(order.lines.all())


def _quote(request, order):
    form = QuoteForm(request.POST, order=order, lines=_lines(order))
    data = _bound(form)
    order_services.quote(
        order=order,
        terms=data["terms"],
        prices=form.per_line(),
        delivery_fee_idr=data["delivery_fee_idr"],
        note=data["note"],
        by=request.user,
    )
    return _("Quotation sent to %(buyer)s.") % {"buyer": order.buyer.name}


def _decline(request, order):
    data = _bound(ReasonForm(request.POST))
    order_services.decline(order=order, reason=data["reason"], by=request.user)
    return _("You declined this order.")


def _cancel(request, order):
    data = _bound(ReasonForm(request.POST))
    order_services.cancel(order=order, reason=data["reason"], by=request.user)
    return _("The order is cancelled.")


def _purchase_order(request, order):
    order_services.issue_purchase_order(order=order, by=request.user)
    return _("Purchase order issued; the goods are reserved for you.")


def _delivery(request, order):
    form = DeliveryForm(request.POST, lines=_lines(order))
    data = _bound(form)
    delivery = order_services.send_delivery(
        order=order,
        quantities=form.per_line(),
        carrier=data["carrier"],
        note=data["note"],
        expected_number=data["expected"],
        by=request.user,
    )
    return _("Delivery note %(number)s sent.") % {"number": delivery.number}


def _handover(request, order):
    data = _bound(HandoverForm(request.POST, request.FILES))
    delivery = DeliveryNote.objects.filter(order=order, number=data["delivery"]).first()
    if delivery is None:
        raise Http404
    delivery = order_services.sign_handover(
        delivery=delivery,
        receiver_name=data["receiver_name"],
        photo=request.FILES.get("photo"),
        by=request.user,
    )
    return _("Handover %(number)s signed.") % {"number": delivery.handover_number}


def _close_short(request, order):
    data = _bound(ReasonForm(request.POST))
    order_services.close_short(order=order, reason=data["reason"], by=request.user)
    return _("The order is closed with what was delivered.")


def _invoice(request, order):
    invoice = order_services.issue_invoice(order=order, by=request.user)
    return _("Invoice %(number)s issued.") % {"number": invoice.number}


def _payment(request, order):
    data = _bound(PaymentForm(request.POST))
    invoice = Invoice.objects.filter(order=order, number=data["invoice"]).first()
    if invoice is None:
        raise Http404
    order_services.record_payment(
        invoice=invoice, method=data["method"], reference=data["reference"], by=request.user
    )
    return _("Invoice %(number)s is paid.") % {"number": invoice.number}


# The steps by the last part of their path; each calls one service.
STEPS = {
    "tawar": _quote,
    "tolak": _decline,
    "batal": _cancel,
    "po": _purchase_order,
    "kirim": _delivery,
    "terima": _handover,
    "tutup": _close_short,
    "tagih": _invoice,
    "bayar": _payment,
}


@login_required
@require_POST
def order_action(request, code, action):
    """One step of the order, then back to its page with what happened or why not."""
    step = STEPS.get(action)
    if step is None:
        raise Http404
    order = _order_or_404(request, code)
    try:
        done = step(request, order)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("supply:order", order.code)


# --- documents ---------------------------------------------------------------------------------


@login_required
@require_GET
def order_document(request, code, document):
    """One document of the order as a PDF, shown in the browser (same access as the page)."""
    order = _order_or_404(request, code)
    try:
        filename, pdf = documents.document_pdf(order, document)
    except documents.DocumentNotFound:
        raise Http404 from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("rantai-pasok/pesanan/<str:code>/", order_page, name="order"),
    path(
        "rantai-pasok/pesanan/<str:code>/dokumen/<str:document>.pdf",
        order_document,
        name="order-document",
    ),
    path("rantai-pasok/pesanan/<str:code>/<str:action>/", order_action, name="order-action"),
]
