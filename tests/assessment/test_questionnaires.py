"""NPRS, STarT Back and ODI scoring against the published formulas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from upright.assessment.questionnaires import (
    ODI_SECTIONS,
    START_BACK_ITEMS,
    OdiWording,
    compare_nprs,
    default_start_back_wording,
    parse_odi_wording,
    parse_start_back_wording,
    read_wording_file,
    score_odi,
    score_start_back,
)
from upright.errors import InputError

AGREE_ITEMS = START_BACK_ITEMS[:8]


def _start_back(agree: set[int], bother: str) -> dict[str, bool | str | None]:
    """Answers with the 1-based items in ``agree`` agreed and item 9 = ``bother``."""
    answers: dict[str, bool | str | None] = {
        key: (i + 1) in agree for i, key in enumerate(AGREE_ITEMS)
    }
    answers["bothersomeness"] = bother
    return answers


# Worked examples, Hill 2008 scoring: total = agrees + (item 9 very much/extremely);
# total <= 3 low; else psychosocial (items 5-9) <= 3 medium, >= 4 high.
START_BACK_EXAMPLES = [
    ({*()}, "not_at_all", 0, 0, "low"),
    ({1, 2, 3}, "moderately", 3, 0, "low"),
    ({5, 6, 7}, "slightly", 3, 3, "low"),
    ({1, 2}, "very_much", 3, 1, "low"),
    ({1, 2, 3, 4}, "extremely", 5, 1, "medium"),
    ({1, 2, 5, 6}, "moderately", 4, 2, "medium"),
    ({1, 5, 6, 7}, "slightly", 4, 3, "medium"),
    ({5, 6, 7, 8}, "slightly", 4, 4, "high"),
    ({1, 5, 6, 7}, "very_much", 5, 4, "high"),
    ({1, 2, 3, 4, 5, 6, 7, 8}, "extremely", 9, 5, "high"),
]


@pytest.mark.parametrize(("agree", "bother", "total", "psych", "risk"), START_BACK_EXAMPLES)
def test_start_back_worked_examples(
    agree: set[int], bother: str, total: int, psych: int, risk: str
) -> None:
    result = score_start_back(_start_back(agree, bother))
    assert (result.total, result.psychosocial, result.risk) == (total, psych, risk)


def test_start_back_unanswered_item_withholds_risk() -> None:
    answers = _start_back({1, 2, 3, 4, 5}, "extremely")
    answers["worrying_thoughts"] = None
    del answers["bothersomeness"]
    result = score_start_back(answers)
    assert result.risk is None and result.total is None
    assert result.unanswered == ["worrying_thoughts", "bothersomeness"]
    assert "Withheld" in result.reason


@pytest.mark.parametrize(
    ("answers", "match"),
    [
        (
            {"leg_ache": True},
            r"start_back: unknown key\(s\) leg_ache\. Use only these keys: leg_pain",
        ),
        ({"leg_pain": "agree"}, r"start_back.leg_pain: got 'agree'"),
        ({"leg_pain": 1}, r"start_back.leg_pain: got 1"),
        ({"bothersomeness": "very much"}, r"bothersomeness: got 'very much'.*very_much"),
        ({"bothersomeness": True}, r"bothersomeness: got True"),
    ],
)
def test_start_back_bad_answers(answers: dict[str, Any], match: str) -> None:
    with pytest.raises(InputError, match=match):
        score_start_back(answers)


def test_default_start_back_wording_is_marked_paraphrase() -> None:
    wording = default_start_back_wording()
    assert wording.paraphrase
    assert tuple(wording.items) == START_BACK_ITEMS
    assert all(text.startswith("[paraphrase]") for text in wording.items.values())
    assert "Keele" in wording.copyright_notice


def test_licensed_start_back_wording_file(tmp_path: Path) -> None:
    data = {
        "copyright_notice": "(c) Keele University",
        "items": {k: f"licensed text {i}" for i, k in enumerate(START_BACK_ITEMS)},
    }
    path = tmp_path / "sbt.json"
    path.write_text(json.dumps(data), "utf-8")
    wording = parse_start_back_wording(read_wording_file(path), source=str(path))
    assert not wording.paraphrase
    assert wording.items["leg_pain"] == "licensed text 0"


def test_start_back_wording_errors(tmp_path: Path) -> None:
    items = {k: "x" for k in START_BACK_ITEMS[:-1]}
    with pytest.raises(InputError, match=r"items: missing \['bothersomeness'\]"):
        parse_start_back_wording({"copyright_notice": "c", "items": items}, source="f")
    full = {k: "x" for k in START_BACK_ITEMS}
    with pytest.raises(InputError, match="copyright_notice is missing"):
        parse_start_back_wording({"items": full}, source="f")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", "utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        read_wording_file(bad)
    with pytest.raises(InputError, match="wording file not found"):
        read_wording_file(tmp_path / "missing.json")


def _odi_wording() -> OdiWording:
    sections = {k: [f"{k} statement {s}" for s in range(6)] for k in ODI_SECTIONS}
    return parse_odi_wording({"copyright_notice": "licensed", "sections": sections}, source="t")


# Worked examples: score = sum / (5 x sections answered) x 100 (Fairbank & Pynsent 2000).
ODI_EXAMPLES = [
    ([0] * 10, 0.0, "minimal"),
    ([2] * 10, 40.0, "moderate"),  # 20 / 50
    ([1] * 10, 20.0, "minimal"),  # band edge 20
    ([2] * 9 + [3], 42.0, "severe"),  # 21 / 50
    ([3] * 10, 60.0, "severe"),
    ([4] * 10, 80.0, "crippled"),
    ([5] * 10, 100.0, "bed-bound"),
    ([2] * 9 + [None], 40.0, "moderate"),  # 18 / 45
    ([3, 3, 3, 3, 3, 3, 3, None, 2, None], 57.5, "severe"),  # 23 / 40
]


@pytest.mark.parametrize(("scores", "pct", "band"), ODI_EXAMPLES)
def test_odi_worked_examples(scores: list[int | None], pct: float, band: str) -> None:
    result = score_odi(dict(zip(ODI_SECTIONS, scores, strict=True)), _odi_wording())
    assert result.score_pct == pytest.approx(pct)
    assert result.band == band
    assert result.sections_answered == sum(s is not None for s in scores)


def test_odi_needs_licensed_wording() -> None:
    with pytest.raises(InputError, match="scored only with its licensed wording"):
        score_odi({"walking": 2}, None)


@pytest.mark.parametrize(
    ("answers", "match"),
    [
        ({"walkin": 2}, r"odi: unknown key\(s\) walkin\. Use only these keys: pain_intensity"),
        ({"walking": 6}, r"odi.walking: got 6\. Give a whole number from 0 to 5"),
        ({"walking": -1}, r"odi.walking: got -1"),
        ({"walking": 2.5}, r"odi.walking: got 2.5"),
        ({"walking": True}, r"odi.walking: got True"),
        ({}, "no section answered"),
        ({"walking": None}, "no section answered"),
    ],
)
def test_odi_bad_answers(answers: dict[str, Any], match: str) -> None:
    with pytest.raises(InputError, match=match):
        score_odi(answers, _odi_wording())


def test_odi_wording_needs_six_statements_per_section() -> None:
    sections: dict[str, list[str]] = {k: ["a"] * 6 for k in ODI_SECTIONS}
    sections["lifting"] = ["a"] * 5
    with pytest.raises(InputError, match=r"sections\.lifting must list 6 statements"):
        parse_odi_wording({"sections": sections}, source="odi.json")


@pytest.mark.parametrize(
    ("before", "after", "change", "meaningful", "direction"),
    [
        (5, 3, -2, True, "better"),
        (5, 4, -1, False, "no meaningful change"),
        (3, 6, 3, True, "worse"),
        (0, 0, 0, False, "no meaningful change"),
    ],
)
def test_nprs_change_against_mcid_2(
    before: int, after: int, change: int, meaningful: bool, direction: str
) -> None:
    result = compare_nprs(before, after)
    assert (result.change, result.meaningful, result.direction) == (change, meaningful, direction)


@pytest.mark.parametrize("value", [-1, 11, 2.5, True])
def test_nprs_out_of_range(value: Any) -> None:
    with pytest.raises(InputError, match=r"after: got .*whole number from 0 to 10"):
        compare_nprs(3, value)
