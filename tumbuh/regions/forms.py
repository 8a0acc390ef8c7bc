from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.regions.models import PriorityAreaRegency


class RegionSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search a region by name"),
        min_length=2,
        max_length=100,
        required=False,
        help_text=_("A village, district, regency or province, e.g. Ciwidey."),
    )


class PriorityAreaForm(forms.Form):
    """Name and description of a priority area; its regencies come as ``role-<code>`` fields."""

    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def regency_roles(self, data) -> dict[str, str]:
        """Regencies kept (a role chosen, not marked for removal) plus the one being added."""
        roles = {}
        for key, role in data.items():
            if key.startswith("role-"):
                code = key.removeprefix("role-")
                if data.get(f"remove-{code}") != "on":
                    roles[code] = role
        added = (data.get("regency") or "").strip()
        if added:
            roles.setdefault(added, data.get("added_role") or PriorityAreaRegency.Role.CORE)
        return roles
