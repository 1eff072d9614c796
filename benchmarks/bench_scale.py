"""The whole `qcaudit report --analyzers diversity,duplicates` at scale: wall time and peak RSS.

The corpus is parquet shards of 1,000,000 rows each (rows of 30-70 whitespace tokens, Zipfian
over 50,000 words: bench_lexical.py's corpus, one seed per shard). Each run is its own
process, timed from start to exit with the report written. Prints one table against the
budgets of the streaming engine (1,000,000 rows under 40 s; 10,000,000 rows under 15 minutes
and 8 GB peak RSS) and, for 1,000,000 rows, the same report with every batch size and memory
budget checked equal (metrics and rows.parquet).

    python benchmarks/bench_scale.py                    # 1M and 10M rows
    python benchmarks/bench_scale.py --shards 1         # 1M rows only
    python benchmarks/bench_scale.py --corpus DIR       # keep the shards in DIR
    python benchmarks/bench_scale.py --long-rows        # 83,333 rows of about 600 words
    python benchmarks/bench_scale.py --filter           # qcaudit dedup of 3 GB of wide rows
    python benchmarks/bench_scale.py --filter --wide-rows 120000   # of 6 GB
    python benchmarks/bench_scale.py --drift            # qcaudit drift of 2 and 4 generations of 1M rows

``--long-rows`` joins each 12 consecutive rows of the first shard into one (a chat's length,
not a question's): a batch of such rows ends at about 16 MB of them
(``qcaudit.io.BATCH_BYTES``), not at 250,000 rows; the same report comes from 5,000-row
batches.

``--filter`` writes a filter's output from an input larger than its text: 60,000 rows
(``--wide-rows``) of a short text (the first third's texts repeated in the other two
thirds) and a 50 KB column beside it, 3 GB of parquet. It runs
``qcaudit dedup`` into each output format and prints its peak RSS beside that of Polars
reading the input whole and writing it back, the floor of a filter that holds its rows in
memory; the kept rows are checked to be the input's rows that were not removed, in order.

``--drift`` runs ``qcaudit drift`` over the first 2, then 4 shards as generations (1,000,000
rows each), with the default settings and with a 512 MB budget, checked to give the same
metrics.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_lexical import make_corpus  # noqa: E402
from machine import cpu

ROWS_PER_SHARD = 1_000_000
BUDGETS = {1: (40.0, None), 10: (15 * 60.0, 8.0)}  # shards -> (seconds, peak RSS GB)


def shards(directory: Path, count: int) -> list[Path]:
    """``count`` shards of 1,000,000 rows, made once (seed = shard index)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = directory / f"part-{i:02d}.parquet"
        if not path.exists():
            make_corpus(ROWS_PER_SHARD, path, seed=i)
        paths.append(path)
    return paths


def first_shards(directory: Path, count: int) -> Path:
    """A directory of links to the first ``count`` shards (made once), the input of one run."""
    data = directory / f"first-{count}"
    data.mkdir(exist_ok=True)
    for path in shards(directory, count):
        if not (data / path.name).exists():
            (data / path.name).symlink_to(path)
    return data


def run_report(data: Path, out: Path, *extra: str) -> tuple[float, float]:
    """(wall seconds, peak RSS GB) of one whole `qcaudit report` process."""
    return timed([sys.executable, "-m", "qcaudit", "report", str(data), "--analyzers", "diversity,duplicates",
                  "--out", str(out), "-q", *extra])


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS GB) of one process running ``command``."""
    ran = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True)
    if ran.returncode != 0:
        raise SystemExit(ran.stderr)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", ran.stderr)
    hours, minutes, seconds = (float(g) if g else 0.0 for g in wall.groups())
    rss_kb = float(re.search(r"Maximum resident set size \(kbytes\): (\d+)", ran.stderr).group(1))
    return hours * 3600 + minutes * 60 + seconds, rss_kb / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shards", type=int, nargs="+", default=[1, 10], help="corpus sizes in shards of 1M rows")
    parser.add_argument("--corpus", type=Path, help="directory for the shards (default: a temporary one)")
    parser.add_argument("--long-rows", action="store_true", help="rows of about 600 words instead (see above)")
    parser.add_argument("--filter", action="store_true", help="qcaudit dedup of wide rows instead (see above)")
    parser.add_argument("--wide-rows", type=int, default=60_000, help="rows of --filter's input (3 GB at 60,000)")
    parser.add_argument("--drift", action="store_true", help="qcaudit drift of 1M-row generations instead (see above)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="qcaudit-scale-"))
    corpus = args.corpus or work / "corpus"
    if args.long_rows:
        long_rows(corpus, work)
        return
    if args.filter:
        filter_wide_rows(work, args.wide_rows)
        return
    if args.drift:
        drift_generations(corpus, work)
        return
    table = Table(title="qcaudit report --analyzers diversity,duplicates (whole process)")
    for column in ("rows", "engine settings", "seconds", "peak RSS GB", "budget", "within"):
        table.add_column(column, justify="right")
    for count in args.shards:
        data = shards(corpus, 1)[0] if count == 1 else first_shards(corpus, count)
        seconds, rss = run_report(data, work / f"report-{count}")
        budget_s, budget_gb = BUDGETS.get(count, (None, None))
        within = (budget_s is None or seconds <= budget_s) and (budget_gb is None or rss <= budget_gb)
        budget = " / ".join(part for part in (f"{budget_s:.0f} s" if budget_s else "", f"{budget_gb:.0f} GB" if budget_gb else "") if part)
        table.add_row(f"{count * ROWS_PER_SHARD:,}", "defaults", f"{seconds:.1f}", f"{rss:.2f}", budget, "yes" if within else "NO")
        if count == 1:  # the same report from small batches and a small budget that forces spills
            small_s, small_rss = run_report(data, work / "report-1-small", "--batch-rows", "100000", "--max-memory", "512MB")
            table.add_row(f"{ROWS_PER_SHARD:,}", "100k-row batches, 512 MB", f"{small_s:.1f}", f"{small_rss:.2f}", "", "")
            same = same_report(work / "report-1", work / "report-1-small")
            table.caption = f"1,000,000 rows: defaults and 100k batches/512 MB give {'the same' if same else 'DIFFERENT'} metrics and rows.parquet"
    Console().print(table)
    shutil.rmtree(work)  # reports and, unless --corpus was given, the shards


def long_rows(corpus: Path, work: Path) -> None:
    """The report of rows of about 600 words (12 short rows joined), defaults against
    5,000-row batches."""
    data = corpus / "long-rows.parquet"
    if not data.exists():
        short = pl.read_parquet(shards(corpus, 1)[0])
        short.group_by(pl.int_range(pl.len()) // 12, maintain_order=True).agg(pl.col("text").str.join(" ")).select(
            "text").write_parquet(data)
    rows = pl.scan_parquet(data).select(pl.len()).collect().item()
    table = Table(title=f"qcaudit report --analyzers diversity,duplicates, {rows:,} rows of about 600 words (whole process)")
    for column in ("engine settings", "seconds", "peak RSS GB"):
        table.add_column(column, justify="right")
    for name, extra in (("defaults", ()), ("5,000-row batches", ("--batch-rows", "5000"))):
        seconds, rss = run_report(data, work / name, *extra)
        table.add_row(name, f"{seconds:.1f}", f"{rss:.2f}")
    same = same_report(work / "defaults", work / "5,000-row batches")
    table.caption = f"{cpu()}; the two give {'the same' if same else 'DIFFERENT'} metrics and rows.parquet"
    Console().print(table)
    shutil.rmtree(work)


def drift_generations(corpus: Path, work: Path) -> None:
    """``qcaudit drift`` over 2 and 4 shards as generations, by default and within 512 MB."""
    table = Table(title="qcaudit drift, generations of 1,000,000 rows (whole process)")
    for column in ("generations", "engine settings", "seconds", "peak RSS GB"):
        table.add_column(column, justify="right")
    same = True
    for count in (2, 4):
        generations = [str(path) for path in shards(corpus, count)]
        reports = []
        for name, extra in (("defaults", ()), ("512 MB budget", ("--max-memory", "512MB"))):
            out = work / f"drift-{count}-{name.split()[0]}"
            seconds, rss = timed([sys.executable, "-m", "qcaudit", "drift", *generations, "--out", str(out), "-q", *extra])
            table.add_row(str(count), name, f"{seconds:.1f}", f"{rss:.2f}")
            reports.append(json.loads((out / "report.json").read_text())["metrics"])
        same = same and reports[0] == reports[1]
    table.caption = f"{cpu()}; the two settings give {'the same' if same else 'DIFFERENT'} metrics"
    Console().print(table)
    shutil.rmtree(work)


WIDE_BYTES = 50_000


def wide_rows(path: Path, rows: int) -> None:
    """``rows`` rows: a text of 30 words (the rows after the first third repeat its texts)
    and a column of :data:`WIDE_BYTES` bytes ending in the row's index; parquet row groups
    of 1,000 rows, uncompressed (3 GB for 60,000 rows), the wide column made as it is written."""
    rng = random.Random(0)
    words = [f"w{i}" for i in range(2_000)]
    texts = [" ".join(rng.choices(words, k=30)) for _ in range(rows // 3)]
    index = pl.DataFrame({"text": (texts * 4)[:rows], "i": range(rows)}).lazy()
    wide = index.select("text", payload=pl.concat_str(pl.lit("x" * WIDE_BYTES), pl.col("i").cast(pl.String)))
    wide.sink_parquet(path, compression="uncompressed", row_group_size=1_000)


def filter_wide_rows(work: Path, rows: int) -> None:
    """``qcaudit dedup`` of :func:`wide_rows` into each output format, against Polars
    reading the input whole and writing it back."""
    data = work / "wide.parquet"
    wide_rows(data, rows)
    size_gb = data.stat().st_size / 2**30
    table = Table(title=f"qcaudit dedup of {rows:,} rows beside a {WIDE_BYTES // 1000} KB column ({size_gb:.1f} GB "
                        "of parquet; whole process)")
    for column in ("writes", "seconds", "peak RSS GB", "RSS / input size", "kept rows right"):
        table.add_column(column, justify="right")
    whole = work / "whole.parquet"
    floor_s, floor_rss = timed([sys.executable, "-c", f"import polars as pl; pl.read_parquet({str(data)!r}).write_parquet({str(whole)!r})"])
    table.add_row("Polars: read whole, written back (no filter)", f"{floor_s:.1f}", f"{floor_rss:.2f}", f"{floor_rss / size_gb:.2f}", "")
    whole.unlink()
    for suffix in ("parquet", "jsonl", "json", "csv.gz"):
        kept, removed = work / f"kept.{suffix}", work / f"removed.{suffix}"
        seconds, rss = timed([sys.executable, "-m", "qcaudit", "dedup", str(data), "-o", str(kept), "--removed", str(removed), "-q"])
        table.add_row(f"qcaudit dedup -o kept.{suffix}", f"{seconds:.1f}", f"{rss:.2f}", f"{rss / size_gb:.2f}",
                      "yes" if kept_right(kept, removed, rows) else "NO")
        kept.unlink()
        removed.unlink()
    table.caption = f"{cpu()}; kept rows right: the input's rows less the removed ones' row_id, in order"
    Console().print(table)
    shutil.rmtree(work)


def kept_right(kept: Path, removed: Path, rows: int) -> bool:
    """Whether ``kept`` holds the input's rows whose index ``removed`` does not name, in order
    (each row's index read from the end of its wide column)."""
    def read(path: Path, columns: list[str]) -> pl.DataFrame:
        return (pl.read_parquet(path, columns=columns) if path.suffix == ".parquet" else
                pl.read_ndjson(path).select(columns) if path.suffix == ".jsonl" else
                pl.read_json(path).select(columns) if path.suffix == ".json" else pl.read_csv(path, columns=columns))

    gone = set(read(removed, ["row_id"])["row_id"].to_list())
    index = read(kept, ["payload"])["payload"].str.slice(WIDE_BYTES).cast(pl.Int64).to_list()
    return index == [i for i in range(rows) if i not in gone]


def same_report(a: Path, b: Path) -> bool:
    metrics = [json.loads((d / "report.json").read_text())["metrics"] for d in (a, b)]
    return metrics[0] == metrics[1] and pl.read_parquet(a / "rows.parquet").equals(pl.read_parquet(b / "rows.parquet"))


if __name__ == "__main__":
    main()
