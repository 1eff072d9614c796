"""Numbers that carry their provenance: a metric and its sacrebleu-style signature, the
histogram table every renderer draws, and the Shannon entropy several metrics report."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from qcaudit import __version__


class Metric(BaseModel):
    """A number and the signature of every setting that changes it (sacrebleu-style);
    report.json holds it as ``{"value", "signature"}``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: float | int
    signature: str

    def __init__(self, value: float | int, signature: str):
        super().__init__(value=value, signature=signature)

    @property
    def computed(self) -> bool:
        """False for NaN or infinity: nothing to compute it from (no row long enough to
        score, say). Such a metric is left out of the report; a gate on it fails as missing."""
        return math.isfinite(self.value)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump()


def signature(name: str, *fields: str) -> str:
    """``name|field|...|v:VERSION``: what a reader needs to compare two reports honestly."""
    return "|".join((name, *fields, f"v:{__version__}"))


def histogram(values: np.ndarray, bins: int, value_range: tuple[float, float] | None = None) -> dict[str, list]:
    """A histogram as a report table, ``{"edges", "counts"}`` (what
    :func:`qcaudit.views.histogram_view` shows); empty lists for no values. Whole numbers
    (lengths) that take at most ``bins`` values get a bin each, centred on it, not
    ``bins`` bins of fractional width with most of them empty."""
    values = np.asarray(values)
    if values.size == 0:
        return {"edges": [], "counts": []}
    if value_range is None and np.issubdtype(values.dtype, np.integer) and int(values.max()) - int(values.min()) < bins:
        edges = np.arange(int(values.min()), int(values.max()) + 2) - 0.5
        return {"edges": edges.tolist(), "counts": np.histogram(values, bins=edges)[0].tolist()}
    counts, edges = np.histogram(values, bins=bins, range=value_range)
    return {"edges": edges.tolist(), "counts": counts.tolist()}


def shannon_entropy(counts: Any) -> float:
    """Shannon entropy in nats of the distribution that ``counts`` (or shares) give, as
    ``scipy.stats.entropy``: zero counts add nothing; one category gives 0.0, never -0.0."""
    counts = np.asarray(counts, dtype=np.float64)
    p = counts[counts > 0] / counts.sum()
    return max(0.0, float(-np.sum(p * np.log(p))))
