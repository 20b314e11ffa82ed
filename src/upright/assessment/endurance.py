"""Endurance tests against their norms: McGill battery, bridges, plank.

Protocols: McGill, Childs & Liebenson 1999 (Arch Phys Med Rehabil 80:941); home version
with a partner holding the legs is reliable (ICC 0.93-0.97; Reiman 2010, JSCR 24:730).
"""

from __future__ import annotations

import math
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from upright.assessment._data import load_table
from upright.limits import HOLD_S_MAX, REPS_MAX

__all__ = [
    "MCGILL_TESTS",
    "MDC_S",
    "NORMS_UNCHECKED",
    "EnduranceAssessment",
    "EnduranceResults",
    "HoldCheck",
    "Norm",
    "NormComparison",
    "RatioCheck",
    "RepsCheck",
    "TestChange",
    "assess_endurance",
    "select_norm",
]

McGillTest = Literal["flexor", "extensor", "side_bridge_right", "side_bridge_left"]
MCGILL_TESTS: Final[tuple[McGillTest, ...]] = (
    "flexor",
    "extensor",
    "side_bridge_right",
    "side_bridge_left",
)
Sex = Literal["male", "female"]
Population = Literal["general", "athlete"]

#: Biering-Sorensen protocol cap, s (McGill, Childs & Liebenson 1999).
SORENSEN_CAP_S: Final = 240.0
#: Biering-Sorensen under 176 s predicted back pain within a year in men
#: (Biering-Sorensen 1984, Spine 9:106).
SORENSEN_RISK_MEN_S: Final = 176.0
#: Minimum detectable change per test, s. Extensor: SEM 12-18 s, MDC about 32-48 s in
#: reliability studies of the Biering-Sorensen test (not yet pinned to one paper; see
#: docs/sources.md); the upper bound is used so only a clearly real change counts. Side
#: bridge: typical error 11 s (CV 31%) -> MDC95 = 1.96 * sqrt(2) * 11 = 30.5 s (standard
#: MDC95 formula). Flexor and the bridge holds: no MDC in upright's sources, not judged.
MDC_S: Final[dict[str, float]] = {
    "extensor": 48.0,
    "side_bridge_right": round(1.96 * math.sqrt(2) * 11.0, 1),
    "side_bridge_left": round(1.96 * math.sqrt(2) * 11.0, 1),
}
#: A hold more than this many SDs below the norm mean is "below" [design heuristic].
LOW_Z: Final = -1.0
#: Said wherever norms whose row has ``unverified`` true are shown.
NORMS_UNCHECKED: Final = (
    "these figures were taken from secondary sources and this table has not been checked "
    "against the original paper"
)
#: Ratio limits that flag imbalance (McGill, Childs & Liebenson 1999).
FLEXOR_EXTENSOR_MAX: Final = 1.0
SIDE_LR_RANGE: Final = (0.95, 1.05)
SIDE_EXTENSOR_MAX: Final = 0.75
#: Schellenberg 2007 (AJPMR 86:380): mean hold, s, without and with chronic back pain.
SUPINE_BRIDGE_MEANS_S: Final = (170.0, 77.0)
PRONE_PLANK_MEANS_S: Final = (73.0, 28.0)
#: Single-leg bridge test reps (Freckleton 2014, BJSM 48:713): <20 poor, ~25 avg, >30 good.
SLB_POOR_BELOW: Final = 20
SLB_GOOD_ABOVE: Final = 30


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Norm(_Model):
    """One row of ``data/endurance_norms.json``: per test (mean, SD or None), s."""

    id: str
    population: Population
    sex: Literal["male", "female", "any"]
    label: str
    unverified: bool
    tests: dict[McGillTest, tuple[float, float | None]]


class EnduranceResults(_Model):
    """One endurance session: hold times in seconds, bridge reps per leg.

    Any test not done is None. ``sex`` and ``population`` choose the norms.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    flexor_s: float | None = Field(default=None, ge=0, le=HOLD_S_MAX)
    extensor_s: float | None = Field(default=None, ge=0, le=SORENSEN_CAP_S)
    side_bridge_right_s: float | None = Field(default=None, ge=0, le=HOLD_S_MAX)
    side_bridge_left_s: float | None = Field(default=None, ge=0, le=HOLD_S_MAX)
    supine_bridge_s: float | None = Field(default=None, ge=0, le=HOLD_S_MAX)
    prone_plank_s: float | None = Field(default=None, ge=0, le=HOLD_S_MAX)
    single_leg_bridge_left_reps: int | None = Field(default=None, ge=0, le=REPS_MAX)
    single_leg_bridge_right_reps: int | None = Field(default=None, ge=0, le=REPS_MAX)
    sex: Sex | None = None
    population: Population = "general"

    def mcgill(self, test: McGillTest) -> float | None:
        """The hold time of one McGill test, s."""
        value: float | None = getattr(self, f"{test}_s")
        return value


class NormComparison(_Model):
    test: McGillTest
    value_s: float
    norm_id: str
    norm_label: str
    norm_mean_s: float
    norm_sd_s: float | None
    z: float | None
    percent_of_mean: float
    status: Literal["below", "typical", "above", "below mean", "at or above mean"]
    unverified: bool


class RatioCheck(_Model):
    name: Literal["flexor/extensor", "right/left side bridge", "side bridge/extensor"]
    value: float | None
    limit: str
    flagged: bool | None
    reason: str
    source: str = "McGill, Childs & Liebenson 1999, Arch Phys Med Rehabil 80:941"


class HoldCheck(_Model):
    test: Literal["supine_bridge", "prone_plank"]
    value_s: float
    pain_free_mean_s: float
    back_pain_mean_s: float
    nearer: Literal["pain-free group", "back-pain group"]
    source: str = "Schellenberg 2007, AJPMR 86:380"


class RepsCheck(_Model):
    leg: Literal["left", "right"]
    reps: int
    rating: Literal["poor", "average", "good"]
    source: str = "Freckleton 2014, BJSM 48:713"


class TestChange(_Model):
    test: str
    previous_s: float
    current_s: float
    change_s: float
    mdc_s: float | None
    verdict: Literal["improved", "worse", "within MDC", "not judged (no MDC)"]


class EnduranceAssessment(_Model):
    norm_id: str
    norm_label: str
    norm_unverified: bool
    comparisons: list[NormComparison]
    ratios: list[RatioCheck]
    sorensen_under_176_men: bool | None
    holds: list[HoldCheck]
    single_leg_bridge: list[RepsCheck]
    changes: list[TestChange]
    notes: list[str]


def select_norm(sex: Sex | None, population: Population) -> Norm:
    """Choose the norm table row.

    Notes
    -----
    Athletes -> Evans, Refshauge & Adams 2007 (state-level athletes, means only);
    general population with sex given -> McGill, Childs & Liebenson 1999 men or women
    (a table taken from secondary sources, not yet checked against the paper, so its row
    has ``unverified`` true); otherwise Anderson 2014 (n=116, age 18-55).
    """
    norms = [Norm.model_validate(n) for n in load_table("endurance_norms")["norms"]]
    wanted = ("athlete", "any") if population == "athlete" else ("general", sex or "any")
    return next(n for n in norms if (n.population, n.sex) == wanted)


def assess_endurance(
    results: EnduranceResults, previous: EnduranceResults | None = None
) -> EnduranceAssessment:
    """Compare one endurance session with its norms, ratio rules and the previous session.

    Notes
    -----
    Norms, ratios, the 176 s Biering-Sorensen cut-off, bridge and plank group means, the
    single-leg bridge bands and the MDCs each carry their published source next to the
    constant above (all listed in docs/sources.md). A change counts as real only beyond
    the MDC. Norms not checked against their paper get a note in words
    (:data:`NORMS_UNCHECKED`).
    """
    norm = select_norm(results.sex, results.population)
    notes: list[str] = []
    if norm.unverified:
        notes.append(f"Norms from {norm.label}: {NORMS_UNCHECKED}.")
    if results.population == "athlete":
        notes.append("Athlete norms give means only: a hold is shown as percent of the mean.")
    sorensen: bool | None = None
    if results.sex == "male" and results.extensor_s is not None:
        sorensen = results.extensor_s < SORENSEN_RISK_MEN_S
    return EnduranceAssessment(
        norm_id=norm.id,
        norm_label=norm.label,
        norm_unverified=norm.unverified,
        comparisons=_compare_norms(results, norm),
        ratios=_ratios(results),
        sorensen_under_176_men=sorensen,
        holds=_holds(results),
        single_leg_bridge=_reps(results),
        changes=_changes(results, previous) if previous is not None else [],
        notes=notes,
    )


def _compare_norms(results: EnduranceResults, norm: Norm) -> list[NormComparison]:
    out = []
    for test in MCGILL_TESTS:
        value = results.mcgill(test)
        if value is None:
            continue
        mean, sd = norm.tests[test]
        z = None if sd is None else (value - mean) / sd
        status: Literal["below", "typical", "above", "below mean", "at or above mean"]
        if z is None:
            status = "below mean" if value < mean else "at or above mean"
        else:
            status = "below" if z < LOW_Z else ("above" if z > -LOW_Z else "typical")
        out.append(
            NormComparison(
                test=test,
                value_s=value,
                norm_id=norm.id,
                norm_label=norm.label,
                norm_mean_s=mean,
                norm_sd_s=sd,
                z=None if z is None else round(z, 2),
                percent_of_mean=round(100 * value / mean, 1),
                status=status,
                unverified=norm.unverified,
            )
        )
    return out


def _ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den == 0:
        return None
    return num / den


def _ratios(r: EnduranceResults) -> list[RatioCheck]:
    checks = []
    fe = _ratio(r.flexor_s, r.extensor_s)
    checks.append(_ratio_check("flexor/extensor", fe, f"< {FLEXOR_EXTENSOR_MAX:.2f}", None))
    lr = _ratio(r.side_bridge_right_s, r.side_bridge_left_s)
    low, high = SIDE_LR_RANGE
    checks.append(_ratio_check("right/left side bridge", lr, f"{low:.2f}-{high:.2f}", (low, high)))
    sides = [s for s in (r.side_bridge_right_s, r.side_bridge_left_s) if s is not None]
    se = _ratio(max(sides), r.extensor_s) if sides else None
    checks.append(_ratio_check("side bridge/extensor", se, f"< {SIDE_EXTENSOR_MAX:.2f}", None))
    return checks


def _ratio_check(
    name: Literal["flexor/extensor", "right/left side bridge", "side bridge/extensor"],
    value: float | None,
    limit: str,
    band: tuple[float, float] | None,
) -> RatioCheck:
    if value is None:
        return RatioCheck(
            name=name, value=None, limit=limit, flagged=None, reason="Withheld: a test is missing."
        )
    if band is not None:
        flagged = not band[0] <= value <= band[1]
    else:
        top = FLEXOR_EXTENSOR_MAX if name == "flexor/extensor" else SIDE_EXTENSOR_MAX
        flagged = value >= top
    word = "outside" if flagged else "within"
    return RatioCheck(
        name=name,
        value=round(value, 2),
        limit=limit,
        flagged=flagged,
        reason=f"{name} = {value:.2f}, {word} the limit {limit}.",
    )


def _holds(r: EnduranceResults) -> list[HoldCheck]:
    out = []
    pairs: tuple[
        tuple[Literal["supine_bridge", "prone_plank"], float | None, tuple[float, float]], ...
    ]
    pairs = (
        ("supine_bridge", r.supine_bridge_s, SUPINE_BRIDGE_MEANS_S),
        ("prone_plank", r.prone_plank_s, PRONE_PLANK_MEANS_S),
    )
    for test, value, (free, pain) in pairs:
        if value is None:
            continue
        # nearer group mean [design heuristic: midpoint between the two group means]
        nearer: Literal["pain-free group", "back-pain group"] = (
            "back-pain group" if value < (free + pain) / 2 else "pain-free group"
        )
        out.append(
            HoldCheck(
                test=test,
                value_s=value,
                pain_free_mean_s=free,
                back_pain_mean_s=pain,
                nearer=nearer,
            )
        )
    return out


def _reps(r: EnduranceResults) -> list[RepsCheck]:
    out = []
    legs: tuple[tuple[Literal["left", "right"], int | None], ...] = (
        ("left", r.single_leg_bridge_left_reps),
        ("right", r.single_leg_bridge_right_reps),
    )
    for leg, reps in legs:
        if reps is None:
            continue
        rating: Literal["poor", "average", "good"] = (
            "poor" if reps < SLB_POOR_BELOW else ("good" if reps > SLB_GOOD_ABOVE else "average")
        )
        out.append(RepsCheck(leg=leg, reps=reps, rating=rating))
    return out


def _changes(current: EnduranceResults, previous: EnduranceResults) -> list[TestChange]:
    out = []
    for name in (*MCGILL_TESTS, "supine_bridge", "prone_plank"):
        before: float | None = getattr(previous, f"{name}_s")
        after: float | None = getattr(current, f"{name}_s")
        if before is None or after is None:
            continue
        change = after - before
        mdc = MDC_S.get(name)
        verdict: Literal["improved", "worse", "within MDC", "not judged (no MDC)"]
        if mdc is None:
            verdict = "not judged (no MDC)"
        elif abs(change) <= mdc:
            verdict = "within MDC"
        else:
            verdict = "improved" if change > 0 else "worse"
        out.append(
            TestChange(
                test=name,
                previous_s=before,
                current_s=after,
                change_s=round(change, 1),
                mdc_s=mdc,
                verdict=verdict,
            )
        )
    return out
