"""Forms of the stores pages: the seller's store-opening wizard and product editor.

They only parse input; every rule lives in ``services.shop``, which the views call.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.stores import images
from tumbuh.stores.models import Product
from tumbuh.stores.services.shop import MAX_TIERS, MAX_ZONES, Tier, Zone


class PhotoField(forms.FileField):
    """A photo upload whose declared size is checked before a byte is decoded."""

    def clean(self, data, initial=None):
        data = super().clean(data, initial)
        if data:
            images.check_upload_size(data)
        return data


class StoreBasicsForm(forms.Form):
    enterprise = forms.TypedChoiceField(label=_("Business"), coerce=int)
    name = forms.CharField(label=_("Store name"), max_length=80)
    description = forms.CharField(
        label=_("Short description"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One or two sentences buyers see first."),
    )

    def __init__(self, *args, enterprises=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].choices = [(e.pk, e.name) for e in enterprises]


class StoreLocationForm(forms.Form):
    village = forms.CharField(required=False, max_length=13)
    pickup_point = forms.CharField(
        label=_("Pickup point"),
        max_length=200,
        required=False,
        help_text=_("Where buyers collect their orders, e.g. the BumDes office."),
    )


class StoreDeliveryForm(forms.Form):
    offers_pickup = forms.BooleanField(
        label=_("Buyers collect at the pickup point"), required=False
    )
    offers_local_delivery = forms.BooleanField(
        label=_("I deliver nearby (a flat fee per zone)"), required=False
    )
    offers_courier = forms.BooleanField(label=_("I send by courier"), required=False)
    courier_rate_idr = forms.IntegerField(label=_("Courier rate (Rp)"), required=False, min_value=0)
    courier_note = forms.CharField(label=_("Courier note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number in range(MAX_ZONES):
            self.fields[f"zone_{number}_name"] = forms.CharField(
                label=_("Zone %(number)d") % {"number": number + 1}, max_length=80, required=False
            )
            self.fields[f"zone_{number}_fee"] = forms.IntegerField(
                label=_("Fee (Rp)"), required=False, min_value=0
            )

    def zone_rows(self):
        return [
            (self[f"zone_{number}_name"], self[f"zone_{number}_fee"]) for number in range(MAX_ZONES)
        ]

    def zones(self) -> list[Zone]:
        data = self.cleaned_data
        return [
            Zone(name=data[f"zone_{n}_name"], fee_idr=data[f"zone_{n}_fee"] or 0)
            for n in range(MAX_ZONES)
            if data.get(f"zone_{n}_name")
        ]


class StorePaymentForm(forms.Form):
    whatsapp = forms.CharField(
        label=_("WhatsApp number"),
        max_length=20,
        help_text=_("Buyers order and ask through it, e.g. 0812-3456-7890."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    accepts_cod = forms.BooleanField(label=_("Cash on delivery or at pickup"), required=False)
    accepts_transfer = forms.BooleanField(label=_("Bank transfer"), required=False)
    bank_name = forms.CharField(label=_("Bank"), max_length=60, required=False)
    bank_account_number = forms.CharField(label=_("Account number"), max_length=30, required=False)
    bank_account_holder = forms.CharField(label=_("Account holder"), max_length=100, required=False)
    accepts_qris = forms.BooleanField(label=_("QRIS"), required=False)
    qris_payload = forms.CharField(
        label=_("QRIS code (text)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Paste the text of your static QRIS, or upload a photo of the sticker."),
    )
    qris_photo = PhotoField(label=_("Photo of the QRIS sticker"), required=False)
    accepts_provider = forms.BooleanField(
        label=_("Payment provider (QRIS through the provider)"), required=False
    )


class ProductForm(forms.Form):
    title = forms.CharField(label=_("Product name"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Product.Category.choices)
    price_idr = forms.IntegerField(label=_("Price (Rp)"))
    unit = forms.CharField(label=_("Unit"), max_length=30, initial="pcs")
    weight_grams = forms.IntegerField(label=_("Weight (grams)"), required=False, initial=0)
    stock = forms.IntegerField(label=_("Stock"))
    made_in_indonesia = forms.BooleanField(
        label=_("Made in Indonesia"), required=False, initial=True
    )
    producer = forms.TypedChoiceField(label=_("Producer"), coerce=int, required=False)
    consignment_share_percent = forms.IntegerField(
        label=_("Producer's share (%)"), required=False, min_value=0, max_value=100
    )
    halal_certificate_number = forms.CharField(
        label=_("Halal certificate number"), max_length=40, required=False
    )
    photo = PhotoField(label=_("Photo"), required=False)
    is_active = forms.BooleanField(label=_("On sale"), required=False, initial=True)

    def __init__(self, *args, producers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["producer"].choices = [(p.pk, p.name) for p in producers]
        if len(producers) <= 1:
            del self.fields["producer"]
            del self.fields["consignment_share_percent"]
        for number in range(MAX_TIERS):
            self.fields[f"tier_{number}_quantity"] = forms.IntegerField(
                label=_("From (units)"), required=False
            )
            self.fields[f"tier_{number}_price"] = forms.IntegerField(
                label=_("Unit price (Rp)"), required=False
            )

    def tier_rows(self):
        return [
            (self[f"tier_{number}_quantity"], self[f"tier_{number}_price"])
            for number in range(MAX_TIERS)
        ]

    def tiers(self) -> list[Tier]:
        data = self.cleaned_data
        return [
            Tier(data[f"tier_{n}_quantity"], data[f"tier_{n}_price"] or 0)
            for n in range(MAX_TIERS)
            if data.get(f"tier_{n}_quantity")
        ]


class RestockForm(forms.Form):
    quantity = forms.IntegerField(label=_("Units to add"))
