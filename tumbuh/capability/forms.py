"""Forms of the capability console: filters of the levels page, the mentor's assessment."""

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tumbuh.capability.models import Assessment
from tumbuh.capability.scoring import LEVELS


class LevelFilterForm(forms.Form):
    """Region (a province or regency code), level, mode and the date the levels stand at."""

    region = forms.RegexField(
        label=_("Province or regency code"),
        regex=r"^\d{2}(\.\d{2})?$",
        required=False,
        error_messages={"invalid": _("Enter a province code (32) or a regency code (32.04).")},
    )
    level = forms.TypedChoiceField(
        label=_("Level"),
        choices=[("", _("all levels"))]
        + [(str(lv.number), f"{lv.number} · {lv.name}") for lv in LEVELS],
        coerce=int,
        required=False,
        empty_value=None,
    )
    mode = forms.ChoiceField(
        label=_("Mode"), choices=[("", _("all")), *Assessment.Mode.choices], required=False
    )
    as_of = forms.DateField(
        label=_("Levels as of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for the levels today."),
    )

    def clean_as_of(self):
        day = self.cleaned_data.get("as_of")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time.max))


class AdministerForm(forms.Form):
    """Every question of the instrument on one page, for a mentor sitting with the owner."""

    taken_at = forms.DateTimeField(
        label=_("Taken at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty for now."),
    )
    client_id = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"q_{question.key}"] = forms.ChoiceField(
                label=f"{question.pillar.name} · {question.text}",
                choices=[(option.key, option.text) for option in question.options.all()],
                widget=forms.RadioSelect,
                required=question.is_required,
            )

    def answers(self) -> dict[str, str]:
        return {
            question.key: self.cleaned_data[f"q_{question.key}"]
            for question in self.questions
            if self.cleaned_data.get(f"q_{question.key}")
        }
