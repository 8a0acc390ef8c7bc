"""Forms of the registry console: list filters, the upload, and the column-mapping step."""

from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.registry import queries
from tumbuh.registry.columns import FIELDS
from tumbuh.registry.models import Enterprise, Milestone
from tumbuh.registry.queries import EnterpriseFilters

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
UPLOAD_EXTENSIONS = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls")


class EnterpriseFilterForm(forms.Form):
    """Filters of the registry list; the choices are limited to the actor's regions."""

    q = forms.CharField(label=_("Business name"), required=False, max_length=100)
    province = forms.ChoiceField(label=_("Province"), required=False)
    regency = forms.ChoiceField(label=_("Regency or city"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Enterprise.Kind.choices]
    )
    scale = forms.ChoiceField(
        label=_("Scale"), required=False, choices=[("", _("All scales")), *Enterprise.Scale.choices]
    )
    kbli_section = forms.ChoiceField(label=_("KBLI section"), required=False)
    milestone = forms.ChoiceField(
        label=_("Milestone reached"),
        required=False,
        choices=[("", _("Any")), *Milestone.Kind.choices],
    )
    source = forms.ChoiceField(label=_("Source organisation"), required=False)

    def __init__(self, data, *, actor):
        data = data.copy()
        provinces = queries.province_choices(actor)
        province = data.get("province", "")
        if province not in {code for code, _name in provinces}:
            province = ""
        regencies = queries.regency_choices(actor, province)
        # A regency left over from another province (changed without JavaScript) is dropped.
        if data.get("regency") and data["regency"] not in {code for code, _name in regencies}:
            data["regency"] = ""
        super().__init__(data)
        self.fields["province"].choices = [("", _("All provinces")), *provinces]
        self.fields["regency"].choices = [("", _("All regencies and cities")), *regencies]
        self.fields["kbli_section"].choices = [
            ("", _("All sections")),
            *queries.kbli_section_choices(),
        ]
        self.fields["source"].choices = [
            ("", _("All organisations")),
            *queries.source_organisation_choices(actor),
        ]

    def filters(self) -> EnterpriseFilters:
        self.is_valid()
        data = {key: value for key, value in self.cleaned_data.items() if value}
        return EnterpriseFilters(
            region=data.get("regency") or data.get("province", ""),
            kind=data.get("kind", ""),
            scale=data.get("scale", ""),
            kbli_section=data.get("kbli_section", ""),
            milestone=data.get("milestone", ""),
            source=data.get("source", ""),
            q=data.get("q", ""),
        )


class ImportUploadForm(forms.Form):
    organisation = forms.ChoiceField(
        label=_("Source organisation"),
        help_text=_("The organisation that collected these businesses."),
    )
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("Up to 200 MB. The first row names the columns, e.g. Nama Usaha, NIK, No HP."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {organisation.slug: organisation for organisation in organisations}
        self.fields["organisation"].choices = [
            (organisation.slug, organisation.name) for organisation in organisations
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 200 MB. Split it into several files.")
            )
        if not upload.name.lower().endswith(UPLOAD_EXTENSIONS):
            raise forms.ValidationError(_("Upload a CSV (UTF-8) or an XLSX file."))
        return upload

    def clean_organisation(self):
        return self.organisations[self.cleaned_data["organisation"]]

    @property
    def file_name(self) -> str:
        return Path(self.cleaned_data["file"].name).name


FIELD_CHOICES = [("", _("— not imported —")), *((field.key, field.label) for field in FIELDS)]


class MappingForm(forms.Form):
    """One select per column of the file, saying which Tumbuh field it holds."""

    regency = forms.ChoiceField(
        label=_("Regency or city of the villages (optional)"),
        required=False,
        help_text=_(
            "When villages are written by name and the file has no regency column, "
            "say where they are."
        ),
    )

    def __init__(self, *args, batch, regency_groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.batch = batch
        chosen = {header: key for key, header in batch.mapping.items()}
        for index, header in enumerate(batch.headers):
            self.fields[f"column-{index}"] = forms.ChoiceField(
                label=header,
                required=False,
                choices=FIELD_CHOICES,
                initial=chosen.get(header, ""),
            )
        self.fields["regency"].choices = [("", _("— from the file —")), *regency_groups]
        self.fields["regency"].initial = batch.regency_code

    def columns(self) -> list[forms.BoundField]:
        return [self[f"column-{index}"] for index in range(len(self.batch.headers))]

    def clean(self):
        cleaned = super().clean()
        mapping: dict[str, str] = {}
        labels = dict(FIELD_CHOICES)
        for index, header in enumerate(self.batch.headers):
            key = cleaned.get(f"column-{index}")
            if not key:
                continue
            if key in mapping:
                raise forms.ValidationError(
                    _("“%(field)s” is chosen for two columns: %(first)s and %(second)s.")
                    % {"field": labels[key], "first": mapping[key], "second": header}
                )
            mapping[key] = header
        self.mapping = mapping
        return cleaned
