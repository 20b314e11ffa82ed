"""assessment layer: red flags, questionnaires, endurance norms, evidence -> triage.

Pure rules with no I/O beyond reading upright's own data tables and user-supplied
wording or answers files. The rules and norms are data in ``data/`` so a clinician can
read them. upright is a training and self-management aid, not a medical device.
"""

from upright.assessment.answers import Answers, parse_answers, read_answers_file
from upright.assessment.endurance import (
    EnduranceAssessment,
    EnduranceResults,
    assess_endurance,
    select_norm,
)
from upright.assessment.questionnaires import (
    compare_nprs,
    default_start_back_wording,
    parse_odi_wording,
    parse_start_back_wording,
    score_odi,
    score_start_back,
)
from upright.assessment.redflags import (
    DISCLAIMER,
    RedFlagScreen,
    red_flag_questions,
    screen_red_flags,
)
from upright.assessment.triage import Evidence, TriageResult, evidence_from_answers, triage

__all__ = [
    "DISCLAIMER",
    "Answers",
    "EnduranceAssessment",
    "EnduranceResults",
    "Evidence",
    "RedFlagScreen",
    "TriageResult",
    "assess_endurance",
    "compare_nprs",
    "default_start_back_wording",
    "evidence_from_answers",
    "parse_answers",
    "parse_odi_wording",
    "parse_start_back_wording",
    "read_answers_file",
    "red_flag_questions",
    "score_odi",
    "score_start_back",
    "screen_red_flags",
    "select_norm",
    "triage",
]
