"""The forms that read the case pages' POSTs and the API's step data: what each reads, which
form a move gets, and the input they refuse (with the service's message, nothing changed)."""

import datetime

import pytest
from django.http import QueryDict

from tumbuh.conftest import make_enterprise
from tumbuh.licensing import forms, services
from tumbuh.licensing.models import HalalCase, NibCase
from tumbuh.licensing.tests.conftest import (
    BUSINESS,
    halal_case_at,
    halal_ready_enterprise,
    nib_case_at,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/licensing"


def post(text: str) -> QueryDict:
    return QueryDict(text)


def snapshot(case):
    case.refresh_from_db()
    return (
        case.step,
        case.step_entered_at,
        case.events.count(),
        getattr(case, "capital_idr", None),  # a NIB case's business data
        getattr(case, "workforce", None),
    )


# --- which form a move gets -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "to", "form_class"),
    [
        (NibCase.Step.ACCOUNT, "business", forms.ApplicantForm),
        (NibCase.Step.BUSINESS, "kbli", forms.BusinessForm),
        (NibCase.Step.BUSINESS, "account", forms.ReasonForm),
        (NibCase.Step.KBLI, "submitted", forms.KbliForm),
        (NibCase.Step.SUBMITTED, "issued", forms.NibIssuedForm),
        (NibCase.Step.SUBMITTED, "kbli", forms.ReasonForm),
        # A move the map does not allow reads only a reason: the service refuses the move.
        (NibCase.Step.ACCOUNT, "submitted", forms.ReasonForm),
        (NibCase.Step.ACCOUNT, "approved", forms.ReasonForm),
        (NibCase.Step.ACCOUNT, "issued", forms.NibIssuedForm),
    ],
)
def test_a_nib_move_gets_the_form_of_the_step_it_leaves(officer_32, step, to, form_class):
    case = nib_case_at(step, by=officer_32)
    assert type(forms.nib_step_form(case, post(f"to_step={to}"))) is form_class


@pytest.mark.parametrize(
    ("step", "to", "form_class"),
    [
        (HalalCase.Step.ACCOUNT, "mentor", forms.SihalalAccountForm),
        (HalalCase.Step.MENTOR, "products", forms.MentorForm),
        (HalalCase.Step.PRODUCTS, "submitted", forms.RegistrationForm),
        (HalalCase.Step.SUBMITTED, "verification", forms.ReasonForm),
        (HalalCase.Step.VERIFICATION, "document_check", forms.VerificationDoneForm),
        (HalalCase.Step.VERIFICATION, "products", forms.ReasonForm),
        (HalalCase.Step.FATWA, "issued", forms.CertificateForm),
    ],
)
def test_a_halal_move_gets_the_form_of_the_step_it_leaves(
    officer_32, mentor_32, step, to, form_class
):
    case = halal_case_at(step, by=officer_32, mentor=mentor_32)
    assert type(forms.halal_step_form(case, post(f"to_step={to}"))) is form_class


# --- what the forms read ----------------------------------------------------------------------


def test_the_business_form_reads_rupiah_with_dots_and_keeps_what_is_not_sent():
    form = forms.BusinessForm(
        post("to_step=kbli&capital_idr=15.000.000&workforce=2&scale=mikro&village=32")
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "to": "kbli",
        "business": services.BusinessData(
            village="32", capital_idr=15_000_000, workforce=2, scale="mikro"
        ),
    }
    # An API client that leaves a number out keeps the case's; one that sends text is refused.
    form = forms.BusinessForm({"to_step": "kbli", "capital_idr": 5_000_000})
    assert form.is_valid()
    assert form.cleaned_data["business"].workforce is None
    assert form.cleaned_data["business"].capital_idr == 5_000_000


def test_kbli_codes_are_read_from_the_picker_the_text_box_or_the_api():
    def codes(data):
        form = forms.KbliForm(data)
        assert form.is_valid()
        return form.cleaned_data["kbli_codes"]

    assert codes(post("to_step=submitted&kbli_codes=10794&kbli_codes=47911")) == ["10794", "47911"]
    assert codes(post("to_step=submitted&kbli_text=47911+10794,47911")) == [
        "47911",
        "10794",
        "47911",
    ]
    # Ticked codes win over the text box; nothing at all leaves the case's codes.
    assert codes(post("to_step=submitted&kbli_codes=10794&kbli_text=47911")) == ["10794"]
    assert codes(post("to_step=submitted&kbli_text=")) is None
    assert codes({"to_step": "submitted", "kbli_codes": "47911 10794"}) == ["47911", "10794"]
    assert codes({"to_step": "submitted", "kbli_codes": ["10794"]}) == ["10794"]
    assert codes({"to_step": "submitted"}) is None


def test_kbli_text_is_deduplicated_in_order_through_the_page(client_of, officer_32):
    case = nib_case_at(NibCase.Step.KBLI, by=officer_32)
    client_of(officer_32).post(
        case.get_absolute_url(), {"to_step": "submitted", "kbli_text": "47911 10794 47911"}
    )
    case.refresh_from_db()
    assert case.kbli_codes == ["47911", "10794"]


def test_the_mentor_form_reads_a_user_id(mentor_32):
    form = forms.MentorForm(post(f"to_step=products&mentor={mentor_32.pk}"))
    assert form.is_valid()
    assert form.cleaned_data == {"to": "products", "mentor": mentor_32}
    form = forms.MentorForm(post("to_step=products&mentor="))
    assert form.is_valid() and form.cleaned_data["mentor"] is None
    for unknown in ("999999", "siti"):
        form = forms.MentorForm(post(f"to_step=products&mentor={unknown}"))
        assert not form.is_valid()
        assert form.errors == {"mentor": ["Choose the halal-process mentor (Pendamping PPH)."]}


def test_the_certificate_form_reads_iso_dates():
    form = forms.CertificateForm(
        post("to_step=issued&number=ID9&issued_on=2026-01-10&valid_until=2030-01-10")
    )
    assert form.is_valid()
    assert form.cleaned_data == {
        "to": "issued",
        "certificate_number": "ID9",
        "issued_on": datetime.date(2026, 1, 10),
        "valid_until": datetime.date(2030, 1, 10),
    }
    form = forms.CertificateForm(post("to_step=issued&number=ID9&issued_on=&valid_until="))
    assert form.is_valid()
    assert (form.cleaned_data["issued_on"], form.cleaned_data["valid_until"]) == (None, None)


def test_the_products_form_reads_ingredient_lines_and_writes_them_back(officer_32, mentor_32):
    form = forms.HalalProductsForm(
        {
            "product_0_name": " Keripik Pisang ",
            "product_0_ingredients": (
                "Pisang; alami\nMinyak goreng; ID3211000\n\n ; alami\nGaram; Dikecualikan"
            ),
            "product_1_name": "Abon Sapi",
            "product_1_risky": "on",
            "product_1_ingredients": "Daging sapi; sembelihan\nDaging ayam; ID-RPH-1; slaughtered",
            "product_2_name": "",
            "product_2_ingredients": "  ",
            "process_description": "Digoreng",
            "is_simple_process": "no",
        }
    )
    assert form.is_valid()
    assert form.cleaned_data == {
        "products": [
            services.ProductDraft(
                "Keripik Pisang",
                ingredients=(
                    services.IngredientDraft("Pisang", exemption="natural"),
                    services.IngredientDraft("Minyak goreng", certificate_number="ID3211000"),
                    services.IngredientDraft("Garam", exemption="non_critical"),
                ),
            ),
            services.ProductDraft(
                "Abon Sapi",
                is_risky=True,
                ingredients=(
                    services.IngredientDraft("Daging sapi", is_from_slaughtered_animal=True),
                    services.IngredientDraft(
                        "Daging ayam",
                        certificate_number="ID-RPH-1",
                        is_from_slaughtered_animal=True,
                    ),
                ),
            ),
        ],
        "process_description": "Digoreng",
        "is_simple_process": False,
    }
    assert forms.HalalProductsForm({"is_simple_process": "maybe"}).is_valid()
    unsaid = forms.HalalProductsForm({"is_simple_process": "maybe"})
    unsaid.is_valid()
    assert unsaid.cleaned_data["is_simple_process"] is None
    case = halal_case_at(HalalCase.Step.PRODUCTS, by=officer_32, mentor=mentor_32)
    services.set_halal_products(case=case, by=officer_32, **form.cleaned_data)
    rows = forms.HalalProductsForm.rows(list(case.products.prefetch_related("ingredients")))
    assert rows == [
        (
            0,
            "Keripik Pisang",
            False,
            "Pisang; alami\nMinyak goreng; ID3211000\nGaram; dikecualikan",
        ),
        (1, "Abon Sapi", True, "Daging sapi; sembelihan\nDaging ayam; ID-RPH-1; sembelihan"),
        (2, "", False, ""),
    ]


def test_the_checklist_form_reads_every_item():
    form = forms.ChecklistForm(post("tools=on&pledge=on&smells_nice=on"))
    assert form.is_valid()
    assert form.cleaned_data == {
        "checklist": {key: key in ("tools", "pledge") for key in services.HALAL_CHECKLIST}
    }


# --- input the forms refuse, on the pages and in the API --------------------------------------


def test_workers_that_are_not_a_number_are_refused_on_the_page(client_of, officer_32):
    # Moved from the service tests: the service takes numbers; reading text is the form's.
    case = nib_case_at(NibCase.Step.BUSINESS, by=officer_32)
    before = snapshot(case)
    response = client_of(officer_32).post(
        case.get_absolute_url(),
        {**BUSINESS, "to_step": "kbli", "workforce": "banyak", "capital_idr": ""},
    )
    assert response.status_code == 200
    assert [str(message) for message in response.context["messages"]] == [
        "Enter the business capital in whole rupiah (0 or more).",
        "Enter the number of workers (0 or more).",
    ]
    assert snapshot(case) == before


def test_a_date_not_as_yyyy_mm_dd_is_refused_on_the_page(client_of, officer_32, mentor_32):
    # Moved from the service tests ("10-01-2026" as the issue date).
    case = halal_case_at(HalalCase.Step.FATWA, by=officer_32, mentor=mentor_32)
    before = snapshot(case)
    response = client_of(officer_32).post(
        case.get_absolute_url(),
        {
            "to_step": "issued",
            "number": "ID1",
            "issued_on": "10-01-2026",
            "valid_until": "2030-01-10",
        },
    )
    assert [str(message) for message in response.context["messages"]] == [
        "Enter a date as YYYY-MM-DD."
    ]
    assert snapshot(case) == before
    assert not hasattr(case, "certificate")


def test_a_photo_must_be_chosen(client_of, officer_32, mentor_32):
    case = halal_case_at(HalalCase.Step.VERIFICATION, by=officer_32, mentor=mentor_32)
    response = client_of(mentor_32).post(
        case.get_absolute_url(), {"action": "photo", "caption": "Dapur"}
    )
    assert [str(message) for message in response.context["messages"]] == [
        "Choose a photo to upload."
    ]
    assert not case.photos.exists()


def test_the_api_refuses_step_data_it_cannot_read_with_the_same_message(client_of, officer_32):
    case = nib_case_at(NibCase.Step.BUSINESS, by=officer_32)
    before = snapshot(case)
    response = client_of(officer_32).post(
        f"{API}/nib-cases/{case.public_id}/advance",
        {"to_step": "kbli", "data": {**BUSINESS, "workforce": "banyak"}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid",
        "detail": "Enter the number of workers (0 or more).",
    }
    assert snapshot(case) == before


def test_the_api_reads_numbers_text_and_a_mentor_id(client_of, officer_32, mentor_32):
    case = nib_case_at(NibCase.Step.BUSINESS, by=officer_32)
    client = client_of(officer_32)
    response = client.post(
        f"{API}/nib-cases/{case.public_id}/advance",
        {"to_step": "kbli", "data": {**BUSINESS, "capital_idr": 25_000_000, "workforce": 4}},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["step"] == "kbli"
    case.refresh_from_db()
    assert (case.capital_idr, case.workforce) == (25_000_000, 4)
    halal = halal_case_at(
        HalalCase.Step.MENTOR, enterprise=halal_ready_enterprise("Sambal"), by=officer_32
    )
    response = client.post(
        f"{API}/halal-cases/{halal.public_id}/advance",
        {"to_step": "products", "data": {"mentor": mentor_32.pk}},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["assigned_mentor"] == "Siti Pendamping"


def test_a_business_page_post_without_numbers_keeps_nothing_half_done(client_of, officer_32):
    case = nib_case_at(
        NibCase.Step.BUSINESS, enterprise=make_enterprise("Tanpa Modal"), by=officer_32
    )
    before = snapshot(case)
    response = client_of(officer_32).post(
        case.get_absolute_url(), {"to_step": "kbli", "business_name": "Tanpa Modal"}
    )
    # Not sent at all: the case has no address, capital or workers yet, so the service refuses
    # them all at once.
    assert [str(message) for message in response.context["messages"]] == [
        "Enter the business address.",
        "Enter the business capital in whole rupiah (0 or more).",
        "Enter the number of workers (0 or more).",
        "Choose the scale: micro, small or medium.",
    ]
    assert snapshot(case) == before
