"""Inputs named by a URI: listed and read through fsspec (``file://`` and fsspec's in-memory
filesystem here; ``s3://``, ``gs://`` and the rest go the same way), with the same rows,
row_ids and report as the local path, and the same one-line errors."""

from __future__ import annotations

import io

import fsspec
import polars as pl
import pytest

from qcaudit.config import load_config
from qcaudit.errors import QcauditError
from qcaudit.io import TextSelection, load_dataset
from tests.conftest import SAMPLES, zstd
from tests.test_hostile_inputs import one_line_error, qc  # noqa: F401  (fixture)

SETTINGS = {"analyzers": ["diversity", "duplicates"], "input.fields": ["instruction", "input", "output"]}


@pytest.fixture
def shards(tmp_path):
    """The sample as two parquet shards and a jsonl file, locally and in fsspec's memory filesystem."""
    sample = pl.read_parquet(SAMPLES / "instructions.parquet")
    folder = tmp_path / "shards"
    folder.mkdir()
    sample[:400].write_parquet(folder / "a.parquet")
    sample[400:].write_parquet(folder / "b.parquet")
    sample[:250].write_ndjson(tmp_path / "part.jsonl")
    memory = fsspec.filesystem("memory")
    for local, remote in ((folder / "a.parquet", "/qc/shards/a.parquet"), (folder / "b.parquet", "/qc/shards/b.parquet"),
                          (tmp_path / "part.jsonl", "/qc/part.jsonl")):
        memory.pipe(remote, local.read_bytes())
    yield tmp_path
    memory.rm("/qc", recursive=True)


def _audit(path):
    from qcaudit import audit

    return audit(path, load_config(None, SETTINGS))


@pytest.mark.parametrize("uri", ["file://{tmp}/shards", "memory://qc/shards", "memory://qc/shards/*.parquet"])
def test_a_uri_gives_the_local_paths_report(shards, uri):
    local = _audit(shards / "shards")
    remote = _audit(uri.format(tmp=shards))
    assert remote.metrics == local.metrics and remote.tables == local.tables and remote.rows.equals(local.rows)
    sources = remote.dataset["sources"]
    assert [s.rsplit("/", 1)[1] for s in sources] == ["a.parquet", "b.parquet"] and all("://" in s for s in sources)


@pytest.mark.parametrize("uri", ["file://{tmp}/differ", "memory://qc/differ"])
def test_shards_whose_schemas_differ_read_by_uri_as_locally(shards, uri):
    """Parquet shards by URI where a later shard adds a column and stores a number otherwise
    read as the local folder is: the missing column null, the types widened."""
    folder = shards / "differ"
    folder.mkdir()
    pl.DataFrame({"text": ["one two three", "four five six"], "score": [1, 2]}).write_parquet(folder / "a.parquet")
    pl.DataFrame({"text": ["seven eight nine"], "score": [0.5], "lang": ["en"]}).write_parquet(folder / "b.parquet")
    for name in ("a.parquet", "b.parquet"):
        fsspec.filesystem("memory").pipe(f"/qc/differ/{name}", (folder / name).read_bytes())
    keep = ("score", "lang")
    local = load_dataset(folder).selected(keep=keep).collect()
    assert local["_score"].to_list() == [1.0, 2.0, 0.5] and local["_lang"].to_list() == [None, None, "en"]
    assert load_dataset(uri.format(tmp=shards)).selected(keep=keep).collect().equals(local)


def test_a_text_file_by_uri_is_checked_and_read_like_a_local_one(shards):
    local = load_dataset(shards / "part.jsonl")
    remote = load_dataset("memory://qc/part.jsonl")
    assert remote.texts().equals(local.texts()) and remote.format == "jsonl"
    fsspec.filesystem("memory").pipe("/qc/part.jsonl.zst", zstd((shards / "part.jsonl").read_bytes(), frames=2))
    assert load_dataset("memory://qc/part.jsonl.zst").texts().equals(local.texts())
    fsspec.filesystem("memory").pipe("/qc/bad.jsonl", b'{"text": "a", "text": "b"}\n')
    with pytest.raises(QcauditError, match="memory:///?qc/bad.jsonl: line 1 has the key 'text' twice") as caught:
        load_dataset("memory://qc/bad.jsonl")
    assert "/scratch/run-" not in str(caught.value)  # the message names the URI, not the local copy


def test_a_text_file_by_uri_is_copied_to_disk_as_it_is_fetched_never_whole(shards, monkeypatch):
    """JSON Lines, a JSON array and CSV by URI are fetched into a local copy a MB at a time
    (never whole in memory, as they were) and read as local files are, scanned or item by
    item; fetched once while unchanged, again once changed; the filters' JSON Lines records
    come from the same copy."""
    import json

    from qcaudit import remote
    from qcaudit.json_records import json_records

    def refused(*args, **kwargs):
        raise AssertionError("read whole")

    monkeypatch.setattr(remote, "read_bytes", refused)
    from qcaudit import readers

    monkeypatch.setattr(readers, "_read_in_memory", refused)
    memory = fsspec.filesystem("memory")
    rows = pl.read_ndjson(shards / "part.jsonl")
    memory.pipe("/qc/part.json", json.dumps(rows.to_dicts(), indent=1).encode())
    memory.pipe("/qc/part.csv", rows.select("instruction", "output").write_csv().encode())
    local = load_dataset(shards / "part.jsonl").texts()
    assert load_dataset("memory://qc/part.jsonl").texts().equals(local)
    assert load_dataset("memory://qc/part.json").texts().equals(local)
    assert load_dataset("memory://qc/part.csv", TextSelection(text_column="output")).texts()["text"].equals(rows["output"])
    assert [json.loads(r) for r in json_records(["memory://qc/part.json"])] == rows.to_dicts()
    fetched = []
    opened = memory.open
    def reading(self, path, mode="rb", *args, **kwargs):
        if "r" in mode:
            fetched.append(path)
        return opened(path, mode, *args, **kwargs)

    monkeypatch.setattr(type(memory), "open", reading)
    load_dataset("memory://qc/part.jsonl")
    assert fetched == []  # (unchanged: the copy is read)
    memory.pipe("/qc/part.jsonl", rows[:10].write_ndjson().encode())
    assert load_dataset("memory://qc/part.jsonl").texts().height == 10 and len(fetched) == 1


def test_bad_uris_are_one_line_and_outputs_never_land_in_a_local_input(qc, shards):  # noqa: F811
    one_line_error(qc("report", "memory://qc/missing.parquet", "--out", shards / "o"), "does not exist")
    one_line_error(qc("report", "nosuch://bucket/x.parquet", "--out", shards / "o"), "nosuch")
    one_line_error(qc("report", "memory://qc/none-*.parquet", "--out", shards / "o"), "no file matches")
    one_line_error(qc("report", f"file://{shards}/shards", "--out", shards / "shards" / "out"), "inside the input directory")
    kept = shards / "kept.parquet"
    assert qc("dedup", f"file://{shards}/shards", "--fields", "instruction,input,output", "-o", kept, "-q").code == 0
    assert pl.read_parquet(kept).columns == pl.read_parquet(shards / "shards" / "a.parquet").columns


@pytest.mark.parametrize("uri", ["file://a.parquet", "file://localhost{tmp}/shards/a.parquet"])
def test_a_file_uri_that_names_a_host_is_refused(qc, shards, uri, monkeypatch):  # noqa: F811
    """Two slashes where three were meant: ``file://a.parquet`` made the output checks take the
    working directory for the input ("--out o lies inside the input directory"), and fsspec
    reads ``file://localhost/x`` as ``./localhost/x``."""
    monkeypatch.chdir(shards / "shards")
    uri = uri.format(tmp=shards)
    for command in (["report", uri, "--out", shards / "o"], ["gate", uri, "-t", "max_exact_duplicate_rate=0.5"]):
        one_line_error(qc(*command), f"{uri} names the host ")
    assert not (shards / "o").exists()


class ConnectError(Exception):
    """Not an OSError, as the network errors of httpx (the Hub's driver) and botocore are not."""


class _Unreachable(fsspec.AbstractFileSystem):
    """A filesystem whose server cannot be reached: listing fails, or (``reading_only``) only reading."""

    protocol = "unreachable"
    reading_only = False

    def info(self, path, **kwargs):
        if self._strip_protocol(path) and type(self).reading_only:
            return {"name": path, "size": 10, "type": "file"}
        raise ConnectError("[Errno -2] Name or service not known")

    def _open(self, path, mode="rb", **kwargs):
        raise ConnectError("connection reset by peer\nretrying would not help")


def test_a_driver_s_own_network_errors_are_one_line(qc, tmp_path):  # noqa: F811
    fsspec.register_implementation("unreachable", _Unreachable, clobber=True)
    one_line_error(qc("report", "unreachable://host/data.parquet", "--out", tmp_path / "o"),
                   "cannot list unreachable://host/data.parquet: ConnectError: [Errno -2] Name or service not known")
    _Unreachable.reading_only = True
    try:
        one_line_error(qc("report", "unreachable://host/data.jsonl", "--out", tmp_path / "o"),
                       "cannot read unreachable://host/data.jsonl: ConnectError: connection reset by peer")
    finally:
        _Unreachable.reading_only = False
    assert not (tmp_path / "o").exists()



@pytest.mark.parametrize("scheme", ["file", "memory"])
def test_a_directory_by_uri_is_checked_for_splits_and_missing_shards_as_locally(tmp_path, scheme):
    """A Hub-style folder named by a URI (``hf://datasets/...`` reads the same way): its splits
    side by side, or a shard missing, are the local folder's one line, naming the URI; one
    split's shards by a glob read."""
    filesystem = fsspec.filesystem(scheme)
    folder = f"{tmp_path}/hub" if scheme == "file" else "/qc/hub"
    for name in ("train-00000-of-00002.parquet", "train-00001-of-00002.parquet", "test-00000-of-00001.parquet"):
        buffer = io.BytesIO()
        pl.DataFrame({"text": [f"{name} row one", f"{name} row two"]}).write_parquet(buffer)
        filesystem.mkdirs(f"{folder}/data", exist_ok=True)
        filesystem.pipe(f"{folder}/data/{name}", buffer.getvalue())
    root = f"{scheme}://{folder}" if scheme == "file" else f"memory://{folder.lstrip('/')}"
    try:
        with pytest.raises(QcauditError, match=r"hub holds several splits of a dataset: test \(.*hub/data/test-00000-of-00001"):
            load_dataset(root)
        assert load_dataset(f"{root}/data/train-*.parquet").texts().height == 4
        for gone in ("train-00001-of-00002.parquet", "test-00000-of-00001.parquet"):
            filesystem.rm(f"{folder}/data/{gone}")
        with pytest.raises(QcauditError, match=r"hub/data lacks 1 of train's 2 shards \(train-00001-of-00002\): .*"
                                               r"e\.g\. '.*hub/data/train-\*\.parquet'"):
            load_dataset(root)
    finally:
        filesystem.rm(folder, recursive=True)
