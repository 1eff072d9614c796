"""The reward-model filter audit: each strategy keeps exactly the rows a plain-Python
reference keeps (hypothesis over scores with ties and strata); the audit and `qcaudit filter`
agree with the scores the reward model gives."""

from __future__ import annotations

import json
import math
from collections import defaultdict

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

from qcaudit import audit
from qcaudit.config import load_config
from qcaudit.rm_filter import STRATUM, keep_mask
from tests.test_hostile_inputs import qc  # noqa: F401  (a fixture)
from tests.test_reward import _reward_model, _rows


def _reference(rows: list[tuple[int, float, str]], strategy: str, top_k: float, threshold: float | None) -> list[bool]:
    """rows: (row_id, score, stratum)."""
    if strategy == "absolute":
        cut = float(np.median([s for _, s, _ in rows])) if threshold is None else threshold
        return [s > cut for _, s, _ in rows]
    groups = defaultdict(list)
    for i, (row_id, score, stratum) in enumerate(rows):
        groups[stratum if strategy == "stratified" else ""].append((-score, row_id, i))
    kept = set()
    for members in groups.values():
        kept |= {i for _, _, i in sorted(members)[: math.ceil(len(members) * top_k / 100)]}
    return [i in kept for i in range(len(rows))]


@settings(max_examples=60, deadline=None)
@given(scores=st.lists(st.sampled_from([0.0, 0.5, 1.0, -2.0, 3.25, 7.0]), min_size=1, max_size=40),
       strata=st.lists(st.sampled_from("abc"), min_size=40, max_size=40),
       strategy=st.sampled_from(["absolute", "top_k", "stratified"]), top_k=st.sampled_from([1.0, 10.0, 30.0, 50.0, 100.0]),
       threshold=st.sampled_from([None, 0.5]), seed=st.integers(0, 1000))
def test_each_strategy_keeps_what_a_plain_reference_keeps(scores, strata, strategy, top_k, threshold, seed):
    row_ids = np.random.default_rng(seed).permutation(1000)[: len(scores)].tolist()  # not in score or id order
    rows = list(zip(row_ids, scores, strata[: len(scores)], strict=True))
    frame = pl.DataFrame({"row_id": row_ids, "score": scores, STRATUM: strata[: len(scores)]})
    assert keep_mask(frame, strategy, "score", top_k, threshold).tolist() == _reference(rows, strategy, top_k, threshold)


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    root = tmp_path_factory.mktemp("rm")
    model = _reward_model(root / "rm", pad=True, template=False)
    frame = _rows(60).with_columns(pl.Series("category", ["math", "code", "chat"] * 20))
    data = root / "sft.parquet"
    frame.write_parquet(data)
    return model, data, frame


def test_the_audit_reports_every_strategy_both_ways(scored):
    model, data, frame = scored
    report = audit(data, load_config(None, {"analyzers": ["reward"], "reward.model": str(model), "input.prompt": ["instruction"],
                                            "input.response": "output", "input.text_column": "output", "reward.audit_sample": 12}))
    records = report.tables["reward"]["filter_audit"]
    assert [(r["strategy"], r["ranked_by"]) for r in records] == [
        (s, k) for s in ("absolute", "top_k", "stratified") for k in ("score", "length-adjusted score")]
    assert report.tables["reward"]["filter_strata"] == "category"
    rows = report.rows
    top = rows.sort(["reward_score", "row_id"], descending=[True, False]).head(math.ceil(60 * 0.3))
    assert rows.filter(pl.col("rm_filter_keep"))["row_id"].sort().to_list() == top["row_id"].sort().to_list()
    top_k = next(r for r in records if r["strategy"] == "top_k" and r["ranked_by"] == "score")
    assert top_k["kept"] == 18 and top_k["tokens_after"] == pytest.approx(top["response_tokens"].mean())
    assert top_k["tokens_before"] == pytest.approx(rows["response_tokens"].mean()) and top_k["sample"] == 12
    assert report.value("reward.rm_filter_length_ratio.top_k") == pytest.approx(top_k["tokens_after"] / top_k["tokens_before"])
    stratified = next(r for r in records if r["strategy"] == "stratified" and r["ranked_by"] == "score")
    assert stratified["kept"] == 3 * math.ceil(20 * 0.3) and stratified["entropy_after"] == pytest.approx(math.log(3))


def test_filter_writes_the_kept_and_removed_rows(qc, scored, tmp_path):  # noqa: F811
    model, data, frame = scored
    kept, removed = tmp_path / "kept.parquet", tmp_path / "kept.removed.parquet"
    ran = qc("filter", data, "--reward-model", model, "--prompt-fields", "instruction", "--response-field", "output",
             "--text-column", "output", "--strategy", "stratified", "--top-k", "50", "-o", kept)
    assert ran.code == 0, ran.err
    written, dropped = pl.read_parquet(kept), pl.read_parquet(removed)
    assert written.columns == frame.columns and written.height == 30 and dropped.height == 30
    assert written["category"].value_counts()["count"].to_list() == [10, 10, 10]
    assert set(dropped.columns) >= {"reward_score", "removed_by"}
    import qcaudit  # (the same filter from Python, on the rows in memory)

    in_memory = qcaudit.filter(frame, text_column="output", settings={
        "reward.model": str(model), "input.prompt": ["instruction"], "input.response": "output",
        "reward.filter_strategy": "stratified", "reward.top_k": 50})
    assert in_memory.kept.equals(written) and in_memory.removed.equals(dropped)
    assert json.loads(qc("filter", data, "--reward-model", model, "--response-field", "output", "--prompt-fields", "instruction",
                         "--text-column", "output", "--strategy", "absolute", "--reward-threshold", "1e9", "-o", kept,
                         "--json").out)["kept"] == 0


def test_filtering_preference_pairs_asks_for_the_response_to_score(qc, scored, tmp_path):  # noqa: F811
    """Pairs found by name do not switch the reward analyzer off under the filter that needs it."""
    model, _, _ = scored
    pairs = tmp_path / "pairs.parquet"
    pl.DataFrame({"prompt": ["p"] * 8, "chosen": [f"good {i}" for i in range(8)], "rejected": ["bad"] * 8}).write_parquet(pairs)
    ran = qc("filter", pairs, "--reward-model", model, "-o", tmp_path / "kept.parquet")
    assert ran.code == 2 and "needs each row's response: give --response-field (or a chat messages column, or conversations" in " ".join(
        ran.err.split()), ran.err
    assert not (tmp_path / "kept.parquet").exists()
