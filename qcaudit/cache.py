"""An on-disk cache for derived artefacts (benchmark indexes, embeddings).

Entries live under ``$QCAUDIT_CACHE_DIR`` (default ``~/.cache/qcaudit``), one directory
per (kind, key); the key is a hash of everything the artefact depends on. An entry is
built in a temporary directory and renamed into place, so a reader never sees half of one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def cache_root() -> Path:
    return Path(os.environ.get("QCAUDIT_CACHE_DIR", Path.home() / ".cache" / "qcaudit"))


def cache_key(**parts: Any) -> str:
    """A stable hash of the settings and content hashes an artefact depends on."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]


def cached_dir(kind: str, key: str, build: Callable[[Path], None]) -> Path:
    """The cache directory for (kind, key), calling ``build(tmp_dir)`` to fill it if absent."""
    target = cache_root() / kind / key
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=target.parent))
    try:
        build(tmp)
        os.replace(tmp, target)
    except OSError:
        if not target.is_dir():  # a concurrent build won the rename: use its entry
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
