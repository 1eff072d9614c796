"""Arrays that stay in memory up to a budget and go to disk beyond it.

An analyzer's state can hold :class:`Chunks` of per-batch arrays; when the state outgrows
the run's memory budget the analyzer calls :meth:`Chunks.spill` with the run's scratch
directory (:meth:`qcaudit.context.RunContext.scratch`, removed when the run ends), and the
chunks are read back memory-mapped, in their order, when the state is finalised. A state
of chunks pickles as arrays and paths.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from qcaudit.atomic import os_error_code
from qcaudit.errors import QcauditError


class Chunks:
    """Arrays in the order they were added; each one either in memory or in a ``.npy`` file."""

    def __init__(self) -> None:
        self.items: list[np.ndarray | Path] = []

    def append(self, array: np.ndarray) -> None:
        self.items.append(array)

    def extend(self, other: Chunks) -> None:
        self.items.extend(other.items)

    @classmethod
    def joined(cls, a: Chunks, b: Chunks, limit: float, scratch: Callable[[], Path]) -> Chunks:
        """``a``'s chunks then ``b``'s, written to ``scratch()`` when more than ``limit``
        bytes of them are in memory (an analyzer's ``merge``)."""
        joined = cls()
        joined.extend(a)
        joined.extend(b)
        if joined.resident_bytes > limit:
            joined.spill(scratch())
        return joined

    @property
    def spilled(self) -> bool:
        """Whether any chunk is on disk."""
        return any(isinstance(item, Path) for item in self.items)

    @property
    def resident_bytes(self) -> int:
        """Bytes held in memory (spilled chunks count nothing)."""
        return sum(item.nbytes for item in self.items if isinstance(item, np.ndarray))

    def spill(self, directory: Path) -> None:
        """Write every chunk still in memory to its own file under ``directory``; a disk with
        no room for them (numpy says only "20889 requested and 12784 written") stops the run
        in one line that says where and what to do."""
        for i, item in enumerate(self.items):
            if isinstance(item, np.ndarray):
                handle, name = tempfile.mkstemp(suffix=".npy", dir=directory)
                try:
                    with os.fdopen(handle, "wb") as out:
                        np.save(out, item, allow_pickle=False)
                except OSError as exc:
                    Path(name).unlink(missing_ok=True)
                    code = os_error_code(exc)
                    reason = os.strerror(code) if code else "the disk took only part of a write"
                    raise QcauditError(
                        f"cannot spill the run's state to {directory} ({reason}): free some space, set "
                        "QCAUDIT_CACHE_DIR to a disk with room, or give the run more memory (--max-memory)") from exc
                self.items[i] = Path(name)

    def __iter__(self) -> Iterator[np.ndarray]:
        for item in self.items:
            yield np.load(item, mmap_mode="r", allow_pickle=False) if isinstance(item, Path) else item

    def drain(self) -> Iterator[np.ndarray]:
        """Yield each chunk once and let it go: the list forgets it and its file is deleted
        (a memory-mapped array stays readable until it is dropped)."""
        for i, item in enumerate(self.items):
            self.items[i] = None
            if isinstance(item, Path):
                array = np.load(item, mmap_mode="r", allow_pickle=False)
                item.unlink()
                yield array
            else:
                yield item
        self.items = []

    def __len__(self) -> int:
        return len(self.items)
