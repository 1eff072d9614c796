"""The rows a filter keeps and removes: each input row in one of the two, in order, the
removed with their own reasons beside them (hypothesis against a plain-Python reference),
picked without a join; and an input that changes while they are written is one line."""

from __future__ import annotations

import json

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from qcaudit import filtering
from qcaudit.columns import INPUT_ROW_ID, ROW_ID
from qcaudit.filtering import DROP, _kept_and_removed, _reason_clashes
from qcaudit.io import load_dataset
from tests.test_hostile_inputs import (  # noqa: F401  (qc: a fixture)
    no_temporaries,
    one_line_error,
    qc,
    texts,
    write_jsonl,
)


def _verdicts(drop: list[bool], why: list[str], of: list[int | None]) -> pl.DataFrame:
    return pl.DataFrame({ROW_ID: pl.Series(range(len(drop)), dtype=pl.UInt32), DROP: drop,
                         "removed_by": [w if d else None for w, d in zip(why, drop, strict=True)],
                         "duplicate_of": pl.Series([o if d else None for o, d in zip(of, drop, strict=True)], dtype=pl.Int64)})


@settings(max_examples=80, deadline=None)
@given(drop=st.lists(st.booleans(), min_size=1, max_size=60), data=st.data(),
       own=st.sets(st.sampled_from([ROW_ID, "removed_by"])))
def test_kept_and_removed_rows_are_the_inputs_rows_in_order_each_removed_with_its_own_reasons(drop, data, own):
    """``own``: input columns named as qcaudit's row id or a reason (renamed in the removed
    rows, as they are read). A reason set beside the wrong row, a row in both or neither,
    or rows out of order fail here."""
    n = len(drop)
    why = data.draw(st.lists(st.sampled_from(["exact_duplicate", "near_duplicate"]), min_size=n, max_size=n))
    of = data.draw(st.lists(st.integers(0, 99), min_size=n, max_size=n))
    rows = [{"text": f"text {i}", "n": i * 3, **{name: f"own {name} {i}" for name in sorted(own)}} for i in range(n)]
    dataset = load_dataset(pl.DataFrame(rows))
    verdicts = _verdicts(drop, why, of)
    clashes = _reason_clashes(dataset, verdicts)
    kept, removed = (frame.collect() for frame in _kept_and_removed(dataset, verdicts, clashes))
    as_removed = {ROW_ID: INPUT_ROW_ID, "removed_by": "input_removed_by"}
    assert kept.to_dicts() == [row for row, gone in zip(rows, drop, strict=True) if not gone]
    assert removed.to_dicts() == [{ROW_ID: i, **{as_removed.get(k, k): v for k, v in row.items()},
                                   "removed_by": why[i], "duplicate_of": of[i]}
                                  for i, (row, gone) in enumerate(zip(rows, drop, strict=True)) if gone]


def test_kept_and_removed_rows_are_picked_by_row_id_not_joined(tmp_path):
    """While a filter's files were written, Polars' streaming join with the verdicts held
    far more of a wide input's rows than a filter on the row id beside a zip of the reasons
    (``python benchmarks/bench_scale.py --filter`` measures it; no timing here)."""
    data = tmp_path / "data.parquet"
    pl.DataFrame({"text": texts(20)}).write_parquet(data)
    dataset = load_dataset(data)
    verdicts = _verdicts([i % 3 == 0 for i in range(20)], ["exact_duplicate"] * 20, list(range(20)))
    for rows in _kept_and_removed(dataset, verdicts, {}):
        assert "JOIN" not in rows.explain(), rows.explain()


def test_an_input_that_loses_a_row_while_its_rows_are_written_is_one_line(qc, tmp_path, monkeypatch):  # noqa: F811
    """The removed rows and their reasons are zipped: rows gone since the audit leave the two
    of different heights, which Polars refuses mid-write; that is said as the change it is,
    and nothing is written."""
    data = write_jsonl(tmp_path / "data.jsonl", [json.dumps({"text": t}) for t in texts(30) + texts(10)])
    written = filtering.write_rows

    def after_a_rewrite(rows, tmp, path, *args, **kwargs):
        write_jsonl(data, [json.dumps({"text": t}) for t in texts(30) + texts(5)])
        return written(rows, tmp, path, *args, **kwargs)

    monkeypatch.setattr(filtering, "write_rows", after_a_rewrite)
    one_line_error(qc("dedup", data, "-o", tmp_path / "kept.parquet", "-q"), f"{data} changed while it was read")
    assert not list(tmp_path.glob("kept*"))
    no_temporaries(tmp_path)
