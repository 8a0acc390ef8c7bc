"""Forms of the market pages of a business's supply (``views/market.py``): a wholesale offer, a
restock, a request for a quotation, a request for supply, the search for suppliers and a declared
supply link.

They only parse input; every rule lives in ``services.market``, ``services.links`` and
``services.orders``, which the views call. A refusal of a service names the input at fault
(``Refused.field``); ``add_refusal`` puts its message next to that input.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tumbuh.supply.models import Period
from tumbuh.supply.services.common import UNITS
from tumbuh.supply.services.market import MAX_TIERS

UNIT_CHOICES = [(unit, unit) for unit in UNITS]


def _number(label, *, required=True, help_text=""):
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=0,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def _date(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _kbli():
    return forms.CharField(
        label=_("KBLI code"),
        max_length=5,
        required=False,
        help_text=_("Five digits, if you know it (e.g. 01135 for cassava)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


def add_refusal(form: forms.Form, error: ValidationError, *, fields: dict | None = None) -> None:
    """Show a service's refusal on ``form``: next to the input it names (``Refused.field``,
    translated through ``fields`` when the service names it otherwise), else above the form."""
    name = getattr(error, "field", "") or ""
    name = (fields or {}).get(name, name)
    target = name if name in form.fields else None
    for message in error.messages:
        form.add_error(target, message)


class OfferForm(forms.Form):
    """A wholesale offer: what, in which unit, from how much, at which prices (up to five tiers
    of a quantity and a unit price), how much now and a week, and how soon."""

    commodity = forms.CharField(
        label=_("Commodity"),
        max_length=80,
        help_text=_("What you sell, in the words buyers use, e.g. “Singkong segar”."),
    )
    commodity_kbli = _kbli()
    unit = forms.ChoiceField(label=_("Unit"), choices=UNIT_CHOICES)
    min_order_quantity = _number(_("Minimum order"))
    available_quantity = _number(_("Available now"), help_text=_("What you can sell today."))
    capacity_per_week = _number(_("Capacity per week"), required=False)
    lead_time_days = _number(
        _("Lead time (days)"), help_text=_("Days from a purchase order to delivery.")
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"unit": "kg", "lead_time_days": 2, "available_quantity": 0})
        super().__init__(*args, **kwargs)
        for number in range(MAX_TIERS):
            self.fields[f"tier_{number}_quantity"] = _number(
                _("From quantity (tier %(number)d)") % {"number": number + 1}, required=False
            )
            self.fields[f"tier_{number}_price"] = _number(
                _("Unit price, Rp (tier %(number)d)") % {"number": number + 1}, required=False
            )

    def tier_rows(self):
        return [
            (self[f"tier_{number}_quantity"], self[f"tier_{number}_price"])
            for number in range(MAX_TIERS)
        ]

    def other_fields(self):
        return [field for field in self if not field.name.startswith("tier_")]

    def tiers(self) -> list[tuple]:
        """The tiers as the service takes them, (from quantity, unit price), empty rows left out."""
        data = self.cleaned_data
        rows = []
        for number in range(MAX_TIERS):
            quantity = data.get(f"tier_{number}_quantity")
            price = data.get(f"tier_{number}_price")
            if quantity is None and price is None:
                continue
            rows.append(("" if quantity is None else quantity, "" if price is None else price))
        return rows

    # Where a refusal of ``market.publish_offer`` is shown: a tier's input, or the first tier.
    REFUSAL_FIELDS = {
        "tiers": "tier_0_quantity",
        **{f"tiers.{n}.min_quantity": f"tier_{n}_quantity" for n in range(MAX_TIERS)},
        **{f"tiers.{n}.price_idr": f"tier_{n}_price" for n in range(MAX_TIERS)},
    }

    def refusal_fields(self) -> dict:
        """The service sorts the tiers before checking them: a refusal of its n-th tier names
        the n-th filled row, whichever row of the form it was typed in."""
        filled = [
            number
            for number in range(MAX_TIERS)
            if self.cleaned_data.get(f"tier_{number}_quantity") is not None
            or self.cleaned_data.get(f"tier_{number}_price") is not None
        ]
        fields = dict(self.REFUSAL_FIELDS)
        if filled:
            fields["tiers"] = f"tier_{filled[0]}_quantity"
        return fields


class RestockForm(forms.Form):
    """Stock added to an offer (a harvest in, a batch made)."""

    add = _number(_("Quantity to add"))


class QuotationForm(forms.Form):
    """What a business asks a supplier to quote for."""

    quantity = _number(_("Quantity"))
    wanted_by = _date(_("Wanted by"), required=False)
    delivery_address = forms.CharField(
        label=_("Delivery address"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class SupplyRequestForm(forms.Form):
    """A request for supply: "200 kg of cassava a week from January", at most a price."""

    commodity = forms.CharField(
        label=_("Commodity"),
        max_length=80,
        help_text=_("What you need, e.g. “Singkong segar”."),
    )
    commodity_kbli = _kbli()
    unit = forms.ChoiceField(label=_("Unit"), choices=UNIT_CHOICES, initial="kg")
    quantity = _number(_("Quantity"))
    period = forms.ChoiceField(label=_("How often"), choices=Period.choices, initial="week")
    starts_on = _date(_("From"))
    max_price_idr = _number(_("Highest unit price (Rp)"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class FindForm(forms.Form):
    """The commodity words a business looks for among the offers near it."""

    q = forms.CharField(
        label=_("What do you need?"),
        max_length=80,
        required=False,
        help_text=_("Commodity words, e.g. “singkong”. Empty: every offer near you."),
    )


class LinkForm(forms.Form):
    """A supply link one side declares: the other business (from its regency, or by its public
    id), which way the goods go, what and how much."""

    DIRECTIONS = [
        ("supplies_me", _("It supplies my business")),
        ("i_supply", _("My business supplies it")),
    ]

    other = forms.TypedChoiceField(
        label=_("Business in your regency"), coerce=int, required=False, empty_value=None
    )
    other_public_id = forms.CharField(
        label=_("Or its Tumbuh business id"),
        max_length=12,
        required=False,
        help_text=_("For a business outside your regency: the id at the end of its page address."),
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=DIRECTIONS, widget=forms.RadioSelect, initial="supplies_me"
    )
    commodity = forms.CharField(label=_("Commodity"), max_length=80)
    commodity_kbli = _kbli()
    unit = forms.ChoiceField(label=_("Unit"), choices=UNIT_CHOICES, initial="kg")
    usual_volume = _number(_("Usual volume"), required=False)
    period = forms.ChoiceField(label=_("Per"), choices=Period.choices, initial="week")

    def __init__(self, *args, neighbours=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].choices = [("", "—")] + [(e.pk, e.name) for e in neighbours]

    def clean(self):
        data = super().clean()
        if not data.get("other") and not (data.get("other_public_id") or "").strip():
            self.add_error("other", _("Choose the business, or give its id."))
        return data
