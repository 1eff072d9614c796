"""The analyzer registry: name -> module with ``run(texts, config, progress)`` and
``gate_metric_names(max_order)``. The CLI and config select analyzers by these names."""

from __future__ import annotations

from types import ModuleType

from qcaudit.analyzers import contamination, detectors, diversity, duplicates, embeddings, watermark

ANALYZERS: dict[str, ModuleType] = {
    "diversity": diversity,
    "duplicates": duplicates,
    "contamination": contamination,
    "embeddings": embeddings,
    "watermark": watermark,
    "detectors": detectors,
}
