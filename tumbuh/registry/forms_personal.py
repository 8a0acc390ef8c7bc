"""Forms of owners' personal data: revealing a NIK, an owner's request, and its answer."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.core.personal import IDENTITY_NUMBER, mask_nik
from tumbuh.registry.models import DataRequest, Person
from tumbuh.registry.personal_data import (
    REASON_MIN_LENGTH,
    TEXT_MAX_LENGTH,
    identity_number_message,
)


class FreeTextForm(forms.Form):
    """A form whose free text must hold no NIK: one is refused, and masked in the form shown
    again, so the page never echoes it."""

    free_text_fields: tuple[str, ...] = ()

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        data = self.data.copy()
        for name in self.free_text_fields:
            key = self.add_prefix(name)
            text = data.get(key, "")
            if IDENTITY_NUMBER.search(text):
                data[key] = IDENTITY_NUMBER.sub(lambda match: mask_nik(match.group()), text)
                self.add_error(name, identity_number_message())
        self.data = data


class UnechoedInput(forms.TextInput):
    """A text input that is empty when its form is shown again: for a NIK being typed."""

    def format_value(self, value):
        return None


class RevealForm(FreeTextForm):
    free_text_fields = ("reason",)
    reason = forms.CharField(
        label=_("Why do you need the full NIK?"),
        help_text=_(
            "Recorded with your name and the time; the owner sees the reason in their data."
        ),
        min_length=REASON_MIN_LENGTH,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
    )


class OwnerRequestForm(FreeTextForm):
    """An owner's request: which business, correct or delete, and what."""

    free_text_fields = ("text",)

    business = forms.ChoiceField(label=_("Business"))
    kind = forms.ChoiceField(
        label=_("What do you ask for?"),
        choices=[
            (DataRequest.Kind.CORRECTION, _("Correct my data")),
            (DataRequest.Kind.DELETION, _("Delete my personal data")),
        ],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Your request"),
        help_text=_(
            "Say what is wrong and what it should be, or what should be deleted. Do not write "
            "your NIK: the officer checks it with you against your KTP."
        ),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, businesses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["business"].choices = [
            (business.public_id, business.name) for business in businesses
        ]


class DecisionForm(FreeTextForm):
    """The console's answer to a request; the correction fields only for a correction."""

    free_text_fields = ("answer",)

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    person = forms.ChoiceField(label=_("Whose data"), required=False, widget=forms.RadioSelect)
    full_name = forms.CharField(label=_("Correct name"), required=False, max_length=150)
    nik = forms.CharField(
        label=_("Correct NIK"),
        required=False,
        max_length=32,
        widget=UnechoedInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Correct birth date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sex = forms.ChoiceField(
        label=_("Correct sex"), required=False, choices=[("", "—"), *Person.Sex.choices]
    )
    phone = forms.CharField(
        label=_("Correct business phone"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    answer = forms.CharField(
        label=_("Answer to the owner"),
        help_text=_("The owner reads it on their data page: say what was done, or why not."),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    CORRECTIONS = ("full_name", "nik", "birth_date", "sex", "phone")

    def __init__(self, *args, data_request: DataRequest, people: list[Person], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {person.public_id: person for person in people}
        self.fields["person"].choices = [
            (
                person.public_id,
                f"{person.full_name or '—'} · NIK {person.nik_masked or '—'}",
            )
            for person in people
        ]
        if data_request.person and data_request.person.public_id in self.people:
            self.fields["person"].initial = data_request.person.public_id
        elif len(people) == 1:
            self.fields["person"].initial = people[0].public_id
        if data_request.kind != DataRequest.Kind.CORRECTION:
            for name in self.CORRECTIONS:
                del self.fields[name]

    @property
    def correction_fields(self):
        return [self[name] for name in self.CORRECTIONS if name in self.fields]

    def chosen_person(self) -> Person | None:
        return self.people.get(self.cleaned_data.get("person") or "")

    def corrections(self) -> dict:
        return {
            name: self.cleaned_data.get(name) for name in self.CORRECTIONS if name in self.fields
        }
