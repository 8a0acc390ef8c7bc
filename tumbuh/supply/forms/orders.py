"""Forms of a B2B order's page: one small form per step, shown to the side that may take it.

They only parse input and draw the fields (labels, what is prefilled, phone keyboards); every rule
lives in ``services.orders``, which the order views call: a price, a quantity, the terms or a
payment method that the service refuses comes back as its message. Several forms of one kind sit
on one page (a handover per delivery note, a payment per invoice), so each gets its own ``key``
for the ids of its fields; the names of the fields stay plain.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.supply.models import Invoice, SupplyOrder

NUMBER = {"inputmode": "numeric", "autocomplete": "off"}


def _number(label, *, initial=None, required=True):
    return forms.CharField(
        label=label,
        required=required,
        max_length=14,
        initial=initial,
        widget=forms.TextInput(attrs=NUMBER),
    )


class OrderStepForm(forms.Form):
    """A step's form, its field ids made unique on the page with ``key``."""

    def __init__(self, *args, key: str = "", **kwargs):
        kwargs.setdefault("auto_id", f"{key or self.__class__.__name__.lower()}-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class LinesMixin:
    """One number field per order line (``<prefix>-<line id>``), labelled with the commodity."""

    line_prefix = ""

    def add_line_fields(self, lines, initial_of):
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"{self.line_prefix}-{line.pk}"] = _number(
                f"{line.commodity} ({line.unit})", initial=initial_of(line), required=False
            )

    def per_line(self) -> dict[int, str]:
        """``{line id: the text given}`` for the lines given a value."""
        return {
            line.pk: self.cleaned_data[f"{self.line_prefix}-{line.pk}"].strip()
            for line in self.lines
            if self.cleaned_data.get(f"{self.line_prefix}-{line.pk}", "").strip()
        }

    def line_fields(self):
        return [self[f"{self.line_prefix}-{line.pk}"] for line in self.lines]


class QuoteForm(LinesMixin, OrderStepForm):
    """The supplier's quotation: a unit price per line (prefilled from the line), the delivery
    fee and the payment terms."""

    line_prefix = "price"
    delivery_fee_idr = _number(_("Delivery fee (Rp)"), initial=0, required=False)
    terms = forms.CharField(
        label=_("Payment terms"), widget=forms.Select(choices=SupplyOrder.Terms.choices)
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)

    def __init__(self, *args, order: SupplyOrder, lines, **kwargs):
        kwargs.setdefault(
            "initial", {"terms": order.terms, "delivery_fee_idr": order.delivery_fee_idr}
        )
        super().__init__(*args, key="quote", **kwargs)
        self.add_line_fields(lines, lambda line: line.unit_price_idr)
        # The prices first, as the supplier reads the request.
        self.order_fields([f"price-{line.pk}" for line in self.lines])


class DeliveryForm(LinesMixin, OrderStepForm):
    """A delivery note: the quantity of each line on this trip, prefilled with what is still
    owed, the carrier and a note. ``expected`` is the number this delivery note will have (a
    form sent twice is refused)."""

    line_prefix = "quantity"
    carrier = forms.CharField(label=_("Carrier or vehicle"), max_length=120, required=False)
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)
    expected = forms.CharField(widget=forms.HiddenInput, required=False, max_length=24)

    def __init__(self, *args, lines, expected: str = "", **kwargs):
        kwargs.setdefault("initial", {"expected": expected})
        super().__init__(*args, key="delivery", **kwargs)
        owed = [line for line in lines if line.quantity > line.delivered_quantity]
        self.add_line_fields(owed, lambda line: line.quantity - line.delivered_quantity)
        self.order_fields([f"quantity-{line.pk}" for line in self.lines])


class ReasonForm(OrderStepForm):
    """Why the order is declined, cancelled or closed short (optional)."""

    reason = forms.CharField(label=_("Reason (optional)"), max_length=300, required=False)


class HandoverForm(OrderStepForm):
    """The receiver signs the handover (BAST) of one delivery note: a name and, on a phone, a
    photo taken with its camera."""

    delivery = forms.CharField(widget=forms.HiddenInput, max_length=24)
    receiver_name = forms.CharField(label=_("Received by (name)"), max_length=100, required=False)
    photo = forms.FileField(
        label=_("Photo of the goods or the signed paper (optional)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )


class PaymentForm(OrderStepForm):
    """An invoice paid (the buyer) or its payment received (the supplier): how, and the
    transfer's reference."""

    invoice = forms.CharField(widget=forms.HiddenInput, max_length=24)
    method = forms.CharField(
        label=_("Paid by"),
        initial=Invoice.Method.TRANSFER,
        widget=forms.Select(choices=Invoice.Method.choices),
    )
    reference = forms.CharField(
        label=_("Payment reference (optional)"), max_length=80, required=False
    )
