"""The form a BumDes records a collection with (``views.collections``).

It only parses input: which producer and offer may be chosen comes from the view (the registry
businesses of the BumDes's village, its own open offers); every rule on quantities, prices,
units and dates lives in ``services.collections.record_collection``.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.supply.services.common import UNITS

# A select longer than this is unusable on a phone; a village rarely has more businesses.
MAX_PRODUCERS = 300


class CollectionForm(forms.Form):
    producer = forms.TypedChoiceField(label=_("Producer"), coerce=int)
    is_member = forms.BooleanField(label=_("Member of the BumDes"), required=False)
    commodity = forms.CharField(
        label=_("Commodity"),
        max_length=80,
        help_text=_("What was collected, e.g. “Singkong segar”."),
    )
    commodity_kbli = forms.CharField(
        label=_("KBLI (optional)"),
        max_length=5,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=[(unit, unit) for unit in UNITS])
    quantity = forms.CharField(
        label=_("Quantity"), max_length=12, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    unit_price_idr = forms.CharField(
        label=_("Unit price (Rp)"),
        max_length=16,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    collected_on = forms.DateField(
        label=_("Collected on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    offer = forms.TypedChoiceField(
        label=_("Add to an offer (optional)"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("The quantity is added to the offer's stock, to sell on."),
    )
    paid = forms.BooleanField(label=_("Paid to the producer now"), required=False)
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)

    def __init__(self, *args, producers=(), offers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["producer"].choices = [("", _("Choose a producer"))] + [
            (producer.pk, producer.name) for producer in producers
        ]
        self.fields["offer"].choices = [("", _("No offer"))] + [
            (offer.pk, f"{offer.commodity} ({offer.public_id})") for offer in offers
        ]
