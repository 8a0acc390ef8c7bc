"""Forms of the programmes console and the public certificate lookup."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts.models import Organisation
from tumbuh.core import times
from tumbuh.programmes.models import Enrolment, canonical_certificate_code

INVALID_CODE = _(
    "This is not a certificate code: a code has 16 letters and digits, such as "
    "abcd2345efgh6789 (capitals, spaces and dashes are fine)."
)


class CertificateLookupForm(forms.Form):
    code = forms.CharField(
        label=_("Certificate code"),
        max_length=64,
        help_text=_("The code printed under the QR code, e.g. abcd2345efgh6789."),
    )

    def clean_code(self):
        code = canonical_certificate_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(INVALID_CODE)
        return code


class DecisionForm(forms.Form):
    """A reviewer's decision on an enrolment."""

    CHOICES = [
        (Enrolment.Status.ACCEPTED, _("Accept")),
        (Enrolment.Status.ACTIVE, _("Mark as active")),
        (Enrolment.Status.REJECTED, _("Reject")),
        (Enrolment.Status.WITHDRAWN, _("Withdraw")),
    ]

    to = forms.ChoiceField(label=_("Decision"), choices=CHOICES)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        help_text=_("Required to reject or withdraw."),
    )


class TransferForm(forms.Form):
    """Move unused quota of an area from one partner to another."""

    from_partner = forms.ModelChoiceField(
        label=_("From partner"), queryset=Organisation.objects.none()
    )
    to_partner = forms.ModelChoiceField(label=_("To partner"), queryset=Organisation.objects.none())
    amount = forms.IntegerField(label=_("Places"), min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, programme_area, **kwargs):
        super().__init__(*args, **kwargs)
        holders = programme_area.partner_quotas.values("partner_id")
        self.fields["from_partner"].queryset = Organisation.objects.filter(pk__in=holders)
        self.fields["to_partner"].queryset = Organisation.objects.filter(
            kind__in=Organisation.PARTNER_KINDS, is_active=True
        )


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for revocation"), max_length=500)


class CohortFilterForm(forms.Form):
    programme = forms.CharField(required=False, widget=forms.HiddenInput)
    mode = forms.ChoiceField(
        label=_("Mode"),
        required=False,
        choices=[("", _("All modes"))],
    )
    q = forms.CharField(label=_("Name"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        from tumbuh.programmes.models import Cohort

        super().__init__(*args, **kwargs)
        self.fields["mode"].choices = [("", _("All modes")), *Cohort.Mode.choices]


class AreaQuotaForm(forms.Form):
    """Add a priority area to a programme, or change its quota (ministry staff)."""

    area = forms.ModelChoiceField(label=_("Priority area"), queryset=None)
    quota = forms.IntegerField(label=_("Quota"), min_value=0)

    def __init__(self, *args, **kwargs):
        from tumbuh.regions.models import PriorityArea

        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = PriorityArea.objects.order_by("collection", "name")


class PartnerShareForm(forms.Form):
    """Give a partner its share of an area's quota (ministry staff)."""

    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Organisation.objects.none())
    quota = forms.IntegerField(label=_("Quota"), min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Organisation.objects.filter(
            kind__in=Organisation.PARTNER_KINDS, is_active=True
        )


class CohortForm(forms.Form):
    """Open a cohort in an area of the programme."""

    programme_area = forms.ModelChoiceField(label=_("Priority area"), queryset=None)
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Organisation.objects.none())
    name = forms.CharField(label=_("Name"), max_length=200)
    mode = forms.ChoiceField(label=_("Mode"), choices=())
    venue_village = forms.CharField(
        label=_("Venue village code"),
        max_length=13,
        help_text=_("Kemendagri code of the village, e.g. 53.04.01.2001."),
    )
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    schedule = forms.CharField(label=_("Schedule"), required=False, max_length=500)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=100_000)

    def __init__(self, *args, programme, partners, **kwargs):
        from tumbuh.programmes.models import Cohort, ProgrammeArea

        super().__init__(*args, **kwargs)
        self.fields["programme_area"].queryset = ProgrammeArea.objects.filter(
            programme=programme
        ).select_related("area")
        self.fields["partner"].queryset = partners
        self.fields["mode"].choices = Cohort.Mode.choices

    def clean_venue_village(self):
        from tumbuh.regions.models import Village

        code = self.cleaned_data["venue_village"].strip()
        village = Village.objects.filter(code=code).select_related("regency").first()
        if village is None:
            raise forms.ValidationError(_("No village has this code."))
        return village


def _words(value: str) -> list[str]:
    return [w for w in value.replace(",", " ").split() if w]


class ProgrammeForm(forms.Form):
    """Set up a programme, or change its basic fields and rules (ministry staff)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    organisation = forms.ModelChoiceField(
        label=_("Owner organisation"), queryset=Organisation.objects.none()
    )
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    kbli_sections = forms.CharField(
        label=_("KBLI sections"),
        required=False,
        help_text=_("Letters A to U separated by commas; empty means any."),
    )
    scales = forms.MultipleChoiceField(
        label=_("Scales"), required=False, choices=(), widget=forms.CheckboxSelectMultiple
    )
    region_codes = forms.CharField(
        label=_("Region codes"),
        required=False,
        help_text=_(
            "Kemendagri province or regency codes separated by commas; empty means anywhere."
        ),
    )
    target_count = forms.IntegerField(label=_("Target number of businesses"), initial=0)
    sessions_required = forms.IntegerField(label=_("Sessions required"), initial=0)
    milestones_required = forms.MultipleChoiceField(
        label=_("Milestones required"),
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
    )
    benefits = forms.CharField(
        label=_("Benefits"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One benefit per line."),
    )

    def __init__(self, *args, editing=False, **kwargs):
        from tumbuh.registry.models import Enterprise, Milestone

        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.MINISTRY, is_active=True
        )
        self.fields["scales"].choices = Enterprise.Scale.choices
        self.fields["milestones_required"].choices = Milestone.Kind.choices
        if editing:
            del self.fields["organisation"]
            del self.fields["benefits"]

    def clean_kbli_sections(self):
        return [w.upper() for w in _words(self.cleaned_data["kbli_sections"])]

    def clean_region_codes(self):
        return _words(self.cleaned_data["region_codes"])

    def clean_benefits(self):
        return [line.strip() for line in self.cleaned_data["benefits"].splitlines() if line.strip()]


class SessionForm(forms.Form):
    """Schedule a session of a cohort.

    The start is typed as the wall-clock time of the session's village (the cohort's ``venue``
    unless another village is given) and read in that village's zone: 20.00 for a session in
    Kupang is 20.00 WITA, whatever the zone of the server or of the person typing.
    """

    title = forms.CharField(label=_("Title"), max_length=200)
    mentor = forms.ModelChoiceField(label=_("Mentor"), queryset=None)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), initial=120, min_value=15, max_value=1440
    )
    village = forms.CharField(
        label=_("Village code"),
        max_length=13,
        required=False,
        help_text=_("Kemendagri code of the village; empty means the cohort's venue."),
    )

    def __init__(self, *args, mentors, venue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = mentors
        self.venue = venue
        self.fields["starts_at"].help_text = _(
            "The local time of the session's village: %(zone)s at the venue, %(venue)s."
        ) % {"zone": times.zone_name(venue), "venue": venue.name}

    def clean(self):
        cleaned = super().clean()
        starts_at = cleaned.get("starts_at")
        if starts_at is not None:
            # The field read the typed time in the current zone; undo that to get it as typed.
            typed = timezone.make_naive(starts_at)
            cleaned["starts_at"] = times.moment_at(typed, cleaned.get("village") or self.venue)
        return cleaned

    def clean_village(self):
        from tumbuh.regions.models import Village

        code = self.cleaned_data["village"].strip()
        if not code:
            return None
        village = Village.objects.filter(code=code).first()
        if village is None:
            raise forms.ValidationError(_("No village has this code."))
        return village
