"""Write outputs whole or not at all.

A file is written to a temporary name beside its target and renamed into place. A report
directory (several files that belong together) is built in a temporary sibling directory
and swapped with the old one in one ``renameat2(RENAME_EXCHANGE)`` (Linux), so the directory
always holds one run's complete set, even across SIGKILL; where the exchange is not
available, the old directory is renamed away first (a moment with no directory, never a
mixed one). Temporaries carry the writer's process id; an interrupted run's are removed on
the way out (SIGINT, SIGTERM: see :class:`qcaudit.errors.Interrupted`), a killed run's by
the next write beside them.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import signal
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from qcaudit.errors import QcauditError

_TAG = "qcaudit-tmp"
_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _temp_prefix(target: Path) -> str:
    return f".{target.name}.{_TAG}-{os.getpid()}-"


#: The signals that stop a run (:class:`qcaudit.errors.Interrupted`). They are held back
#: from just before a temporary is created until the code that removes it is in force, so
#: none can arrive in between and leave the temporary behind.
_STOPPING = {signal.SIGINT, signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])}


def _hold_signals() -> set | None:
    return signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING) if hasattr(signal, "pthread_sigmask") else None


def _release_signals(previous: set | None) -> None:
    if previous is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _removed_whole(remove: Callable[[], None]) -> None:
    """``remove()`` with the stopping signals held: one that arrives meanwhile is raised
    once the temporary is gone, not halfway through removing it."""
    previous = _hold_signals()
    try:
        remove()
    finally:
        _release_signals(previous)


def _create_held(create: Callable[[], str]) -> tuple[str, set | None]:
    """``create()`` with the stopping signals held; the caller releases them inside the
    ``try`` that removes what was created."""
    previous = _hold_signals()
    try:
        return create(), previous
    except BaseException:
        _release_signals(previous)
        raise


def write_atomic(path: str | Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp_path)``, then move the result onto ``path`` in one rename; into a
    device, a pipe or a socket (:func:`special_file`), copy it. A symbolic link to a file
    is kept: the file it points to is the one replaced (as editors write a linked file: a
    README.md linked into a repository's docs stays linked)."""
    path = Path(path)
    if special_file(path):
        _write_through(path, write)
        return
    if path.is_symlink() and path.is_file():
        path = Path(os.path.realpath(path))
    with _said_as_placing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(path)
        tmp, held = _create_held(lambda: _closed(tempfile.mkstemp(prefix=_temp_prefix(path), suffix=".tmp", dir=path.parent)))
    try:
        _release_signals(held)
        with _said_as_writing(path):
            write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        _removed_whole(lambda: Path(tmp).unlink(missing_ok=True))
        raise


def special_file(path: Path) -> bool:
    """Whether ``path`` is, or links to, a file that is neither a regular file nor a folder:
    a device, a pipe or a socket (``--junit /dev/stdout``, ``-o /dev/null``). A rename onto
    it would replace the node itself, and as root that is /dev/stdout or /dev/null gone for
    every process of the machine."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _write_through(target: Path, write: Callable[[Path], None]) -> None:
    """``write`` into a temporary file of the system's temporary folder, then its bytes
    into ``target`` (the writers of parquet and compressed files need a file they can seek)."""
    with tempfile.TemporaryDirectory(prefix=f"{_TAG}-{os.getpid()}-") as folder:
        tmp = Path(folder) / target.name
        with _said_as_writing(target):
            write(tmp)
            with open(tmp, "rb") as source, open(target, "wb") as sink:
                shutil.copyfileobj(source, sink)


@contextmanager
def _said_as_writing(target: Path) -> Iterator[None]:
    """A write that fails for the file system (a full disk, a quota) without naming a file
    is said as "cannot write TARGET: No space left on device": Python's write raises an
    OSError without a file name, Polars an OSError or a PolarsError whose message ends in
    the code ("parquet: File out of specification: underlying IO error: ... (os error 28)")."""
    try:
        yield
    except (OSError, pl.exceptions.PolarsError) as exc:
        code = os_error_code(exc)
        if code is None or getattr(exc, "filename", None) is not None:
            raise
        raise QcauditError(f"cannot write {target}: {os.strerror(code)}") from exc


@contextmanager
def _said_as_placing(target: Path) -> Iterator[None]:
    """A target whose folder cannot be made or written in (a file on the way, a read-only
    or virtual file system such as /proc) is said as "cannot write TARGET: ...", not by the
    name of the temporary file or of a folder on the way."""
    try:
        yield
    except OSError as exc:
        blocking = next((folder for folder in reversed(target.parents) if folder.exists() and not folder.is_dir()), None)
        why = f"{blocking} is not a directory" if blocking is not None else exc.strerror or str(exc)
        raise QcauditError(f"cannot write {target}: {why}") from exc


#: The OS error codes of a disk (or a quota) with no room left.
NO_ROOM = (errno.ENOSPC, errno.EDQUOT)


def os_error_code(exc: BaseException) -> int | None:
    """The OS error code behind a failed read or write: an OSError's ``errno``, or the
    "(os error N)" that ends the message of Polars' own errors (a full disk: 28); None for
    a failure of another kind."""
    if isinstance(exc, OSError) and exc.errno is not None:
        return exc.errno
    given = re.search(r"\(os error (\d+)\)", str(exc)) if isinstance(exc, OSError | pl.exceptions.PolarsError) else None
    return int(given[1]) if given else None


def _closed(created: tuple[int, str]) -> str:
    fd, name = created
    os.close(fd)
    return name


def write_text_atomic(path: str | Path, text: str) -> None:
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_directory_atomic(directory: str | Path, write: Callable[[Path], None], own_names: Iterable[str]) -> None:
    """Replace ``directory`` by what ``write(tmp_dir)`` puts in a fresh temporary directory.

    ``own_names`` are the entries this writer makes. Other plain files already in
    ``directory`` (a JUnit file, notes) are kept, hard-linked into the new directory; any
    other entry (a folder, a link), or a directory that is the working directory or holds
    it, is refused: the swap would move or drop it.
    """
    directory = Path(directory)
    kept = check_directory_target(directory, own_names)
    with _said_as_placing(directory):
        directory.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(directory)
        name, held = _create_held(lambda: tempfile.mkdtemp(prefix=_temp_prefix(directory), dir=directory.parent))
    tmp = Path(name)
    try:
        _release_signals(held)
        os.chmod(tmp, 0o777 & ~_umask())
        for name in kept:
            os.link(directory / name, tmp / name)
        with _said_as_writing(directory):
            write(tmp)
        if directory.exists():
            _exchange(tmp, directory)  # tmp now holds the previous run's files
        else:
            os.rename(tmp, directory)
    finally:
        _removed_whole(lambda: _remove_tree(tmp))


def _remove_tree(path: Path, attempts: int = 20) -> None:
    """Remove ``path`` and all under it, again while it is still there: a reader's worker
    threads (Polars sinking rows.parquet) may still be finishing a file in it when an
    interrupted run gets here."""
    for _ in range(attempts):
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            return
        time.sleep(0.05)


def check_writable(target: Path) -> None:
    """Refuse, before any work, a ``target`` that could not be written at the end: one with
    a file on its way (``a_file/audit``), or in a folder where nothing can be made (read-only,
    /proc). Its missing folders are not made yet: a probe folder is made and removed in the
    nearest folder that exists."""
    with _said_as_placing(target):
        where = target.absolute()
        nearest = next(folder for folder in (where.parents or [where]) if folder.exists())  # (a root has no parents)
        previous = _hold_signals()
        try:
            os.rmdir(tempfile.mkdtemp(prefix=_temp_prefix(target), dir=nearest))
        finally:
            _release_signals(previous)


def check_directory_target(directory: Path, own_names: Iterable[str]) -> list[str]:
    """Refuse a ``directory`` that :func:`write_directory_atomic` could not replace (see
    there); return the plain files in it that the swap keeps. Commands call it before
    any work too, so a long run never ends on this refusal."""
    return _foreign_files(directory, set(own_names)) if directory.exists() or directory.is_symlink() else []


def _foreign_files(directory: Path, own: set[str]) -> list[str]:
    if directory.is_symlink():  # (the swap would move the link, not write into where it points)
        raise QcauditError(f"{directory} is a symbolic link; give the directory it points to, or another output directory")
    if not directory.is_dir():
        raise QcauditError(f"{directory} exists and is not a directory; choose another output directory")
    resolved, here = directory.resolve(), Path.cwd().resolve()
    if resolved == here or resolved in here.parents:
        raise QcauditError(f"{directory} is the working directory or holds it; write the report to a directory of its own")
    kept, refused = [], []
    for entry in sorted(directory.iterdir(), key=lambda p: p.name):
        if entry.name in own:
            continue
        (kept if entry.is_file() and not entry.is_symlink() else refused).append(entry.name)
    if refused:
        shown = ", ".join(refused[:3]) + (", ..." if len(refused) > 3 else "")
        raise QcauditError(f"{directory} holds entries that are not report files ({shown}); write the report to a new or empty directory")
    return kept


def _exchange(a: Path, b: Path) -> None:
    """Swap two directories atomically where the kernel can; else in two renames."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is not None:
        if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
            return
    aside = Path(tempfile.mkdtemp(prefix=_temp_prefix(b), dir=b.parent))
    os.rename(b, aside / "old")
    os.rename(a, b)
    os.rename(aside, a)  # a now holds "old": removed with it


def _remove_stale(target: Path) -> None:
    """Remove temporaries that a killed writer of ``target`` left beside it."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.{_TAG}-(\d+)-")
    if not target.parent.is_dir():
        return
    for entry in target.parent.iterdir():
        match = pattern.match(entry.name)
        if match and not process_alive(int(match[1])):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` is running (this one, or another user's, included): the
    temporaries and scratch directories named by their writer's process id are removed only
    when it is not."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _umask() -> int:
    """The process umask (mkstemp creates files 0600; finished files get the usual mode)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
