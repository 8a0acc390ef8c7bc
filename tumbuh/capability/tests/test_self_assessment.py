"""The owner's self-assessment: one question per screen, resumable, without JavaScript."""

import pytest
from django.urls import reverse

from tumbuh.capability.models import Assessment, AssessmentDraft
from tumbuh.capability.tests.conftest import MIXED
from tumbuh.conftest import make_enterprise, make_owner, make_user
from tumbuh.core.tests.weight import served_size

PAGE_BUDGET_BYTES = 14 * 1024


@pytest.fixture
def owned(instrument):
    enterprise = make_enterprise("Keripik Bu Ani")
    return enterprise, make_owner(enterprise)


def test_anonymous_visitor_is_told_to_sign_in(client, instrument):
    response = client.get(reverse("capability:self-assessment"))
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("accounts:login") + "?next=/kecakapan-digital/" in body
    assert "Masuk" in body or "Sign in" in body
    assert served_size(response) <= PAGE_BUDGET_BYTES


def test_owner_without_business_is_told_to_ask_for_a_link(client_of, instrument):
    response = client_of(make_user()).get(reverse("capability:self-assessment"))
    assert response.status_code == 200
    assert response.context["businesses"] == []
    assert "/mulai/" not in response.content.decode()


def test_owner_answers_one_question_per_screen_and_gets_a_result(client_of, owned):
    enterprise, owner = owned
    client = client_of(owner)
    start = client.get(reverse("capability:start", args=[enterprise.public_id]))
    assert start.url == reverse("capability:question", args=[enterprise.public_id, 1])
    for number, option in enumerate(MIXED.values(), start=1):
        url = reverse("capability:question", args=[enterprise.public_id, number])
        page = client.get(url)
        assert page.status_code == 200
        assert page.content.decode().count('type="radio"') == 4
        assert served_size(page) <= PAGE_BUDGET_BYTES
        answered = client.post(url, {"option": option})
        assert answered.status_code == 302
    assert answered.url == reverse("capability:review", args=[enterprise.public_id])
    review = client.get(answered.url)
    assert review.context["missing"] == []
    assert served_size(review) <= PAGE_BUDGET_BYTES
    sent = client.post(answered.url)
    assert sent.url == reverse("capability:result", args=[enterprise.public_id])
    assessment = Assessment.objects.get()
    assert (assessment.mode, assessment.level, assessment.overall_score) == ("self", 3, 47)
    assert assessment.recorded_by == owner
    result = client.get(sent.url)
    assert result.status_code == 200
    assert result.context["level"].number == 3
    body = result.content.decode()
    assert "<svg" in body and "Penjualan daring" in body
    # Pillars in the instrument's order, on every database (jsonb keeps no key order).
    assert [row["key"] for row in result.context["pillars"]][:2] == [
        "digital_skills",
        "digital_ethics",
    ]
    assert body.index("Cakap Digital") < body.index("Pemanfaatan data")
    # Next steps: for the weakest pillars first (online selling → open a store).
    offers = result.context["offers"]
    assert "online_selling" in offers[0].pillars
    assert str(offers[0].title) in body
    assert served_size(result) <= PAGE_BUDGET_BYTES


def test_progress_is_saved_and_resumes_at_the_first_open_question(client_of, owned):
    enterprise, owner = owned
    client = client_of(owner)
    keys = list(MIXED)
    for number in (1, 2, 3):
        client.post(
            reverse("capability:question", args=[enterprise.public_id, number]),
            {"option": MIXED[keys[number - 1]]},
        )
    assert AssessmentDraft.objects.get().answers == {k: MIXED[k] for k in keys[:3]}
    again = client.get(reverse("capability:start", args=[enterprise.public_id]))
    assert again.url == reverse("capability:question", args=[enterprise.public_id, 4])
    # A question already answered shows its answer checked.
    page = client.get(reverse("capability:question", args=[enterprise.public_id, 2]))
    assert f'value="{MIXED[keys[1]]}" checked' in page.content.decode()
    review = client.get(reverse("capability:review", args=[enterprise.public_id]))
    assert len(review.context["missing"]) == 15
    # Sending with open questions is refused and records nothing.
    client.post(reverse("capability:review", args=[enterprise.public_id]))
    assert not Assessment.objects.exists()


def test_missing_or_unknown_answer_is_refused_and_nothing_saved(client_of, owned):
    enterprise, owner = owned
    url = reverse("capability:question", args=[enterprise.public_id, 1])
    response = client_of(owner).post(url, {"option": "maybe"})
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    response = client_of(owner).post(url, {})
    assert response.status_code == 422
    assert not AssessmentDraft.objects.exists()


def test_another_persons_business_is_not_found(client_of, owned):
    enterprise, _owner = owned
    stranger = make_owner(make_enterprise("Lain"))
    client = client_of(stranger)
    for url in (
        reverse("capability:start", args=[enterprise.public_id]),
        reverse("capability:question", args=[enterprise.public_id, 1]),
        reverse("capability:review", args=[enterprise.public_id]),
        reverse("capability:result", args=[enterprise.public_id]),
    ):
        assert client.get(url).status_code == 404


def test_question_number_out_of_range_is_not_found(client_of, owned):
    enterprise, owner = owned
    client = client_of(owner)
    assert (
        client.get(reverse("capability:question", args=[enterprise.public_id, 19])).status_code
        == 404
    )
    assert (
        client.get(reverse("capability:question", args=[enterprise.public_id, 0])).status_code
        == 404
    )


def test_pages_are_indonesian_first_and_english_on_request(client_of, owned):
    enterprise, owner = owned
    client = client_of(owner)
    url = reverse("capability:question", args=[enterprise.public_id, 1])
    assert "Apa saja yang biasa Anda lakukan" in client.get(url).content.decode()
    client.get(reverse("core:switch-language", args=["en"]))
    assert "What do you usually do with a smartphone" in client.get(url).content.decode()
