"""Forms of the dashboards console: setting a target."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.dashboards.queries import region_from_url
from tumbuh.dashboards.services import FIRST_YEAR, LAST_YEAR
from tumbuh.registry.models import Milestone


class TargetForm(forms.Form):
    """A new target for a region, year and milestone; the service decides whether it may be set."""

    region_code = forms.CharField(
        label=_("Region code"),
        max_length=13,
        required=False,
        help_text=_("A Kemendagri code such as 32 or 32.04; empty or ID for the whole country."),
    )
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    milestone = forms.ChoiceField(label=_("Milestone"), choices=Milestone.Kind.choices)
    count = forms.IntegerField(label=_("Target (businesses)"), min_value=0)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def clean_region_code(self) -> str:
        return region_from_url(self.cleaned_data["region_code"].strip())
