"""Faults, holds, phases, reps and per-second verdicts on angle series with known timing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from upright.form.definitions import form_definition
from upright.form.judge import judge_form
from upright.form.timing import (
    Timing,
    count_reps,
    debounce,
    detect_holds,
    phases,
)

FPS = 30.0


def clock(duration_s: float) -> np.ndarray:
    return np.arange(round(duration_s * FPS)) / FPS


def test_a_blip_shorter_than_the_minimum_is_ignored_and_a_run_is_dated_back() -> None:
    t = clock(6.0)
    labels = np.full(t.size, "good", dtype=object)
    labels[(t >= 1.0) & (t < 1.2)] = "sag"  # 0.2 s blip
    labels[t >= 3.0] = "sag"
    out = debounce(labels.astype(str), t, 0.5)
    assert set(out[t < 3.0]) == {"good"}
    assert set(out[t >= 3.0]) == {"sag"}


def hold_inputs(t: np.ndarray, start: float, end: float) -> tuple[np.ndarray, np.ndarray]:
    in_pos = (t >= start) & (t < end)
    return in_pos, np.full(t.size, "")


def test_hold_from_position_reached_to_lost_survives_a_short_gap() -> None:
    t = clock(12.0)
    in_pos, ending = hold_inputs(t, 2.0, 9.0)
    in_pos[(t >= 5.0) & (t < 5.3)] = False  # 0.3 s wobble: not lost
    (hold,) = detect_holds(t, in_pos, ending, np.zeros(t.size), Timing())
    assert hold.start_s == pytest.approx(2.0)
    assert hold.end_s == pytest.approx(9.0)
    assert hold.end_reason == "position lost"
    assert not hold.still_going


def test_two_holds_and_the_phases() -> None:
    t = clock(20.0)
    in_pos = ((t >= 2.0) & (t < 7.0)) | ((t >= 10.0) & (t < 15.0))
    holds = detect_holds(t, in_pos, np.full(t.size, ""), np.zeros(t.size), Timing())
    got = [x for h in holds for x in (h.start_s, h.end_s)]
    assert got == pytest.approx([2.0, 7.0, 10.0, 15.0])
    ph = phases(t, holds)
    assert ph[t < 2.0].tolist() == ["set_up"] * int(np.sum(t < 2.0))
    assert set(ph[(t >= 7.0) & (t < 8.0)]) == {"end"}
    assert set(ph[(t >= 8.0) & (t < 10.0)]) == {"rest"}
    assert set(ph[(t >= 10.0) & (t < 15.0)]) == {"hold"}


def test_an_ending_fault_stops_the_clock_where_it_began() -> None:
    t = clock(12.0)
    in_pos, ending = hold_inputs(t, 1.0, 12.0)
    ending = np.where(t >= 6.4, "trunk_dropped", "")
    (hold,) = detect_holds(t, in_pos, ending, np.zeros(t.size), Timing())
    assert hold.end_s == pytest.approx(6.4)
    assert hold.ended_by_fault == "trunk_dropped"


def test_a_moving_body_has_not_reached_the_position() -> None:
    t = clock(8.0)
    in_pos, ending = hold_inputs(t, 0.0, 8.0)
    judged = np.where(t < 3.0, 20.0 * np.sin(2 * np.pi * t), 0.0)  # swinging until 3 s
    (hold,) = detect_holds(t, in_pos, ending, judged, Timing())
    assert 2.9 <= hold.start_s <= 3.1


def test_hold_still_going_at_the_end_and_the_protocol_limit() -> None:
    t = clock(10.0)
    in_pos, ending = hold_inputs(t, 1.0, 10.0)
    (hold,) = detect_holds(t, in_pos, ending, np.zeros(t.size), Timing())
    assert hold.still_going and hold.end_s == pytest.approx(10.0)
    (capped,) = detect_holds(t, in_pos, ending, np.zeros(t.size), Timing(), max_hold_s=4.0)
    assert capped.duration_s == pytest.approx(4.0) and capped.hit_limit


def test_reps_are_counted_with_their_quality_and_partial_lifts() -> None:
    t = clock(20.0)
    values = -40.0 + 40.0 * np.clip(np.sin(np.pi * t / 2.0) ** 2, 0, 1)  # 10 lifts, top 0
    values[(t >= 16.0) & (t < 18.0)] = -40 + 20 * np.sin(np.pi * (t[(t >= 16) & (t < 18)] - 16) / 2)
    labels = np.where((values > -3) & (t < 4.0), "arched", "good").astype(str)
    reps, partial = count_reps(t, values, labels, np.ones(t.size, bool), -10.0, -25.0)
    assert len(reps) == 9 and partial == 1  # lifts at 1, 3, ... 19 s; the one at 17 s falls short
    assert [r.quality for r in reps[:2]] == ["arched", "arched"]
    assert {r.quality for r in reps[2:]} == {"good"}
    assert reps[0].top_s == pytest.approx(1.0, abs=1 / FPS)


def plank_frames(t: np.ndarray, offset: np.ndarray, in_pos: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "time_s": t,
            "hip_offset_deg": offset,
            "body_line_incline_deg": np.where(in_pos, 10.0, 85.0),
            "upper_arm_incline_deg": 90.0,
        }
    )


def test_judged_plank_totals_first_fault_and_seconds() -> None:
    t = clock(20.0)
    in_pos = (t >= 2.0) & (t < 16.0)
    offset = np.where(t >= 10.0, -12.0, 15.0)  # sags from 10 s on
    result = judge_form(plank_frames(t, offset, in_pos), form_definition("front_plank"))
    (hold,) = result.holds
    assert (hold.start_s, hold.end_s) == pytest.approx((2.0, 16.0))
    assert result.held_s == pytest.approx(14.0)
    assert result.good_form_s == pytest.approx(8.0, abs=1.5 / FPS)
    assert result.first_fault is not None
    assert result.first_fault.fault == "sag"
    assert result.first_fault.time_s == pytest.approx(10.0)
    assert result.first_fault.into_hold_s == pytest.approx(8.0)
    sec = result.seconds.set_index("second")
    assert sec.loc[5, "verdict"] == "good" and sec.loc[12, "verdict"] == "sag"
    assert sec.loc[0, "phase"] == "set_up" and sec.loc[0, "verdict"] == ""
    assert sec.loc[16, "phase"] == "end" and sec.loc[18, "phase"] == "rest"
    assert len(sec) == 20


def test_sorensen_hold_ends_at_the_ten_degree_drop() -> None:
    t = clock(40.0)
    trunk = np.where(t < 3.0, -80.0, np.where(t < 31.5, 0.0, -10.5 - (t - 31.5) * 8))
    frames = pd.DataFrame({"time_s": t, "trunk_incline_deg": trunk})
    result = judge_form(frames, form_definition("extensor"))
    first = result.holds[0]
    assert first.start_s == pytest.approx(3.0, abs=1 / FPS)
    assert first.end_s == pytest.approx(31.5, abs=1 / FPS)
    assert first.ended_by_fault == "trunk_dropped"
    assert result.first_fault is None  # the drop ended the hold: no frame of it is judged
