"""The cache store: round trips, least-recently-used eviction under the size limit, the CLI."""

from __future__ import annotations

import json
import logging
import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcaudit import store
from qcaudit.cache import cached_dir
from qcaudit.cli import app
from qcaudit.store import VectorStore


@settings(max_examples=20, deadline=None)
@given(keys=st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=40, unique=True), seed=st.integers(0, 99))
def test_vectors_come_back_as_stored_and_only_in_their_space(tmp_path_factory, keys, seed):
    import os

    os.environ["QCAUDIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("store"))
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(len(keys), 8)).astype(np.float32)
    held = np.array(keys, dtype=np.uint64)
    VectorStore("a", 8, "test").put(held[::2], vectors[::2])
    found, got = VectorStore("a", 8, "test").get(held)
    assert found.tolist() == [i % 2 == 0 for i in range(len(keys))]
    assert np.array_equal(got[::2], vectors[::2]) and not got[1::2].any()
    assert not VectorStore("b", 8, "test").get(held)[0].any()


def test_the_store_holds_a_vector_in_little_more_than_its_bytes(tmp_path, monkeypatch):
    """384 float32s (1,536 bytes, the default encoder's) took three times their bytes in a
    table without rowids on 4 KB pages: each row spilled into an overflow page."""
    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path))
    rng = np.random.default_rng(0)
    keys = rng.integers(0, 2**63, 3000, dtype=np.uint64)
    vectors = rng.normal(size=(3000, 384)).astype(np.float32)
    for start in range(0, 3000, 1000):
        VectorStore("embedding/m/onnx-int8", 384, "embedding").put(keys[start : start + 1000], vectors[start : start + 1000])
    store.compact()
    assert store.file_bytes() < 1.25 * vectors.nbytes


def test_a_store_of_the_earlier_layout_is_taken_over_and_deleted(tmp_path, monkeypatch):
    """An upgrade keeps the cache: the entries of ``store.sqlite3`` (a table without rowids)
    are copied into the new store when it is made; an earlier store that cannot be read is
    deleted with a warning."""
    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path))
    earlier = tmp_path / "store.sqlite3"
    vectors = np.arange(12, dtype=np.float32).reshape(3, 4)
    with sqlite3.connect(earlier) as db:
        db.execute("CREATE TABLE entries (space TEXT NOT NULL, key INTEGER NOT NULL, value BLOB NOT NULL, "
                   "checksum INTEGER NOT NULL, used INTEGER NOT NULL, PRIMARY KEY (space, key)) WITHOUT ROWID")
        db.executemany("INSERT INTO entries VALUES ('s', ?, ?, ?, 0)",
                       [(k, v.tobytes(), zlib.crc32(v.tobytes())) for k, v in zip((5, 6, 7), vectors, strict=True)])
    db.close()
    assert store.has_store() and store.file_bytes() == earlier.stat().st_size
    found, got = VectorStore("s", 4, "test").get(np.array([5, 7, 9], dtype=np.uint64))
    assert found.tolist() == [True, True, False] and np.array_equal(got[:2], vectors[[0, 2]])
    assert not earlier.exists() and store.store_path().exists()
    with sqlite3.connect(store.store_path()) as db:
        assert db.execute("PRAGMA page_size").fetchone()[0] == store._PAGE_SIZE
    db.close()
    store.clear()
    earlier.parent.mkdir(parents=True, exist_ok=True)
    earlier.write_bytes(b"not a database" * 100)
    with _logged() as warnings:
        assert not VectorStore("s", 4, "test").get(np.array([5], dtype=np.uint64))[0].any()
    assert any("of an earlier qcaudit cannot be read" in w for w in warnings) and not earlier.exists()
    VectorStore("s", 4, "test").put(np.array([5], dtype=np.uint64), vectors[:1])
    assert VectorStore("s", 4, "test").get(np.array([5], dtype=np.uint64))[0].all()


def test_the_least_recently_used_entries_go_first_when_the_store_is_too_big(tmp_path, monkeypatch):
    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("QCAUDIT_CACHE_MAX_MB", "100")
    old, new = np.arange(2000, dtype=np.uint64), np.arange(2000, 4000, dtype=np.uint64)
    vectors = np.ones((2000, 384), dtype=np.float32)
    space = VectorStore("embedding/m/torch-fp32", 384, "embedding")
    space.put(old, vectors)
    with sqlite3.connect(store.store_path()) as db:
        db.execute("UPDATE entries SET used = 0")  # used long ago
    space.put(new, vectors)
    store.compact()
    size = store.file_bytes()
    assert 6 * 2**20 < size  # 4,000 vectors of 1.5 KB, under the 100 MB limit: nothing dropped
    assert space.get(old)[0].all()
    monkeypatch.setenv("QCAUDIT_CACHE_MAX_MB", str(size / 2**20 * 0.7))
    deleted = store.enforce_limit()
    assert deleted > 0 and store.file_bytes() <= size * 0.7
    found_old, found_new = space.get(old)[0], space.get(new)[0]
    assert not found_old.any() or found_new.all()  # the recently used survive the longest
    assert found_new.sum() > found_old.sum()


def test_cache_info_and_clear(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path / "c"))
    VectorStore("judge/x", 1, "judge").put(np.arange(5, dtype=np.uint64), np.zeros((5, 1)))
    result = runner.invoke(app, ["cache", "info", "--json"])
    assert result.exit_code == 0, result.output
    facts = json.loads(result.output)
    assert facts["integrity"] == "ok" and facts["spaces"] == [{"space": "judge/x", "entries": 5, "bytes": 20}]
    assert runner.invoke(app, ["cache", "clear"]).exit_code == 0 and not (tmp_path / "c").exists()
    assert json.loads(runner.invoke(app, ["cache", "info", "--json"]).output)["integrity"] == "absent"
    again = runner.invoke(app, ["cache", "clear"])  # (nothing left to delete)
    assert again.exit_code == 0 and again.output == f"cache {tmp_path / 'c'}: deleted 0.0 MB\n"


def test_cache_compact_and_info_say_what_they_found_and_did(runner, tmp_path, monkeypatch):
    """The text forms: ``info`` lists each space's entries; ``compact`` gives the size before
    and after, and how many entries the size limit cost; without a store it makes none."""
    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path / "c"))
    result = runner.invoke(app, ["cache", "compact"])
    assert result.exit_code == 0 and result.output.strip() == "cache: no store yet" and not (tmp_path / "c").exists()
    space = VectorStore("embedding/m/torch-fp32", 384, "embedding")
    space.put(np.arange(1000, dtype=np.uint64), np.ones((1000, 384), dtype=np.float32))
    info = runner.invoke(app, ["cache", "info"])
    assert info.exit_code == 0 and "embedding/m/torch-fp32: 1,000 entries" in info.output and "integrity ok" in info.output
    assert "over it" not in info.output
    store.compact()
    size = store.file_bytes()
    monkeypatch.setenv("QCAUDIT_CACHE_MAX_MB", str(size / 2**20 / 2))
    info = runner.invoke(app, ["cache", "info"])  # (a limit below the store's size: it said "store X MB of Y MB", no more)
    assert "(QCAUDIT_CACHE_MAX_MB) (over it: the next write, or qcaudit cache compact, deletes the least recently used entries)" \
        in " ".join(info.output.split()), info.output
    result = runner.invoke(app, ["cache", "compact"])
    assert result.exit_code == 0, result.output
    left = space.get(np.arange(1000, dtype=np.uint64))[0].sum()
    assert 0 < left < 1000
    assert result.output.strip() == (f"cache store {size / 2**20:,.1f} MB -> {store.file_bytes() / 2**20:,.1f} MB; "
                                     f"deleted the {1000 - left:,} least recently used entries to keep under the limit")


def test_cache_clear_leaves_what_is_not_qcaudits(runner, tmp_path, monkeypatch):
    """QCAUDIT_CACHE_DIR may name a directory other programs use (~/.cache): clear deletes
    the store and qcaudit's folders only, and names what it left."""
    shared = tmp_path / "shared"
    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(shared))
    VectorStore("judge/x", 1, "judge").put(np.arange(5, dtype=np.uint64), np.zeros((5, 1)))
    index = cached_dir("onnx", "k", lambda d: (d / "model.onnx").write_bytes(b"x" * 2**20))
    (shared / "theirs").mkdir()
    (shared / "theirs" / "weights.bin").write_bytes(b"y" * 3 * 2**20)
    (shared / "notes.txt").write_text("keep me")
    facts = json.loads(runner.invoke(app, ["cache", "info", "--json"]).output)
    assert 2**20 <= facts["other_bytes"] < 2 * 2**20  # the export, not the other program's files
    store_mb = store.file_bytes() / 2**20
    result = runner.invoke(app, ["cache", "clear"])
    assert result.exit_code == 0 and "left 2 entries that are not qcaudit's" in result.output and "notes.txt, theirs" in result.output
    assert f"cache {shared}: deleted {1 + store_mb:,.1f} MB\n" in result.output  # (the export and the store, not theirs)
    assert sorted(p.name for p in shared.iterdir()) == ["notes.txt", "theirs"] and not index.exists()
    assert (shared / "theirs" / "weights.bin").stat().st_size == 3 * 2**20


@pytest.mark.parametrize(("given", "where"), [("", "home/.cache/qcaudit"), ("  ", "home/.cache/qcaudit"), ("~/qc", "home/qc")])
def test_an_empty_cache_setting_is_unset_and_a_tilde_is_home(runner, tmp_path, monkeypatch, given, where):
    """QCAUDIT_CACHE_DIR="" put the store into the working directory (the empty path), where
    'qcaudit cache clear' would delete; a "~/qc" that no shell expanded (a CI file's env:)
    made a folder named '~' there."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("QCAUDIT_CACHE_DIR", given)
    monkeypatch.chdir(tmp_path)
    VectorStore("judge/x", 1, "judge").put(np.arange(3, dtype=np.uint64), np.zeros((3, 1)))
    assert json.loads(runner.invoke(app, ["cache", "info", "--json"]).output)["path"] == str(tmp_path / where)
    assert (tmp_path / where / "store2.sqlite3").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]


def test_a_cache_path_that_is_a_file_is_one_line(runner, tmp_path, monkeypatch):
    (tmp_path / "f").write_text("not a directory")
    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path / "f"))
    for command in (["cache", "info"], ["cache", "clear"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2 and "is a file: set QCAUDIT_CACHE_DIR to a directory" in result.output, result.output
    assert (tmp_path / "f").read_text() == "not a directory"


def test_an_artefact_kind_must_be_one_clear_knows(tmp_path, monkeypatch):
    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path / "c"))
    with pytest.raises(ValueError, match="FOLDERS"):
        cached_dir("embeddings-v2", "k", lambda d: None)


@contextmanager
def _logged() -> Iterator[list[str]]:
    """The warnings qcaudit logs meanwhile, whatever an earlier in-process command line set
    (it stops the logger propagating to the root, where caplog listens, and -q raises its level)."""
    logger, records = logging.getLogger("qcaudit"), []
    handler, level = logging.Handler(), logger.level
    handler.emit = lambda record: records.append(record.getMessage())
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_a_new_store_that_another_connection_holds_is_waited_for_not_passed_by(tmp_path, monkeypatch):
    """SQLite switches a store to write-ahead logging only when no other connection holds
    it, and fails at once otherwise, whatever the busy timeout: a process that opened the
    store while another was creating it lost its values ("is busy; not cached")."""
    import threading

    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path))
    path = store.store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)  # a rollback journal, as new
    holder.execute("CREATE TABLE other (a)")
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
    release.start()
    space, keys = VectorStore("embedding/m/torch-fp32", 4, "embedding"), np.arange(1, 6, dtype=np.uint64)
    with _logged() as warnings:
        space.put(keys, np.ones((5, 4), dtype=np.float32))
        found, _ = space.get(keys)
    release.join()
    holder.close()
    assert warnings == [] and found.all()


def _read_and_write(seed: int) -> tuple[int, list[str]]:
    """In a process of its own: write and read back batches of vectors; (entries not found
    again, warnings logged)."""
    space, rng, lost = VectorStore("embedding/m/torch-fp32", 8, "embedding"), np.random.default_rng(seed), 0
    with _logged() as records:
        for _ in range(40):
            keys = rng.integers(0, 2**63, 30, dtype=np.uint64)
            space.put(keys, rng.random((30, 8), dtype=np.float32))
            lost += int((~space.get(keys)[0]).sum())
    return lost, records


def test_processes_sharing_the_store_neither_lose_it_nor_take_each_other_for_damage(tmp_path, monkeypatch):
    """A read that marks its entries used after another process's write must not fail as
    'database is locked' and be taken for a damaged file (which deleted the whole store)."""
    import multiprocessing

    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path))
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        results = pool.map(_read_and_write, [1, 2, 3])
    assert [lost for lost, _ in results] == [0, 0, 0], results
    assert not [w for _, warnings in results for w in warnings], results
    with sqlite3.connect(store.store_path()) as db:
        assert db.execute("SELECT COUNT(*) FROM entries").fetchone()[0] == 3 * 40 * 30


def test_a_store_held_past_the_busy_timeout_is_worked_around_not_set_aside(tmp_path, monkeypatch):
    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(store, "BUSY_TIMEOUT_S", 0.1)
    space, keys = VectorStore("a", 4, "test"), np.arange(5, dtype=np.uint64)
    space.put(keys, np.ones((5, 4), dtype=np.float32))
    holder = sqlite3.connect(store.store_path())
    holder.execute("BEGIN EXCLUSIVE")  # another process in the middle of a long write
    try:
        with _logged() as logged:
            assert not space.get(keys)[0].any()  # read as empty ...
            space.put(keys + 10, np.ones((5, 4), dtype=np.float32))  # ... and not written, without an error
    finally:
        holder.rollback()
        holder.close()
    assert sum("is busy" in m for m in logged) == 2 and not any("damaged" in m for m in logged), logged
    assert space.get(keys)[0].all() and not space.get(keys + 10)[0].any()  # the store kept its entries


def test_a_cache_directory_that_cannot_be_made_is_worked_around(runner, tmp_path, monkeypatch):
    """A read-only home (a container) or a path through a file: the run caches in a temporary
    directory of its own, says so once, and removes it; nothing is written where it cannot be."""
    from qcaudit.cache import cache_root

    (tmp_path / "file").write_text("not a directory")
    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path / "file" / "cache"))
    with _logged() as records:
        root = cache_root()
        VectorStore("judge/x", 1, "judge").put(np.arange(3, dtype=np.uint64), np.ones((3, 1)))
        assert VectorStore("judge/x", 1, "judge").get(np.arange(3, dtype=np.uint64))[0].all()
        entry = cached_dir("ngram-index", "key", lambda d: (d / "x").write_text("built"))
    assert root != tmp_path / "file" / "cache" and entry.parent.parent == root and (entry / "x").read_text() == "built"
    assert len(records) == 1 and f"cache directory {tmp_path / 'file' / 'cache'} cannot be used (Not a directory)" in records[0]
    facts = json.loads(runner.invoke(app, ["cache", "info", "--json"]).output)
    assert facts["path"] == str(tmp_path / "file" / "cache") and facts["integrity"] == "absent"  # the configured one


def test_a_user_without_a_home_caches_for_the_run_and_cache_info_says_why(runner, tmp_path, monkeypatch):
    """A container's arbitrary user, without HOME and without an entry in the user database:
    Path.home() raises RuntimeError, which ended every run that caches as an internal error."""
    import pwd

    from qcaudit.cache import cache_root

    def no_entry(uid):
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.delenv("QCAUDIT_CACHE_DIR")
    monkeypatch.delenv("HOME")
    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    with _logged() as records:
        root = cache_root()
        VectorStore("judge/x", 1, "judge").put(np.arange(3, dtype=np.uint64), np.ones((3, 1)))
    assert root.name.startswith("qcaudit-cache-") and (root / "store2.sqlite3").is_file()
    said = "no cache directory (HOME is not set and this user has no home directory): set HOME, or QCAUDIT_CACHE_DIR, to keep the cache"
    assert len(records) == 1 and records[0].startswith(f"{said}; this run caches in {root}, removed when it ends"), records
    result = runner.invoke(app, ["cache", "info"])
    assert result.exit_code == 2 and said in result.output, result.output


def test_a_size_limit_that_is_not_a_number_of_megabytes_is_warned_about_once(monkeypatch):
    monkeypatch.setenv("QCAUDIT_CACHE_MAX_MB", "2 GB")
    with _logged() as records:
        assert store.max_bytes() == store.max_bytes() == store.DEFAULT_MAX_MB * 2**20
    assert records == [f"QCAUDIT_CACHE_MAX_MB='2 GB' is not a number of megabytes; the limit is the default {store.DEFAULT_MAX_MB} MB"]
    monkeypatch.setenv("QCAUDIT_CACHE_MAX_MB", "0.5")
    assert store.max_bytes() == 2**19


def test_a_write_ahead_log_removed_while_the_size_is_read_counts_nothing(tmp_path, monkeypatch):
    """Another process's last connection checkpoints the -wal file away at any moment: seen
    to exist, gone when read, it failed a run sharing the cache (FileNotFoundError)."""
    from pathlib import Path

    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path))
    path = store.store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * 1000)
    stat = Path.stat

    def gone_when_read(self, *args, **kwargs):
        if str(self).endswith("-wal"):
            raise FileNotFoundError(self)
        return stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "exists", lambda self, *a, **k: True)  # it was there when looked for
    monkeypatch.setattr(Path, "stat", gone_when_read)
    assert store.file_bytes() == 1000


def test_cache_info_counts_nothing_for_a_file_another_run_removes_meanwhile(tmp_path, monkeypatch):
    """`qcaudit cache info` walks the cache while running audits remove their scratch."""
    from pathlib import Path

    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path))
    (tmp_path / "ngram-index").mkdir()
    (tmp_path / "ngram-index" / "grams.parquet").write_bytes(b"x" * 100)
    (tmp_path / "scratch").mkdir()
    (tmp_path / "scratch" / "spill.bin").write_bytes(b"x" * 50)
    stat = Path.stat

    def removed_when_read(self, *args, **kwargs):
        if self.name == "spill.bin":
            raise FileNotFoundError(self)
        return stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "is_file", lambda self: True)  # listed, then removed by its run
    monkeypatch.setattr(Path, "stat", removed_when_read)
    assert store.info()["other_bytes"] == 100


def test_a_full_disk_passes_the_store_by_and_never_sets_it_aside(tmp_path, monkeypatch):
    """SQLite's "database or disk is full" (here: the store may not grow by a page) costs the
    new vectors their caching, said once; the store and what it held are kept, not set
    aside as damaged, and the run goes on."""
    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path / "c"))
    space = VectorStore("embedding/m/torch-fp32", 384, "embedding")
    space.put(np.arange(10, dtype=np.uint64), np.ones((10, 384), dtype=np.float32))
    connect = sqlite3.connect

    def no_room(*args, **kwargs):
        connection = connect(*args, **kwargs)
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages}")
        return connection

    monkeypatch.setattr(sqlite3, "connect", no_room)
    with _logged() as said:
        for start in (10, 510):  # two batches: one warning
            space.put(np.arange(start, start + 500, dtype=np.uint64), np.ones((500, 384), dtype=np.float32))
        found, _ = space.get(np.arange(20, dtype=np.uint64))
    assert found.tolist() == [True] * 10 + [False] * 10
    assert said == [f"cache store {store.store_path()} has no room: its disk is full; these values are not cached"]


@contextmanager
def _failing_io(monkeypatch, error: str, free: int) -> Iterator[None]:
    """Every statement of the store fails as SQLite reports an error of the operating
    system's (``error``, an SQLITE_IOERR code), on a disk with ``free`` bytes left."""
    connect, disk_usage = sqlite3.connect, store.shutil.disk_usage

    class FailingIO:
        def __init__(self, *args, **kwargs):
            self.inner = connect(*args, **kwargs)

        def execute(self, *args):
            exc = sqlite3.OperationalError("disk I/O error")
            exc.sqlite_errorcode, exc.sqlite_errorname = getattr(sqlite3, error), error
            raise exc

        def close(self):
            self.inner.close()

    with monkeypatch.context() as failing:
        failing.setattr(sqlite3, "connect", FailingIO)
        failing.setattr(store.shutil, "disk_usage", lambda path: disk_usage(path)._replace(free=free))
        yield


_IO_ERRORS = [("SQLITE_IOERR_SHMSIZE", 0, "has no room: its disk is full"),
              ("SQLITE_IOERR_WRITE", 10**9, "cannot be read or written now (disk I/O error: SQLITE_IOERR_WRITE)")]


@pytest.mark.parametrize(("error", "free", "said"), _IO_ERRORS)
def test_an_io_error_at_opening_passes_a_sound_store_by_and_never_deletes_it(tmp_path, monkeypatch, error, free, said):
    """On a full disk SQLite cannot open a sound store at all (the shared-memory file of its
    write-ahead log cannot grow: "disk I/O error", SQLITE_IOERR_SHMSIZE; seen on a full
    tmpfs); a network drive that drops gives other SQLITE_IOERR codes. Neither says anything
    of the file: its entries were deleted as "damaged (disk I/O error)"."""
    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path / "c"))
    space, keys = VectorStore("embedding/m/torch-fp32", 4, "embedding"), np.arange(10, dtype=np.uint64)
    space.put(keys, np.ones((10, 4), dtype=np.float32))
    with _failing_io(monkeypatch, error, free), _logged() as logged:
        assert not space.get(keys)[0].any()
        space.put(keys + 10, np.ones((10, 4), dtype=np.float32))
    assert logged == [f"cache store {store.store_path()} {said}; computing without it",
                      f"cache store {store.store_path()} {said}; these values are not cached"]
    assert space.get(keys)[0].all()  # the store kept its entries


@pytest.mark.parametrize(("error", "free", "said"), _IO_ERRORS)
def test_cache_info_and_compact_on_a_store_that_cannot_be_opened_say_why(runner, tmp_path, monkeypatch, error, free, said):
    """Both were internal errors ("OperationalError: disk I/O error") on a full disk."""
    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path / "c"))
    VectorStore("embedding/m/torch-fp32", 4, "embedding").put(np.arange(10, dtype=np.uint64), np.ones((10, 4), dtype=np.float32))
    with _failing_io(monkeypatch, error, free):
        info = runner.invoke(app, ["cache", "info", "--json"])
        compacted = runner.invoke(app, ["cache", "compact"])
    assert info.exit_code == 0 and json.loads(info.output)["integrity"] == f"not checked: the store {said}"
    assert json.loads(info.output)["store_bytes"] == store.file_bytes() > 0
    assert compacted.exit_code == 2
    assert compacted.output == f"error: cache store {store.store_path()} {said}; it was not compacted\n"
    assert json.loads(runner.invoke(app, ["cache", "info", "--json"]).output)["spaces"][0]["entries"] == 10


def test_the_cache_commands_on_a_directory_that_cannot_be_written_leave_it_as_it_is(runner, tmp_path, monkeypatch):
    """A read-only mount or another user's cache: runs cache in a directory of their own, and
    ``cache info`` checked, ``cache compact`` compacted that new empty store ("store 0.0 MB
    -> 0.2 MB"); ``cache clear`` failed on the first file with the OS's words."""
    root = tmp_path / "c"
    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(root))
    VectorStore("embedding/m/torch-fp32", 4, "embedding").put(np.arange(10, dtype=np.uint64), np.ones((10, 4), dtype=np.float32))
    size = store.file_bytes(root)
    access = store.os.access
    monkeypatch.setattr(store.os, "access", lambda path, mode: False if Path(path) == root else access(path, mode))
    info = runner.invoke(app, ["cache", "info", "--json"])
    assert info.exit_code == 0, info.output
    facts = json.loads(info.stdout)
    assert facts["integrity"] == "not checked: the cache directory cannot be written" and facts["store_bytes"] == size
    compacted, cleared = runner.invoke(app, ["cache", "compact"]), runner.invoke(app, ["cache", "clear"])
    assert (compacted.exit_code, compacted.output) == (2, f"error: cache directory {root} cannot be written; the store was not compacted\n")
    assert (cleared.exit_code, cleared.output) == (2, f"error: cache directory {root} cannot be written; nothing was deleted\n")
    assert store.file_bytes(root) == size and sorted(p.name for p in root.iterdir()) == ["store2.sqlite3"]


def test_cache_clear_leaves_the_scratch_of_a_run_still_going(runner, tmp_path, monkeypatch):
    """A CI job's ``cache clear`` beside another's audit deleted that audit's spilled state,
    and it failed naming a file of it ("scratch/run-6744-.../tmpuwjqk6s3.npy: No such file
    or directory"); a killed run's scratch is still deleted."""
    import subprocess
    import sys

    root = tmp_path / "c"
    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(root))
    VectorStore("embedding/m/torch-fp32", 4, "embedding").put(np.arange(3, dtype=np.uint64), np.ones((3, 4), dtype=np.float32))
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    auditing = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # (a run still going)
    try:
        going, killed = root / "scratch" / f"run-{auditing.pid}-a1", root / "scratch" / f"run-{ended.stdout.strip()}-b2"
        for scratch in (going, killed):
            scratch.mkdir(parents=True)
            (scratch / "spilled.npy").write_bytes(b"\0" * 2**20)
        deleted = store.file_bytes(root) + 2**20  # (the store and the killed run's scratch; the running one's grows meanwhile)
        result = runner.invoke(app, ["cache", "clear"])
        assert result.exit_code == 0, result.output
        assert result.output.endswith(f": deleted {deleted / 2**20:,.1f} MB; left the scratch of 1 audit still running "
                                      "(removed when they end)\n"), result.output
        assert (going / "spilled.npy").exists() and not killed.exists() and not store.has_store()
        assert json.loads(runner.invoke(app, ["cache", "info", "--json"]).output)["other_bytes"] == 2**20
    finally:
        auditing.kill()
        auditing.wait()
    result = runner.invoke(app, ["cache", "clear"])  # (killed outright, it left its scratch: deleted now)
    assert result.exit_code == 0 and "left the scratch" not in result.output and not root.exists(), result.output


def test_a_full_cache_disk_builds_the_entry_aside_for_the_run(tmp_path, monkeypatch):
    """An ONNX export or a benchmark index that finds no room in the cache directory is built
    in a temporary directory of the run's own instead; with no room there either, one line."""
    import errno

    from qcaudit.errors import QcauditError

    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path / "c"))
    full = tmp_path / "c"

    def build(directory):
        if full in directory.parents:
            raise OSError(errno.ENOSPC, "No space left on device")
        (directory / "model.onnx").write_text("built")

    with _logged() as said:
        entry = cached_dir("onnx", "k", build)
    assert (entry / "model.onnx").read_text() == "built" and full not in entry.parents
    assert len(said) == 1 and "has no room (No space left on device); this run builds its onnx in" in said[0]

    def polars_build(directory):  # the n-gram index writes parquet: Polars says the code in its message
        if full in directory.parents:
            raise pl.exceptions.ComputeError("parquet: File out of specification: underlying IO error: No space left "
                                             "on device (os error 28)")
        pl.DataFrame({"a": [1]}).write_parquet(directory / "grams.parquet")

    assert pl.read_parquet(cached_dir("ngram-index", "k", polars_build) / "grams.parquet")["a"].to_list() == [1]
    assert not list((full / "onnx").iterdir())  # nothing half-built left in the cache

    def nowhere(directory):
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(QcauditError, match="no room to build the onnx cache entry, in .* or in .*: free some space"):
        cached_dir("onnx", "k2", nowhere)
    with pytest.raises(OSError, match="Permission denied"):  # other failures are what they are
        cached_dir("onnx", "k3", lambda d: (_ for _ in ()).throw(OSError(errno.EACCES, "Permission denied")))


@pytest.mark.parametrize("failure, reason", [
    (OSError("20889 requested and 12784 written"), "the disk took only part of a write"),  # numpy's short write
    (OSError(28, "No space left on device"), "No space left on device"),
])
def test_a_spill_with_no_room_is_one_line_and_leaves_no_file(tmp_path, monkeypatch, failure, reason):
    from qcaudit.errors import QcauditError
    from qcaudit.spill import Chunks

    chunks = Chunks()
    chunks.append(np.arange(1000))

    def short_write(out, array, allow_pickle):
        out.write(b"partial")
        raise failure

    monkeypatch.setattr(np, "save", short_write)
    with pytest.raises(QcauditError, match=f"cannot spill the run's state to {tmp_path} \\({reason}\\): free some space"):
        chunks.spill(tmp_path)
    assert list(tmp_path.iterdir()) == [] and not chunks.spilled
