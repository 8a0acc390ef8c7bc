"""Forms of the connectivity console: ranking weights, the plan, site filters and status, uploads."""

import dataclasses
import re
from pathlib import Path

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tumbuh.connectivity import planning
from tumbuh.connectivity.models import ConnectivityImport, Site, SitePlan
from tumbuh.connectivity.queries import SiteFilters
from tumbuh.connectivity.ranking import RankingWeights
from tumbuh.core.money import thousands
from tumbuh.regions.models import Province

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_TIME_LIMIT_SECONDS = 300
DEFAULT_TIME_LIMIT_SECONDS = 30

WEIGHT_HELP = {
    "enterprise": _("Points for each business registered in the village."),
    "bumdes": _("Extra points for each BumDes, on top of its point as a business."),
    "people": _(
        "Points per thousand people living there (estimated from the regency's population)."
    ),
    "three_t": _("Points for a village in a 3T regency (frontier, outermost, disadvantaged)."),
}
WEIGHT_LABELS = {
    "enterprise": _("Per business"),
    "bumdes": _("Per BumDes"),
    "people": _("Per thousand people"),
    "three_t": _("3T village"),
}


def region_choices(groups, *, everything) -> list:
    return [("", everything), *((name, list(options)) for name, options in groups)]


class RankingForm(forms.Form):
    """The weights of the blank-spot score (defaults from ``RankingWeights``) and a region."""

    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, data, *, region_groups):
        defaults = dataclasses.asdict(RankingWeights())
        data = data.copy()
        for name, default in defaults.items():
            if not data.get(name):
                data[name] = f"{default:g}"
        super().__init__(data)
        for name in defaults:
            self.fields[name] = forms.FloatField(
                label=WEIGHT_LABELS[name],
                help_text=WEIGHT_HELP[name],
                min_value=0,
                max_value=1_000,
                localize=False,
                widget=forms.NumberInput(attrs={"step": "any", "min": 0, "max": 1000}),
            )
        self.order_fields(["enterprise", "bumdes", "people", "three_t", "region"])
        self.fields["region"].choices = region_choices(
            region_groups, everything=_("All my regions")
        )

    def weights(self) -> RankingWeights:
        self.is_valid()
        return RankingWeights.from_mapping(
            {name: value for name, value in self.cleaned_data.items() if name != "region"}
        )

    def region_code(self) -> str:
        self.is_valid()
        return self.cleaned_data.get("region") or ""

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("enterprise", "bumdes", "people", "three_t")]


# --- plans ------------------------------------------------------------------------------------


def parse_rupiah(text: str) -> int:
    """Whole rupiah from "1.500.000.000", "1500000000" or "Rp 1.500.000.000"."""
    cleaned = re.sub(r"\s+", "", str(text)).removeprefix("Rp").removeprefix("rp")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", cleaned):
        cleaned = cleaned.replace(".", "")
    if not re.fullmatch(r"\d+", cleaned):
        raise forms.ValidationError(
            _("Write the amount in whole rupiah, e.g. 1.500.000.000 or 1500000000.")
        )
    return int(cleaned)


class RupiahField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        amount = parse_rupiah(value)
        if amount <= 0:
            raise forms.ValidationError(_("The amount must be more than zero."))
        return amount


def parse_province_minimums(text: str) -> dict[str, int]:
    """``"91:5, 94:3"`` → ``{"91": 5, "94": 3}``; raises ``ValidationError`` naming the part."""
    minimums: dict[str, int] = {}
    for part in filter(None, (piece.strip() for piece in re.split(r"[,;\n]", text or ""))):
        code, _sep, count = (piece.strip() for piece in part.partition(":"))
        if not re.fullmatch(r"\d{2}", code) or not count.isdigit() or int(count) < 1:
            raise forms.ValidationError(
                _("“%(part)s” is not PROVINCE:SITES, e.g. 91:5."), params={"part": part}
            )
        if code in minimums:
            raise forms.ValidationError(
                _("Province %(code)s is named twice."), params={"code": code}
            )
        minimums[code] = int(count)
    known = set(Province.objects.filter(code__in=minimums).values_list("code", flat=True))
    unknown = sorted(set(minimums) - known)
    if unknown:
        raise forms.ValidationError(
            _("No province has the code %(codes)s."), params={"codes": ", ".join(unknown)}
        )
    return minimums


# The cost parameters shown on the plan form, with their labels; the others keep their defaults.
COST_FIELDS = {
    "tower_idr": (_("Tower with 4G radio (Rp)"), "rupiah"),
    "fibre_per_km_idr": (_("Fibre backhaul per km (Rp)"), "rupiah"),
    "fibre_max_km": (_("Longest fibre backhaul (km)"), "km"),
    "satellite_capex_idr": (_("Satellite backhaul equipment (Rp)"), "rupiah"),
    "satellite_yearly_idr": (_("Satellite capacity per year (Rp)"), "rupiah"),
    "horizon_years": (_("Years of operation counted"), "years"),
}


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Name of the plan"), max_length=150)
    budget_idr = RupiahField(
        label=_("Budget (Rp)"),
        help_text=_("Whole rupiah, e.g. 1.500.000.000."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    solver = forms.ChoiceField(
        label=_("Solver"),
        choices=SitePlan.Solver.choices,
        initial=SitePlan.Solver.MILP,
        help_text=_(
            "The exact solver proves how far its plan can be from the best one; the fast one "
            "answers at once. The other one runs too, for comparison."
        ),
    )
    time_limit = forms.IntegerField(
        label=_("Time limit (seconds)"),
        min_value=1,
        max_value=MAX_TIME_LIMIT_SECONDS,
        initial=DEFAULT_TIME_LIMIT_SECONDS,
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    min_3t_percent = forms.DecimalField(
        label=_("Minimum share of the budget for 3T villages (%)"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        localize=False,
    )
    province_minimums = forms.CharField(
        label=_("Minimum sites per province"),
        required=False,
        max_length=300,
        help_text=_("Optional. Province code and number of sites, e.g. 91:5, 94:3."),
    )

    def __init__(self, *args, region_groups, is_national: bool, **kwargs):
        super().__init__(*args, **kwargs)
        everything = _("All of Indonesia") if is_national else _("All my regions")
        self.fields["region"].choices = region_choices(region_groups, everything=everything)
        defaults = planning.Costs()
        for name, (label, unit) in COST_FIELDS.items():
            default = getattr(defaults, name)
            if unit == "rupiah":
                field = RupiahField(
                    label=label,
                    required=False,
                    initial=thousands(default),
                    widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                )
            elif isinstance(default, int):
                field = forms.IntegerField(
                    label=label, required=False, min_value=1, initial=default
                )
            else:
                field = forms.FloatField(
                    label=label, required=False, min_value=0.1, initial=default, localize=False
                )
            self.fields[name] = field

    def cost_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in COST_FIELDS]

    def clean_province_minimums(self) -> dict[str, int]:
        return parse_province_minimums(self.cleaned_data.get("province_minimums", ""))

    def costs(self) -> planning.Costs:
        given = {
            name: self.cleaned_data[name]
            for name in COST_FIELDS
            if self.cleaned_data.get(name) is not None
        }
        return dataclasses.replace(planning.Costs(), **given)

    def equity(self) -> planning.Equity:
        share = self.cleaned_data.get("min_3t_percent")
        return planning.Equity(
            min_3t_share=float(share) / 100 if share is not None else None,
            province_min_sites=self.cleaned_data.get("province_minimums") or {},
        )


# --- sites ------------------------------------------------------------------------------------


class SiteFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *Site.Status.choices]
    )
    operator = forms.ChoiceField(label=_("Operator"), required=False)

    def __init__(self, data, *, operators):
        super().__init__(data)
        self.fields["operator"].choices = [("", _("All operators")), *operators]

    def filters(self) -> SiteFilters:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return SiteFilters(status=data.get("status", ""), operator=data.get("operator", ""))


class AnyStatusField(forms.ChoiceField):
    """Offers the next statuses but accepts any status of a site: a form left open while someone
    else moved the site on still reaches the service, which says why it refuses the step."""

    def valid_value(self, value):
        return value in Site.Status.values


class SiteStatusForm(forms.Form):
    """The next step of a site's build path."""

    to_status = AnyStatusField(label=_("New status"))
    on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed = sorted(Site.TRANSITIONS.get(site.status, set()))
        self.fields["to_status"].choices = [
            (status, Site.Status(status).label) for status in self.allowed
        ]
        self.fields["on"].initial = timezone.localdate()


# --- imports ----------------------------------------------------------------------------------


class ConnectivityUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file lists"), choices=ConnectivityImport.Kind.choices
    )
    file = forms.FileField(
        label=_("File (CSV, UTF-8)"),
        help_text=_("Up to 50 MB. The first row names the columns."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 50 MB. Split it into several files.")
            )
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("Upload a CSV file (UTF-8)."))
        return upload

    @property
    def file_name(self) -> str:
        return Path(self.cleaned_data["file"].name).name
