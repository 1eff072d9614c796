"""Near-duplicate detection: qcaudit's vectorised MinHash + LSH against a plain datasketch loop.

    python benchmarks/bench_dedup.py            # 1,000,000 rows (datasketch loop on a slice, extrapolated per row)
    python benchmarks/bench_dedup.py --quick    # 100,000 rows

Same rows for both: ~50 words each (the Zipfian corpus of bench_lexical), word 5-gram
shingles, 128 permutations, threshold 0.8. The datasketch side is the loop users write:
``MinHash(num_perm=128)``, ``update_batch`` with each row's shingles, ``MinHashLSH.insert``.
Also measures precision and recall on planted near duplicates at known Jaccard levels.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_lexical import make_corpus  # noqa: E402

from qcaudit.contamination.planting import near_duplicate_pairs, shingle_jaccard  # noqa: E402
from qcaudit.lexical import shingles  # noqa: E402
from qcaudit.minhash import lsh_clusters, optimal_bands, signatures  # noqa: E402
from qcaudit.text import Tokenization  # noqa: E402

console = Console(width=130)
NUM_PERM, THRESHOLD, SHINGLE = 128, 0.8, 5


def qcaudit_dedup(texts: pl.Series) -> tuple[float, np.ndarray]:
    start = time.perf_counter()
    tokens = Tokenization().tokens(texts)
    hashes, rows = shingles(tokens, SHINGLE)
    sigs = signatures(hashes, rows, len(texts), NUM_PERM, 1)
    bands, per_band = optimal_bands(THRESHOLD, NUM_PERM)
    clusters = lsh_clusters(sigs, bands, per_band, tokens.lengths > 0)
    return time.perf_counter() - start, clusters.cluster


def datasketch_loop(texts: list[str], batch: bool) -> float:
    """The loop users write; ``batch`` uses ``update_batch`` (one numpy pass per row) instead
    of ``update`` per shingle."""
    from datasketch import MinHash, MinHashLSH

    start = time.perf_counter()
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    for i, text in enumerate(texts):
        words = text.split()
        grams = [" ".join(words[j : j + SHINGLE]).encode() for j in range(max(len(words) - SHINGLE + 1, 1))]
        m = MinHash(num_perm=NUM_PERM)
        if batch:
            m.update_batch(grams)
        else:
            for gram in grams:
                m.update(gram)
        lsh.insert(i, m)
    return time.perf_counter() - start


def planted_accuracy(rng: np.random.Generator, n_pairs: int = 500) -> list[tuple[str, int, float, float, int]]:
    """Pairs of 60-word rows whose 5-shingle Jaccard is set by how many words are replaced."""
    results = []
    for edits in (0, 1, 2, 4, 8, 16):
        originals, copies = near_duplicate_pairs(edits, n_pairs, rng)
        _, cluster = qcaudit_dedup(pl.Series(originals + copies))
        jaccard = np.mean([shingle_jaccard(a, b, SHINGLE) for a, b in zip(originals, copies, strict=True)])
        found = (cluster[:n_pairs] == cluster[n_pairs:]).mean()
        false = (np.bincount(cluster[:n_pairs], minlength=2 * n_pairs)[:n_pairs] > 1).sum()  # originals merged together
        results.append((f"{edits} words replaced", n_pairs, float(jaccard), float(found), int(false)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--loop-rows", type=int, default=20_000, help="rows the datasketch loop runs on")
    args = parser.parse_args()
    rows = 100_000 if args.quick else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        make_corpus(rows, Path(tmp) / "corpus.parquet")
        texts = pl.read_parquet(Path(tmp) / "corpus.parquet")["text"]
    ours, _ = qcaudit_dedup(texts)
    ours_small, _ = qcaudit_dedup(texts[: args.loop_rows])
    small = texts[: args.loop_rows].to_list()
    loops = {"datasketch loop, update_batch": datasketch_loop(small, True),
             "datasketch loop, update": datasketch_loop(small, False)}
    table = Table(title=f"MinHash ({NUM_PERM} perms, word {SHINGLE}-grams) + LSH at {THRESHOLD}, same rows, same run")
    for column in ("rows", "tool", "seconds", "rows/s", "loop time / qcaudit time"):
        table.add_column(column, justify="left" if column == "tool" else "right")
    for name, seconds in loops.items():
        table.add_row(f"{args.loop_rows:,}", name, f"{seconds:.1f}", f"{args.loop_rows / seconds:,.0f}", "")
    table.add_row(f"{args.loop_rows:,}", "qcaudit", f"{ours_small:.2f}", f"{args.loop_rows / ours_small:,.0f}",
                  " / ".join(f"{s / ours_small:.1f}x" for s in loops.values()))
    table.add_row(f"{rows:,}", "qcaudit", f"{ours:.1f}", f"{rows / ours:,.0f}",
                  " / ".join(f"{(s / args.loop_rows) / (ours / rows):.1f}x per row" for s in loops.values()))
    console.print(table)
    accuracy = Table(title="Planted near duplicates (pairs of 60-word rows), threshold 0.8")
    for column in ("planted", "pairs", "mean Jaccard", "pairs clustered", "originals merged wrongly"):
        accuracy.add_column(column, justify="left" if column == "planted" else "right")
    for name, pairs, jaccard, found, false in planted_accuracy(np.random.default_rng(0)):
        accuracy.add_row(name, f"{pairs:,}", f"{jaccard:.3f}", f"{found:.1%}", f"{false}")
    console.print(accuracy)


if __name__ == "__main__":
    main()
