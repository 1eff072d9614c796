"""The sort behind diversity's n-gram counting: numpy's against the Polars sort qcaudit uses.

``qcaudit.lexical`` counts n-grams by sorting 64-bit keys (an n-gram hash with the row in
its low bits) and the hashes alone; a profile of the 1,000,000-row report found two fifths
of its time there while numpy sorted them. Hashes are uniform, so the keys here are seeded
uniform 64-bit integers. Same keys, same run, best of three; the two results are checked equal.

    python benchmarks/bench_ngram_sort.py               # 10 and 40 million keys
    python benchmarks/bench_ngram_sort.py --keys 1000000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from machine import cpu  # noqa: E402

from qcaudit.lexical import _sorted  # noqa: E402  (the sort the counting calls)


def best_of(runs: int, sort, keys: np.ndarray) -> tuple[float, np.ndarray]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = sort(keys)
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, nargs="+", default=[10_000_000, 40_000_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    table = Table(title=f"Sorting n-gram keys on {cpu()} ({time.strftime('%Y-%m-%d')})")
    for column in ("keys", "numpy np.sort s", "qcaudit (Polars) s", "numpy / qcaudit", "equal"):
        table.add_column(column, justify="right")
    for count in args.keys:
        keys = np.random.default_rng(0).integers(0, 2**64 - 1, count, dtype=np.uint64)
        numpy_s, by_numpy = best_of(args.runs, np.sort, keys)
        ours_s, by_ours = best_of(args.runs, _sorted, keys)
        table.add_row(f"{count:,}", f"{numpy_s:.2f}", f"{ours_s:.2f}", f"{numpy_s / ours_s:.1f}x", str(np.array_equal(by_numpy, by_ours)))
    Console(width=140).print(table)


if __name__ == "__main__":
    main()
