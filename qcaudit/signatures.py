"""Numbers that carry their provenance: a metric and its sacrebleu-style signature, and the
histogram table every renderer draws."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from qcaudit import __version__


@dataclass(frozen=True)
class Metric:
    """A number and the signature of every setting that changes it (sacrebleu-style)."""

    value: float | int
    signature: str

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "signature": self.signature}


def signature(name: str, *fields: str) -> str:
    """``name|field|...|v:VERSION``: what a reader needs to compare two reports honestly."""
    return "|".join((name, *fields, f"v:{__version__}"))


def histogram(values: np.ndarray, bins: int, value_range: tuple[float, float] | None = None) -> dict[str, list]:
    """A histogram as a report table, ``{"edges", "counts"}`` (what
    :func:`qcaudit.report.figures.histogram_figure` draws); empty lists for no values."""
    values = np.asarray(values)
    if values.size == 0:
        return {"edges": [], "counts": []}
    counts, edges = np.histogram(values, bins=bins, range=value_range)
    return {"edges": edges.tolist(), "counts": counts.tolist()}
