"""Choosing a tolerance on labelled frames and scoring it on others.

Frames of one recording are nearly identical, so a split that puts neighbouring frames on
both sides measures memory, not the rule. :func:`block_split` keeps each block of
consecutive frames (a run of one label, in file order) whole, and deals the blocks of each
label alternately to the two halves. :func:`choose_threshold` puts a limit halfway between
two classes, with the most extreme ``trim`` of each class ignored, so a few odd frames in
the training half cannot drag the limit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from upright.skeleton import FloatArray

__all__ = ["DEFAULT_TRIM", "block_split", "blocks", "choose_threshold", "confusion_matrix"]

#: Fraction of each class's frames, at its far end toward the other class, that is
#: ignored when choosing a limit.
DEFAULT_TRIM = 0.05

BoolArray = npt.NDArray[np.bool_]


def blocks(labels: Sequence[str]) -> list[tuple[str, int, int]]:
    """Runs of one label in order: ``(label, start, end)`` with ``end`` exclusive."""
    runs: list[tuple[str, int, int]] = []
    start = 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[start]:
            runs.append((str(labels[start]), start, i))
            start = i
    return runs


def block_split(labels: Sequence[str]) -> BoolArray:
    """True for the frames of the first half: the 1st, 3rd, 5th... block of each label."""
    first = np.zeros(len(labels), dtype=bool)
    seen: dict[str, int] = {}
    for label, start, end in blocks(labels):
        k = seen.get(label, 0)
        seen[label] = k + 1
        if k % 2 == 0:
            first[start:end] = True
    return first


def choose_threshold(lower: FloatArray, upper: FloatArray, trim: float = DEFAULT_TRIM) -> float:
    """A limit between two classes of values: halfway between the top ``1 - trim``
    quantile of the lower class and the ``trim`` quantile of the upper class."""
    lo, up = np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)
    lo, up = lo[np.isfinite(lo)], up[np.isfinite(up)]
    if lo.size == 0 or up.size == 0:
        raise ValueError("both classes need at least one finite value")
    return float((np.quantile(lo, 1.0 - trim) + np.quantile(up, trim)) / 2.0)


def confusion_matrix(
    truth: Sequence[str], predicted: Sequence[str], classes: Sequence[str]
) -> pd.DataFrame:
    """Counts with the true class in rows and the predicted class in columns, plus a
    ``correct %`` column (row-wise share on the diagonal)."""
    names = list(classes)
    index = {c: i for i, c in enumerate(names)}
    counts = np.zeros((len(names), len(names)), dtype=np.int64)
    for t, p in zip(truth, predicted, strict=True):
        counts[index[t], index[p]] += 1
    table = pd.DataFrame(counts, index=pd.Index(names, name="true"), columns=names)
    totals = counts.sum(axis=1)
    table["correct %"] = np.round(100.0 * np.diag(counts) / np.maximum(totals, 1), 1)
    return table
