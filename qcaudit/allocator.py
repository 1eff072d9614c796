"""Keep memory the process frees for its next allocations instead of giving it back to the
kernel at once (glibc's malloc only; elsewhere nothing changes).

Why: an audit allocates and frees arrays of tens to hundreds of megabytes over and over
(every n-gram order's sort keys, run flags and per-row counts, every batch's columns).
glibc serves each allocation above its mmap threshold (32 MB at most) with a fresh mapping
and unmaps it on free, so the kernel zeroes every page again on its next first touch. On a
2-core virtual machine that zeroing was more than half the time of diversity's n-gram
counting over 1,000,000 rows (`python benchmarks/bench_scale.py` says what it changes for
the whole report). With large blocks served from the heap and the heap's top kept, freed blocks
are reused and their pages stay mapped.

The cost: the process's resident memory no longer falls after a peak, and heap
fragmentation can add to the peak (both measured in `benchmarks/bench_scale.py`). That suits
a batch command, which ends after its peak; it is set by the ``qcaudit`` console script, not
on import, so a program that imports qcaudit keeps its own allocator settings, and not when
the environment already tunes glibc's malloc (``MALLOC_*`` variables, ``glibc.malloc``
tunables): a user who set those keeps them.
"""

from __future__ import annotations

import ctypes
import os

#: glibc's ``mallopt`` parameter numbers (malloc.h).
M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_MAX = -4
#: Give the heap's top back only past 2 GiB free (the largest value mallopt's int holds), and
#: grow the heap 1 GiB at a time.
TRIM_THRESHOLD = 2**31 - 1
TOP_PAD = 2**30


def keep_freed_memory() -> bool:
    """Ask glibc's malloc to serve large blocks from the heap and keep freed ones for reuse.
    Returns whether it took every setting (False where the C library is not glibc, or the
    environment tunes malloc itself)."""
    if _user_tunes_malloc(os.environ):
        return False
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018 (present in glibc alone; musl's mallopt does nothing)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return all(mallopt(param, value) == 1 for param, value in
               ((M_MMAP_MAX, 0), (M_TRIM_THRESHOLD, TRIM_THRESHOLD), (M_TOP_PAD, TOP_PAD)))


def _user_tunes_malloc(environ) -> bool:
    return any(name.startswith("MALLOC_") for name in environ) or \
        "glibc.malloc." in environ.get("GLIBC_TUNABLES", "")
