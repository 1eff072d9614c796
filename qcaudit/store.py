"""One SQLite file for values computed per text: embeddings and judge verdicts.

``<cache>/store2.sqlite3`` (SQLite: in the standard library, one file, safe for several
processes at once, indexed look-ups) holds one table ``entries``, keyed by (``space``,
``key``): the space names what computed the value (``embedding/<model key>/<backend>``,
``judge/<model key>``), the key is the text's (or pair's) 64-bit hash. Each value is the
raw bytes of a float32 vector with its CRC-32, checked on every read: a damaged entry is
deleted with a warning and computed again. A damaged file is set aside the same way. A
read takes the write lock first (it marks its entries as used), so that another process's
write in between cannot fail it; a store another process holds longer than the busy timeout,
or that cannot be used for want of room or through an error of the operating system's, is
read as empty and not written, with a warning, never taken for a damaged one.

Each read marks its entries as used (a day's resolution); after a write, when the file is
larger than the size limit (``QCAUDIT_CACHE_MAX_MB``, default 2048), the least recently
used entries are deleted until it is under 90% of it, and the file is compacted
(``VACUUM``). ``qcaudit cache info|compact|clear`` shows, compacts or deletes the whole cache.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import sqlite3
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from qcaudit.cache import (
    FOLDERS,
    SCRATCH,
    cache_root,
    configured_cache_root,
    scratch_in_use,
    writable,
)
from qcaudit.errors import QcauditError

log = logging.getLogger("qcaudit")
STORE_NAME = "store2.sqlite3"
#: Stores of earlier layouts, whose entries a new store takes over when it is made, then
#: deletes. ``store.sqlite3`` held its rows in a table without rowids, where a row of more
#: than about 1 KB (a 384-dimension vector) spills into an overflow page of its own: three
#: times the vectors' bytes on disk, and the size limit held a third of what it says.
EARLIER_STORES = ("store.sqlite3",)
_EVERY_STORE = (STORE_NAME, *EARLIER_STORES)
#: SQLite's largest page (set when the file is made): a row of a vector of up to about
#: 16,000 dimensions fits in a page without spilling (1.1 times the vectors' bytes at 384 to 1,024).
_PAGE_SIZE = 65536
DEFAULT_MAX_MB = 2048
_DAY = 86_400
#: Seconds a process waits for another to release the store before going on without it.
BUSY_TIMEOUT_S = 60.0
_WAL_LIMIT = 4 * 2**20  # the write-ahead log is truncated to this after each checkpoint
_ROOM_NEEDED = 2**20  # an I/O error with less free space than this on the store's disk is a full disk
_SCHEMA = """CREATE TABLE IF NOT EXISTS entries (
    space TEXT NOT NULL, key INTEGER NOT NULL, value BLOB NOT NULL, checksum INTEGER NOT NULL, used INTEGER NOT NULL,
    PRIMARY KEY (space, key))"""


def store_path() -> Path:
    return cache_root() / STORE_NAME


def has_store() -> bool:
    """Whether a run has made the store yet, of this layout or an earlier one (asked without
    making the cache directory; where there is none to make, no home directory, it has not)."""
    try:
        root = configured_cache_root()
    except QcauditError:
        return False
    return any((_configured_directory(root) / name).exists() for name in _EVERY_STORE)


def max_bytes() -> int:
    """The store's size limit: ``QCAUDIT_CACHE_MAX_MB`` megabytes; a value that is not a number
    of megabytes is warned about and the default used (a cache setting never fails a run)."""
    given = os.environ.get("QCAUDIT_CACHE_MAX_MB")
    try:
        megabytes = float(given) if given is not None else DEFAULT_MAX_MB
    except ValueError:
        megabytes = math.nan
    if not 0 <= megabytes < math.inf:
        _warn_bad_limit(given)
        megabytes = DEFAULT_MAX_MB
    return int(megabytes * 2**20)


@cache
def _warn_bad_limit(given: str | None) -> None:
    """Once a process: every write reads the limit."""
    log.warning("QCAUDIT_CACHE_MAX_MB=%r is not a number of megabytes; the limit is the default %d MB", given, DEFAULT_MAX_MB)


def _signed(keys: np.ndarray) -> list[int]:
    """u64 hashes as SQLite's signed 64-bit integers."""
    return np.asarray(keys, dtype=np.uint64).view(np.int64).tolist()


def _busy(exc: sqlite3.DatabaseError) -> bool:
    """Whether ``exc`` says another process holds the store (not that the file is damaged)."""
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc))


def _io_failed(exc: sqlite3.DatabaseError) -> bool:
    """Whether ``exc`` is an error the operating system gave SQLite (the ``SQLITE_IOERR``
    family), which says nothing of what the file holds: a full disk fails the opening of a
    sound store as ``SQLITE_IOERR_SHMSIZE`` (its shared-memory file cannot grow), a
    disconnected network drive as a read or write error."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_IOERR


def _full(exc: sqlite3.DatabaseError) -> bool:
    """Whether ``exc`` says the disk (or quota) is full: the store is sound, there is no room.
    SQLite says so in so many words on a write, but only "disk I/O error" when it cannot
    open the store for want of room, so an I/O error on a disk with no room left counts."""
    if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in str(exc):
        return True
    try:
        return _io_failed(exc) and shutil.disk_usage(store_path().parent).free < _ROOM_NEEDED
    except OSError:
        return False


def _why_unusable(exc: sqlite3.DatabaseError) -> str | None:
    """Why the store cannot be used now though it may well be sound (its disk is full,
    another process holds it, the operating system failed to read or write it), as the end
    of a sentence about it; None when ``exc`` says the file is damaged (not a database,
    malformed). A store that cannot be used now is passed by (a cache is never a reason for
    a run to fail), never set aside as damaged."""
    if _full(exc):
        return "has no room: its disk is full"
    if _busy(exc):
        return f"is busy ({exc})"
    if _io_failed(exc):
        return f"cannot be read or written now ({exc}: {exc.sqlite_errorname})"
    return None


def _unusable(exc: sqlite3.DatabaseError) -> bool:
    return _why_unusable(exc) is not None


_warned: set[str] = set()


def _pass_by(exc: sqlite3.DatabaseError, what: str) -> None:
    """Say, once a process for each reason, that the store is passed by and what that costs."""
    message = f"cache store {store_path()} {_why_unusable(exc)}; {what}"
    if message not in _warned:
        _warned.add(message)
        log.warning("%s", message)


@contextmanager
def _connect() -> Iterator[sqlite3.Connection]:
    path = store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(2):
        connection = None
        try:
            connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
            connection.execute(f"PRAGMA page_size={_PAGE_SIZE}")  # (a new file's; an existing one keeps its own)
            _write_ahead_log(connection)
            connection.execute(f"PRAGMA journal_size_limit={_WAL_LIMIT}")
            connection.execute(_SCHEMA)
            _take_over_earlier_stores(connection, path.parent)
            break
        except sqlite3.DatabaseError as exc:
            if connection is not None:
                connection.close()
            if attempt or _unusable(exc):
                raise
            _set_aside(path, exc)
    try:
        yield connection
        connection.commit()
    finally:
        connection.close()


def _write_ahead_log(connection: sqlite3.Connection) -> None:
    """Switch the store to write-ahead logging. SQLite does not wait out another
    connection's lock for this switch, busy timeout or not ("database is locked" at once:
    processes that open a new store together lost values to it), so it is waited out here,
    as the timeout would be. Once the store logs ahead, the switch takes no lock."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if not _busy(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _take_over_earlier_stores(connection: sqlite3.Connection, directory: Path) -> None:
    """Copy the entries of a store of an earlier layout (:data:`EARLIER_STORES`) into this
    one, then delete it: an upgrade keeps the cache. One another process holds is left for
    a later run; one that cannot be read is deleted with a warning (its values are computed
    again when next needed)."""
    for name in EARLIER_STORES:
        earlier = directory / name
        if not earlier.exists():
            continue
        try:
            connection.execute("ATTACH DATABASE ? AS earlier", (str(earlier),))
            try:
                with connection:
                    connection.execute("INSERT OR IGNORE INTO entries SELECT space, key, value, checksum, used FROM earlier.entries")
            finally:
                connection.execute("DETACH DATABASE earlier")
        except sqlite3.DatabaseError as exc:
            if _unusable(exc):
                continue
            log.warning("cache store %s of an earlier qcaudit cannot be read (%s); deleted", earlier, exc)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{earlier}{suffix}").unlink(missing_ok=True)


def _set_aside(path: Path, exc: Exception) -> None:
    log.warning("cache store %s is damaged (%s); starting a new one", path, exc)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


class VectorStore:
    """Float32 vectors of a fixed dimension in one space of the store."""

    def __init__(self, space: str, dimension: int, what: str):
        self.space, self.dimension, self.what = space, dimension, what

    def get(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(found, vectors): which of the distinct ``keys`` the store holds, and their vectors
        (rows of zeros where not found)."""
        found = np.zeros(len(keys), dtype=bool)
        vectors = np.zeros((len(keys), self.dimension), dtype=np.float32)
        if not len(keys):
            return found, vectors
        position = {k: i for i, k in enumerate(_signed(keys))}
        damaged = []
        try:
            with _connect() as db:
                db.execute("BEGIN IMMEDIATE")  # the write lock now, not after the read: no stale snapshot to upgrade
                db.execute("CREATE TEMP TABLE wanted (key INTEGER PRIMARY KEY)")
                db.executemany("INSERT OR IGNORE INTO temp.wanted VALUES (?)", ((k,) for k in position))
                rows = db.execute(
                    "SELECT e.key, e.value, e.checksum FROM entries e JOIN temp.wanted w ON e.key = w.key WHERE e.space = ?",
                    (self.space,),
                ).fetchall()
                for key, value, checksum in rows:
                    if zlib.crc32(value) != checksum or len(value) != 4 * self.dimension:
                        damaged.append(key)
                        continue
                    i = position[key]
                    vectors[i] = np.frombuffer(value, dtype=np.float32)
                    found[i] = True
                if damaged:
                    log.warning("%s cache: %d entries failed their checksum; removed, their values are computed again",
                                self.what, len(damaged))
                    db.executemany("DELETE FROM entries WHERE space = ? AND key = ?", ((self.space, k) for k in damaged))
                today = int(time.time()) // _DAY * _DAY
                db.execute(
                    "UPDATE entries SET used = ? WHERE space = ? AND used < ? AND key IN (SELECT key FROM temp.wanted)",
                    (today, self.space, today),
                )
        except sqlite3.DatabaseError as exc:
            if _unusable(exc):
                _pass_by(exc, "computing without it")
            else:
                _set_aside(store_path(), exc)
            return np.zeros(len(keys), dtype=bool), vectors
        return found, vectors

    def put(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Store ``vectors`` (one row per key), then keep the store under its size limit."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        today = int(time.time()) // _DAY * _DAY
        rows = ((self.space, k, v.tobytes(), zlib.crc32(v.tobytes()), today) for k, v in zip(_signed(keys), vectors, strict=True))
        try:
            with _connect() as db:
                db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?)", rows)
            enforce_limit()
        except sqlite3.DatabaseError as exc:
            if not _unusable(exc):
                raise
            _pass_by(exc, "these values are not cached")


def file_bytes(directory: Path | None = None) -> int:
    """The store's size on disk in ``directory`` (default: the run's cache directory): its
    file and its write-ahead log, which another process may remove at any moment (the last
    connection to close checkpoints it away)."""
    directory = store_path().parent if directory is None else directory
    return sum(_size(directory / f"{name}{suffix}") for name in _EVERY_STORE for suffix in ("", "-wal"))


def _size(path: Path) -> int:
    """``path``'s bytes; 0 where there is no such file (or its directory is a file)."""
    try:
        return path.stat().st_size
    except (FileNotFoundError, NotADirectoryError):
        return 0


def enforce_limit(limit: int | None = None) -> int:
    """Delete least recently used entries until the store is under 90% of ``limit`` bytes
    (default :func:`max_bytes`); returns how many were deleted."""
    limit = max_bytes() if limit is None else limit
    if not has_store() or file_bytes() <= limit:
        return 0
    compact()  # measure the file without its log and free pages
    size = file_bytes()
    if size <= limit:
        return 0
    with _connect() as db:
        count = db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
        drop = min(count, int(count * (1 - 0.9 * limit / size)) + 1)  # entries are about the same size
        db.execute(
            "DELETE FROM entries WHERE (space, key) IN (SELECT space, key FROM entries ORDER BY used, space, key LIMIT ?)",
            (drop,),
        )
    compact()
    return drop


def compact() -> None:
    """Give the space of deleted entries and of the write-ahead log back to the file system."""
    if has_store():
        with _connect() as connection:  # (a store of an earlier layout taken over first)
            connection.execute("VACUUM")
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


class Compacted(NamedTuple):
    """What :func:`compact_within_limit` did: the store's bytes before and after, and the
    least recently used entries it deleted to keep under the size limit."""

    before_bytes: int
    after_bytes: int
    deleted: int


def compact_within_limit() -> Compacted:
    """``qcaudit cache compact``: :func:`enforce_limit`, then :func:`compact`. A store that
    cannot be used now (its directory not writable, its disk full: VACUUM writes a copy of
    the store; another process holding it) is one line, not an error of SQLite's."""
    root = _configured_directory()
    if has_store() and not writable(root):  # (runs cache elsewhere: connecting would open an empty store there)
        raise QcauditError(f"cache directory {root} cannot be written; the store was not compacted")
    before = file_bytes(root)
    try:
        deleted = enforce_limit()
        compact()
    except sqlite3.DatabaseError as exc:
        if (why := _why_unusable(exc)) is None:
            raise
        raise QcauditError(f"cache store {store_path()} {why}; it was not compacted") from None
    return Compacted(before, file_bytes(root), deleted)


def info() -> dict:
    """Entries and bytes per space, the file's size and limit, and SQLite's integrity check
    (``absent`` before the first run has made the store; ``not checked: ...`` with the reason
    when the store cannot be opened now, and then no entries)."""
    root = _configured_directory()
    result = {"path": str(root), "store_bytes": 0, "limit_bytes": max_bytes(), "spaces": [], "integrity": "absent"}
    if has_store() and not writable(root):
        result["integrity"] = "not checked: the cache directory cannot be written"
    elif has_store():
        try:
            with _connect() as db:
                result["integrity"] = db.execute("PRAGMA quick_check").fetchone()[0]
                result["spaces"] = [
                    {"space": space, "entries": n, "bytes": size}
                    for space, n, size in db.execute(
                        "SELECT space, COUNT(*), SUM(LENGTH(value)) FROM entries GROUP BY space ORDER BY space")
                ]
        except sqlite3.DatabaseError as exc:
            if (why := _why_unusable(exc)) is None:
                raise
            result["integrity"] = f"not checked: the store {why}"
    result["store_bytes"] = file_bytes(root)
    result["other_bytes"] = _other_bytes(root)
    return result


def _other_bytes(root: Path) -> int:
    """Bytes of qcaudit's folders beside the store (:data:`qcaudit.cache.FOLDERS`: benchmark
    indexes, exported models, and the scratch of running audits, which remove theirs when
    they end, at any moment: what is gone counts nothing)."""
    return sum(_tree_bytes(root / kind) for kind in sorted(FOLDERS))


def _tree_bytes(tree: Path) -> int:
    """Bytes of the files under the folder ``tree``."""
    return sum(_size(Path(folder, name)) for folder, _, names in os.walk(tree) for name in names)


class Cleared(NamedTuple):
    """What :func:`clear` did: the bytes it deleted, the names it left (not qcaudit's), and
    the scratch directories it left to runs still going."""

    freed_bytes: int
    left: list[str]
    running: int = 0


def clear() -> Cleared:
    """Delete what qcaudit keeps in the cache directory, the store and its folders
    (:data:`qcaudit.cache.FOLDERS`: benchmark indexes, exported models, scratch), then the
    directory when nothing else is left in it. Anything else stays: ``QCAUDIT_CACHE_DIR``
    may name a directory other programs use too. So does the scratch of a run still going
    (its spilled state: deleted, the run failed naming a file of it); the run removes it
    when it ends."""
    root = _configured_directory()
    if not root.exists():
        return Cleared(0, [])
    if not writable(root):
        raise QcauditError(f"cache directory {root} cannot be written; nothing was deleted")
    freed, running = file_bytes(root), 0
    for path in root.iterdir():
        if path.name == SCRATCH and path.is_dir() and not path.is_symlink():
            freed_there, running = _clear_scratch(path)
            freed += freed_there
        elif path.name in FOLDERS and path.is_dir() and not path.is_symlink():
            freed += _tree_bytes(path)
            shutil.rmtree(path)
        elif path.name.startswith(_EVERY_STORE) and not path.is_dir():
            path.unlink()
    left = sorted(path.name for path in root.iterdir() if path.name != SCRATCH)
    if not left and not running:
        root.rmdir()
    return Cleared(freed, left, running)


def _clear_scratch(folder: Path) -> tuple[int, int]:
    """Delete the scratch ``folder``'s entries but those of runs still going, and the folder
    when none is: (bytes deleted, runs still going)."""
    freed, running = 0, 0
    for entry in folder.iterdir():
        if scratch_in_use(entry):
            running += 1
        elif entry.is_dir() and not entry.is_symlink():
            freed += _tree_bytes(entry)
            shutil.rmtree(entry)
        else:
            freed += _size(entry)
            entry.unlink()
    if not running:
        folder.rmdir()
    return freed, running


def _configured_directory(root: Path | None = None) -> Path:
    """The configured cache directory (``root``, if known), which may not exist yet; a file
    there is refused."""
    root = configured_cache_root() if root is None else root
    if root.exists() and not root.is_dir():
        raise QcauditError(f"the cache directory {root} is a file: set QCAUDIT_CACHE_DIR to a directory")
    return root
