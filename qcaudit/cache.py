"""An on-disk cache for derived artefacts (benchmark indexes).

Entries live under ``$QCAUDIT_CACHE_DIR`` (default ``~/.cache/qcaudit``), one directory
per (kind, key); the key is a hash of everything the artefact depends on. An entry is
built in a temporary directory and renamed into place, so a reader never sees half of one.
Values computed per text (embeddings, judge verdicts) go to :mod:`qcaudit.store` instead.
Every entry carries the SHA-256 of each of its files (``MANIFEST.sha256``), checked before
each use: an entry that fails the check (a disk error, an edit, a truncated copy) is
removed and rebuilt, with a warning that names it.
"""

from __future__ import annotations

import atexit
import errno
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Hashable
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from qcaudit.atomic import NO_ROOM, os_error_code, process_alive
from qcaudit.errors import QcauditError

MANIFEST = "MANIFEST.sha256"
#: The folder of running audits' spilled state (:meth:`qcaudit.context.RunContext.scratch`).
SCRATCH = "scratch"
#: The folders qcaudit makes in the cache directory: one a kind of artefact (:func:`cached_dir`)
#: and the scratch. ``qcaudit cache clear`` deletes these and the store, nothing else.
FOLDERS = frozenset({"ngram-index", "onnx", SCRATCH})
log = logging.getLogger("qcaudit")


def scratch_in_use(directory: Path) -> bool:
    """Whether ``directory``, under the cache's :data:`SCRATCH` folder, is the scratch of a
    run still going: named ``run-<process id>-...`` (:meth:`qcaudit.context.RunContext.scratch`)
    by a process that is alive. Anything else there is left over, and may be deleted."""
    parts = directory.name.split("-")
    return len(parts) > 2 and parts[0] == "run" and parts[1].isdigit() and process_alive(int(parts[1]))


def new_scratch() -> Path:
    """A new directory of this process's own under the cache's :data:`SCRATCH` folder, made
    after removing those of processes no longer running (killed outright: SIGKILL, a power
    cut); its maker removes it when done."""
    parent = cache_root() / SCRATCH
    parent.mkdir(parents=True, exist_ok=True)
    for left in parent.iterdir():
        if not scratch_in_use(left):
            shutil.rmtree(left, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"run-{os.getpid()}-", dir=parent))


#: What :func:`made_once` made in this process, by key: the scratch directory it lies in,
#: and what was made.
_MADE: dict[Hashable, tuple[Path, Any]] = {}


def made_once(key: Hashable, what: str, make: Callable[[Path], Any]) -> Any:
    """``make(directory)``: ``what`` (a copy made to read an input, "a JSON Lines copy of
    d.json") written in a new scratch directory of this process's own (:func:`new_scratch`)
    that is removed when the process exits, or at once where ``make`` fails, a full disk in
    one line that says where; made once for each ``key`` (the input and its state: a second
    audit of it in one process reads the same copy)."""
    if key in _MADE and _MADE[key][0].is_dir():
        return _MADE[key][1]
    try:
        directory = new_scratch()
        try:
            made = make(directory)
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
    except OSError as exc:
        if os_error_code(exc) in NO_ROOM:
            raise QcauditError(f"no room for {what} in {cache_root() / SCRATCH} ({os.strerror(os_error_code(exc))}): free "
                               "some space there, or set QCAUDIT_CACHE_DIR to a disk with room") from None
        raise
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    _MADE[key] = (directory, made)
    return made


def configured_cache_root() -> Path:
    """Where the cache lives: ``$QCAUDIT_CACHE_DIR``, its ``~`` expanded (a CI file's or a
    ``.env`` file's value is not expanded by a shell), else ``~/.cache/qcaudit``. Set empty
    it counts as not set, as the XDG base directory variables do: the working directory is
    no cache (``qcaudit cache clear`` would delete in it)."""
    given = os.environ.get("QCAUDIT_CACHE_DIR", "")
    try:
        return Path(given).expanduser() if given.strip() else Path.home() / ".cache" / "qcaudit"
    except RuntimeError:  # ("Could not determine home directory": a container's user with no HOME and no passwd entry)
        raise QcauditError("no cache directory (HOME is not set and this user has no home directory): set HOME, "
                           "or QCAUDIT_CACHE_DIR, to keep the cache") from None


def cache_root() -> Path:
    """The cache directory a run uses: the configured one, made if need be; where there is
    none (no home directory) or it cannot be made or written (a read-only home in a
    container, a path through a file), a temporary one of this process's own, removed when
    it ends: a cache is never a reason for a run to fail."""
    try:
        root = configured_cache_root()
    except QcauditError as exc:
        return _temporary_root(str(exc))
    return _usable(root)


@cache
def _usable(root: Path) -> Path:
    try:
        root.mkdir(parents=True, exist_ok=True)
        if not writable(root):
            raise PermissionError(errno.EACCES, "not writable")
        return root
    except OSError as exc:
        return _temporary_root(f"cache directory {root} cannot be used ({exc.strerror or exc}): set QCAUDIT_CACHE_DIR to "
                               "a writable directory to keep the cache")


def writable(directory: Path) -> bool:
    """Whether this process may make and delete files in ``directory`` (not on a read-only
    mount, not in another user's directory): where it may not, runs cache elsewhere."""
    return os.access(directory, os.W_OK | os.X_OK)


@cache
def _temporary_root(why: str) -> Path:
    """A cache directory for this run alone, removed when it ends; said once, with ``why``."""
    fallback = Path(tempfile.mkdtemp(prefix="qcaudit-cache-"))
    atexit.register(shutil.rmtree, fallback, ignore_errors=True)
    log.warning("%s; this run caches in %s, removed when it ends", why, fallback)
    return fallback


def cache_key(**parts: Any) -> str:
    """A stable hash of the settings and content hashes an artefact depends on."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def cached_dir(kind: str, key: str, build: Callable[[Path], None]) -> Path:
    """The cache directory for (kind, key), calling ``build(tmp_dir)`` to fill it if absent
    or damaged. ``kind`` is one of :data:`FOLDERS`."""
    if kind not in FOLDERS:
        raise ValueError(f"cache kind {kind!r} is not in qcaudit.cache.FOLDERS")
    target = cache_root() / kind / key
    if target.is_dir():
        if _intact(target):
            return target
        log.warning("cache entry %s failed its checksum; rebuilding it", target)
        shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=target.parent))
    try:
        build(tmp)
        _write_manifest(tmp)
        os.replace(tmp, target)
    except (OSError, pl.exceptions.PolarsError) as exc:
        if target.is_dir():  # a concurrent build won the rename: use its entry
            return target
        code = os_error_code(exc)
        if code not in NO_ROOM:
            raise
        shutil.rmtree(tmp, ignore_errors=True)  # its room, for the build elsewhere
        return _built_aside(kind, build, code)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _built_aside(kind: str, build: Callable[[Path], None], full: int) -> Path:
    """Where the cache's disk is full (``full``: the OS error code): the entry built in a
    temporary directory of this run's own, removed when it ends (a cache is never a reason
    for a run to fail); where that disk is full too, one line that says so."""
    aside = Path(tempfile.mkdtemp(prefix=f"qcaudit-{kind}-"))
    atexit.register(shutil.rmtree, aside, ignore_errors=True)
    log.warning("the cache directory %s has no room (%s); this run builds its %s in %s, removed when it ends",
                cache_root(), os.strerror(full), kind, aside)
    try:
        build(aside)
    except (OSError, pl.exceptions.PolarsError) as exc:
        code = os_error_code(exc)
        if code not in NO_ROOM:
            raise
        raise QcauditError(f"no room to build the {kind} cache entry, in {cache_root()} or in {aside.parent} "
                           f"({os.strerror(code)}): free some space or set QCAUDIT_CACHE_DIR to a disk with room") from exc
    return aside


def _write_manifest(directory: Path) -> None:
    lines = [f"{file_sha256(path)}  {path.name}" for path in sorted(directory.iterdir()) if path.is_file()]
    (directory / MANIFEST).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _intact(directory: Path) -> bool:
    try:
        listed = {}
        for line in (directory / MANIFEST).read_text("utf-8").splitlines():
            digest, _, name = line.partition("  ")
            listed[name] = digest
        present = {p.name for p in directory.iterdir() if p.is_file() and p.name != MANIFEST}
        return set(listed) == present and all(file_sha256(directory / name) == digest for name, digest in listed.items())
    except (OSError, ValueError):
        return False
