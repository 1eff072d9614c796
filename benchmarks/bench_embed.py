"""Embedding throughput: plain sentence-transformers against qcaudit's backends, and whole audits.

    python benchmarks/bench_embed.py            # GSM8K and Code Alpaca, this machine
    python benchmarks/bench_embed.py --rows 2000
    python benchmarks/bench_embed.py --device cuda --repeat 20   # a GPU: each corpus 20 times over
    python benchmarks/bench_embed.py --device cuda --repeat 20 --batch-sizes 32,128,512 --only rates

Per corpus, same texts, same run: rows per second of a user's own
``SentenceTransformer(all-MiniLM-L6-v2).encode`` (the reference), of qcaudit's encoder with
each backend (cache off), and the wall time of a whole ``qcaudit report`` semantic
contamination audit of GSM8K train against GSM8K test (a new process: cold cache; then with
only the exported model cached, as for a new dataset on the same machine; then warm) per
backend, against the reference's time to encode the same texts (before and after the audits,
the ratio to the mean of the two: on a shared machine it varies). The accuracy of each
backend on the contamination evaluation suite: ``bench_contamination.py suite --backend``.
On CUDA the backend is torch in fp16 and the reference runs twice, as a user would call it
(fp32) and halved (``model.half()``), so that the speed-up is not only half precision's;
``--batch-sizes`` runs qcaudit's encoder at each of several batch sizes (a column each).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from machine import cpu  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
BACKENDS = {"cpu": ("torch", "onnx-int8"), "cuda": ("torch",)}
console = Console(width=140)


def corpora(rows: int | None, repeat: int = 1) -> dict[str, list[str]]:
    gsm8k = pl.concat([
        pl.read_ndjson(DATA / "benchmarks/gsm8k/train.jsonl")["question"],
        pl.read_ndjson(DATA / "benchmarks/gsm8k/test.jsonl")["question"],
    ]).to_list()
    alpaca = ["\n".join(p for p in (r["instruction"], r["input"], r["output"]) if p)
              for r in json.loads((DATA / "corpora/codealpaca_4k.json").read_text())]
    return {"GSM8K train + test questions": _repeated(gsm8k[:rows], repeat), "Code Alpaca rows": _repeated(alpaca[:rows], repeat)}


def _repeated(texts: list[str], times: int) -> list[str]:
    """``texts`` ``times`` over, each copy numbered ("2. ...") so that no text repeats: the
    encoder embeds a repeated text once."""
    return [text if copy == 0 else f"{copy}. {text}" for copy in range(times) for text in texts]


def plain_rate(texts: list[str], device: str = "cpu", half: bool = False) -> float:
    from sentence_transformers import SentenceTransformer

    from qcaudit.embed import default_model_path

    model = SentenceTransformer(str(default_model_path()), device=device)
    if half:
        model.half()
    model.encode(texts[:64])
    start = time.perf_counter()
    model.encode(texts, batch_size=32)
    return len(texts) / (time.perf_counter() - start)


def qcaudit_rate(texts: list[str], backend: str, device: str = "cpu", batch_size: int = 32) -> float:
    from qcaudit.embed import Encoder

    encoder = Encoder(device=device, batch_size=batch_size, use_cache=False, runtime=backend)
    encoder.dimension  # load (and, for onnx-int8, export once into the cache)
    start = time.perf_counter()
    encoder.encode(pl.Series(texts))
    return len(texts) / (time.perf_counter() - start)


def audit_seconds(backend: str, cache: Path, out: Path, rows: Path, device: str = "cpu", batch_size: int = 32) -> float:
    """A whole semantic contamination audit in a new process, as a user runs it."""
    config = out.parent / f"{backend}-{batch_size}.toml"
    config.write_text(f'[embedding]\nbackend = "{backend}"\ndevice = "{device}"\nbatch_size = {batch_size}\n')
    command = [sys.executable, "-m", "qcaudit", "report", str(rows), "-b", f"gsm8k={DATA / 'benchmarks/gsm8k/test.jsonl'}",
               "--analyzers", "contamination", "--methods", "semantic", "--config", str(config), "--out", str(out), "-q"]
    start = time.perf_counter()
    subprocess.run(command, check=True, env={**os.environ, "QCAUDIT_CACHE_DIR": str(cache)})
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=None, help="texts per corpus (default: all)")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--repeat", type=int, default=1, help="each corpus this many times over (a GPU needs more texts)")
    parser.add_argument("--batch-sizes", help="qcaudit's encoder at each of these batch sizes, comma-separated (default: the device's)")
    parser.add_argument("--only", choices=("rates", "audits"), help="one of the two tables (default: both)")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"{DATA} is absent: this benchmark uses the real public data in ../shared/data")
    import torch

    if args.device == "cuda":
        if not torch.cuda.is_available():
            sys.exit("--device cuda: torch sees no CUDA device")
        where = f"{torch.cuda.get_device_name()} (torch {torch.__version__})"
    else:
        where = f"{cpu()} ({torch.get_num_threads()} threads)"
    backends = BACKENDS[args.device]
    if args.only != "audits":
        rates_table(args, backends, where)
    if args.only != "rates":
        audits_table(args, backends)


def rates_table(args: argparse.Namespace, backends: tuple[str, ...], where: str) -> None:
    sizes = batch_sizes(args)
    runs = [(backend, size) for backend in backends for size in sizes]
    column = {run: f"qcaudit {run[0]}" + (f" batch {run[1]}" if len(sizes) > 1 else "") for run in runs}
    references = {"sentence-transformers": False} | ({"s-t fp16": True} if args.device == "cuda" else {})
    rates = Table(title=f"Rows per second on {where}, cache off, same texts, same run ({time.strftime('%Y-%m-%d')})")
    for title in ("texts", "rows", *references, *column.values(), "best qcaudit / s-t"):
        rates.add_column(title, justify="left" if title == "texts" else "right")
    for name, texts in corpora(args.rows, args.repeat).items():
        reference = {label: shown(name, label, plain_rate(texts, args.device, half)) for label, half in references.items()}
        ours = {run: shown(name, column[run], qcaudit_rate(texts, run[0], args.device, run[1])) for run in runs}
        rates.add_row(name, f"{len(texts):,}", *(f"{r:,.0f}" for r in reference.values()), *(f"{ours[run]:,.0f}" for run in runs),
                      f"{max(ours.values()) / reference['sentence-transformers']:.2f}x")
    console.print(rates)


def shown(corpus: str, label: str, rate: float) -> float:
    """``rate``, printed as it comes (a long run shows its progress, and a run cut short keeps
    what it measured)."""
    console.print(f"{corpus}, {label}: {rate:,.0f} rows/s")
    return rate


def batch_sizes(args: argparse.Namespace) -> list[int]:
    from qcaudit.embed import DEFAULT_BATCH

    return [int(size) for size in args.batch_sizes.split(",")] if args.batch_sizes else [DEFAULT_BATCH[args.device]]


def audits_table(args: argparse.Namespace, backends: tuple[str, ...]) -> None:
    texts = corpora(args.rows)["GSM8K train + test questions"]
    before = len(texts) / plain_rate(texts, args.device)
    audits = Table(title="Whole semantic contamination audit, GSM8K train vs GSM8K test (new process)")
    for column in ("backend", "batch", "cold cache s", "model cached s", "warm cache s", "cold / s-t encode (mean)"):
        audits.add_column(column, justify="left" if column == "backend" else "right")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rows = tmp / "train.parquet"
        train = pl.read_ndjson(DATA / "benchmarks/gsm8k/train.jsonl").select(pl.col("question").alias("text"))
        train.head(args.rows or train.height).write_parquet(rows)
        for backend in backends:
            for size in batch_sizes(args):
                cache = tmp / f"cache-{backend}-{size}"
                cold = audit_seconds(backend, cache, tmp / f"cold-{backend}-{size}", rows, args.device, size)
                for entry in cache.iterdir():  # all but the exported model: a new dataset on this machine
                    if entry.is_dir() and entry.name != "onnx":
                        shutil.rmtree(entry)
                    elif entry.is_file():
                        entry.unlink()
                exported = audit_seconds(backend, cache, tmp / f"exported-{backend}-{size}", rows, args.device, size)
                warm = audit_seconds(backend, cache, tmp / f"warm-{backend}-{size}", rows, args.device, size)
                results.append((backend, str(size), cold, exported, warm))
    # The reference again after the audits: on a shared machine its time has varied by a
    # fifth between runs an hour apart, so the ratio is to the mean of the two.
    after = len(texts) / plain_rate(texts, args.device)
    for backend, size, cold, exported, warm in results:
        audits.add_row(backend, size, f"{cold:.1f}", f"{exported:.1f}", f"{warm:.1f}", f"{cold / ((before + after) / 2):.2f}")
    console.print(audits)
    console.print(f"sentence-transformers encode of the same {len(texts):,} texts (train + test): {before:.1f} s before the audits, "
                  f"{after:.1f} s after")


if __name__ == "__main__":
    main()
