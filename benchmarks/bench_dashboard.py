"""Dashboard responsiveness on a 1,000,000-row report.

    python benchmarks/bench_dashboard.py [--rows 1000000]

Audits the Zipfian corpus of bench_lexical (diversity + duplicates) into a report directory,
then drives the app with streamlit.testing's AppTest (the same script runs in the browser)
and times each interaction: open the report (Overview), each page, a filter on the Rows page,
paging, and a text search. Every time is a full script rerun, what a user waits for.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

from rich.console import Console
from rich.table import Table
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_lexical import make_corpus  # noqa: E402

from qcaudit.config import load_config  # noqa: E402
from qcaudit.dashboards.data import ENV  # noqa: E402
from qcaudit.pipeline import audit  # noqa: E402

APP = str(resources.files("qcaudit.dashboards").joinpath("app.py"))


def timed(label: str, action, results: list) -> AppTest:
    start = time.perf_counter()
    at = action()
    results.append((label, time.perf_counter() - start))
    if at.exception:
        raise SystemExit(f"{label}: {at.exception}")
    return at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus, out = Path(tmp) / "corpus.parquet", Path(tmp) / "report"
        make_corpus(args.rows, corpus)
        start = time.perf_counter()
        audit(corpus, load_config(None, {"analyzers": ["diversity", "duplicates"]})).write(out)
        audit_s = time.perf_counter() - start
        os.environ[ENV] = str(out)
        results: list[tuple[str, float]] = []
        at = AppTest.from_file(APP, default_timeout=600)
        timed("open the report (Overview)", at.run, results)
        for page in ("Diversity", "Duplicates", "Rows"):
            timed(f"page: {page}", lambda p=page: at.sidebar.radio(key="page").set_value(p).run(), results)
        timed("Rows: choose a filter column", lambda: at.multiselect[0].set_value(["near_dup_size"]).run(), results)
        timed("Rows: filter near_dup_size >= 2", lambda: at.number_input(key="lo_near_dup_size").set_value(2.0).run(), results)
        timed("Rows: go to page 10", lambda: at.number_input[-1].set_value(10).run(), results)
        timed("Rows: text contains 'w17 w3'", lambda: at.text_input[-1].set_value("w17 w3").run(), results)
    table = Table(title=f"Dashboard on a {args.rows:,}-row report (audit took {audit_s:.0f} s, not counted)")
    table.add_column("interaction")
    table.add_column("seconds", justify="right")
    for label, seconds in results:
        table.add_row(label, f"{seconds:.2f}")
    Console(width=120).print(table)


if __name__ == "__main__":
    main()
