"""Synthetic accelerometer traces with exact answers, and the rotation used to put a
known tilt into real data.

Sensor axes of the synthetic runner: +z up and +x forward when upright, +y to the left.
A forward lean of theta turns every world vector, seen from the sensor, by theta from
+z toward -x (the sensor's top tips forward).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

G = 9.80665
FloatArray = npt.NDArray[np.float64]


def lean(acc: FloatArray, up: FloatArray, forward: FloatArray, theta_deg: FloatArray) -> FloatArray:
    """Rotate sensor readings as if the sensor leaned forward by ``theta_deg`` (per sample)."""
    th = np.radians(theta_deg)
    cu, cf = acc @ up, acc @ forward
    rest = acc - np.outer(cu, up) - np.outer(cf, forward)
    new_u = np.cos(th) * cu + np.sin(th) * cf
    new_f = -np.sin(th) * cu + np.cos(th) * cf
    out: FloatArray = rest + np.outer(new_u, up) + np.outer(new_f, forward)
    return out


def synthetic_run(
    *,
    duration_s: float = 600.0,
    still_s: float = 10.0,
    fs: float = 100.0,
    step_hz: float = 2.6,
    lean_start_deg: float = 5.0,
    lean_end_deg: float = 5.0,
    impact_g: float = 1.5,
) -> pd.DataFrame:
    """Stand still, then run at ``step_hz`` steps/s leaning from start to end (deg).

    Columns ``unix_time_s, x_g, y_g, z_g`` (the ActiGraph layout).
    """
    t = np.arange(0.0, duration_s, 1.0 / fs)
    running = t >= still_s
    phase = 2 * np.pi * step_hz * (t - still_s)
    stance = np.sin(phase) > 0
    vertical = impact_g * G * (np.maximum(np.sin(phase), 0.0) - 1 / np.pi)
    forward = -0.4 * G * np.cos(phase) * stance
    lateral = 0.3 * G * np.sin(phase / 2)
    world = np.column_stack([forward, lateral, G + vertical])
    world[~running] = [0.0, 0.0, G]
    theta = np.where(
        running,
        lean_start_deg + (lean_end_deg - lean_start_deg) * (t - still_s) / (duration_s - still_s),
        0.0,
    )
    acc = lean(world, np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0]), theta)
    return pd.DataFrame(
        {
            "unix_time_s": 1.7e9 + t,
            "x_g": acc[:, 0] / G,
            "y_g": acc[:, 1] / G,
            "z_g": acc[:, 2] / G,
        }
    )
