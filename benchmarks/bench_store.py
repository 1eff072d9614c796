"""The cache store's bytes on disk and speed, against its layout before 2026-12-01.

    python benchmarks/bench_store.py              # 20,000 vectors each of 384, 768 and 1,024 dimensions
    python benchmarks/bench_store.py --rows 5000

Both layouts run through the same :class:`qcaudit.store.VectorStore` code, in a cache
directory of their own: the earlier one is the table without rowids (``WITHOUT ROWID``) on
SQLite's default 4,096-byte pages that ``store.sqlite3`` held, where a row of more than
about 1 KB spills into an overflow page of its own; the current one is a rowid table on
65,536-byte pages (:data:`qcaudit.store._PAGE_SIZE`). ``put`` writes the vectors in batches
of 2,000, as a run's embedding batches are written; ``get`` reads every second key back in
one call, as a warm run does (and marks them used, which rewrites their pages once a day).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import cpu

from qcaudit import store

EARLIER = {"schema": store._SCHEMA.replace("PRIMARY KEY (space, key))", "PRIMARY KEY (space, key)) WITHOUT ROWID"),
           "page_size": 4096}
CURRENT = {"schema": store._SCHEMA, "page_size": store._PAGE_SIZE}
SPACE = "embedding/0123456789abcdef01234567/onnx-int8"
BATCH = 2000


def measure(layout: dict, rows: int, dimension: int) -> tuple[float, float, float]:
    """(seconds to put, seconds to get half back, bytes on disk per vector byte)."""
    rng = np.random.default_rng(0)
    keys = rng.integers(0, 2**64 - 1, rows, dtype=np.uint64, endpoint=True)
    vectors = rng.standard_normal((rows, dimension)).astype(np.float32)
    saved = store._SCHEMA, store._PAGE_SIZE
    store._SCHEMA, store._PAGE_SIZE = layout["schema"], layout["page_size"]
    try:
        with tempfile.TemporaryDirectory() as directory:
            os.environ["QCAUDIT_CACHE_DIR"] = directory
            vector_store = store.VectorStore(SPACE, dimension, "embedding")
            start = time.perf_counter()
            for i in range(0, rows, BATCH):
                vector_store.put(keys[i : i + BATCH], vectors[i : i + BATCH])
            put = time.perf_counter() - start
            start = time.perf_counter()
            found, _ = vector_store.get(keys[::2])
            get = time.perf_counter() - start
            assert found.all()
            store.compact()
            ratio = store.file_bytes() / vectors.nbytes
    finally:
        store._SCHEMA, store._PAGE_SIZE = saved
    return put, get, ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    table = Table(title=f"Cache store, {args.rows:,} vectors ({cpu()}, {time.strftime('%Y-%m-%d')})")
    for column in ("dimensions", "layout", "put s", "get (half) s", "disk / vector bytes"):
        table.add_column(column, justify="left" if column == "layout" else "right")
    for dimension in (384, 768, 1024):
        for name, layout in (("before (WITHOUT ROWID, 4 KB pages)", EARLIER), ("now (rowid table, 64 KB pages)", CURRENT)):
            put, get, ratio = measure(layout, args.rows, dimension)
            table.add_row(str(dimension), name, f"{put:.2f}", f"{get:.3f}", f"{ratio:.2f}")
    Console(width=130).print(table)


if __name__ == "__main__":
    main()
