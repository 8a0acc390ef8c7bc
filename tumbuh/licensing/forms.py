"""Forms that read what people post on the licensing pages, and the step data an API client
sends, into the keyword arguments of the services.

A form reads: text into numbers, dates, code lists and users, checkboxes into booleans, the
products' text boxes into drafts. The rules of the processes (a valid NIK, a known village, an
eligible mentor, the transition map) stay in ``services``, which every caller goes through; a
form refuses only input it cannot read, with the message the service gives for that field.
Each form's ``cleaned_data`` is what its service takes besides the case and the actor.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts.models import User
from tumbuh.licensing import services
from tumbuh.licensing.models import AssistanceCase, HalalCase, HalalIngredient, NibCase
from tumbuh.registry.models import Enterprise

PRODUCT_FORMS = 3
# How an ingredient line says it needs no certificate, or comes from a slaughtered animal
# (Indonesian first; the English words work too).
EXEMPTION_WORDS = {
    "alami": HalalIngredient.Exemption.NATURAL,
    "natural": HalalIngredient.Exemption.NATURAL,
    "dikecualikan": HalalIngredient.Exemption.NON_CRITICAL,
    "exempt": HalalIngredient.Exemption.NON_CRITICAL,
}
SLAUGHTERED_WORDS = ("sembelihan", "slaughtered")


# --- fields -----------------------------------------------------------------------------------


class WholeNumberField(forms.Field):
    """A whole number as people type it ("15.000.000" is fifteen million). Not sent at all:
    None, so the service keeps what the case holds; sent but not a number: refused."""

    def to_python(self, value) -> int | None:
        if value is None:
            return None
        try:
            return int(str(value).replace(".", "").strip())
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class KbliCodesWidget(forms.Widget):
    """The codes ticked in the picker, else those typed in ``kbli_text``; an API client sends
    ``kbli_codes`` as a list or as text."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            return data.getlist(name) or data.get("kbli_text", "")
        return data.get(name)


class KbliCodesField(forms.Field):
    """KBLI codes separated by spaces or commas, or a list; None when none is given (the
    service then keeps the case's). Each code is checked by the service."""

    widget = KbliCodesWidget

    def to_python(self, value) -> list[str] | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = value.replace(",", " ").split()
        elif not isinstance(value, list | tuple):
            value = [value]
        return [str(code) for code in value] or None


class MentorField(forms.Field):
    """A mentor chosen by user id; None when none is chosen (the service then keeps the case's
    assigned mentor). Whether the user mentors in the business's region is the service's rule."""

    def to_python(self, value) -> User | None:
        if value in (None, ""):
            return None
        mentor = User.objects.filter(pk=value).first() if str(value).isdigit() else None
        if mentor is None:
            raise ValidationError(services.MENTOR_MISSING, code="mentor_missing")
        return mentor


class IsoDateField(forms.Field):
    """A date as YYYY-MM-DD, what a date input sends; None when not given (the service refuses
    a missing date with the same message)."""

    def to_python(self, value) -> datetime.date | None:
        if value in (None, ""):
            return None
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError:
            raise ValidationError(services.DATE_MESSAGE, code="date_invalid") from None


class ChecklistDataField(forms.Field):
    """The verification checklist as an API client sends it, ``{"item": true, ...}``; anything
    but an object is no checklist (None)."""

    def to_python(self, value) -> dict | None:
        return dict(value) if isinstance(value, dict) else None


# --- starting a case --------------------------------------------------------------------------


class StartForm(forms.Form):
    """The business a case is started for, by its public id; None when there is no such
    business (the view answers 404, as for one the person may not help)."""

    business = forms.CharField(required=False)

    def clean_business(self) -> Enterprise | None:
        return Enterprise.objects.filter(public_id=self.cleaned_data["business"]).first()


# --- moving a case ----------------------------------------------------------------------------


class StepForm(forms.Form):
    """Moving a case to ``to_step``; a subclass reads the data of the step the case leaves
    (``step_data``). ``cleaned_data`` is ``{"to": ..., **step_data}``."""

    to_step = forms.CharField(required=False, strip=False)

    def step_data(self, data: dict) -> dict:
        return {}

    def clean(self):
        if self.errors:
            return self.cleaned_data
        data = self.cleaned_data
        return {"to": data["to_step"], **self.step_data(data)}


class ReasonForm(StepForm):
    """A step back (or forwards from a step that needs no data), with an optional reason."""

    reason = forms.CharField(required=False)

    def step_data(self, data: dict) -> dict:
        return {"reason": data["reason"]}


class ApplicantForm(StepForm):
    applicant_name = forms.CharField(required=False)
    nik = forms.CharField(required=False)
    email = forms.CharField(required=False)
    phone = forms.CharField(required=False)

    def step_data(self, data: dict) -> dict:
        fields = ("applicant_name", "nik", "email", "phone")
        return {"applicant": services.Applicant(**{field: data[field] for field in fields})}


class BusinessForm(StepForm):
    business_name = forms.CharField(required=False)
    address = forms.CharField(required=False)
    village = forms.CharField(required=False)
    capital_idr = WholeNumberField(
        required=False, error_messages={"invalid": services.CAPITAL_MESSAGE}
    )
    workforce = WholeNumberField(
        required=False, error_messages={"invalid": services.WORKFORCE_MESSAGE}
    )
    scale = forms.CharField(required=False)

    def step_data(self, data: dict) -> dict:
        fields = ("business_name", "address", "village", "capital_idr", "workforce", "scale")
        return {"business": services.BusinessData(**{field: data[field] for field in fields})}


class KbliForm(StepForm):
    kbli_codes = KbliCodesField(required=False)

    def step_data(self, data: dict) -> dict:
        return {"kbli_codes": data["kbli_codes"]}


class NibIssuedForm(StepForm):
    nib = forms.CharField(required=False)
    confirmed_with_oss = forms.BooleanField(required=False)

    def step_data(self, data: dict) -> dict:
        return {"nib": data["nib"], "confirmed_with_oss": data["confirmed_with_oss"]}


class SihalalAccountForm(StepForm):
    sihalal_account = forms.CharField(required=False)

    def step_data(self, data: dict) -> dict:
        return {"sihalal_account": data["sihalal_account"]}


class MentorForm(StepForm):
    mentor = MentorField(required=False)

    def step_data(self, data: dict) -> dict:
        return {"mentor": data["mentor"]}


class RegistrationForm(StepForm):
    registration_number = forms.CharField(required=False)

    def step_data(self, data: dict) -> dict:
        return {"registration_number": data["registration_number"]}


class VerificationDoneForm(StepForm):
    """Leaving the verification: the page saved the checklist already (``ChecklistForm``); an
    API client may send it with the step change."""

    checklist = ChecklistDataField(required=False)

    def step_data(self, data: dict) -> dict:
        return {"checklist": data["checklist"]}


class CertificateForm(StepForm):
    number = forms.CharField(required=False)
    issued_on = IsoDateField(required=False)
    valid_until = IsoDateField(required=False)

    def step_data(self, data: dict) -> dict:
        return {
            "certificate_number": data["number"],
            "issued_on": data["issued_on"],
            "valid_until": data["valid_until"],
        }


def _step_form(case: AssistanceCase, data, *, finishing, leaving: dict) -> StepForm:
    """The form for the move ``data`` asks for: ``finishing`` to the last step, the form of the
    step the case leaves forwards, else (a step back, an unknown step) a reason. The service
    checks the move itself."""
    to = data.get("to_step", "")
    if to == type(case).Step.ISSUED:
        return finishing(data)
    if case.is_forward(to):
        return leaving.get(case.step, ReasonForm)(data)
    return ReasonForm(data)


def nib_step_form(case: NibCase, data) -> StepForm:
    """Reads a move of a NIB case, for ``services.advance_nib_case``."""
    return _step_form(
        case,
        data,
        finishing=NibIssuedForm,
        leaving={
            NibCase.Step.ACCOUNT: ApplicantForm,
            NibCase.Step.BUSINESS: BusinessForm,
            NibCase.Step.KBLI: KbliForm,
        },
    )


def halal_step_form(case: HalalCase, data) -> StepForm:
    """Reads a move of a halal case, for ``services.advance_halal_case``."""
    return _step_form(
        case,
        data,
        finishing=CertificateForm,
        leaving={
            HalalCase.Step.ACCOUNT: SihalalAccountForm,
            HalalCase.Step.MENTOR: MentorForm,
            HalalCase.Step.PRODUCTS: RegistrationForm,
            HalalCase.Step.VERIFICATION: VerificationDoneForm,
        },
    )


# --- the halal case's other forms -------------------------------------------------------------


def _ingredient_draft(line: str) -> services.IngredientDraft | None:
    """``name; certificate number``, ``name; alami`` or ``name; dikecualikan``, with
    ``; sembelihan`` for an ingredient from a slaughtered animal; None for an empty line."""
    parts = [part.strip() for part in line.split(";")]
    if not parts[0]:
        return None
    flags = [part.casefold() for part in parts[1:]]
    certificate = next(
        (
            part
            for part, flag in zip(parts[1:], flags, strict=True)
            if part and flag not in EXEMPTION_WORDS and flag not in SLAUGHTERED_WORDS
        ),
        "",
    )
    return services.IngredientDraft(
        name=parts[0],
        certificate_number=certificate,
        exemption=next((EXEMPTION_WORDS[flag] for flag in flags if flag in EXEMPTION_WORDS), ""),
        is_from_slaughtered_animal=any(flag in SLAUGHTERED_WORDS for flag in flags),
    )


def _ingredient_line(ingredient: HalalIngredient) -> str:
    """An ingredient written back as the line that reads into it."""
    parts = [ingredient.name]
    if ingredient.certificate_number:
        parts.append(ingredient.certificate_number)
    elif ingredient.exemption == HalalIngredient.Exemption.NATURAL:
        parts.append("alami")
    elif ingredient.exemption == HalalIngredient.Exemption.NON_CRITICAL:
        parts.append("dikecualikan")
    if ingredient.is_from_slaughtered_animal:
        parts.append("sembelihan")
    return "; ".join(parts)


class HalalProductsForm(forms.Form):
    """The products step: up to ``PRODUCT_FORMS`` products, each a name, whether it is risky,
    and its ingredients one per line (see ``_ingredient_draft``); the process description and
    whether it is simple ("yes", "no", or not said). For ``services.set_halal_products``."""

    process_description = forms.CharField(required=False, strip=False)
    is_simple_process = forms.CharField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number in range(PRODUCT_FORMS):
            self.fields[f"product_{number}_name"] = forms.CharField(required=False)
            self.fields[f"product_{number}_risky"] = forms.BooleanField(required=False)
            self.fields[f"product_{number}_ingredients"] = forms.CharField(
                required=False, strip=False
            )

    def clean(self):
        data = self.cleaned_data
        products = []
        for number in range(PRODUCT_FORMS):
            name = data[f"product_{number}_name"]
            text = data[f"product_{number}_ingredients"]
            if not name and not text.strip():
                continue
            ingredients = (_ingredient_draft(line) for line in text.splitlines())
            products.append(
                services.ProductDraft(
                    name=name,
                    is_risky=data[f"product_{number}_risky"],
                    ingredients=tuple(draft for draft in ingredients if draft is not None),
                )
            )
        return {
            "products": products,
            "process_description": data["process_description"],
            "is_simple_process": {"yes": True, "no": False}.get(data["is_simple_process"]),
        }

    @staticmethod
    def rows(products: list) -> list[tuple[int, str, bool, str]]:
        """What the form shows for the case's saved products: number, name, risky, the
        ingredient lines; empty rows up to ``PRODUCT_FORMS``."""
        rows = []
        for number in range(PRODUCT_FORMS):
            if number < len(products):
                product = products[number]
                lines = "\n".join(_ingredient_line(i) for i in product.ingredients.all())
                rows.append((number, product.name, product.is_risky, lines))
            else:
                rows.append((number, "", False, ""))
        return rows


class EvidencePhotoForm(forms.Form):
    """A photo from the verification visit, for ``services.add_evidence_photo`` (which checks it
    is a real JPEG, PNG or WebP image of at most 5 MB)."""

    photo = forms.Field(
        widget=forms.FileInput, error_messages={"required": _("Choose a photo to upload.")}
    )
    caption = forms.CharField(required=False, strip=False)

    def clean(self):
        if self.errors:
            return self.cleaned_data
        return {"upload": self.cleaned_data["photo"], "caption": self.cleaned_data["caption"]}


class ChecklistForm(forms.Form):
    """The verification checklist, one checkbox per item, for ``services.record_checklist``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key in services.HALAL_CHECKLIST:
            self.fields[key] = forms.BooleanField(required=False)

    def clean(self):
        return {"checklist": {key: self.cleaned_data[key] for key in services.HALAL_CHECKLIST}}
