"""Vectorised MinHash and LSH against datasketch."""

from __future__ import annotations

from unittest import mock

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcaudit import minhash
from qcaudit.lexical import shingles
from qcaudit.minhash import lsh_clusters, optimal_bands, signatures
from qcaudit.text import Tokenization


@settings(max_examples=40, deadline=None)
@given(
    texts=st.lists(st.lists(st.sampled_from("abcdefgh"), max_size=12).map(" ".join), min_size=1, max_size=10),
    num_perm=st.sampled_from([1, 16, 128]),
    seed=st.integers(0, 5),
    block=st.sampled_from([1, 3, 8, minhash.CACHE_BLOCK_SHINGLES]),
)
def test_signatures_equal_datasketch(texts, num_perm, seed, block):
    """Also with the signature loop's cache blocks cut small: blocks of one row, of several,
    and rows longer than a block."""
    from datasketch import MinHash

    tokens = Tokenization().tokens(pl.Series(texts, dtype=pl.String))
    hashes, rows = shingles(tokens, 5)
    with mock.patch.object(minhash, "CACHE_BLOCK_SHINGLES", block):
        got = signatures(hashes, rows, len(texts), num_perm, seed)
    for r in range(len(texts)):
        m = MinHash(num_perm=num_perm, seed=seed, hashfunc=lambda x: x)
        for h in hashes[rows == r]:
            m.update(int(h) & 0xFFFFFFFF)
        np.testing.assert_array_equal(got[r], m.hashvalues)


@pytest.mark.parametrize("threshold, num_perm", [(0.8, 128), (0.5, 64), (0.9, 256)])
def test_band_choice_equals_datasketch(threshold, num_perm):
    from datasketch.lsh import _optimal_param

    assert optimal_bands(threshold, num_perm) == _optimal_param(threshold, num_perm, 0.5, 0.5)


def test_lsh_clusters_match_datasketch_candidates():
    from datasketch import MinHash, MinHashLSH

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(300)]
    base = [" ".join(rng.choice(words, 40)) for _ in range(60)]
    texts = base + [b.rsplit(" ", 1)[0] + " edited" for b in base[:20]]  # last word changed: Jaccard 35/37
    tokens = Tokenization().tokens(pl.Series(texts))
    hashes, rows = shingles(tokens, 5)
    sigs = signatures(hashes, rows, len(texts), 128, 1)
    bands, r = optimal_bands(0.8, 128)
    clusters = lsh_clusters(sigs, bands, r, np.bincount(rows, minlength=len(texts)) > 0)

    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    for i, sig in enumerate(sigs):
        lsh.insert(i, MinHash(num_perm=128, seed=1, hashvalues=sig, scheme="affine32"))
    for i, sig in enumerate(sigs):
        for j in lsh.query(MinHash(num_perm=128, seed=1, hashvalues=sig, scheme="affine32")):
            assert clusters.cluster[i] == clusters.cluster[j]
    for i in range(20):  # each edited copy sits with its original
        assert clusters.cluster[60 + i] == i and clusters.size[i] == 2


def test_dedup_command_keeps_one_row_per_cluster(runner, tmp_path):
    import json

    from qcaudit.cli import app

    rng = np.random.default_rng(1)
    words = [f"w{i}" for i in range(500)]
    base = [" ".join(rng.choice(words, 30)) for _ in range(20)]
    texts = base + [base[0], base[1].upper(), base[2].rsplit(" ", 1)[0] + " edited"] + [None, ""]
    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": texts, "n": list(range(len(texts)))}).write_parquet(data)
    out = tmp_path / "clean.parquet"
    result = runner.invoke(app, ["dedup", str(data), "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["removed"] == 3
    kept, removed = pl.read_parquet(out), pl.read_parquet(tmp_path / "clean.removed.parquet")
    assert kept["n"].to_list() == list(range(20)) + [23, 24]  # rows without text are kept
    assert removed["row_id"].to_list() == [20, 21, 22] and removed["duplicate_of"].to_list() == [0, 1, 2]
    # a copy and a copy in other case are exact duplicates (the key is lower-cased); an edit is a near one
    assert removed["removed_by"].to_list() == ["exact_duplicate", "exact_duplicate", "near_duplicate"]


def planted_pairs(edits: int, n_pairs: int = 150, seed: int = 0) -> tuple[list[str], int]:
    from qcaudit.contamination.planting import near_duplicate_pairs

    originals, copies = near_duplicate_pairs(edits, n_pairs, np.random.default_rng(seed))
    return originals + copies, n_pairs


@pytest.mark.parametrize("edits, verify, low, high", [(0, False, 1.0, 1.0), (2, False, 0.0, 0.4), (2, True, 0.0, 0.4), (8, False, 0.0, 0.0)])
def test_planted_near_duplicates_at_known_jaccard(edits, verify, low, high):
    """Identical pairs always cluster; pairs at mean Jaccard ~0.72 (< 0.8) rarely do, and once
    verified only those whose exact Jaccard reaches 0.8; ~0.32 never; different originals
    are never merged."""
    from qcaudit.lexical import shingles as make_shingles
    from qcaudit.minhash import candidate_edges, components, jaccard_of_edges

    texts, n = planted_pairs(edits)
    tokens = Tokenization().tokens(pl.Series(texts))
    hashes, rows = make_shingles(tokens, 5)
    sigs = signatures(hashes, rows, len(texts), 128, 1)
    src, dst = candidate_edges(sigs, *optimal_bands(0.8, 128), tokens.lengths > 0)
    if verify:
        keep = jaccard_of_edges(src, dst, hashes, rows) >= 0.8
        src, dst = src[keep], dst[keep]
    clusters = components(len(texts), src, dst)
    together = (clusters.cluster[:n] == clusters.cluster[n:]).mean()
    assert low <= together <= high
    assert len(set(clusters.cluster[:n])) == n  # originals stay apart
    if verify:
        from qcaudit.contamination.planting import shingle_jaccard

        for i in np.flatnonzero(clusters.cluster[:n] == clusters.cluster[n:]):
            assert shingle_jaccard(texts[i], texts[n + i]) >= 0.8


def test_exact_jaccard_of_edges_equals_sets():
    from qcaudit.lexical import shingles as make_shingles
    from qcaudit.minhash import jaccard_of_edges

    texts = ["a b c d e f g", "a b c d e f h", "x y z w v u t", "a b c d e f g"]
    tokens = Tokenization().tokens(pl.Series(texts))
    hashes, rows = make_shingles(tokens, 3)
    got = jaccard_of_edges(np.array([1, 2, 3]), np.array([0, 0, 0]), hashes, rows)
    sets = [{tuple(t.split()[i : i + 3]) for i in range(5)} for t in texts]
    expected = [len(sets[i] & sets[0]) / len(sets[i] | sets[0]) for i in (1, 2, 3)]
    np.testing.assert_allclose(got, expected)
