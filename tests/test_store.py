"""The cache store: round trips, least-recently-used eviction under the size limit, the CLI."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from qcaudit import store
from qcaudit.cli import app
from qcaudit.store import VectorStore


@settings(max_examples=20, deadline=None)
@given(keys=st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=40, unique=True), seed=st.integers(0, 99))
def test_vectors_come_back_as_stored_and_only_in_their_space(tmp_path_factory, keys, seed):
    import os

    os.environ["QCAUDIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("store"))
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(len(keys), 8)).astype(np.float32)
    held = np.array(keys, dtype=np.uint64)
    VectorStore("a", 8, "test").put(held[::2], vectors[::2])
    found, got = VectorStore("a", 8, "test").get(held)
    assert found.tolist() == [i % 2 == 0 for i in range(len(keys))]
    assert np.array_equal(got[::2], vectors[::2]) and not got[1::2].any()
    assert not VectorStore("b", 8, "test").get(held)[0].any()


def test_the_least_recently_used_entries_go_first_when_the_store_is_too_big(tmp_path, monkeypatch):
    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("QCAUDIT_CACHE_MAX_MB", "100")
    old, new = np.arange(2000, dtype=np.uint64), np.arange(2000, 4000, dtype=np.uint64)
    vectors = np.ones((2000, 384), dtype=np.float32)
    space = VectorStore("embedding/m/torch-fp32", 384, "embedding")
    space.put(old, vectors)
    with sqlite3.connect(store.store_path()) as db:
        db.execute("UPDATE entries SET used = 0")  # used long ago
    space.put(new, vectors)
    store.compact()
    size = store._file_bytes()
    assert 6 * 2**20 < size  # 4,000 vectors of 1.5 KB, under the 100 MB limit: nothing dropped
    assert space.get(old)[0].all()
    monkeypatch.setenv("QCAUDIT_CACHE_MAX_MB", str(size / 2**20 * 0.7))
    deleted = store.enforce_limit()
    assert deleted > 0 and store._file_bytes() <= size * 0.7
    found_old, found_new = space.get(old)[0], space.get(new)[0]
    assert not found_old.any() or found_new.all()  # the recently used survive the longest
    assert found_new.sum() > found_old.sum()


def test_cache_info_and_clear(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path / "c"))
    VectorStore("judge/x", 1, "judge").put(np.arange(5, dtype=np.uint64), np.zeros((5, 1)))
    result = runner.invoke(app, ["cache", "info", "--json"])
    assert result.exit_code == 0, result.output
    facts = json.loads(result.output)
    assert facts["integrity"] == "ok" and facts["spaces"] == [{"space": "judge/x", "entries": 5, "bytes": 20}]
    assert runner.invoke(app, ["cache", "clear"]).exit_code == 0 and not (tmp_path / "c").exists()
    assert json.loads(runner.invoke(app, ["cache", "info", "--json"]).output)["integrity"] == "absent"
