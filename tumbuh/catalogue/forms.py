"""The catalogue's search form (GET, Indonesian parameter names) and the campaign form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.catalogue.models import Campaign
from tumbuh.catalogue.queries import MAX_QUERY_LENGTH, MAX_SEARCH_PAGES, Filters
from tumbuh.regions.models import Province, Regency
from tumbuh.stores.models import Product


class SearchForm(forms.Form):
    """``/bbi/?q=…&provinsi=…&kabupaten=…&kategori=…&halal=1&daerah_3t=1&harga_min=…&harga_maks=…``."""

    q = forms.CharField(label=_("Search products"), max_length=MAX_QUERY_LENGTH, required=False)
    provinsi = forms.ChoiceField(label=_("Province"), required=False)
    kabupaten = forms.ChoiceField(label=_("Regency or city"), required=False)
    kategori = forms.ChoiceField(label=_("Category"), required=False)
    halal = forms.BooleanField(label=_("Halal certified"), required=False)
    daerah_3t = forms.BooleanField(label=_("From a 3T region"), required=False)
    harga_min = forms.IntegerField(label=_("Lowest price (Rp)"), min_value=0, required=False)
    harga_maks = forms.IntegerField(label=_("Highest price (Rp)"), min_value=0, required=False)
    setelah = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    halaman = forms.IntegerField(
        min_value=1, max_value=MAX_SEARCH_PAGES, required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        any_choice = [("", _("All"))]
        self.fields["provinsi"].choices = any_choice + list(
            Province.objects.order_by("name").values_list("code", "name")
        )
        province = self.data.get("provinsi", "") if self.is_bound else ""
        regencies = Regency.objects.none()
        if province and len(province) <= 2:
            regencies = Regency.objects.filter(province_id=province).order_by("name")
        self.fields["kabupaten"].choices = any_choice + list(regencies.values_list("code", "name"))
        self.fields["kategori"].choices = any_choice + list(Product.Category.choices)

    def clean(self):
        data = super().clean()
        low, high = data.get("harga_min"), data.get("harga_maks")
        if low is not None and high is not None and low > high:
            self.add_error("harga_maks", _("The highest price must not be below the lowest price."))
        return data

    def filters(self) -> Filters:
        """The valid part of what was asked (an invalid field is shown with its error and ignored)."""
        if not self.is_bound:
            return Filters()
        self.is_valid()
        data = self.cleaned_data
        return Filters(
            text=data.get("q") or "",
            province=data.get("provinsi") or "",
            regency=data.get("kabupaten") or "",
            category=data.get("kategori") or "",
            halal=bool(data.get("halal")),
            from_3t=bool(data.get("daerah_3t")),
            min_price_idr=data.get("harga_min"),
            max_price_idr=data.get("harga_maks"),
        )


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["title", "slug", "description", "starts_at", "ends_at"]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "ends_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "slug": _(
                "Lowercase letters, digits and hyphens; the page is /bbi/kampanye/<address>/."
            )
        }
