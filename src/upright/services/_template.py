"""The answers-file template in YAML: every key with what it means, allowed values and the
cause it informs, built from the same tables the check-up reads."""

from __future__ import annotations

from upright.assessment.answers import symptom_questions
from upright.assessment.questionnaires import (
    ODI_SECTIONS,
    START_BACK_BOTHER,
    START_BACK_ITEMS,
    default_start_back_wording,
)
from upright.assessment.redflags import red_flag_questions

__all__ = ["build_template"]

_LEVEL_WORDS = {
    "emergency": "EMERGENCY (stops everything)",
    "same_day": "same-day medical review",
    "review": "medical review before the plan",
}

#: Endurance keys: (meaning, allowed values, what it informs). McGill, Childs & Liebenson 1999.
_ENDURANCE = {
    "flexor_s": ("trunk flexor hold (McGill 1999), seconds", "number >= 0 or null", "weakness"),
    "extensor_s": (
        "Biering-Sorensen extensor hold, seconds (protocol stops at 240 s)",
        "number 0-240 or null",
        "weakness",
    ),
    "side_bridge_right_s": ("right side bridge hold, seconds", "number >= 0 or null", "weakness"),
    "side_bridge_left_s": ("left side bridge hold, seconds", "number >= 0 or null", "weakness"),
    "supine_bridge_s": (
        "supine bridge hold, seconds (Schellenberg 2007)",
        "number >= 0 or null",
        "weakness",
    ),
    "prone_plank_s": (
        "prone plank hold, seconds (Schellenberg 2007)",
        "number >= 0 or null",
        "weakness",
    ),
    "single_leg_bridge_left_reps": (
        "single-leg bridge test, left leg, reps to failure (Freckleton 2014)",
        "whole number >= 0 or null",
        "weakness",
    ),
    "single_leg_bridge_right_reps": (
        "single-leg bridge test, right leg, reps to failure",
        "whole number >= 0 or null",
        "weakness",
    ),
    "sex": ("chooses the McGill 1999 norms by sex", "male, female or null", "weakness (norms)"),
    "population": (
        "general (Anderson 2014 / McGill 1999) or athlete (Evans 2007) norms",
        "general or athlete",
        "weakness (norms)",
    ),
}

_SYMPTOM_ALLOWED = {
    "nprs": "whole number 0-10 or null",
    "onset": "{km: NUMBER} or {minute: NUMBER} (exactly one), or null",
    "yes_no": "true, false or null",
    "number": "number >= 0 or null",
}


def _comment(text: str, indent: int = 0) -> str:
    return " " * indent + "# " + text


def build_template() -> str:
    """The YAML template text; every answer is null (unanswered), population general."""
    lines = [
        "# upright check-up answers. Fill in each value; leave null for not answered.",
        "# null is never taken as 'no': an unanswered red-flag question leaves the screen",
        "# incomplete and the exercise plan blocked. Save as answers.yaml and run:",
        "#   upright checkup --answers answers.yaml [--evidence summary.json ...]",
        "# upright is a training and self-management aid, not a medical device.",
        "",
        "# RED FLAGS, screened first (NICE NG59 2016; Finucane 2020).",
        "# Each: true (yes), false (no) or null (not answered). Informs: safety, not a cause.",
        "red_flags:",
    ]
    for q in red_flag_questions():
        lines.append(_comment(f"{q.question} [{_LEVEL_WORDS[q.level]}; {q.source}]", 2))
        lines.append(f"  {q.key}: null")
    lines += [
        "",
        "# A clinician's clearance after a same-day or review red flag (never lifts an",
        "# emergency). recorded: true or false; with true, both are needed: date, the day",
        "# you were cleared as 'YYYY-MM-DD' (today or earlier), and clinician, who cleared",
        "# you (e.g. 'Dr Lee, GP'). Informs: whether the plan may continue.",
        "clearance:",
        "  recorded: false",
        "  date: null",
        "  clinician: null",
        "",
        "# SYMPTOMS (sources: docs/sources.md in upright's repository).",
        "symptoms:",
    ]
    for s in symptom_questions():
        allowed = (
            ", ".join(s.choices or []) + " or null"
            if s.type == "choice"
            else _SYMPTOM_ALLOWED[s.type]
        )
        lines.append(_comment(s.question, 2))
        lines.append(_comment(f"allowed: {allowed}; informs: {', '.join(s.informs)}", 2))
        lines.append(f"  {s.key}: null")
    wording = default_start_back_wording()
    lines += [
        "",
        "# STarT BACK (Hill 2008), last 2 weeks. Informs: psychosocial risk, beside the causes.",
        "# Wording below is a PLACEHOLDER PARAPHRASE, not the licensed item text.",
        f"# {wording.copyright_notice}",
        "start_back:",
    ]
    for key in START_BACK_ITEMS:
        allowed = (
            ", ".join(START_BACK_BOTHER) + " or null"
            if key == "bothersomeness"
            else "true (agree), false (disagree) or null"
        )
        lines.append(_comment(wording.items[key], 2))
        lines.append(_comment(f"allowed: {allowed}", 2))
        lines.append(f"  {key}: null")
    lines += [
        "",
        "# OSWESTRY DISABILITY INDEX sections: whole number 0-5 or null. Scored only with",
        "# wording from your own licence (Mapi). Informs: disability level, beside the causes.",
        "odi:",
        *[f"  {key}: null" for key in ODI_SECTIONS],
        "",
        "# ENDURANCE TESTS (McGill, Childs & Liebenson 1999; `upright test` shows the protocols).",
        "endurance:",
    ]
    for key, (meaning, allowed, informs) in _ENDURANCE.items():
        lines.append(_comment(f"{meaning}; allowed: {allowed}; informs: {informs}", 2))
        lines.append(f"  {key}: {'general' if key == 'population' else 'null'}")
    return "\n".join(lines) + "\n"
