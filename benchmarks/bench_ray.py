"""The Ray engine against the local one: `qcaudit report --analyzers diversity,duplicates` on
the same shards, wall time and peak memory per process, and whether the reports are equal.

The corpus is bench_scale.py's (parquet shards of 1,000,000 rows of 30-70 Zipfian tokens).
Each run is its own `qcaudit report` process; Ray runs start a local Ray for the run with
`--ray-workers` actors. Memory is sampled from /proc every 0.2 s over the whole process tree
(the driver, Ray's own services and the actors): the driver's peak, the largest single
actor's peak, and the peak of the tree's sum. Prints one table; the last column says whether
report.json's metrics and rows.parquet equal the local engine's.

Each Ray run is made twice: with the global passes through Ray Data's shuffle
(``[engine] ray_shuffle = "on"``) and with their tables sent to the driver (``"off"``, what
``auto`` does on this one-node Ray).

    python benchmarks/bench_ray.py                      # 1M rows: local, Ray with 1 and 2 actors
    python benchmarks/bench_ray.py --shards 1 10        # and 10M rows
    python benchmarks/bench_ray.py --corpus DIR         # keep the shards in DIR
    python benchmarks/bench_ray.py --shards 10 --workers 2 --shuffle on
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import ROWS_PER_SHARD, first_shards, same_report  # noqa: E402

PAGE = 4096


def _children() -> dict[int, list[int]]:
    tree = defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree[int(fields[1])].append(int(stat.parent.name))
    return tree


def _rss(pid: int) -> tuple[int, str]:
    """(resident bytes, process name) of ``pid``; (0, "") once it is gone."""
    try:
        statm = Path(f"/proc/{pid}/statm").read_text().split()
        name = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return 0, ""
    return int(statm[1]) * PAGE, name


class TreeMemory(threading.Thread):
    """Peak RSS of a process and its descendants, sampled until it exits."""

    def __init__(self, root: int):
        super().__init__(daemon=True)
        self.root, self.done = root, threading.Event()
        self.peak_by_pid: dict[int, tuple[int, str]] = {}
        self.peak_total = 0

    def run(self) -> None:
        while not self.done.is_set():
            tree, pids, total = _children(), [self.root], 0
            for pid in pids:
                pids.extend(tree.get(pid, []))
                rss, name = _rss(pid)
                total += rss
                if rss > self.peak_by_pid.get(pid, (0, ""))[0]:
                    self.peak_by_pid[pid] = (rss, name)
            self.peak_total = max(self.peak_total, total)
            time.sleep(0.2)

    def peaks(self) -> tuple[float, float, float]:
        """GB: (the driver, the largest Ray worker process: actor or task, the whole tree at once)."""
        driver = self.peak_by_pid.get(self.root, (0, ""))[0]
        actors = [rss for rss, name in self.peak_by_pid.values() if "MapWorker" in name or "ray::" in name]
        return driver / 2**30, max(actors, default=0) / 2**30, self.peak_total / 2**30


def run_report(data: Path, out: Path, *extra: str) -> tuple[float, tuple[float, float, float]]:
    command = [sys.executable, "-m", "qcaudit", "report", str(data), "--analyzers", "diversity,duplicates",
               "--out", str(out), "-q", *extra]
    start = time.perf_counter()
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    memory = TreeMemory(process.pid)
    memory.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - start
    memory.done.set()
    memory.join()
    if process.returncode != 0:
        raise SystemExit(stderr)
    return seconds, memory.peaks()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shards", type=int, nargs="+", default=[1], help="corpus sizes in shards of 1M rows")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="Ray actor counts to run")
    parser.add_argument("--corpus", type=Path, help="directory for the shards (default: a temporary one)")
    parser.add_argument("--shuffle", nargs="+", choices=["on", "off"], default=["on", "off"],
                        help="[engine] ray_shuffle settings to run")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="qcaudit-ray-"))
    corpus = args.corpus or work / "corpus"
    table = Table(title="qcaudit report --analyzers diversity,duplicates: local vs Ray (whole process tree)")
    for column in ("rows", "engine", "seconds", "vs local", "driver GB", "largest Ray worker GB", "all processes GB", "same report"):
        table.add_column(column, justify="right")
    for count in args.shards:
        data = first_shards(corpus, count)
        rows = f"{count * ROWS_PER_SHARD:,}"
        local_out = work / f"local-{count}"
        local_s, (driver, _, total) = run_report(data, local_out)
        table.add_row(rows, "local", f"{local_s:.1f}", "1.00", f"{driver:.2f}", "—", f"{total:.2f}", "—")
        for workers, shuffle in itertools.product(args.workers, [choice == "on" for choice in args.shuffle]):
            out = work / f"ray-{count}-{workers}-{shuffle}"
            config = work / f"shuffle-{shuffle}.toml"
            config.write_text(f"[engine]\nray_shuffle = \"{'on' if shuffle else 'off'}\"\n")
            seconds, (driver, actor, total) = run_report(data, out, "--engine", "ray", "--ray-workers", str(workers),
                                                         "--config", str(config))
            how = "shuffle" if shuffle else "tables to the driver"
            table.add_row(rows, f"ray, {workers} actor{'s' * (workers > 1)}, {how}", f"{seconds:.1f}", f"{seconds / local_s:.2f}",
                          f"{driver:.2f}", f"{actor:.2f}", f"{total:.2f}", "yes" if same_report(local_out, out) else "NO")
            shutil.rmtree(out)
        shutil.rmtree(local_out)
    Console(width=150).print(table)
    shutil.rmtree(work)  # reports and, unless --corpus was given, the shards


if __name__ == "__main__":
    main()
