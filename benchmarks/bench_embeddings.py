"""Embedding diversity over 1,000,000 precomputed 384-d embeddings: Vendi (q = 1, 2, inf),
mean pairwise cosine and faiss k-means cluster balance, as the embeddings analyzer runs them.

    python benchmarks/bench_embeddings.py [--rows 1000000]

The reference timing is vendi-score's ``score_dual`` (the same d x d route) on the same
matrix; its ``score_K`` (the n x n kernel) cannot run at this size.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from rich.console import Console
from rich.table import Table

from qcaudit.analyzers.embeddings import _kmeans, cluster_count
from qcaudit.geometry import cosine_moments, mean_cosine_from_moments, vendi_from_moments
from qcaudit.signatures import shannon_entropy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(50, 384)).astype(np.float32)
    X = centres[rng.integers(0, 50, args.rows)] + rng.normal(scale=0.8, size=(args.rows, 384)).astype(np.float32)

    timings, values = {}, {}
    start = time.perf_counter()
    gram, total, n = cosine_moments(X)
    values["vendi_1"] = vendi_from_moments(gram, n, 1.0)
    values["vendi_2"] = vendi_from_moments(gram, n, 2.0)
    values["vendi_inf"] = vendi_from_moments(gram, n, math.inf)
    values["mean_pairwise_cosine"] = mean_cosine_from_moments(gram, total, n)
    timings["Vendi (3 orders) + mean cosine"] = time.perf_counter() - start
    start = time.perf_counter()
    k = cluster_count(n)
    labels, _ = _kmeans(X, k, 0)
    sizes = np.bincount(labels, minlength=k)
    values[f"cluster_entropy_normalized (k={k})"] = shannon_entropy(sizes) / math.log(k)
    timings[f"faiss k-means, k={k}, + balance"] = time.perf_counter() - start

    from vendi_score import vendi

    start = time.perf_counter()
    reference = vendi.score_dual(X, q=1)
    timings["vendi-score score_dual (q=1 only)"] = time.perf_counter() - start

    table = Table(title=f"{args.rows:,} x 384 embeddings, 2-core machine")
    table.add_column("step")
    table.add_column("seconds", justify="right")
    for name, seconds in timings.items():
        table.add_row(name, f"{seconds:.1f}")
    ours = sum(v for k_, v in timings.items() if not k_.startswith("vendi-score"))
    table.add_row("qcaudit total (budget 60 s)", f"{ours:.1f}")
    Console(width=120).print(table)
    Console(width=120).print({**{k_: round(v, 6) for k_, v in values.items()}, "vendi-score score_dual": round(float(reference), 6)})


if __name__ == "__main__":
    main()
