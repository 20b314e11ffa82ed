"""Plausibility limits: what a recording, an answer or a stored record can hold.

One place for every bound upright puts on a number it reads, so a value outside it is
refused or dropped (and counted) the same way everywhere, never stored as real. Each
limit says where it comes from: a physical or physiological fact with its source, a
file-format rule, or a design heuristic (a generous bound that no real recording of a
run comes near, chosen so that only impossible values fall outside).

Units are in the names. Nothing here imports from the rest of upright.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

__all__ = [
    "ALTITUDE_M",
    "CADENCE_SPM",
    "EARLIEST_RECORDING_UTC",
    "EPISODE_WEEKS_MAX",
    "FUTURE_TOLERANCE",
    "GPS_JUMP_ALLOWANCE_M",
    "HEART_RATE_BPM",
    "HEIGHT_CM",
    "HOLD_S_MAX",
    "IMU_ACCELERATION_G_MAX",
    "IMU_GAP_S_MAX",
    "LATITUDE_DEG",
    "LONGITUDE_DEG",
    "MAX_BACKWARD_TIME_FRACTION",
    "MAX_DUPLICATE_TIME_FRACTION",
    "MAX_GAP_S",
    "OTHER_SPORT_SPEED_M_S_MAX",
    "POWER_W",
    "REPS_MAX",
    "RUN_DISTANCE_KM_MAX",
    "RUN_DURATION_MIN_MAX",
    "RUN_PACE_S_PER_KM_MIN",
    "SPEED_M_S_MAX",
    "STANCE_TIME_MS",
    "STEP_LENGTH_MM",
    "VERTICAL_OSCILLATION_MM",
    "VERTICAL_RATIO_PCT",
    "latest_plausible_utc",
]

# ------------------------------------------------------------------ time

#: No recording, answer or log is dated before this. The FIT protocol counts time from
#: 1989-12-31 00:00 UTC (its "zero" date is a device with no clock set) and consumer GPS
#: watches came later still; a date before 1990 is a clock that was never set, a year
#: 1900 or 0001 placeholder, or damaged bytes.
EARLIEST_RECORDING_UTC: Final = datetime(1990, 1, 1, tzinfo=UTC)

#: A date may lie this far after the computer's clock: time zones span 26 hours and a
#: device clock may run a little ahead. Anything later is a damaged or invented date.
FUTURE_TOLERANCE: Final = timedelta(days=2)


def latest_plausible_utc(now: datetime | None = None) -> datetime:
    """The latest date a recording or record may carry: now plus :data:`FUTURE_TOLERANCE`."""
    return (now or datetime.now(UTC)) + FUTURE_TOLERANCE


# ------------------------------------------------------------------ watch files
# Each (low, high) pair is inclusive. A sample value outside it is dropped (NaN), and
# the summary's notes say how many were dropped and why.

#: WGS84 latitude and longitude ranges, degrees (by definition).
LATITUDE_DEG: Final = (-90.0, 90.0)
LONGITUDE_DEG: Final = (-180.0, 180.0)

#: Heart rate, beats/min. Design heuristic: a heart beating under 25 times a minute is
#: not running, and 250 is far beyond any adult's maximum (age-predicted maxima are
#: about 220 bpm and below).
HEART_RATE_BPM: Final = (25.0, 250.0)

#: Cadence, steps/min (both feet). Zero is a stop and is kept. Design heuristic: well
#: above distance-running cadences (about 150-210 steps/min) yet matching the per-foot
#: bound the readers use to recognise a file that already counts both feet (120 strides
#: per minute); a byte at its maximum (254 strides/min, one short of FIT's "invalid"
#: 255) lands far outside it.
CADENCE_SPM: Final = (0.0, 240.0)

#: The fastest any human runs, m/s: Usain Bolt's fastest 20 m in the 2009 Berlin 100 m
#: final took about 1.61 s, 12.4 m/s (Graubner & Nixdorf 2011, New Studies in Athletics
#: 26(1/2):19-53). Speeds, GPS steps and distance steps faster than this are not running.
SPEED_M_S_MAX: Final = 12.5

#: Cycling and other non-foot legs of a multisport file may go faster (a descent on a
#: road bike); design heuristic, above any human-powered land speed outside record
#: attempts.
OTHER_SPORT_SPEED_M_S_MAX: Final = 40.0

#: GPS error allowed on top of :data:`SPEED_M_S_MAX` between two fixes, metres: a
#: consumer GPS places a point within a few metres most of the time, within tens when
#: the sky is partly hidden (design heuristic). A fix further away than the runner could
#: have run plus this is a jump, and it is dropped.
GPS_JUMP_ALLOWANCE_M: Final = 50.0

#: Altitude, metres: from the shore of the Dead Sea (about -430 m) to the summit of
#: Everest (8,849 m), with a margin for barometric drift.
ALTITUDE_M: Final = (-500.0, 9000.0)

#: Ground contact time, ms. Design heuristic: sprinters touch down for about 80 ms;
#: a slow walk keeps a foot down for under a second and a half.
STANCE_TIME_MS: Final = (50.0, 1500.0)

#: Vertical oscillation of the trunk per step, mm (design heuristic: runners bounce
#: 50-120 mm; 300 mm is a jump).
VERTICAL_OSCILLATION_MM: Final = (0.0, 300.0)

#: Vertical oscillation / step length, percent (design heuristic: runners 5-12 %).
VERTICAL_RATIO_PCT: Final = (0.0, 50.0)

#: Step length, mm (design heuristic: elite sprinters' steps reach about 2.7 m).
STEP_LENGTH_MM: Final = (0.0, 3500.0)

#: Running or cycling power, W (design heuristic: the sprint peaks of track cyclists
#: stay near 2,500 W).
POWER_W: Final = (0.0, 3000.0)

#: Two samples further apart than this are not one run: the file is split there and
#: only its longest part (most samples) is analysed. A pause at a café or a traffic
#: light is minutes; an hour without a sample is a watch left recording, or a date
#: written wrong (design heuristic).
MAX_GAP_S: Final = 3600.0

#: When more than this share of samples repeat the time of another sample, the file's
#: clock cannot be trusted (pace and distance per minute would be wrong) and the file
#: is refused. Watches do write a few records twice in one second (laps, pauses: 7 of
#: 590 in the worst shared real file); a fifth is a design heuristic far above that.
MAX_DUPLICATE_TIME_FRACTION: Final = 0.2

#: When the time goes back at more than this share of the samples, the file is refused:
#: sorting would stitch together a track recorded in another order (two recordings
#: interleaved, a damaged file). A clock set back once (a GPS time fix) is one place,
#: and is put in order (design heuristic).
MAX_BACKWARD_TIME_FRACTION: Final = 0.05

#: Whole-run pace faster than this, s/km, is refused: it is faster than the 1500 m world
#: record (3:26.00, El Guerrouj 1998, 137 s/km) held over a whole run.
RUN_PACE_S_PER_KM_MIN: Final = 137.0

# ------------------------------------------------------------------ accelerometers

#: Acceleration beyond this, in g, is not a body-worn sensor during running: wearable
#: accelerometers for gait measure +-8 g or +-16 g, and the tibia of a runner peaks
#: near 10 g (design heuristic with a wide margin). Samples beyond it are dropped.
IMU_ACCELERATION_G_MAX: Final = 32.0

#: A gap without samples longer than this is not bridged: the recording is split there
#: and its longest part analysed. Bridging replaces the missing seconds with a straight
#: line, which holds no steps; a few seconds shift a minute's cadence by a few steps,
#: longer gaps fake a fatigue sign (design heuristic).
IMU_GAP_S_MAX: Final = 5.0

# ------------------------------------------------------------------ the runner and logs

#: Body height, cm: the bounds ``upright profile --height-cm`` accepts (design
#: heuristic: an adult runner).
HEIGHT_CM: Final = (80.0, 250.0)

#: One run, km: above the 24-hour world record (319.6 km, Sorokin 2022).
RUN_DISTANCE_KM_MAX: Final = 350.0

#: One run, minutes: two days (design heuristic, above any one-stage race).
RUN_DURATION_MIN_MAX: Final = 2880.0

#: One endurance hold, seconds (design heuristic: test norms are 1-3 minutes; an hour
#: is a typo).
HOLD_S_MAX: Final = 3600.0

#: Repetitions in one set or test (design heuristic).
REPS_MAX: Final = 500

#: Length of the current back-pain episode, weeks: 100 years (no episode outlasts a
#: life).
EPISODE_WEEKS_MAX: Final = 5218.0
