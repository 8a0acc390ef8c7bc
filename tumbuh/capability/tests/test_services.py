"""submit_assessment and instrument versions: results, refusals (nothing changed), idempotence."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from tumbuh.accounts.services import system_actor
from tumbuh.capability import services
from tumbuh.capability.models import Answer, Assessment, AssessmentDraft, Instrument
from tumbuh.capability.tests.conftest import HIGHEST, LOWEST, MIXED, MIXED_SCORES
from tumbuh.conftest import NAMOSAIN, make_enterprise, make_owner
from tumbuh.core.models import AuditEvent
from tumbuh.registry.models import Milestone
from tumbuh.registry.services import merge_enterprises

# Refusals are compared in English, whatever translations the catalogue holds.
pytestmark = pytest.mark.usefixtures("english")


def _submit(instrument, enterprise, answers=MIXED, **kwargs):
    kwargs.setdefault("by", system_actor())
    kwargs.setdefault("mode", "mentor")
    return services.submit_assessment(
        enterprise=enterprise, instrument=instrument, answers=answers, **kwargs
    )


def _nothing_written():
    assert Assessment.objects.count() == 0
    assert Answer.objects.count() == 0
    assert Milestone.objects.filter(kind="assessed").count() == 0


def test_submit_stores_scores_level_answers_milestone_and_event(instrument):
    enterprise = make_enterprise("Keripik Bu Ani")
    owner = make_owner(enterprise)
    taken_at = timezone.now() - timedelta(days=3)
    assessment = _submit(instrument, enterprise, by=owner, mode="self", taken_at=taken_at)
    assert assessment.pillar_scores == MIXED_SCORES
    assert (assessment.overall_score, assessment.level) == (47, 3)
    assert assessment.instrument == instrument
    assert assessment.recorded_by == owner
    assert Answer.objects.filter(assessment=assessment).count() == 18
    milestone = Milestone.objects.get(enterprise=enterprise, kind="assessed")
    assert milestone.occurred_at == taken_at
    assert milestone.source == f"capability:{assessment.public_id}"
    event = AuditEvent.objects.get(action="capability.assessed")
    assert event.data == {
        "enterprise": enterprise.public_id,
        "version": 1,
        "mode": "self",
        "level": 3,
    }
    assert assessment.weakest_pillars()[:4] == [
        "online_selling",
        "digital_bookkeeping",
        "use_of_data",
        "digital_culture",
    ]


def test_latest_level_follows_the_latest_assessment(instrument):
    enterprise = make_enterprise()
    assert services.latest_level(enterprise) is None
    now = timezone.now()
    _submit(instrument, enterprise, HIGHEST, taken_at=now - timedelta(days=1))
    _submit(instrument, enterprise, LOWEST, taken_at=now - timedelta(days=30))
    assert services.latest_level(enterprise) == 5
    assert [a.level for a in services.assessments_of(enterprise)] == [5, 1]


def test_answer_for_a_question_of_another_version_is_refused(instrument, tmp_path):
    enterprise = make_enterprise()
    with pytest.raises(ValidationError) as refusal:
        _submit(instrument, enterprise, {**MIXED, "skills_search_v2": "ask"})
    assert "skills_search_v2 is not a question of instrument version 1." in refusal.value.messages
    _nothing_written()


def test_unknown_option_and_missing_answers_are_refused_with_every_reason(instrument):
    enterprise = make_enterprise()
    answers = {**MIXED, "safety_otp": "maybe"}
    del answers["data_customers"]
    del answers["selling_share"]
    with pytest.raises(ValidationError) as refusal:
        _submit(instrument, enterprise, answers)
    assert refusal.value.messages == [
        "maybe is not an answer to question safety_otp.",
        "These required questions have no answer: selling_share, data_customers.",
    ]
    _nothing_written()


def test_future_time_and_unknown_mode_are_refused(instrument):
    enterprise = make_enterprise()
    with pytest.raises(ValidationError, match="in the future") as future:
        _submit(instrument, enterprise, taken_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(ValidationError, match="Unknown assessment mode") as mode:
        _submit(instrument, enterprise, mode="robot")
    assert (future.value.code, future.value.field) == ("time_in_future", "taken_at")
    assert (mode.value.code, mode.value.field) == ("unknown_mode", "mode")
    _nothing_written()


def test_client_id_makes_submission_idempotent(instrument):
    enterprise = make_enterprise()
    first = _submit(instrument, enterprise, client_id="offline-7f3a")
    again = _submit(instrument, enterprise, HIGHEST, client_id="offline-7f3a")
    assert again.pk == first.pk
    assert again.level == 3
    assert Assessment.objects.count() == 1
    assert Answer.objects.count() == 18


def test_client_id_of_another_business_is_refused(instrument):
    _submit(instrument, make_enterprise("Satu"), client_id="offline-1")
    other = make_enterprise("Dua", village=NAMOSAIN)
    with pytest.raises(ValidationError, match="another business") as refusal:
        _submit(instrument, other, client_id="offline-1")
    assert refusal.value.code == "client_id_used"
    assert Assessment.objects.count() == 1


def test_assessment_of_a_merged_record_goes_to_the_surviving_business(instrument):
    keep = make_enterprise("Warung Ani")
    drop = make_enterprise("Warung Ani (dobel)")
    earlier = _submit(instrument, drop, LOWEST, taken_at=timezone.now() - timedelta(days=5))
    merge_enterprises(keep=keep, drop=drop, by=system_actor())
    drop.refresh_from_db()
    later = _submit(instrument, drop, HIGHEST)
    assert later.enterprise == keep
    assert list(services.assessments_of(keep)) == [later, earlier]
    assert services.latest_level(drop) == 5


def test_finished_self_assessment_removes_the_draft(instrument):
    enterprise = make_enterprise()
    owner = make_owner(enterprise)
    for key, option in MIXED.items():
        services.save_draft_answer(
            enterprise=enterprise,
            instrument=instrument,
            user=owner,
            question_key=key,
            option_key=option,
        )
    draft = AssessmentDraft.objects.get()
    assert draft.answers == MIXED
    _submit(instrument, enterprise, draft.answers, by=owner, mode="self")
    assert not AssessmentDraft.objects.exists()


def test_draft_refuses_unknown_question_and_option(instrument):
    enterprise = make_enterprise()
    owner = make_owner(enterprise)
    with pytest.raises(ValidationError, match="not a question"):
        services.save_draft_answer(
            enterprise=enterprise,
            instrument=instrument,
            user=owner,
            question_key="x",
            option_key="y",
        )
    with pytest.raises(ValidationError, match="Choose one"):
        services.save_draft_answer(
            enterprise=enterprise,
            instrument=instrument,
            user=owner,
            question_key="safety_otp",
            option_key="maybe",
        )
    assert not AssessmentDraft.objects.exists()


# --- versions ---------------------------------------------------------------------------------


def _version_2(tmp_path):
    data = json.loads(services.DEFAULT_INSTRUMENT.read_text())
    data["version"] = 2
    skills = data["pillars"][0]["questions"]
    skills[1]["key"] = "skills_search_v2"
    skills[0]["weight"] = 1  # the smartphone question now counts as much as the other
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(data))
    return path


def test_a_new_version_never_changes_past_results(instrument, tmp_path):
    enterprise = make_enterprise()
    past = _submit(instrument, enterprise, MIXED)
    v2, created = services.load_instrument(_version_2(tmp_path))
    assert created
    assert services.current_instrument() == v2
    answers = {**MIXED, "skills_search_v2": MIXED["skills_search"]}
    del answers["skills_search"]
    now = _submit(v2, enterprise, answers)
    # v2 weighs the smartphone question 1: (2 + 3) of 6 → 83 instead of 78.
    assert now.pillar_scores["digital_skills"] == 83
    past.refresh_from_db()
    assert past.instrument == instrument
    assert past.pillar_scores == MIXED_SCORES
    assert past.level == 3
    # The old key is no question of v2.
    with pytest.raises(
        ValidationError, match="skills_search is not a question of instrument version 2"
    ):
        _submit(v2, enterprise, MIXED)
    # Old answers still score against v1 (a mentor's offline queue may hold them).
    assert _submit(instrument, enterprise, MIXED).pillar_scores == MIXED_SCORES


def test_loading_is_idempotent_and_a_loaded_version_never_changes(instrument, tmp_path):
    again, created = services.load_instrument()
    assert (again, created) == (instrument, False)
    data = json.loads(services.DEFAULT_INSTRUMENT.read_text())
    data["pillars"][0]["questions"][0]["weight"] = 5
    changed = tmp_path / "v1-changed.json"
    changed.write_text(json.dumps(data))
    with pytest.raises(ValidationError, match="already loaded from a different file"):
        services.load_instrument(changed)
    instrument.refresh_from_db()
    assert instrument.questions.get(key="skills_smartphone").weight == 2
    assert Instrument.objects.count() == 1


def test_invalid_instrument_file_is_refused_with_its_problems(db, tmp_path):
    data = json.loads(services.DEFAULT_INSTRUMENT.read_text())
    data["pillars"][0]["questions"][0]["options"] = data["pillars"][0]["questions"][0]["options"][
        :1
    ]
    data["pillars"][1]["questions"][0]["text_en"] = ""
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValidationError) as refusal:
        services.load_instrument(path)
    message = refusal.value.messages[0]
    assert "question 'skills_smartphone': fewer than two options" in message
    assert "question 'ethics_claims': missing text_en" in message
    assert not Instrument.objects.exists()


def test_shipped_instrument_is_complete_in_both_languages(instrument):
    pillars = list(instrument.pillars.order_by("position"))
    assert [p.key for p in pillars] == list(MIXED_SCORES)
    assert [p.name_id for p in pillars[:4]] == [
        "Cakap Digital",
        "Etika Digital",
        "Aman Digital",
        "Budaya Digital",
    ]
    for question in services.instrument_structure(instrument):
        assert question.text_id and question.text_en and question.text_id != question.text_en
        for option in question.options.all():
            assert option.text_id and option.text_en


def test_load_instrument_command(db, capsys):
    call_command("load_instrument")
    call_command("load_instrument")
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "instrument v1: 18 questions (loaded)",
        "instrument v1: 18 questions (already loaded, unchanged)",
    ]
