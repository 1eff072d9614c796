"""Watermark detection over every row (Kirchenbauer et al. 2023; :mod:`qcaudit.watermark`).

Per row: ``watermark_z``, ``watermark_p`` (one-sided), ``watermark_green_fraction``,
``watermark_green_tokens``, ``watermark_tokens_scored`` and ``watermark_detected`` (z above
``z_threshold``); rows too short for the scheme get NaN and are not detected. Metrics:
``watermarked_rate`` (detected rows over rows with text), ``watermark_rows_scored`` and the
z distribution (``watermark_z_mean``, ``_median``, ``_p90``, ``_max``); tables: a z histogram
and the highest-scoring rows.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from rich.progress import Progress

from qcaudit.analyzers.base import AnalyzerResult, Metric, histogram, signature
from qcaudit.config import Config, WatermarkConfig
from qcaudit.errors import QcauditError
from qcaudit.io import ROW_ID, TEXT, TEXT_STATUS

TOP_ROWS = 20
SNIPPET_CHARS = 300
HISTOGRAM_BINS = 40
COLUMNS = {
    "z": "watermark_z", "p": "watermark_p", "green_fraction": "watermark_green_fraction",
    "green_tokens": "watermark_green_tokens", "tokens_scored": "watermark_tokens_scored", "detected": "watermark_detected",
}


def gate_metric_names(max_order: int) -> list[str]:
    return ["watermarked_rate", "watermark_z_mean", "watermark_z_median", "watermark_z_p90", "watermark_z_max"]


def run(texts: pl.DataFrame, config: Config, progress: Progress) -> AnalyzerResult:
    # torch, transformers and scipy.stats load when the analyzer runs, not when the CLI starts
    from qcaudit.hf import load_tokenizer
    from qcaudit.watermark.detect import WatermarkDetector, WatermarkSettings
    from qcaudit.watermark.normalize import normalizer
    from qcaudit.watermark.schemes import parse_scheme
    from qcaudit.watermark.tokens import encode, vocabulary_size

    settings = config.watermark
    tokenizer = load_tokenizer(settings.tokenizer, "watermark tokenizer")
    vocab_size = settings.vocab_size or vocabulary_size(tokenizer)
    scheme = parse_scheme(settings.scheme, settings.key)
    detector = WatermarkDetector(
        WatermarkSettings(scheme, settings.gamma, settings.ignore_repeated_ngrams, settings.z_threshold, settings.window),
        vocab_size,
    )
    clean = normalizer(settings.normalizers)
    valid = texts.filter(pl.col(TEXT_STATUS) == "ok").select(ROW_ID, TEXT)
    task = progress.add_task("watermark: scoring", total=valid.height)
    parts = []
    for start in range(0, valid.height, settings.batch_rows):
        batch = valid[TEXT].slice(start, settings.batch_rows).to_list()
        parts.append(detector.score(encode(tokenizer, batch, clean)))
        progress.advance(task, len(batch))
    progress.remove_task(task)
    scores = _concat(parts)
    rows = pl.DataFrame({ROW_ID: valid[ROW_ID], **{column: getattr(scores, field) for field, column in COLUMNS.items()}})
    sig = _signature(settings, scheme.describe(), vocab_size)
    return AnalyzerResult(_metrics(scores, valid.height, sig), rows, _tables(rows, valid))


def _concat(parts: list):
    from qcaudit.watermark.detect import WatermarkScores

    fields = WatermarkScores.__dataclass_fields__
    if not parts:
        return WatermarkScores(**{f: np.zeros(0) for f in fields})
    return WatermarkScores(**{f: np.concatenate([getattr(p, f) for p in parts]) for f in fields})


def _signature(settings: WatermarkConfig, scheme: str, vocab_size: int) -> str:
    return signature(
        "watermark", f"scheme:{scheme}", f"gamma:{settings.gamma}", f"ignore_repeated:{settings.ignore_repeated_ngrams}",
        f"z:{settings.z_threshold}", f"window:{settings.window or 'none'}", f"norm:{','.join(settings.normalizers) or 'none'}",
        f"tok:{settings.tokenizer}", f"vocab:{vocab_size}",
    )


def _metrics(scores, rows_with_text: int, sig: str) -> dict[str, Metric]:
    z = scores.z[~np.isnan(scores.z)]
    if rows_with_text == 0:
        raise QcauditError("watermark detection needs rows with text; found none")
    stats = {"mean": np.mean, "median": np.median, "p90": lambda v: np.quantile(v, 0.9), "max": np.max}
    metrics = {
        "watermarked_rate": Metric(float(scores.detected.sum()) / rows_with_text, sig),
        "watermark_rows_scored": Metric(int(z.size), sig),
    }
    for name, stat in stats.items():
        metrics[f"watermark_z_{name}"] = Metric(float(stat(z)) if z.size else float("nan"), sig)
    return metrics


def _tables(rows: pl.DataFrame, valid: pl.DataFrame) -> dict:
    z = rows["watermark_z"].drop_nans().drop_nulls().to_numpy()
    top = (
        rows.filter(pl.col("watermark_z").is_not_nan())
        .sort(["watermark_z", ROW_ID], descending=[True, False])
        .head(TOP_ROWS)
        .join(valid, on=ROW_ID)
        .with_columns(pl.col(TEXT).str.slice(0, SNIPPET_CHARS))
        .sort(["watermark_z", ROW_ID], descending=[True, False])
    )
    return {"z_histogram": histogram(z, HISTOGRAM_BINS), "top_rows": top.to_dicts()}
