"""The check-up answers file: pydantic models with errors that name the key.

Layout (JSON)::

    {
      "red_flags": {"bladder_change": false, ...},          # true / false / null
      "clearance": {"recorded": true, "date": "2026-11-20", "clinician": "Dr A"},
      "symptoms": {"pain_now": 3, "pain_onset": {"km": 6}, "standing_ache": true, ...},
      "start_back": {"leg_pain": false, ..., "bothersomeness": "moderately"},
      "odi": {"pain_intensity": 2, ...},
      "endurance": {"flexor_s": 120, "extensor_s": 95, "sex": "female", ...}
    }

Every section is optional; a missing answer is None, never "no".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from upright.assessment._data import load_table
from upright.assessment.endurance import EnduranceResults
from upright.assessment.questionnaires import ODI_SECTIONS, START_BACK_BOTHER
from upright.assessment.redflags import RED_FLAG_KEYS
from upright.errors import AnswersError, InputError
from upright.io.documents import load_json
from upright.limits import EPISODE_WEEKS_MAX, RUN_DISTANCE_KM_MAX, RUN_DURATION_MIN_MAX

__all__ = [
    "Answers",
    "Clearance",
    "OdiAnswers",
    "PainOnsetAnswer",
    "StartBackAnswers",
    "SymptomAnswers",
    "SymptomQuestion",
    "check_clearance_day",
    "check_clinician",
    "parse_answers",
    "read_answers_file",
    "readable_red_flags",
    "symptom_questions",
]

Nprs = Field(default=None, ge=0, le=10, description="NPRS 0-10 (Ostelo 2008, Spine 33:90).")
Bother = Literal["not_at_all", "slightly", "moderately", "very_much", "extremely"]
assert get_args(Bother) == START_BACK_BOTHER  # keep the two lists in step


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class PainOnsetAnswer(_Strict):
    """When in a run the pain starts: give exactly one of km or minute."""

    km: float | None = Field(default=None, ge=0, le=RUN_DISTANCE_KM_MAX)
    minute: float | None = Field(default=None, ge=0, le=RUN_DURATION_MIN_MAX)

    @model_validator(mode="after")
    def _exactly_one(self) -> PainOnsetAnswer:
        if (self.km is None) == (self.minute is None):
            raise ValueError("give exactly one of 'km' or 'minute'")
        return self


class SymptomAnswers(_Strict):
    """Symptom questions; see ``data/symptom_questions.json`` for wording and purpose."""

    pain_now: int | None = Nprs
    pain_last_run: int | None = Nprs
    pain_after_run: int | None = Nprs
    pain_next_morning: int | None = Nprs
    pain_onset: PainOnsetAnswer | None = None
    pain_first_steps: bool | None = None
    standing_ache: bool | None = None
    leg_symptoms: Literal["none", "buttock_or_thigh", "below_knee"] | None = None
    previous_back_pain: bool | None = None
    episode_weeks: float | None = Field(default=None, ge=0, le=EPISODE_WEEKS_MAX)


class StartBackAnswers(_Strict):
    """STarT Back items by key (Hill 2008): agree = true; item 9 bothersomeness."""

    leg_pain: bool | None = None
    shoulder_neck_pain: bool | None = None
    walked_short_distances: bool | None = None
    dressed_slowly: bool | None = None
    not_safe_to_be_active: bool | None = None
    worrying_thoughts: bool | None = None
    pain_terrible: bool | None = None
    not_enjoyed_things: bool | None = None
    bothersomeness: Bother | None = None


class OdiAnswers(_Strict):
    """ODI sections scored 0-5; null for a skipped section."""

    pain_intensity: int | None = Field(default=None, ge=0, le=5)
    personal_care: int | None = Field(default=None, ge=0, le=5)
    lifting: int | None = Field(default=None, ge=0, le=5)
    walking: int | None = Field(default=None, ge=0, le=5)
    sitting: int | None = Field(default=None, ge=0, le=5)
    standing: int | None = Field(default=None, ge=0, le=5)
    sleeping: int | None = Field(default=None, ge=0, le=5)
    sex_life: int | None = Field(default=None, ge=0, le=5)
    social_life: int | None = Field(default=None, ge=0, le=5)
    travelling: int | None = Field(default=None, ge=0, le=5)


assert tuple(OdiAnswers.model_fields) == ODI_SECTIONS


class SymptomQuestion(_Strict):
    """One symptom question and the cause(s) it informs (``data/symptom_questions.json``)."""

    key: str
    type: Literal["nprs", "onset", "yes_no", "choice", "number"]
    question: str
    informs: list[str]
    source: str
    choices: list[str] | None = None


def symptom_questions() -> list[SymptomQuestion]:
    """The symptom questions in the order asked, each stating which cause it informs."""
    return [SymptomQuestion.model_validate(q) for q in load_table("symptom_questions")["questions"]]


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def check_clearance_day(day: dt.date, *, today: dt.date | None = None) -> dt.date:
    """A clearance's day: refused when it is after ``today`` (default: the local date).

    Raises
    ------
    ValueError
        The day is in the future.
    """
    today = today or dt.date.today()
    if day > today:
        raise ValueError(
            f"the clearance date {day.isoformat()} is in the future; give the day the "
            f"clinician cleared you, today ({today.isoformat()}) or earlier"
        )
    return day


def check_clinician(name: str) -> str:
    """The clinician's name, stripped; refused when blank.

    Raises
    ------
    ValueError
        The name is empty or only spaces.
    """
    if not name.strip():
        raise ValueError("the clinician is not named; give who cleared you, e.g. 'Dr Lee, GP'")
    return name.strip()


class Clearance(_Strict):
    """The user's record that a clinician cleared them to exercise.

    A recorded clearance needs a real date (``YYYY-MM-DD``, not in the future) and the
    clinician's name: only then does it lift a same-day or review-level block.
    """

    recorded: bool
    date: str | None = None
    clinician: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _day_text(cls, value: object) -> object:
        # an unquoted YAML date arrives as a date: take it as the same day in words
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value.isoformat()
        return value

    @field_validator("date")
    @classmethod
    def _real_day(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            if not _ISO_DAY.fullmatch(value.strip()):
                raise ValueError(value)
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("not a real date; write it as YYYY-MM-DD, e.g. '2026-11-20'") from None
        return check_clearance_day(day).isoformat()

    @field_validator("clinician")
    @classmethod
    def _named(cls, value: str | None) -> str | None:
        return None if value is None else check_clinician(value)

    @model_validator(mode="after")
    def _complete(self) -> Clearance:
        if self.recorded and (self.date is None or self.clinician is None):
            missing = [k for k in ("date", "clinician") if getattr(self, k) is None]
            raise ValueError(
                f"a recorded clearance needs its {' and '.join(missing)}: the day you were "
                "cleared (YYYY-MM-DD) and who cleared you"
            )
        return self


class Answers(_Strict):
    """A whole check-up answers file."""

    red_flags: dict[str, bool | None] = Field(default_factory=dict)
    clearance: Clearance | None = None
    symptoms: SymptomAnswers = Field(default_factory=SymptomAnswers)
    start_back: StartBackAnswers | None = None
    odi: OdiAnswers | None = None
    endurance: EnduranceResults | None = None

    @field_validator("red_flags")
    @classmethod
    def _known_flags(cls, value: dict[str, bool | None]) -> dict[str, bool | None]:
        unknown = sorted(set(value) - set(RED_FLAG_KEYS))
        if unknown:
            raise ValueError(
                f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(RED_FLAG_KEYS)}"
            )
        return value

    @property
    def clearance_recorded(self) -> bool:
        return self.clearance is not None and self.clearance.recorded


_SECTIONS: dict[str, type[BaseModel]] = {
    "": Answers,
    "clearance": Clearance,
    "symptoms": SymptomAnswers,
    "symptoms.pain_onset": PainOnsetAnswer,
    "start_back": StartBackAnswers,
    "odi": OdiAnswers,
    "endurance": EnduranceResults,
}


def parse_answers(data: object, *, source: str = "answers") -> Answers:
    """Validate an answers mapping.

    Raises
    ------
    InputError
        Empty or not an object.
    AnswersError
        Every problem found, each naming its key (for example ``symptoms.pain_now``), the
        value given and what is allowed; it carries the red-flag answers that could still
        be read (:func:`readable_red_flags`), so the screen can run first.
    """
    if not isinstance(data, dict) or not data:
        raise InputError(
            f"{source}: the answers are empty or not an object",
            fix=f"Give a JSON object with any of: {', '.join(Answers.model_fields)}",
        )
    try:
        return Answers.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(_describe(err) for err in exc.errors())
        flags, cleared = readable_red_flags(data)
        raise AnswersError(
            f"{source}: {problems}",
            fix="Correct the keys named above",
            red_flags=flags,
            clearance_recorded=cleared,
        ) from None


def readable_red_flags(data: Mapping[str, Any]) -> tuple[dict[str, bool | None], bool]:
    """The red-flag answers that can be read from answers that fail validation, and
    whether a valid clearance is recorded.

    A known key answered true, false or null is kept; anything else is left out, so it
    counts as unanswered (never as "no"). An invalid clearance is no clearance.
    """
    raw = data.get("red_flags")
    flags: dict[str, bool | None] = {}
    if isinstance(raw, Mapping):
        flags = {
            k: v
            for k, v in raw.items()
            if k in RED_FLAG_KEYS and (v is None or isinstance(v, bool))
        }
    try:
        clearance = Clearance.model_validate(data.get("clearance"))
    except ValidationError:
        return flags, False
    return flags, clearance.recorded


def read_answers_file(path: Path) -> Answers:
    """Read and validate a JSON answers file; errors name the file."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise InputError("answers file not found", path=path) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text ({exc})", path=path, fix="Save it as UTF-8 JSON"
        ) from None
    return parse_answers(load_json(text, path), source=str(path))


def _describe(err: Any) -> str:
    loc = [str(p) for p in err["loc"]]
    key = ".".join(loc) or "(top level)"
    if err["type"] == "extra_forbidden":
        parent = ".".join(loc[:-1])
        allowed = ", ".join(_SECTIONS[parent].model_fields) if parent in _SECTIONS else "see docs"
        return f"{key}: unknown key; allowed keys: {allowed}"
    given = err.get("input")
    msg = str(err["msg"]).replace("Value error, ", "")
    if err["type"] in ("missing",):
        return f"{key}: required"
    return f"{key}: {msg} (got {given!r})"
