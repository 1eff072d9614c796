"""Compressed text files: gzip (``.gz``), Zstandard (``.zst``), bzip2 (``.bz2``) and xz
(``.xz``), as corpora ship them (Dolma's ``.json.gz``; The Pile's and SlimPajama's
``.jsonl.zst``).

One place names the suffixes and reads and writes through them, so that the input check,
the readers and the writers treat every compressed file alike. Zstandard files may hold
several frames (as ``pzstd`` and concatenation write them), bzip2 and xz files several
streams (``pbzip2``, ``pixz``): all are read. Polars decompresses gzip and Zstandard as it
scans (:data:`SCANNED`); the others are read through Python's own modules.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zlib
from pathlib import Path, PurePath
from typing import BinaryIO

import zstandard

#: Suffix -> the name messages give the compression.
COMPRESSIONS = {".gz": "gzip", ".zst": "zstd", ".bz2": "bzip2", ".xz": "xz"}
#: The command that decompresses each, for a message that asks a user to.
DECOMPRESS_COMMANDS = {".gz": "gunzip", ".zst": "unzstd", ".bz2": "bunzip2", ".xz": "unxz"}
#: The compressions Polars reads as it scans a JSON Lines or CSV file.
SCANNED = frozenset({".gz", ".zst"})


#: How a Zstandard skippable frame begins (any of 16 magic numbers).
ZSTD_SKIPPABLE = tuple(bytes([0x50 + i]) + b"\x2a\x4d\x18" for i in range(16))
#: How each compression's files begin (its magic number): gzip's with deflate, a Zstandard
#: frame or a skippable frame (``pzstd`` opens each of its frames with one), a bzip2 stream's
#: header and then its first block's (or, empty, its end's) magic, xz's. None of them can
#: begin UTF-8 text.
MAGIC = {".gz": (b"\x1f\x8b\x08",), ".zst": (b"\x28\xb5\x2f\xfd", *ZSTD_SKIPPABLE),
         ".xz": (b"\xfd7zXZ\x00",),
         ".bz2": tuple(b"BZh%d" % level + block for level in range(1, 10) for block in (b"1AY&SY", b"\x17rE8P\x90"))}
#: How a legacy ``.lzma`` file begins (its usual properties byte), which Python's lzma reads
#: as it reads xz: one named .xz is read as before, though its first byte may begin text too.
LZMA_ALONE = b"\x5d"


def compression_by_content(start: bytes) -> str | None:
    """The suffix of the compression whose files begin as ``start`` does (a file's first bytes,
    at least six), else None."""
    return next((suffix for suffix, magics in MAGIC.items() if start.startswith(magics)), None)


class DamagedStream(ValueError):
    """A bzip2 file's data is not bzip2 (the ``bz2`` module says so with a plain OSError)."""


#: What a damaged or cut-short compressed file raises while it is read.
DAMAGED = (gzip.BadGzipFile, EOFError, zlib.error, zstandard.ZstdError, lzma.LZMAError, DamagedStream)


def compression(name: str | PurePath) -> str | None:
    """The suffix that says ``name`` is compressed (``.gz``, ``.zst``, lower-cased), else None."""
    suffix = PurePath(str(name)).suffix.lower()
    return suffix if suffix in COMPRESSIONS else None


def scanned_as_it_is(path: Path) -> bool:
    """Whether Polars scans the local file as it is compressed: not compressed, gzip, or
    Zstandard that does not open with a skippable frame (``pzstd``'s files do, and Polars
    reads them as bytes that are not UTF-8)."""
    kind = compression(path)
    if kind == ".zst":
        try:
            with open(path, "rb") as file:
                return not file.read(4).startswith(ZSTD_SKIPPABLE)
        except OSError:  # (its reader says why)
            return True
    return kind is None or kind in SCANNED


def open_decompressed(path: Path, raw: BinaryIO | None = None) -> BinaryIO:
    """A local file's bytes, decompressed where its suffix says it is compressed; ``raw``:
    the file already opened, whose position then says how much of it has been read."""
    kind = compression(path)
    source = path if raw is None else raw
    if kind == ".gz":
        return gzip.open(source, "rb")
    if kind == ".zst":
        return io.BufferedReader(_ZstdFrames(open(path, "rb") if raw is None else raw), CHUNK)
    if kind in (".bz2", ".xz"):
        return _opened(source, kind)
    return open(path, "rb") if raw is None else raw


def open_compressed(path: Path, name: str | PurePath) -> BinaryIO:
    """``path`` opened for writing, compressed as the file name ``name`` says (``path`` may be
    a temporary file that will become ``name``)."""
    kind = compression(name)
    if kind == ".gz":  # (no time stamp, and the name of the file it becomes: the same rows give the same bytes)
        file = gzip.GzipFile(PurePath(name).name, "wb", fileobj=open(path, "wb"), mtime=0)  # noqa: SIM115 (closed with it:)
        file.myfileobj = file.fileobj  # (as GzipFile closes a file it opened itself; else its header named the temporary file)
        return file
    if kind == ".zst":
        return zstandard.ZstdCompressor().stream_writer(open(path, "wb"), closefd=True)
    if kind == ".bz2":
        return bz2.open(path, "wb")
    if kind == ".xz":
        return lzma.open(path, "wb")
    return open(path, "wb")


def without_compression(path: PurePath) -> PurePath:
    """``path`` without its compression suffix: ``kept.jsonl`` for ``kept.jsonl.zst``."""
    return path.with_suffix("") if compression(path) else path


def decompressed(data: bytes, name: str | PurePath) -> bytes:
    """A file's bytes (named ``name``), decompressed where its suffix says it is compressed."""
    kind = compression(name)
    if kind == ".gz":
        return gzip.decompress(data)
    if kind == ".zst":
        with _ZstdFrames(io.BytesIO(data)) as frames:
            return frames.readall()
    if kind in (".bz2", ".xz"):
        with _opened(io.BytesIO(data), kind) as stream:
            return stream.read()
    return data


def _opened(source: Path | BinaryIO, kind: str) -> BinaryIO:
    """A bzip2 or xz file (a path, or its bytes as a file object) as a stream of what it
    decompresses to, every stream in it."""
    if kind == ".bz2":
        return io.BufferedReader(_Bz2Checked(bz2.open(source, "rb")), CHUNK)
    return lzma.open(source, "rb")


#: Compressed bytes read at a time.
CHUNK = 1 << 20


class _Bz2Checked(io.RawIOBase):
    """A bzip2 file's decompressed bytes, its data's damage raised as :class:`DamagedStream`:
    the ``bz2`` module raises a plain OSError ("Invalid data stream"), which reads as a
    failure of the disk."""

    def __init__(self, source: bz2.BZ2File) -> None:
        self._source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            return self._source.readinto(buffer)
        except OSError as exc:
            if exc.errno is not None:  # (the disk's or the system's failure, which has a number; the data's has none)
                raise
            raise DamagedStream(str(exc)) from None

    def close(self) -> None:
        self._source.close()
        super().close()


class _ZstdFrames(io.RawIOBase):
    """The decompressed bytes of every Zstandard frame in ``source``, one after another.
    A file that ends inside a frame raises ``ZstdError``, as a cut gzip file raises
    ``EOFError`` (zstandard's own stream reader ends there in silence, losing the rest)."""

    def __init__(self, source: BinaryIO) -> None:
        self._source, self._pending = source, memoryview(b"")
        self._frames = self._decompressed()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            chunk = next(self._frames, None)
            if chunk is None:
                return 0
            self._pending = memoryview(chunk)
        size = min(len(buffer), len(self._pending))
        buffer[:size], self._pending = self._pending[:size], self._pending[size:]
        return size

    def close(self) -> None:
        self._source.close()
        super().close()

    def _decompressed(self):
        frame, inside = zstandard.ZstdDecompressor().decompressobj(), False
        while data := self._source.read(CHUNK):
            while data:
                inside = True
                if out := frame.decompress(data):
                    yield out
                if not frame.eof:
                    break
                data, frame, inside = frame.unused_data, zstandard.ZstdDecompressor().decompressobj(), False
        if inside:
            raise zstandard.ZstdError("the file ends inside a frame (cut short?)")
