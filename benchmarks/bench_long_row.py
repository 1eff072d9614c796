"""One very long row: what the encoder's tokenizer and a semantic contamination audit cost for it.

    python benchmarks/bench_long_row.py                    # rows of 1 and 3 MB; the audit of the 3 MB one
    python benchmarks/bench_long_row.py --megabytes 1,3,15 --audit-megabytes 0   # the tokenizers alone
    python benchmarks/bench_long_row.py --chinese-rows 0 --no-space-megabytes 0 --pair-kilobytes 0   # rows with spaces alone
    python benchmarks/bench_long_row.py --tokenizer PATH --audit-megabytes 0   # a language model's tokenizer (a local folder)

A row is GSM8K train's questions and answers joined (needs ``../shared/data``), cut at the
size asked. Each step runs in a process of its own, timed from its start to its exit, its
peak RSS taken from the kernel (``/usr/bin/time``):

- the reference: the default encoder's tokenizer (``tokenizers``, as sentence-transformers
  calls it) reading the whole row and cutting it at the 256 tokens the model reads;
- qcaudit's ``Encoder.tokenize`` of the row (read from a prefix that holds those tokens,
  :mod:`qcaudit.long_texts`); both print the ids' digest, which must agree;
- the same two for 256 rows of 20,000 Chinese characters, which hold no space (a prefix
  ends before an ideograph there), for a row with its spaces taken out, as minified
  code or base64 is (a prefix ends before a punctuation mark there), and for a row of hex
  digits (for BERT's tokenizer one word, read whole; for the expressions of GPT-2, Llama 3
  and the like a prefix ends between a letter and a digit);
- a reward model's input, a (prompt, response) pair of two long texts beside 20 GSM8K pairs,
  truncated "longest first" at 512 tokens by the same tokenizer (transformers' fast one):
  the pairs read whole against qcaudit's ``reward_inputs`` (each long text from a prefix,
  :func:`qcaudit.long_texts.first_pair_tokens`); the reference is kept to texts of tens of
  kilobytes, as it keeps every combination of the two texts' overflowing parts;
- with ``--tokenizer``, a local transformers tokenizer (a language model's, as IFD, the
  detectors and a reward model read rows with) in place of the default encoder's: each row
  read whole and cut at 256 tokens against qcaudit's language-model reader
  (:func:`qcaudit.detectors.lm.tokenize`), and the pairs read by it;
- with ``--audit-megabytes``: ``qcaudit report --methods semantic`` of the long row and 20
  GSM8K train questions against GSM8K test, then of the 20 questions alone, each with a
  cache that holds the exported model and nothing else (the row's windows embedded cold).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from machine import cpu
from rich.console import Console
from rich.table import Table

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "benchmarks" / "gsm8k"

READ_WHOLE = """
import hashlib, polars as pl
from tokenizers import Tokenizer
from qcaudit.embed import default_model_path
texts = [text.lower() for text in pl.read_parquet(PATH)["text"].to_list()]  # (the model's do_lower_case, as qcaudit reads it)
tokenizer = Tokenizer.from_file(str(default_model_path() / "tokenizer.json"))
tokenizer.no_padding()
tokenizer.enable_truncation(256)
print(hashlib.sha256(str([encoding.ids for encoding in tokenizer.encode_batch(texts)]).encode()).hexdigest()[:16])
"""
READ_WHOLE_BY_MODEL = """
import hashlib, polars as pl
from transformers import AutoTokenizer
texts = pl.read_parquet(PATH)["text"].to_list()
tokenizer = AutoTokenizer.from_pretrained(TOKENIZER)
print(hashlib.sha256(str(tokenizer(texts, truncation=True, max_length=256)["input_ids"]).encode()).hexdigest()[:16])
"""
QCAUDIT_BY_MODEL = """
import hashlib, polars as pl
from transformers import AutoTokenizer
from qcaudit.detectors.lm import tokenize
texts = pl.read_parquet(PATH)["text"].to_list()
tokenizer = AutoTokenizer.from_pretrained(TOKENIZER)
print(hashlib.sha256(str(tokenize(tokenizer, texts, 256)).encode()).hexdigest()[:16])
"""
READ_PAIRS_WHOLE = """
import hashlib, polars as pl
from transformers import AutoTokenizer
from qcaudit.embed import default_model_path
rows = pl.read_parquet(PATH)
tokenizer = AutoTokenizer.from_pretrained(TOKENIZER or str(default_model_path()))
ids = tokenizer(rows["prompt"].to_list(), rows["response"].to_list(), truncation=True, max_length=512)["input_ids"]
print(hashlib.sha256(str(ids).encode()).hexdigest()[:16])
"""
QCAUDIT_PAIRS = """
import hashlib, polars as pl
from transformers import AutoTokenizer
from qcaudit.embed import default_model_path
from qcaudit.reward_model import reward_inputs
rows = pl.read_parquet(PATH)
tokenizer = AutoTokenizer.from_pretrained(TOKENIZER or str(default_model_path()))
ids = reward_inputs(tokenizer, rows["prompt"].to_list(), rows["response"].to_list(), 512)
print(hashlib.sha256(str(ids).encode()).hexdigest()[:16])
"""
QCAUDIT = """
import hashlib, polars as pl
from qcaudit.config import Config
from qcaudit.embed import Encoder
texts = pl.read_parquet(PATH)["text"].to_list()
print(hashlib.sha256(str(Encoder.from_settings(Config().embedding).tokenize(texts)).encode()).hexdigest()[:16])
"""


def timed(command: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, stdout) of ``command`` in a process of its own."""
    ran = subprocess.run(["/usr/bin/time", "-f", "%e %M", *command], capture_output=True, text=True, check=False, env=env)
    if ran.returncode != 0:
        raise SystemExit(ran.stderr[-2000:])
    seconds, peak_kb = ran.stderr.strip().splitlines()[-1].split()
    return float(seconds), float(peak_kb) / 1024, ran.stdout.strip()


def python(code: str, path: Path, tokenizer: str | None = None) -> tuple[float, float, str]:
    return timed([sys.executable, "-c", f"PATH = {str(path)!r}\nTOKENIZER = {tokenizer!r}\n{code}"])


def write_rows(folder: Path, megabytes: float) -> tuple[Path, Path]:
    """A row of ``megabytes`` beside 20 GSM8K train questions, and the 20 alone (parquet)."""
    import polars as pl

    train = pl.read_ndjson(DATA / "train.jsonl")
    questions = train["question"].to_list()
    joined = " ".join(questions + train["answer"].to_list())
    size = int(megabytes * 1_000_000)
    row = (joined * (size // len(joined) + 1))[:size]
    long, short = folder / f"long-{megabytes:g}MB.parquet", folder / "short.parquet"
    pl.DataFrame({"text": [row, *questions[:20]]}).write_parquet(long)
    pl.DataFrame({"text": questions[:20]}).write_parquet(short)
    return long, short


def write_pairs(folder: Path, kilobytes: float) -> Path:
    """A pair of two texts of ``kilobytes`` (GSM8K's questions and answers joined, from two
    places, the second a word longer) beside 20 GSM8K (question, answer) pairs."""
    import polars as pl

    train = pl.read_ndjson(DATA / "train.jsonl")
    joined = " ".join(train["question"].to_list() + train["answer"].to_list())
    size = int(kilobytes * 1_000)
    path = folder / "pairs.parquet"
    pl.DataFrame({"prompt": [joined[:size], *train["question"].to_list()[:20]],
                  "response": [joined[size: 2 * size] + " more", *train["answer"].to_list()[:20]]}).write_parquet(path)
    return path


def write_without_spaces(folder: Path, megabytes: float) -> Path:
    """The row of :func:`write_rows` with its spaces taken out, alone."""
    import polars as pl

    row = pl.read_parquet(write_rows(folder, megabytes)[0])["text"][0]
    path = folder / f"no-space-{megabytes:g}MB.parquet"
    pl.DataFrame({"text": [row.replace(" ", "")]}).write_parquet(path)
    return path


def write_hex(folder: Path, megabytes: float) -> Path:
    """One row of ``megabytes`` of hex digits (seeded), as a digest or a dump is."""
    import random

    import polars as pl

    path = folder / f"hex-{megabytes:g}MB.parquet"
    pl.DataFrame({"text": [random.Random(0).randbytes(int(megabytes * 500_000)).hex()]}).write_parquet(path)
    return path


def write_chinese(folder: Path, rows: int) -> Path:
    """``rows`` rows of 20,000 Chinese characters (seeded; a comma in twenty): text with no
    space for a prefix to end at, but an ideograph before each character."""
    import random

    import polars as pl

    draw = random.Random(0)
    texts = ["".join(chr(draw.randint(0x4E00, 0x9FFF)) if draw.random() > 0.05 else "，" for _ in range(20_000)) for _ in range(rows)]
    path = folder / "chinese.parquet"
    pl.DataFrame({"text": texts}).write_parquet(path)
    return path


def audit(data: Path, cache: Path, out: Path) -> tuple[float, float, str]:
    command = [sys.executable, "-m", "qcaudit", "report", str(data), "--analyzers", "contamination", "--methods", "semantic",
               "--benchmark", str(DATA / "test.jsonl"), "--out", str(out)]
    return timed(command, env={**os.environ, "QCAUDIT_CACHE_DIR": str(cache)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", default="1,3", help="sizes of the row for the tokenizers, comma-separated")
    parser.add_argument("--audit-megabytes", type=float, default=3, help="the row's size for the audit (0: no audit)")
    parser.add_argument("--chinese-rows", type=int, default=256, help="rows of 20,000 Chinese characters for the tokenizers (0: none)")
    parser.add_argument("--no-space-megabytes", type=float, default=3, help="a row without spaces for the tokenizers (0: none)")
    parser.add_argument("--hex-megabytes", type=float, default=3, help="a row of hex digits for the tokenizers (0: none)")
    parser.add_argument("--pair-kilobytes", type=float, default=60, help="each text of the reward model's long pair (0: no pair)")
    parser.add_argument("--tokenizer", help="a local transformers tokenizer (a folder) in place of the default encoder's")
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"needs GSM8K under {DATA}")
    tokenizer = str(Path(args.tokenizer).resolve()) if args.tokenizer else None
    reading = f"the tokenizer of {args.tokenizer}" if tokenizer else "the encoder's tokenizer"
    table = Table(title=f"one long row: {reading}, on {cpu()}")
    for column in ("row", "reader", "seconds", "peak RSS MB", "ids' digest"):
        table.add_column(column, justify="left" if column in ("row", "reader") else "right")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        cases = [(f"{megabytes:g} MB", write_rows(folder, megabytes)[0]) for megabytes in map(float, args.megabytes.split(","))]
        if args.chinese_rows:
            cases.append((f"{args.chinese_rows} Chinese rows of 20,000 characters", write_chinese(folder, args.chinese_rows)))
        if args.no_space_megabytes:
            cases.append((f"{args.no_space_megabytes:g} MB without spaces", write_without_spaces(folder, args.no_space_megabytes)))
        if args.hex_megabytes:
            cases.append((f"{args.hex_megabytes:g} MB of hex digits", write_hex(folder, args.hex_megabytes)))
        readers = {name: (READ_WHOLE_BY_MODEL, "transformers, each row whole, cut at 256", QCAUDIT_BY_MODEL,
                          "qcaudit detectors.lm.tokenize") if tokenizer else
                   (READ_WHOLE, "tokenizers, each row whole, cut at 256", QCAUDIT, "qcaudit Encoder.tokenize")
                   for name, _ in cases}
        if args.pair_kilobytes:
            name = f"a pair of {args.pair_kilobytes:g} KB texts and 20 GSM8K pairs"
            cases.append((name, write_pairs(folder, args.pair_kilobytes)))
            readers[name] = (READ_PAIRS_WHOLE, "transformers, each pair whole, longest first at 512", QCAUDIT_PAIRS,
                             "qcaudit reward_inputs")
        for name, data in cases:
            reference, reference_name, ours_code, ours_name = readers[name]
            whole, ours = python(reference, data, tokenizer), python(ours_code, data, tokenizer)
            table.add_row(name, reference_name, f"{whole[0]:.1f}", f"{whole[1]:,.0f}", whole[2])
            table.add_row("", ours_name, f"{ours[0]:.1f}", f"{ours[1]:,.0f}", ours[2])
            if whole[2] != ours[2]:
                raise SystemExit(f"the ids differ for {name}")
        Console().print(table)
        if args.audit_megabytes:
            long, short = write_rows(folder, args.audit_megabytes)
            primed = folder / "primed"
            audit(short, primed, folder / "primer")  # (the model exported once, into a cache of its own)
            audits = Table(title=f"a semantic contamination audit against GSM8K test, row embeddings cold, on {cpu()}")
            for column in ("rows", "seconds", "peak RSS MB"):
                audits.add_column(column, justify="left" if column == "rows" else "right")
            for name, data in ((f"a {args.audit_megabytes:g} MB row and 20 questions", long), ("the 20 questions alone", short)):
                cache = folder / f"cache-{data.stem}"
                shutil.copytree(primed / "onnx", cache / "onnx")  # (the exported model; no vectors)
                seconds, peak, _ = audit(data, cache, folder / f"out-{data.stem}")
                audits.add_row(name, f"{seconds:.1f}", f"{peak:,.0f}")
            Console().print(audits)


if __name__ == "__main__":
    main()
