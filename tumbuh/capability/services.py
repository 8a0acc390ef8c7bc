"""Every change to capability data goes through here.

``load_instrument`` adds a questionnaire version from its data file; ``save_draft_answer`` keeps
a self-assessment's progress; ``submit_assessment`` is the one write path of a completed
assessment, from the owner's phone, the mentor's console page, the API and the mentor app's
offline queue alike.
"""

import hashlib
import json
from datetime import timedelta
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts.models import APIKey, User
from tumbuh.accounts.services import acting_person
from tumbuh.capability import scoring
from tumbuh.capability.error_codes import CapabilityError
from tumbuh.capability.models import (
    Answer,
    Assessment,
    AssessmentDraft,
    Instrument,
    Option,
    Pillar,
    Question,
)
from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event
from tumbuh.registry.models import Enterprise, Milestone
from tumbuh.registry.services import record_milestone, surviving

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"
DEFAULT_INSTRUMENT = INSTRUMENTS_DIR / "v1.json"
# A device clock may run a little ahead; anything later than this is refused as a future time.
CLOCK_SKEW = timedelta(minutes=10)


# --- instruments ------------------------------------------------------------------------------


def _check_instrument_data(data: dict) -> None:
    problems = []
    for field in ("version", "title_id", "title_en", "pillars"):
        if field not in data:
            problems.append(f"missing {field}")
    question_keys = set()
    for pillar in data.get("pillars", []):
        for field in ("key", "group", "name_id", "name_en", "questions"):
            if not pillar.get(field):
                problems.append(f"pillar {pillar.get('key')!r}: missing {field}")
        if pillar.get("group") not in Pillar.Group.values:
            problems.append(f"pillar {pillar.get('key')!r}: unknown group {pillar.get('group')!r}")
        for question in pillar.get("questions", []):
            key = question.get("key")
            if key in question_keys:
                problems.append(f"question {key!r} appears twice")
            question_keys.add(key)
            for field in ("key", "text_id", "text_en", "options"):
                if not question.get(field):
                    problems.append(f"question {key!r}: missing {field}")
            options = question.get("options", [])
            if len(options) < 2:
                problems.append(f"question {key!r}: fewer than two options")
            if len({option.get("key") for option in options}) != len(options):
                problems.append(f"question {key!r}: option keys repeat")
            for option in options:
                if not option.get("text_id") or not option.get("text_en"):
                    problems.append(f"question {key!r}, option {option.get('key')!r}: missing text")
                if not isinstance(option.get("points"), int) or option["points"] < 0:
                    problems.append(f"question {key!r}, option {option.get('key')!r}: bad points")
            if options and max(option.get("points", 0) for option in options) <= 0:
                problems.append(f"question {key!r}: no option earns points")
    if problems:
        raise Refused(
            CapabilityError.INSTRUMENT_INVALID,
            _("The instrument file is not valid: %(problems)s") % {"problems": "; ".join(problems)},
        )


def load_instrument(path: Path = DEFAULT_INSTRUMENT) -> tuple[Instrument, bool]:
    """Load an instrument version from its JSON file; returns ``(instrument, created)``.

    Loading the same file again changes nothing. A file whose version is already loaded from
    different contents is refused: a version never changes once loaded (publish a new version).
    """
    raw = Path(path).read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    data = json.loads(raw)
    _check_instrument_data(data)
    existing = Instrument.objects.filter(version=data["version"]).first()
    if existing is not None:
        if existing.data_sha256 != digest:
            raise Refused(
                CapabilityError.VERSION_CHANGED,
                _(
                    "Version %(version)s is already loaded from a different file; a loaded "
                    "version never changes. Give the revised questionnaire a new version number."
                )
                % {"version": data["version"]},
            )
        return existing, False
    with transaction.atomic():
        instrument = Instrument.objects.create(
            version=data["version"],
            title_id=data["title_id"],
            title_en=data["title_en"],
            source=data.get("source", ""),
            data_sha256=digest,
        )
        question_position = 0
        for pillar_position, pillar_data in enumerate(data["pillars"], start=1):
            pillar = Pillar.objects.create(
                instrument=instrument,
                key=pillar_data["key"],
                group=pillar_data["group"],
                position=pillar_position,
                name_id=pillar_data["name_id"],
                name_en=pillar_data["name_en"],
            )
            for question_data in pillar_data["questions"]:
                question_position += 1
                question = Question.objects.create(
                    instrument=instrument,
                    pillar=pillar,
                    key=question_data["key"],
                    position=question_position,
                    weight=question_data.get("weight", 1),
                    is_required=question_data.get("required", True),
                    text_id=question_data["text_id"],
                    text_en=question_data["text_en"],
                    help_id=question_data.get("help_id", ""),
                    help_en=question_data.get("help_en", ""),
                )
                Option.objects.bulk_create(
                    Option(
                        question=question,
                        key=option["key"],
                        position=position,
                        points=option["points"],
                        text_id=option["text_id"],
                        text_en=option["text_en"],
                    )
                    for position, option in enumerate(question_data["options"], start=1)
                )
    return instrument, True


def current_instrument() -> Instrument | None:
    """The version businesses take now: the newest active one."""
    return Instrument.objects.filter(is_active=True).order_by("-version").first()


def instrument_structure(instrument: Instrument) -> list[Question]:
    """The questions of ``instrument`` in order, with their pillar and options (three queries)."""
    questions = list(
        instrument.questions.select_related("pillar")
        .prefetch_related("options")
        .order_by("position")
    )
    return questions


# --- answers and scores -----------------------------------------------------------------------


def _resolve_answers(
    instrument: Instrument, answers: dict[str, str], *, questions: list[Question] | None = None
) -> dict[Question, Option]:
    """The chosen option per question, or a refusal that names every problem."""
    if not isinstance(answers, dict):
        raise Refused(
            CapabilityError.ANSWERS_NOT_A_MAPPING,
            _("Answers must map question keys to option keys."),
            field="answers",
        )
    questions = questions if questions is not None else instrument_structure(instrument)
    by_key = {question.key: question for question in questions}
    problems = []
    chosen: dict[Question, Option] = {}
    for question_key, option_key in answers.items():
        question = by_key.get(question_key)
        if question is None:
            problems.append(
                _("%(question)s is not a question of instrument version %(version)s.")
                % {"question": question_key, "version": instrument.version}
            )
            continue
        option = next((o for o in question.options.all() if o.key == option_key), None)
        if option is None:
            problems.append(
                _("%(option)s is not an answer to question %(question)s.")
                % {"option": option_key, "question": question_key}
            )
            continue
        chosen[question] = option
    missing = [q.key for q in questions if q.is_required and q.key not in answers]
    if missing:
        problems.append(
            _("These required questions have no answer: %(questions)s.")
            % {"questions": ", ".join(missing)}
        )
    if problems:
        raise Refused(CapabilityError.ANSWERS_INVALID, problems, field="answers")
    return chosen


def score(questions: list[Question], chosen: dict[Question, Option]) -> dict:
    """Pillar scores, overall score and level of a set of chosen options."""
    rows = []
    for question in questions:
        option = chosen.get(question)
        best = max(o.points for o in question.options.all())
        if option is None:
            rows.append((question.pillar.key, 0, 0, 0))
        else:
            rows.append((question.pillar.key, question.weight, option.points, best))
    pillars = scoring.pillar_scores(rows)
    overall = scoring.overall_score(pillars)
    return {"pillars": pillars, "overall": overall, "level": scoring.level_for(overall).number}


def submit_assessment(
    *,
    enterprise: Enterprise,
    instrument: Instrument,
    answers: dict[str, str],
    by: User | APIKey,
    mode: str,
    taken_at=None,
    client_id: str | None = None,
    via: str = "",
) -> Assessment:
    """Record a completed assessment of ``enterprise`` and return it.

    ``answers`` maps question keys to option keys of ``instrument``. Refused with every reason
    (and nothing written) for a question of another version, an unknown option, a missing
    required answer, an unknown mode or a time in the future. Idempotent on ``client_id``:
    submitting a client id again returns the assessment first recorded with it. A merged
    record's assessment goes to the business it was merged into. Records the milestone
    ``assessed`` and an audit event (``via`` names a machine caller, e.g. an API key, for the
    audit trail); a finished self-assessment's draft is removed.

    ``by`` is who submits: the owner, a mentor or officer, a partner's API key (recorded as
    ``via``, never as a person), or ``accounts.services.system_actor()`` for the demo. The
    callers (the owner's pages, the mentor's page and sync, the API) check that ``by`` may
    assess the business before calling.
    """
    enterprise = surviving(enterprise)
    client_id = (client_id or "").strip() or None
    if client_id is not None:
        if len(client_id) > 64:
            raise Refused(
                CapabilityError.CLIENT_ID_TOO_LONG,
                _("A client id has at most 64 characters."),
                field="client_id",
            )
        existing = Assessment.objects.filter(client_id=client_id).first()
        if existing is not None:
            return _same_client(existing, enterprise)
    if mode not in Assessment.Mode.values:
        raise Refused(
            CapabilityError.UNKNOWN_MODE,
            _("Unknown assessment mode: %(mode)s") % {"mode": mode},
            field="mode",
        )
    now = timezone.now()
    taken_at = taken_at or now
    if timezone.is_naive(taken_at):
        raise Refused(
            CapabilityError.TIME_WITHOUT_ZONE,
            _("The time of the assessment needs a time zone."),
            field="taken_at",
        )
    if taken_at > now + CLOCK_SKEW:
        raise Refused(
            CapabilityError.TIME_IN_FUTURE,
            _("The time of the assessment is in the future."),
            field="taken_at",
        )
    questions = instrument_structure(instrument)
    chosen = _resolve_answers(instrument, answers, questions=questions)
    result = score(questions, chosen)
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                enterprise=enterprise,
                instrument=instrument,
                mode=mode,
                taken_at=taken_at,
                recorded_by=acting_person(by),
                client_id=client_id,
                pillar_scores=result["pillars"],
                overall_score=result["overall"],
                level=result["level"],
            )
            Answer.objects.bulk_create(
                Answer(assessment=assessment, question=question, option=option)
                for question, option in chosen.items()
            )
            record_milestone(
                enterprise=enterprise,
                kind=Milestone.Kind.ASSESSED,
                source=f"capability:{assessment.public_id}",
                occurred_at=taken_at,
                by=assessment.recorded_by,
            )
            record_event(
                actor=by,
                action="capability.assessed",
                target=assessment,
                region_code=enterprise.village_id,
                data={
                    "enterprise": enterprise.public_id,
                    "version": instrument.version,
                    "mode": mode,
                    "level": result["level"],
                    **({"via": via} if via else {}),
                },
            )
            if mode == Assessment.Mode.SELF and assessment.recorded_by is not None:
                AssessmentDraft.objects.filter(
                    enterprise=enterprise, instrument=instrument, user=assessment.recorded_by
                ).delete()
    except IntegrityError:
        # Two deliveries of the same offline record at once: the other one won.
        existing = client_id and Assessment.objects.filter(client_id=client_id).first()
        if not existing:
            raise
        return _same_client(existing, enterprise)
    return assessment


def _same_client(existing: Assessment, enterprise: Enterprise) -> Assessment:
    if surviving(existing.enterprise).pk != enterprise.pk:
        raise Refused(
            CapabilityError.CLIENT_ID_USED,
            _("This client id was already used for another business."),
            field="client_id",
        )
    return existing


# --- self-assessment progress -----------------------------------------------------------------


def save_draft_answer(
    *,
    enterprise: Enterprise,
    instrument: Instrument,
    user: User,
    question_key: str,
    option_key: str,
) -> AssessmentDraft:
    """Keep one answer of a self-assessment in progress, so the owner can stop and resume."""
    enterprise = surviving(enterprise)
    question = instrument.questions.filter(key=question_key).first()
    if question is None:
        raise Refused(
            CapabilityError.UNKNOWN_QUESTION,
            _("%(question)s is not a question of instrument version %(version)s.")
            % {"question": question_key, "version": instrument.version},
            field="question",
        )
    if not question.options.filter(key=option_key).exists():
        raise Refused(
            CapabilityError.UNKNOWN_OPTION, _("Choose one of the answers."), field="option"
        )
    with transaction.atomic():
        draft, _created = AssessmentDraft.objects.select_for_update().get_or_create(
            enterprise=enterprise, instrument=instrument, user=user
        )
        draft.answers = {**draft.answers, question_key: option_key}
        draft.save(update_fields=["answers", "updated_at"])
    return draft


def draft_for(*, enterprise: Enterprise, instrument: Instrument, user) -> AssessmentDraft | None:
    return AssessmentDraft.objects.filter(
        enterprise=surviving(enterprise), instrument=instrument, user=user
    ).first()


# --- reading results --------------------------------------------------------------------------


def assessments_of(enterprise: Enterprise):
    """The assessments of a business, including those of records merged into it, latest first."""
    enterprise = surviving(enterprise)
    return (
        Assessment.objects.filter(
            Q(enterprise=enterprise)
            | Q(enterprise__merged_into=enterprise)
            | Q(enterprise__merged_into__merged_into=enterprise)
        )
        .select_related("instrument")
        .latest_first()
    )


def latest_assessment(enterprise: Enterprise) -> Assessment | None:
    return assessments_of(enterprise).first()


def latest_level(enterprise: Enterprise) -> int | None:
    """The business's current capability level (1–5), or None when it was never assessed."""
    latest = latest_assessment(enterprise)
    return latest.level if latest else None
