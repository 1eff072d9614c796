"""Reuse freed large blocks inside one allocation-heavy step instead of giving them back to
the kernel after each use (glibc's malloc only; elsewhere nothing changes).

Why: diversity's n-gram counting allocates and frees arrays of tens to hundreds of
megabytes over and over (each order's sort keys, run flags and per-row counts). glibc
serves every allocation above its mmap threshold (32 MB at most) with a fresh mapping and
unmaps it on free, so the kernel zeroes every page again on its next first touch. On the
2-core virtual machine we measure on, that zeroing was more than half the time of counting
1,000,000 rows' n-grams (`python benchmarks/bench_scale.py` shows what it changes for the
whole report). Served from the heap, with the heap's top kept, freed blocks are reused and
their pages stay mapped.

Why only inside a step: freed memory that stays resident adds to the process's peak when
other phases' long-lived arrays interleave with it on the heap (the whole 10,000,000-row
report peaked 1.4 GB higher with it on throughout). So the settings hold for the ``with``
block alone (process-wide while it runs: malloc has no other scope), and at its end glibc's
defaults come back and the free pages go back to the kernel.

A user's own settings win: when the environment tunes glibc's malloc (``MALLOC_*``
variables, ``glibc.malloc`` tunables) nothing is changed.

Polars allocates through its own jemalloc, which by Polars' build gives freed pages back to
the kernel after half a second (``dirty_decay_ms:500``), so the next batch's buffers are
zeroed by the kernel again. :func:`polars_keeps_freed_pages` asks it to keep them ten
seconds; it must run before Polars is imported, so the console script calls it first
(``benchmarks/bench_scale.py`` measures the whole report with it; a user's own
``_RJEM_MALLOC_CONF`` wins).
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager

#: glibc's ``mallopt`` parameter numbers (malloc.h) and the defaults that come back after.
M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4
DEFAULTS = ((M_MMAP_MAX, 65536), (M_TRIM_THRESHOLD, 128 * 1024))
#: No mmap for large blocks; the heap's top given back only past 2 GiB free (the largest
#: value mallopt's int holds).
KEEP = ((M_MMAP_MAX, 0), (M_TRIM_THRESHOLD, 2**31 - 1))


@contextmanager
def freed_blocks_reused() -> Iterator[bool]:
    """Within the block, large blocks come from the heap and freed ones stay for reuse.
    Yields whether the settings took (False where the C library is not glibc, or the
    environment tunes malloc itself)."""
    libc = None if _user_tunes_malloc(os.environ) else _glibc()
    took = libc is not None and _set(libc, KEEP)
    try:
        yield took
    finally:
        if took:
            _set(libc, DEFAULTS)
            libc.malloc_trim(0)


def _glibc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018 (present in glibc alone; musl's mallopt does nothing)
        libc.mallopt.argtypes, libc.mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
        libc.malloc_trim.argtypes, libc.malloc_trim.restype = [ctypes.c_size_t], ctypes.c_int
    except (OSError, AttributeError):
        return None
    return libc


#: Polars' jemalloc settings (its environment variable, with jemalloc's prefix in Polars' build).
POLARS_MALLOC_CONF, KEEP_FREED_PAGES = "_RJEM_MALLOC_CONF", "dirty_decay_ms:10000,muzzy_decay_ms:10000"


def polars_keeps_freed_pages(environ: MutableMapping[str, str]) -> None:
    """Set Polars' jemalloc to keep freed pages for ten seconds (:data:`KEEP_FREED_PAGES`),
    unless ``environ`` already configures it; effective only before Polars is imported."""
    environ.setdefault(POLARS_MALLOC_CONF, KEEP_FREED_PAGES)


def _set(libc: ctypes.CDLL, settings: tuple[tuple[int, int], ...]) -> bool:
    return all([libc.mallopt(param, value) == 1 for param, value in settings])


def _user_tunes_malloc(environ: Mapping[str, str]) -> bool:
    return any(name.startswith("MALLOC_") for name in environ) or "glibc.malloc." in environ.get("GLIBC_TUNABLES", "")
