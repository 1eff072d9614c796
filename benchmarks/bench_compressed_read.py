"""Reading a compressed JSON Lines, JSON or text file: qcaudit's scan against the readers users reach for.

    python benchmarks/bench_compressed_read.py                 # 1,000,000 rows, gzip
    python benchmarks/bench_compressed_read.py --rows 200000
    python benchmarks/bench_compressed_read.py --format txt    # one row a line
    python benchmarks/bench_compressed_read.py --format json   # one JSON array of objects
    python benchmarks/bench_compressed_read.py --format json-texts   # one JSON array of strings
    python benchmarks/bench_compressed_read.py --format json-keyed   # records under a key, SQuAD's layout
    python benchmarks/bench_compressed_read.py --format json-columns   # pandas' to_json, its default orient

The corpus is bench_lexical.py's (rows of 30-70 whitespace tokens) written as JSON Lines and
gzipped. Each reader runs in a process of its own, timed from its start to its exit, its peak
RSS taken from the kernel; each computes the same figure, the characters of every text, so
that every row is read:

- qcaudit: ``load_dataset`` (a Polars scan that decompresses as it reads);
- Polars ``read_ndjson`` of the file (decompressed and parsed in memory);
- pandas ``read_json(lines=True)`` (its gzip reader), the reference most pipelines use;
- qcaudit as it read compressed files before 2026-12-02: the file decompressed into memory,
  then parsed (``decompressed`` + ``pl.scan_ndjson(bytes)``).

``--format txt`` writes the texts one a line (``.txt.gz``) and compares qcaudit's scan
(Polars' ``scan_lines``) with Polars' ``read_lines``, Python's own line loop over
``gzip.open``, and qcaudit as it read text files before 2026-12-03 (decompressed into memory,
then split into lines).

``--format json`` writes the rows as one JSON array of objects (``.json.gz``, Alpaca's and
LLaMA-Factory's layout) and compares qcaudit (the array checked and copied as JSON Lines an
item at a time, the copy scanned) with Polars' ``read_json``, pandas' ``read_json``, and
qcaudit as it read JSON arrays before 2026-12-03 (the document parsed whole by Python's json
to check it, then read whole by Polars).

``--format json-texts`` writes the texts as one JSON array of strings (``.json.gz``, what
``json.dump(texts, f)`` writes) and compares qcaudit (the array checked and copied an item a
line, the copy scanned by Polars) with Python's ``json.load``, pandas' ``read_json`` (as a
Series), and qcaudit as it read such arrays before 2026-12-05 (checked item by item, then
decompressed and parsed whole by Python's json, the texts copied into Polars).

``--format json-keyed`` writes the rows as records under one key beside metadata
(``{"version": "1.0", "data": [...]}``, SQuAD's layout; pandas' ``table`` orient is alike) and
compares qcaudit (the records checked and copied as JSON Lines a record at a time, the copy
scanned) with ``datasets.load_dataset("json", field="data")`` (its Arrow cache in the run's
temporary folder), Python's ``json.load``, and qcaudit as it read such objects before
2026-12-05 (a stand-in: parsed whole by Python's json for its check, which parsed it whole
with a hook on each object, then again, its records written as JSON Lines in memory).

``--format json-columns`` writes the rows as pandas' ``to_json`` does by default
(``{column: {index: value}}``) and compares qcaudit (parsed whole once, to check it, its rows
then written as the JSON Lines copy that Polars scans) with pandas' ``read_json``, Python's
``json.load``, and qcaudit as it read such tables before 2026-12-05 (its check, which parses
the document whole as it did, then the document parsed whole again, its rows as JSON Lines
in memory for Polars).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import cpu

SCANNED = ("from qcaudit.io import load_dataset\n"
           "print(load_dataset(PATH).frame.select(pl.col('text').str.len_chars().sum()).collect().item())")
READERS = {
    "qcaudit (scan)": SCANNED,
    "polars read_ndjson": "print(pl.read_ndjson(PATH)['text'].str.len_chars().sum())",
    "pandas read_json": "import pandas as pd\nprint(int(pd.read_json(PATH, lines=True)['text'].str.len().sum()))",
    "qcaudit before (in memory)": "from qcaudit.compression import decompressed\n"
                                  "data = decompressed(open(PATH, 'rb').read(), PATH)\n"
                                  "print(pl.scan_ndjson(data).collect()['text'].str.len_chars().sum())",
}
TEXT_READERS = {
    "qcaudit (scan)": SCANNED,
    "polars read_lines": "print(pl.read_lines(PATH, name='text')['text'].str.len_chars().sum())",
    "python gzip.open line loop": "import gzip\nprint(sum(len(line.rstrip('\\n')) for line in gzip.open(PATH, 'rt', encoding='utf-8')))",
    "qcaudit before (in memory)": "from qcaudit.compression import decompressed\nfrom qcaudit.readers import _text_lines\n"
                                  "print(_text_lines(decompressed(open(PATH, 'rb').read(), PATH).decode()).str.len_chars().sum())",
}

JSON_READERS = {
    "qcaudit (item by item)": SCANNED,
    "polars read_json": "print(pl.read_json(PATH)['text'].str.len_chars().sum())",
    "pandas read_json": "import pandas as pd\nprint(int(pd.read_json(PATH)['text'].str.len().sum()))",
    "qcaudit before (whole)": "import io, json\nfrom qcaudit.compression import decompressed\n"
                              "data = decompressed(open(PATH, 'rb').read(), PATH)\njson.loads(data)\n"
                              "print(pl.read_json(io.BytesIO(data))['text'].str.len_chars().sum())",
}
JSON_TEXT_READERS = {
    "qcaudit (item by item)": SCANNED,
    "python json.load": "import gzip, json\nprint(sum(len(t) for t in json.load(gzip.open(PATH, 'rt', encoding='utf-8'))))",
    "pandas read_json": "import pandas as pd\nprint(int(pd.read_json(PATH, typ='series').str.len().sum()))",
    "qcaudit before (whole)": "import json\nfrom pathlib import Path\nfrom qcaudit.compression import decompressed\n"
                              "from qcaudit.inputcheck import check_text_file\ncheck_text_file(Path(PATH), 'json')\n"
                              "texts = json.loads(decompressed(open(PATH, 'rb').read(), PATH))\n"
                              "print(pl.DataFrame({'text': texts}, schema={'text': pl.String})['text'].str.len_chars().sum())",
}
#: How qcaudit read a JSON object of rows after its check until 2026-12-05: parsed whole again,
#: its rows written as JSON Lines in memory for Polars.
OBJECT_READ_AGAIN = ("import json\nfrom qcaudit.compression import decompressed\nfrom qcaudit.inputcheck import object_records\n"
                     "data = decompressed(open(PATH, 'rb').read(), PATH)\n"
                     "lines = '\\n'.join(map(json.dumps, object_records(json.loads(data)))).encode()\n"
                     "print(pl.read_ndjson(lines)['text'].str.len_chars().sum())")
KEYED_READERS = {
    "qcaudit (item by item)": SCANNED,
    "datasets load_dataset(field=)": "import datasets, os\nread = datasets.load_dataset('json', data_files=PATH, field='data', "
                                     "split='train', cache_dir=os.path.dirname(PATH) + '/hf')\n"
                                     "print(sum(len(t) for t in read['text']))",
    "python json.load": "import gzip, json\nprint(sum(len(r['text']) for r in json.load(gzip.open(PATH, 'rt', encoding='utf-8'))['data']))",
    "qcaudit before (whole)": "import gzip, json\njson.load(gzip.open(PATH))\n" + OBJECT_READ_AGAIN,  # (its check: a stand-in)
}
COLUMNS_READERS = {
    "qcaudit (parsed once)": SCANNED,
    "pandas read_json": "import pandas as pd\nprint(int(pd.read_json(PATH)['text'].str.len().sum()))",
    "python json.load": "import gzip, json\nprint(sum(map(len, json.load(gzip.open(PATH, 'rt', encoding='utf-8'))['text'].values())))",
    "qcaudit before (checked, then parsed again)": "from pathlib import Path\nfrom qcaudit.inputcheck import check_text_file\n"
                                                   "check_text_file(Path(PATH), 'json')\n" + OBJECT_READ_AGAIN,
}
FORMATS = {"jsonl": ("texts.write_ndjson().encode()", READERS),
           "txt": ("''.join(t + '\\n' for t in texts['text']).encode()", TEXT_READERS),
           "json": ("texts.write_json().encode()", JSON_READERS),
           "json-texts": ("json.dumps(texts['text'].to_list()).encode()", JSON_TEXT_READERS),
           "json-keyed": ("json.dumps({'version': '1.0', 'data': texts.to_dicts()}).encode()", KEYED_READERS),
           "json-columns": ("texts.to_pandas().to_json().encode()", COLUMNS_READERS)}


def run(code: str, path: Path) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, printed figure) of ``code`` in a process of its own, as
    ``/usr/bin/time`` measures it (bench_scale.py's way)."""
    program = f"import polars as pl\nPATH = {str(path)!r}\n{code}"
    ran = subprocess.run(["/usr/bin/time", "-f", "%e %M", sys.executable, "-c", program], capture_output=True, text=True,
                         check=False)
    if ran.returncode != 0:
        raise SystemExit(ran.stderr)
    seconds, peak_kb = ran.stderr.strip().splitlines()[-1].split()
    return float(seconds), float(peak_kb) / 1024, ran.stdout.strip()


def write_corpus(rows: int, path: Path, fmt: str = "jsonl") -> str:
    """The corpus as gzipped JSON Lines (or text, one row a line, or a JSON document) at
    ``path``, made in a process of its own (so that this one holds none of it); its sizes."""
    written = FORMATS[fmt][0]
    program = (f"import gzip, sys; sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
               "from pathlib import Path\nimport polars as pl\nfrom bench_lexical import make_corpus\n"
               f"make_corpus({rows}, Path({str(path)!r} + '.parquet'), seed=0)\n"
               "import json\n"
               f"texts = pl.read_parquet({str(path)!r} + '.parquet')\nlines = {written}\n"
               f"Path({str(path)!r}).write_bytes(gzip.compress(lines, compresslevel=1))\n"
               "print(f'{len(lines) / 1e6:.0f}')")
    decompressed_mb = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True).stdout.strip()
    return f"{path.stat().st_size / 1e6:.0f} MB, {decompressed_mb} MB decompressed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", choices=list(FORMATS), default="jsonl")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"corpus.{args.format.split('-')[0]}.gz"
        size = write_corpus(args.rows, path, args.format)
        results = {name: run(code, path) for name, code in FORMATS[args.format][1].items()}
    figures = {figure for _, _, figure in results.values()}
    table = Table(title=f"reading {args.rows:,} rows of .{args.format}.gz ({size}) on {cpu()}")
    ours = next(iter(results.values()))
    for column in ("reader", "seconds", "peak RSS (MB)", "RSS / qcaudit's"):
        table.add_column(column, justify="left" if column == "reader" else "right")
    for name, (seconds, peak, _) in results.items():
        table.add_row(name, f"{seconds:.1f}", f"{peak:,.0f}", f"{peak / ours[1]:.2f}")
    Console().print(table)
    print("every reader found the same characters:", len(figures) == 1)


if __name__ == "__main__":
    main()
