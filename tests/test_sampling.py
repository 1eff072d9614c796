"""The human-review sample: sizes by dataset size, flagged rows first, reasons, determinism."""

from __future__ import annotations

import polars as pl
import pytest

from qcaudit.cli import app
from qcaudit.config import Config
from qcaudit.sampling import sample_size
from tests.conftest import SAMPLES


@pytest.mark.parametrize("rows, expected", [(900, 270), (50_000, 2_500), (500_000, 5_000), (5_000_000, 5_000), (30, 20)])
def test_sample_size_follows_the_recommended_rates(rows, expected):
    assert sample_size(rows, Config()) == expected


def test_sample_command_writes_reasons_and_is_deterministic(runner, tmp_path):
    outputs = []
    for name in ("a.csv", "b.csv"):
        out = tmp_path / name
        result = runner.invoke(app, ["sample", str(SAMPLES / "instructions.parquet"),
                                     "--config", str(SAMPLES / "qcaudit.toml"), "-o", str(out)])
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    review = pl.read_csv(tmp_path / "a.csv")
    assert review.height == 270 and review["row_id"].is_unique().all()
    assert {"row_id", "reason", "text", "review_label"} <= set(review.columns)
    reasons = review["reason"]
    assert reasons.str.starts_with("near duplicate").any() and reasons.str.starts_with("random").any()
    flagged = (~reasons.str.starts_with("random")).sum()
    assert flagged <= 135  # flagged rows take at most half the sample
    assert runner.invoke(app, ["sample", str(SAMPLES / "instructions.parquet"), "-o", str(tmp_path / "x.txt")]).exit_code == 2


def test_stratified_allocation_is_proportional_to_cluster_size():
    import numpy as np

    from qcaudit.sampling import _stratified

    rows = pl.DataFrame({"row_id": range(1000), "embedding_cluster": [0] * 600 + [1] * 300 + [2] * 100})
    picked = _stratified(rows, 100, "embedding_cluster", np.random.default_rng(0))
    assert dict(picked["embedding_cluster"].value_counts().iter_rows()) == {0: 60, 1: 30, 2: 10}
    assert picked["row_id"].is_unique().all()
