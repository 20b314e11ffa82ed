"""Questionnaire scoring: NPRS, STarT Back, Oswestry Disability Index.

Only scoring and item keys live in code. Item wording is a data file: STarT Back ships a
clearly marked paraphrase until the licensed wording is supplied; the ODI is scored only
when a licensed user supplies its wording.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict

from upright.assessment._data import load_table
from upright.errors import InputError

__all__ = [
    "NPRS_MCID",
    "ODI_MCID",
    "ODI_SECTIONS",
    "START_BACK_BOTHER",
    "START_BACK_ITEMS",
    "NprsChange",
    "OdiResult",
    "OdiWording",
    "StartBackResult",
    "StartBackWording",
    "compare_nprs",
    "default_start_back_wording",
    "parse_odi_wording",
    "parse_start_back_wording",
    "read_wording_file",
    "score_odi",
    "score_start_back",
]

#: NPRS minimal clinically important difference, points. Ostelo 2008, Spine 33:90.
NPRS_MCID: Final = 2
#: ODI minimal clinically important difference, points (Ostelo 2008, Spine 33:90).
ODI_MCID: Final = 10

#: STarT Back item keys in published order (Hill 2008). Items 1-8 agree/disagree;
#: item 9 is bothersomeness.
START_BACK_ITEMS: Final = (
    "leg_pain",
    "shoulder_neck_pain",
    "walked_short_distances",
    "dressed_slowly",
    "not_safe_to_be_active",
    "worrying_thoughts",
    "pain_terrible",
    "not_enjoyed_things",
    "bothersomeness",
)
#: Item 9 answers; "very_much" and "extremely" score 1 (Hill 2008).
START_BACK_BOTHER: Final = ("not_at_all", "slightly", "moderately", "very_much", "extremely")
_BOTHER_SCORES: Final = ("very_much", "extremely")
#: Psychosocial subscale: items 5-9 (Hill 2008).
_PSYCHOSOCIAL: Final = START_BACK_ITEMS[4:]

#: ODI sections (Fairbank & Pynsent 2000, Spine 25:2940), each scored 0-5.
ODI_SECTIONS: Final = (
    "pain_intensity",
    "personal_care",
    "lifting",
    "walking",
    "sitting",
    "standing",
    "sleeping",
    "sex_life",
    "social_life",
    "travelling",
)

StartBackRisk = Literal["low", "medium", "high"]
OdiBand = Literal["minimal", "moderate", "severe", "crippled", "bed-bound"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NprsChange(_Model):
    """Change between two 0-10 pain ratings against the MCID of 2 points."""

    before: int
    after: int
    change: int
    meaningful: bool
    direction: Literal["better", "worse", "no meaningful change"]


class StartBackResult(_Model):
    """STarT Back score; ``risk`` is None (withheld) while any item is unanswered."""

    total: int | None
    psychosocial: int | None
    risk: StartBackRisk | None
    unanswered: list[str]
    reason: str


class OdiResult(_Model):
    """ODI percentage score (0-100) and band."""

    score_pct: float
    band: OdiBand
    sections_answered: int
    unanswered: list[str]
    note: str


class StartBackWording(_Model):
    """Item wording; ``paraphrase`` marks the built-in stand-in."""

    paraphrase: bool
    copyright_notice: str
    items: dict[str, str]


class OdiWording(_Model):
    """Licensed ODI wording: per section a title and its six statements (scores 0-5)."""

    copyright_notice: str
    sections: dict[str, list[str]]


def compare_nprs(before: int, after: int) -> NprsChange:
    """Compare two NPRS ratings (0-10).

    Notes
    -----
    A change counts only at or beyond the MCID of 2 points (Ostelo 2008, Spine 33:90).
    """
    for name, value in (("before", before), ("after", after)):
        _check_nprs(name, value)
    change = after - before
    meaningful = abs(change) >= NPRS_MCID
    direction: Literal["better", "worse", "no meaningful change"] = (
        "no meaningful change" if not meaningful else ("better" if change < 0 else "worse")
    )
    return NprsChange(
        before=before, after=after, change=change, meaningful=meaningful, direction=direction
    )


def _check_nprs(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise InputError(f"{name}: got {value!r}", fix="Give a whole number from 0 to 10")


def score_start_back(answers: Mapping[str, bool | str | None]) -> StartBackResult:
    """Score the STarT Back Tool.

    Parameters
    ----------
    answers
        Items 1-8: True (agree) or False (disagree). ``bothersomeness``: one of
        ``START_BACK_BOTHER``. None or absent = unanswered.

    Notes
    -----
    Hill 2008 (Arthritis Rheum 59:632): each agree scores 1; item 9 scores 1 for "very
    much" or "extremely". Total 0-3 = low risk; total >= 4 then the psychosocial subscale
    (items 5-9) <= 3 = medium, >= 4 = high. The risk is withheld while any item is
    unanswered: an unanswered item is not a "disagree".
    """
    _check_start_back(answers)
    unanswered = [k for k in START_BACK_ITEMS if answers.get(k) is None]
    if unanswered:
        return StartBackResult(
            total=None,
            psychosocial=None,
            risk=None,
            unanswered=unanswered,
            reason=f"Withheld: {len(unanswered)} item(s) unanswered ({', '.join(unanswered)}).",
        )
    points = {k: _item_point(k, answers[k]) for k in START_BACK_ITEMS}
    total = sum(points.values())
    psychosocial = sum(points[k] for k in _PSYCHOSOCIAL)
    risk: StartBackRisk
    risk = "low" if total <= 3 else "medium" if psychosocial <= 3 else "high"
    return StartBackResult(
        total=total,
        psychosocial=psychosocial,
        risk=risk,
        unanswered=[],
        reason=f"Total {total}/9, psychosocial subscale {psychosocial}/5 (Hill 2008).",
    )


def _item_point(key: str, value: bool | str | None) -> int:
    if key == "bothersomeness":
        return int(value in _BOTHER_SCORES)
    return int(value is True)


def _check_start_back(answers: Mapping[str, object]) -> None:
    unknown = sorted(set(answers) - set(START_BACK_ITEMS))
    if unknown:
        raise InputError(
            f"start_back: unknown key(s) {', '.join(unknown)}",
            fix=f"Use only these keys: {', '.join(START_BACK_ITEMS)}",
        )
    for key, value in answers.items():
        if value is None:
            continue
        if key == "bothersomeness":
            if value not in START_BACK_BOTHER:
                raise InputError(
                    f"start_back.bothersomeness: got {value!r}",
                    fix=f"Answer one of: {', '.join(START_BACK_BOTHER)}, or null",
                )
        elif not isinstance(value, bool):
            raise InputError(
                f"start_back.{key}: got {value!r}",
                fix="Answer true (agree), false (disagree) or null (not answered)",
            )


def score_odi(answers: Mapping[str, int | None], wording: OdiWording | None) -> OdiResult:
    """Score the Oswestry Disability Index.

    Parameters
    ----------
    answers
        Section key -> 0-5, or None / absent when the section was skipped.
    wording
        The licensed wording; the ODI is proprietary (Mapi), so upright scores it only
        when a licensed user has supplied the wording.

    Raises
    ------
    InputError
        No wording supplied, an unknown section, a value outside 0-5, or no section
        answered.

    Notes
    -----
    Fairbank & Pynsent 2000 (Spine 25:2940): score = sum / (5 x sections answered) x 100; bands 0-20
    minimal, 21-40 moderate, 41-60 severe, 61-80 crippled, 81-100 bed-bound; MCID 10.
    """
    if wording is None:
        raise InputError(
            "odi: the Oswestry Disability Index is scored only with its licensed wording",
            fix="Supply the ODI wording file from your licence (Mapi Research Trust)",
        )
    unknown = sorted(set(answers) - set(ODI_SECTIONS))
    if unknown:
        raise InputError(
            f"odi: unknown key(s) {', '.join(unknown)}",
            fix=f"Use only these keys: {', '.join(ODI_SECTIONS)}",
        )
    for key, value in answers.items():
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5
        ):
            raise InputError(f"odi.{key}: got {value!r}", fix="Give a whole number from 0 to 5")
    answered = {k: v for k, v in answers.items() if v is not None}
    if not answered:
        raise InputError("odi: no section answered", fix="Answer at least one section (0-5)")
    score = sum(answered.values()) / (5 * len(answered)) * 100
    unanswered = [k for k in ODI_SECTIONS if answers.get(k) is None]
    note = "Runners with back pain averaged about 8% (Seay 2011): expect a floor effect."
    if unanswered:
        note = f"Scored over {len(answered)} answered sections. " + note
    return OdiResult(
        score_pct=round(score, 1),
        band=_odi_band(score),
        sections_answered=len(answered),
        unanswered=unanswered,
        note=note,
    )


def _odi_band(score: float) -> OdiBand:
    # Bands 0-20, 21-40, 41-60, 61-80, 81-100 (Fairbank & Pynsent 2000); non-integer scores
    # fall into the band whose upper bound they do not exceed.
    if score <= 20:
        return "minimal"
    if score <= 40:
        return "moderate"
    if score <= 60:
        return "severe"
    if score <= 80:
        return "crippled"
    return "bed-bound"


def default_start_back_wording() -> StartBackWording:
    """The built-in STarT Back wording: a clearly marked paraphrase, not the licensed text."""
    return parse_start_back_wording(load_table("start_back_wording"), source="built-in")


def parse_start_back_wording(data: Mapping[str, Any], *, source: str) -> StartBackWording:
    """Validate a STarT Back wording table (keys ``items``, ``copyright_notice``)."""
    items = _require_mapping(data, "items", source)
    _require_exact_keys(items, START_BACK_ITEMS, f"{source}: items")
    notice = data.get("copyright_notice")
    if not isinstance(notice, str) or not notice.strip():
        raise InputError(
            f"{source}: copyright_notice is missing",
            fix="Keep the STarT Back copyright notice in the wording file (licence terms)",
        )
    return StartBackWording(
        paraphrase=bool(data.get("paraphrase", False)),
        copyright_notice=notice,
        items={k: _require_text(items[k], f"{source}: items.{k}") for k in START_BACK_ITEMS},
    )


def parse_odi_wording(data: Mapping[str, Any], *, source: str) -> OdiWording:
    """Validate an ODI wording table: ``sections`` with six statements each (0-5)."""
    sections = _require_mapping(data, "sections", source)
    _require_exact_keys(sections, ODI_SECTIONS, f"{source}: sections")
    parsed: dict[str, list[str]] = {}
    for key in ODI_SECTIONS:
        options = sections[key]
        if not isinstance(options, list) or len(options) != 6:
            raise InputError(
                f"{source}: sections.{key} must list 6 statements (scores 0-5)",
                fix="Give the six statements of the section in score order",
            )
        parsed[key] = [_require_text(o, f"{source}: sections.{key}") for o in options]
    notice = data.get("copyright_notice", "")
    return OdiWording(copyright_notice=str(notice), sections=parsed)


def read_wording_file(path: Path) -> dict[str, Any]:
    """Read a JSON wording file; errors name the file."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise InputError("wording file not found", path=path) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"not valid JSON ({exc})", path=path, fix="Save it as UTF-8 JSON"
        ) from None
    if not isinstance(data, dict):
        raise InputError("the wording file must hold a JSON object", path=path)
    return data


def _require_mapping(data: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise InputError(f"{source}: '{key}' is missing or not an object")
    return value


def _require_exact_keys(value: Mapping[str, Any], keys: tuple[str, ...], where: str) -> None:
    missing = [k for k in keys if k not in value]
    unknown = sorted(set(value) - set(keys))
    if missing or unknown:
        raise InputError(
            f"{where}: missing {missing or 'none'}, unknown {unknown or 'none'}",
            fix=f"Use exactly these keys: {', '.join(keys)}",
        )


def _require_text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where}: expected non-empty text, got {value!r}")
    return value
