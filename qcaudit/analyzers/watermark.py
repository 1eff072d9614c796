"""Watermark detection over every row (Kirchenbauer et al. 2023; :mod:`qcaudit.watermark`).

Per row: ``watermark_z``, ``watermark_p`` (one-sided), ``watermark_green_fraction``,
``watermark_green_tokens``, ``watermark_tokens_scored`` and ``watermark_detected`` (z above
``z_threshold``); rows too short for the scheme get NaN and are not detected. Metrics:
``watermarked_rate`` (detected rows over rows with text), ``watermark_rows_scored`` and the
z distribution (``watermark_z_mean``, ``_median``, ``_p90``, ``_max``); tables: a z histogram
and the highest-scoring rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
import polars as pl
from pydantic import Field, model_validator

from qcaudit.errors import QcauditError
from qcaudit.columns import ROW_ID, TEXT, TEXT_STATUS
from qcaudit.progress import row_progress
from qcaudit.registry import Analyzer, AnalyzerResult, CliOption, MetricSpec, RowFlag, Section, count, register, share
from qcaudit.signatures import Metric, histogram, signature
from qcaudit.views import Column, Marker, Notice, RankedRows, Stat, View, histogram_view

TOP_ROWS = 20
SNIPPET_CHARS = 300
HISTOGRAM_BINS = 40
COLUMNS = {
    "z": "watermark_z", "p": "watermark_p", "green_fraction": "watermark_green_fraction",
    "green_tokens": "watermark_green_tokens", "tokens_scored": "watermark_tokens_scored", "detected": "watermark_detected",
}


class WatermarkSettings(Section):
    """Watermark detection (Kirchenbauer et al. 2023), switched on by ``tokenizer`` (the
    generating model's, a local folder). Defaults are the reference detector's."""

    tokenizer: str | None = None
    scheme: str = "selfhash"
    gamma: float = Field(0.25, gt=0.0, lt=1.0)
    key: int | None = Field(None, ge=0, lt=2**63)
    ignore_repeated_ngrams: bool = True
    z_threshold: float = 4.0
    window: str | None = None
    normalizers: list[Literal["unicode", "homoglyphs"]] = Field(default_factory=list)
    vocab_size: int | None = Field(None, ge=1)
    batch_rows: int = Field(2000, ge=1)

    @model_validator(mode="after")
    def _valid_scheme(self) -> WatermarkSettings:
        if self.tokenizer is None:  # off: not worth importing torch to check settings nobody uses
            return self
        from qcaudit.watermark.detect import validate_window
        from qcaudit.watermark.schemes import parse_scheme

        parse_scheme(self.scheme, self.key)
        if self.window is not None:
            validate_window(self.window)
        return self


@register
class Watermark(Analyzer):
    name = "watermark"
    order = 50
    page = "Detectors"
    run_hint = "qcaudit report DATA --watermark-tokenizer PATH"
    Settings = WatermarkSettings
    options = (
        CliOption(("--watermark-tokenizer",), "tokenizer", str,
                  "Local folder of the generating model's tokenizer; switches watermark detection on."),
        CliOption(("--watermark-scheme",), "scheme", str,
                  "lefthash | selfhash | minhash | skipgram | ff-<prf>-<context>-<self salt>[-<key>] (default selfhash)."),
        CliOption(("--watermark-gamma",), "gamma", float, "Green-list fraction of the vocabulary (default 0.25)."),
        CliOption(("--watermark-key",), "key", int, "Hash key (default 15485863, the reference's)."),
        CliOption(("--watermark-ignore-repeated/--no-watermark-ignore-repeated",), "ignore_repeated_ngrams", bool,
                  "Count each distinct n-gram once (default on, as the reference)."),
        CliOption(("--watermark-z-threshold",), "z_threshold", float, "z above which a row is watermarked (default 4.0)."),
        CliOption(("--watermark-window",), "window", str, "Windowed (WinMax) scoring: 'max' or comma-separated window sizes."),
    )

    @classmethod
    def metrics(cls) -> tuple[MetricSpec, ...]:
        z = [MetricSpec(f"watermark_z_{stat}", f"{stat} of the per-row watermark z-score", "lower", headline=stat in ("median", "max"))
             for stat in ("mean", "median", "p90", "max")]
        return (
            share("watermarked_rate", "share of rows with text whose z-score exceeds the threshold", "lower", headline=True),
            count("watermark_rows_scored", "rows long enough to score", gateable=False, headline=True),
            *z,
        )

    @classmethod
    def row_flags(cls, columns) -> list[RowFlag]:
        return [RowFlag("watermark_detected", pl.col("watermark_detected"), "watermarked",
                        pl.format("watermarked (z = {})", pl.col("watermark_z").round(2)))]

    @classmethod
    def switched_on(cls, config) -> bool:
        return bool(config.watermark.tokenizer)

    @classmethod
    def views(cls, tables: dict[str, Any], metrics: dict[str, Any], config: dict[str, Any]) -> list[View]:
        s = config["watermark"]
        windows = f", windows {s['window']}" if s.get("window") else ""
        views: list[View] = [
            Notice(f"Kirchenbauer et al. detector: scheme {s['scheme']}, gamma {s['gamma']}, z threshold {s['z_threshold']}{windows}."),
            Stat("rows watermarked", metrics["watermarked_rate"], ".2%"),
        ]
        if tables["z_histogram"]["counts"]:
            threshold = s["z_threshold"]
            views.append(histogram_view(tables["z_histogram"], "watermark z-score per row", "z", markers=[Marker(threshold, f"z = {threshold:g}")]))
        if tables.get("top_rows"):
            columns = [Column(ROW_ID, ROW_ID), Column("watermark_z", "z", ".2f", emphasis="watermark_detected"),
                       Column("watermark_p", "p", ".2g"), Column("watermark_green_tokens", "green tokens"),
                       Column("watermark_tokens_scored", "tokens scored"), Column(TEXT, "text", text=True)]
            views.append(RankedRows("Highest z-scores", columns, tables["top_rows"], "watermark-rows"))
        return views

    @classmethod
    def missing_input(cls, config) -> str | None:
        if not config.watermark.tokenizer:
            return "the watermark analyzer needs the generating model's tokenizer: --watermark-tokenizer PATH or [watermark] tokenizer"
        return None

    @cached_property
    def _scorer(self) -> _Scorer:
        """The tokenizer and detector, loaded once per run on the first batch."""
        # torch, transformers and scipy.stats load when the analyzer runs, not when the CLI starts
        from qcaudit.hf import load_splitting_tokenizer
        from qcaudit.watermark.detect import WatermarkDetector, WatermarkSettings
        from qcaudit.watermark.normalize import normalizer
        from qcaudit.watermark.schemes import parse_scheme
        from qcaudit.watermark.tokens import vocabulary_size

        settings = self.settings
        tokenizer = load_splitting_tokenizer(settings.tokenizer, "watermark tokenizer")
        vocab_size = settings.vocab_size or vocabulary_size(tokenizer)
        scheme = parse_scheme(settings.scheme, settings.key)
        detector = WatermarkDetector(
            WatermarkSettings(scheme, settings.gamma, settings.ignore_repeated_ngrams, settings.z_threshold, settings.window),
            vocab_size,
        )
        signature_ = _signature(settings, scheme.describe(), vocab_size)
        return _Scorer(tokenizer, detector, normalizer(settings.normalizers), signature_)

    def partial(self, batch: pl.DataFrame) -> WatermarkState:
        """Map-only: each row's scores, and the batch's highest-scoring rows with their text."""
        from qcaudit.watermark.tokens import encode

        scorer = self._scorer
        valid = batch.filter(pl.col(TEXT_STATUS) == "ok").select(ROW_ID, TEXT)
        parts, characters = [], valid[TEXT].str.len_chars().cast(pl.Float64)  # (the time left is reckoned by them)
        with row_progress("watermark: scoring rows", valid.height, work=float(characters.sum())) as report:
            for start in range(0, valid.height, self.settings.batch_rows):
                texts = valid[TEXT].slice(start, self.settings.batch_rows).to_list()
                parts.append(scorer.detector.score(encode(scorer.tokenizer, texts, scorer.clean)))
                report.advance(len(texts), float(characters.slice(start, len(texts)).sum()))
        scores = _concat(parts)
        rows = pl.DataFrame({ROW_ID: valid[ROW_ID], **{column: getattr(scores, field) for field, column in COLUMNS.items()}})
        return WatermarkState(rows, _top_rows(rows.join(valid, on=ROW_ID)), valid.height)

    def merge(self, a: WatermarkState, b: WatermarkState) -> WatermarkState:
        return WatermarkState(pl.concat([a.rows, b.rows]), _top_rows(pl.concat([a.top, b.top])), a.with_text + b.with_text)

    def finalize(self, state: WatermarkState) -> AnalyzerResult:
        if state.with_text == 0:
            raise QcauditError("watermark detection needs rows with text; found none")
        z = state.rows["watermark_z"].drop_nans().drop_nulls().to_numpy()
        tables = {"z_histogram": histogram(z, HISTOGRAM_BINS),
                  "top_rows": state.top.with_columns(pl.col(TEXT).str.slice(0, SNIPPET_CHARS)).to_dicts()}
        detected = int(state.rows["watermark_detected"].sum())
        return AnalyzerResult(_metrics(z, detected, state.with_text, self._scorer.signature), state.rows, tables)


@dataclass(frozen=True)
class _Scorer:
    tokenizer: Any
    detector: Any
    clean: Any
    signature: str


@dataclass
class WatermarkState:
    """Per-row scores of the rows seen so far, the highest-scoring of them with their text,
    and how many rows had text."""

    rows: pl.DataFrame
    top: pl.DataFrame
    with_text: int


def _top_rows(scored: pl.DataFrame) -> pl.DataFrame:
    """The TOP_ROWS rows with the highest z (ties: lowest row_id), text included."""
    return (
        scored.filter(pl.col("watermark_z").is_not_nan())
        .sort(["watermark_z", ROW_ID], descending=[True, False])
        .head(TOP_ROWS)
    )


def _concat(parts: list):
    from qcaudit.watermark.detect import WatermarkScores

    fields = WatermarkScores.__dataclass_fields__
    if not parts:
        return WatermarkScores(**{f: np.zeros(0) for f in fields})
    return WatermarkScores(**{f: np.concatenate([getattr(p, f) for p in parts]) for f in fields})


def _signature(settings: WatermarkSettings, scheme: str, vocab_size: int) -> str:
    return signature(
        "watermark", f"scheme:{scheme}", f"gamma:{settings.gamma}", f"ignore_repeated:{settings.ignore_repeated_ngrams}",
        f"z:{settings.z_threshold}", f"window:{settings.window or 'none'}", f"norm:{','.join(settings.normalizers) or 'none'}",
        f"tok:{settings.tokenizer}", f"vocab:{vocab_size}",
    )


def _metrics(z: np.ndarray, detected: int, rows_with_text: int, sig: str) -> dict[str, Metric]:
    """``z``: the scores of the rows long enough to score."""
    stats = {"mean": np.mean, "median": np.median, "p90": lambda v: np.quantile(v, 0.9), "max": np.max}
    metrics = {
        "watermarked_rate": Metric(detected / rows_with_text, sig),
        "watermark_rows_scored": Metric(int(z.size), sig),
    }
    for name, stat in stats.items():
        metrics[f"watermark_z_{name}"] = Metric(float(stat(z)) if z.size else float("nan"), sig)
    return metrics
