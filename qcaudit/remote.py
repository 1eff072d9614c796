"""Inputs named by a URI (``s3://bucket/shards/``, ``gs://...``, ``file:///data/x.parquet``,
any protocol fsspec knows, given its driver, e.g. ``s3fs``): listed and opened through fsspec.

Parquet is read by Polars itself, streaming, for the schemes its object store speaks
(:data:`NATIVE_SCHEMES`, credentials from the usual environment variables); parquet by any
other protocol is read whole through fsspec; every jsonl, json, csv, tsv and txt file is
copied to local disk as it is fetched (:func:`local_copy`), then checked and read as a
local file is. A directory URI means every file of a known format under it, a URI with
``*``, ``?`` or ``[`` a glob.
"""

from __future__ import annotations

import json
import re
import shutil
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import polars as pl

from qcaudit.cache import made_once
from qcaudit.compression import without_compression
from qcaudit.errors import QcauditError, first_line

URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
#: Schemes Polars reads parquet from itself (object_store), streaming.
NATIVE_SCHEMES = frozenset({"file", "s3", "s3a", "gs", "gcs", "gcp", "az", "azure", "abfs", "abfss", "adl", "http", "https",
                            "hf"})
#: Characters that make a path (or a URI) a glob when it names no file.
GLOB_CHARS = frozenset("*?[")


def is_uri(path: str | Path) -> bool:
    return isinstance(path, str) and URI.match(path) is not None


def name_of(path: str | Path) -> PurePosixPath:
    """The file name part of a local path or a URI (for its suffixes)."""
    return PurePosixPath(urlsplit(path).path) if is_uri(path) else PurePosixPath(Path(path).name)


def local_path(path: str | Path) -> Path | None:
    """The local path an input names (a ``file://`` URI's too); None for a remote URI. A file
    URI that names a host (``file://data.parquet``, two slashes where three were meant) is
    refused: fsspec reads its host as a relative path, ``file://localhost/x`` as
    ``./localhost/x``, and the output checks took the working directory for the input."""
    if not is_uri(path):
        return Path(path)
    parts = urlsplit(str(path))
    if parts.scheme.lower() != "file":
        return None
    if parts.netloc:
        raise QcauditError(f"{path} names the host {parts.netloc!r}: a file URI is file:///ABSOLUTE/PATH, with three "
                           "slashes; or give the path itself")
    return Path(parts.path)


def _filesystem(uri: str):
    import fsspec

    try:
        return fsspec.core.url_to_fs(uri)
    except (ImportError, ValueError) as exc:  # an unknown protocol, or its driver is not installed
        raise QcauditError(f"{uri}: {first_line(exc)}") from None


class RemoteFiles(NamedTuple):
    """The files a URI names, as URIs in sorted order, and the directory they lie under when
    it named one (spelt as the files are, so that their paths below it read off), else None."""

    files: list[str]
    directory: str | None


def remote_files(uri: str, suffixes: frozenset[str]) -> RemoteFiles:
    """The files ``uri`` names: the file, every file with one of ``suffixes`` under a
    directory, or the matches of a glob."""
    local_path(uri)  # (a file URI that names a host is refused)
    filesystem, root = _filesystem(uri)
    directory = None
    try:
        if filesystem.isdir(root):
            directory = filesystem.unstrip_protocol(root).rstrip("/")
            found = [p for p in filesystem.find(root)
                     if format_suffix(p) in suffixes and not hidden(PurePosixPath(p).relative_to(PurePosixPath(root)))]
            if not found:
                raise QcauditError(f"{uri} holds no .parquet, .jsonl, .json, .csv, .tsv or .txt file")
        elif filesystem.isfile(root):
            found = [root]
        elif GLOB_CHARS.intersection(root):
            found = [p for p in filesystem.glob(root) if filesystem.isfile(p)]
            if not found:
                raise QcauditError(f"no file matches {uri}")
        else:
            raise QcauditError(f"{uri} does not exist")
    except QcauditError:
        raise
    except Exception as exc:  # each driver raises its own errors (OSError, httpx's, botocore's, ...)
        raise QcauditError(f"cannot list {uri}: {_reason(exc)}") from None
    return RemoteFiles([filesystem.unstrip_protocol(p) for p in sorted(found)], directory)


def hidden(relative: PurePosixPath | Path) -> bool:
    """Whether a file inside an input directory (its path relative to it) is hidden from
    it, as Hugging Face ``datasets`` hides them: a part that starts with ``.`` or ``__``
    (``.cache/`` that ``huggingface-cli download`` writes, ``.ipynb_checkpoints/`` copies)."""
    return any(part.startswith((".", "__")) for part in relative.parts)


def format_suffix(path: str | Path) -> str:
    """The suffix that names a file's format, lower-cased, a compression's (``.gz``, ``.zst``)
    looked past: ``.jsonl`` for ``x.JSONL.gz``, local or by URI."""
    suffixes = [s.lower() for s in without_compression(name_of(path)).suffixes]
    return suffixes[-1] if suffixes else ""


def read_bytes(uri: str) -> bytes:
    filesystem, path = _filesystem(uri)
    try:
        with filesystem.open(path, "rb") as handle:
            return handle.read()
    except Exception as exc:  # each driver raises its own errors
        raise QcauditError(f"cannot read {uri}: {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    """A filesystem driver's error in one line: an OSError's first line, else its type and
    first line (``ConnectError: [Errno -2] Name or service not known``)."""
    if not str(exc).strip():
        return type(exc).__name__
    return first_line(exc) if isinstance(exc, OSError) else f"{type(exc).__name__}: {first_line(exc)}"


def streamed_by_polars(uri: str) -> bool:
    """Whether Polars reads parquet from ``uri`` itself, streaming (:data:`NATIVE_SCHEMES`)."""
    return urlsplit(uri).scheme.lower() in NATIVE_SCHEMES


def read_parquet(uri: str) -> pl.LazyFrame:
    """A parquet file by a URI that Polars does not stream from: read whole through fsspec."""
    import io

    return pl.read_parquet(io.BytesIO(read_bytes(uri))).lazy()


def local_copy(uri: str) -> Path:
    """``uri``'s file copied to local disk as it is fetched, a MB at a time (never whole in
    memory), under its own file name in a scratch directory of this process's own, removed
    when the process exits (:func:`~qcaudit.cache.made_once`): the checks and readers of local
    text files then read it. A file fetched before by this process, its size and stamps
    unchanged, is not fetched again."""
    filesystem, path = _filesystem(uri)
    try:
        info = filesystem.info(path)
        stamps = json.dumps({key: info.get(key) for key in sorted(info) if key.lower() in _STAMPS}, default=str)
        return made_once(("uri", uri, stamps), f"a local copy of {uri}", partial(_fetched, filesystem, path, name_of(uri).name))
    except QcauditError:
        raise
    except Exception as exc:  # noqa: BLE001 (each driver raises its own errors)
        raise QcauditError(f"cannot read {uri}: {_reason(exc)}") from None


def _fetched(filesystem: Any, path: str, name: str, directory: Path) -> Path:
    """The file ``path`` of ``filesystem`` copied into ``directory`` as ``name``, a MB at a time."""
    with filesystem.open(path, "rb") as remote, open(directory / name, "wb") as local:
        shutil.copyfileobj(remote, local, 2**20)
    return directory / name


#: What fsspec's drivers call a file's size and version stamps (``info``'s keys, any case).
_STAMPS = frozenset({"size", "mtime", "created", "etag", "lastmodified", "last_modified", "md5hash", "generation", "versionid",
                     "version_id"})
