"""Zero-shot machine-text detectors over local Hugging Face models (:mod:`qcaudit.detectors`).

Per row ``detector_<method>`` (the method's score, NaN where a text has under two tokens or
no perturbation), and with any threshold ``machine_generated``: some detector with a
threshold called the row machine-written. Thresholds come from ``detectors.thresholds``;
Binoculars defaults to its published ones (low-fpr 0.8536432310785527, accuracy
0.9015310749276843, chosen by Hans et al. on Falcon-7B/-instruct; its score is machine below
them, every other score above).

Metrics per method (``<metric>.<method>``): ``detector_mean``, ``detector_flagged_rate``
(with a threshold); ``machine_generated_rate``; with ``label_column`` (1/true/machine vs
0/false/human), ``detector_auroc`` and ``detector_tpr_at_1pct_fpr``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
import polars as pl
from pydantic import Field, model_validator

from qcaudit.errors import QcauditError
from qcaudit.columns import ROW_ID, TEXT, TEXT_STATUS
from qcaudit.progress import row_progress
from qcaudit.registry import Analyzer, AnalyzerResult, CliOption, Device, MetricSpec, RowFlag, Section, Seed, register, share
from qcaudit.signatures import Metric, signature
from qcaudit.views import Column, Histogram, Marker, RankedRows, View

# torch, transformers and scipy.stats load when detectors run, not when the CLI starts.

BINOCULARS_THRESHOLDS = {"low-fpr": 0.8536432310785527, "accuracy": 0.9015310749276843}
MACHINE_IF_LOW = {"binoculars"}
BASELINES = {"likelihood": "log_likelihood", "logrank": "log_rank", "rank": "rank", "entropy": "entropy"}  # criteria functions
MACHINE_LABELS = {"1", "true", "yes", "machine", "ai", "generated", "synthetic", "llm"}
HUMAN_LABELS = {"0", "false", "no", "human", "real", "original"}
HISTOGRAM_BINS = 30
#: The prepared batch's columns of token ids, per group of models sharing a tokenizer
#: (:meth:`DetectorModels.tokenizers`).
TOKENS = {"scoring": "__detectors_scoring_tokens", "binoculars": "__detectors_binoculars_tokens"}


DETECTOR_METHODS = ("likelihood", "logrank", "rank", "entropy", "fast_detect_gpt", "detectgpt", "binoculars")


class DetectorsSettings(Section):
    """Zero-shot machine-text detectors over local Hugging Face models, switched on by
    ``methods``. ``scoring_model`` serves the baselines, Fast-DetectGPT and DetectGPT;
    ``reference_model`` is Fast-DetectGPT's sampling model (default: the scoring model,
    white-box); Binoculars needs ``observer_model`` and ``performer_model``; DetectGPT a
    seq2seq ``mask_model`` (T5-style)."""

    methods: list[Literal[DETECTOR_METHODS]] = Field(default_factory=list)  # type: ignore[valid-type]
    scoring_model: str | None = None
    reference_model: str | None = None
    observer_model: str | None = None
    performer_model: str | None = None
    mask_model: str | None = None
    n_perturbations: int = Field(10, ge=1, le=1000)
    span_length: int = Field(2, ge=1, le=64)
    mask_fraction: float = Field(0.15, gt=0.0, lt=1.0)
    mask_top_p: float = Field(1.0, gt=0.0, le=1.0)
    max_tokens: int = Field(512, ge=2, le=1_000_000)
    batch_size: int = Field(8, ge=1, le=4096)
    #: None: the run's device (``--device``, ``[embedding] device``).
    device: Device | None = None
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"
    seed: Seed = 0
    label_column: str | None = None
    binoculars_mode: Literal["low-fpr", "accuracy"] = "low-fpr"
    thresholds: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _models_for_methods(self) -> DetectorsSettings:
        needs = {"binoculars": ("observer_model", "performer_model"), "detectgpt": ("scoring_model", "mask_model")}
        for method in self.methods:
            for key in needs.get(method, ("scoring_model",)):
                if getattr(self, key) is None:
                    raise ValueError(f"detector {method!r} needs detectors.{key} (a local model folder)")
        for name in self.thresholds:
            if name not in DETECTOR_METHODS:
                raise ValueError(f"threshold for unknown detector {name!r}; detectors: {', '.join(DETECTOR_METHODS)}")
        return self


@register
class Detectors(Analyzer):
    name = "detectors"
    order = 60
    title = "Machine-generated text"
    page = "Detectors"
    run_hint = "qcaudit report DATA --detectors fast_detect_gpt --scoring-model PATH"
    Settings = DetectorsSettings
    options = (
        CliOption(("--detectors",), "methods", str,
                  "Machine-text detectors: likelihood,logrank,rank,entropy,fast_detect_gpt,detectgpt,binoculars.", comma_list=True),
        CliOption(("--scoring-model",), "scoring_model", str, "Local causal LM for the baselines, Fast-DetectGPT and DetectGPT."),
        CliOption(("--reference-model",), "reference_model", str, "Fast-DetectGPT sampling model (default: the scoring model)."),
        CliOption(("--observer-model",), "observer_model", str, "Binoculars observer (local causal LM)."),
        CliOption(("--performer-model",), "performer_model", str, "Binoculars performer (local causal LM, same tokenizer)."),
        CliOption(("--mask-model",), "mask_model", str, "DetectGPT mask-filling seq2seq model (local, T5-style)."),
        CliOption(("--label-column",), "label_column", str,
                  "Column marking machine-written rows (1/true/'machine'): AUROC and TPR at 1% FPR per detector."),
    )

    @classmethod
    def metrics(cls) -> tuple[MetricSpec, ...]:
        threshold = "a threshold for the method ([detectors.thresholds]; Binoculars has its own)"
        labels = "human/machine labels (--label-column or [detectors] label_column)"
        return (
            share("machine_generated_rate", "share of rows some detector with a threshold calls machine-written",
                  "lower", headline=True, needs=threshold),
            share("detector_flagged_rate", "share of rows one detector flags (per method)", "lower", headline=True,
                  needs=threshold),
            MetricSpec("detector_mean", "mean detector score (per method)", needs="the method in --detectors ([detectors] methods)"),
            share("detector_auroc", "AUROC of machine vs human rows (per method, with labels)", "higher", headline=True,
                  needs=labels),
            share("detector_tpr_at_1pct_fpr", "true-positive rate at 1% false positives (per method, with labels)",
                  "higher", headline=True, needs=labels),
        )

    @classmethod
    def row_flags(cls, columns) -> list[RowFlag]:
        return [RowFlag("machine_generated", pl.col("machine_generated"), "machine-generated",
                        pl.lit("machine-generated by a detector"))]

    @classmethod
    def switched_on(cls, config) -> bool:
        return bool(config.detectors.methods)

    @classmethod
    def views(cls, tables: dict[str, Any], metrics: dict[str, Any], config: dict[str, Any]) -> list[View]:
        thresholds = {row["method"]: row["threshold"] for row in tables["summary"]}
        views: list[View] = []
        for method, hist in tables["histograms"].items():
            groups = {group: hist[group] for group in ("all", "human", "machine") if group in hist}
            markers = [Marker(thresholds[method], "threshold")] if thresholds.get(method) is not None else []
            views.append(Histogram(f"{method} score", "score", hist["edges"], groups, markers=markers))
        columns = [Column("method", "detector"), Column("machine_if", "machine if"), Column("mean", "mean score", ".4g"),
                   Column("threshold", "threshold", ".4g"), Column("flagged_rate", "flagged", ".2%"),
                   Column("auroc", "AUROC", ".3f"), Column("tpr_at_1pct_fpr", "TPR @ 1% FPR", ".3f")]
        views.append(RankedRows("Detectors", columns, tables["summary"], "detectors"))
        return views

    @classmethod
    def missing_input(cls, config) -> str | None:
        if not config.detectors.methods:
            return "the detectors analyzer needs methods: --detectors likelihood,fast_detect_gpt,... or [detectors] methods"
        return None

    def input_columns(self) -> tuple[str | None, tuple[str, ...]]:
        return None, ((self.settings.label_column,) if self.settings.label_column else ())

    @cached_property
    def run_settings(self) -> DetectorsSettings:
        """The settings with the run's device where the section names none."""
        return self.settings.model_copy(update={"device": self.settings.device or self.context.device})

    @cached_property
    def models(self) -> DetectorModels:
        return DetectorModels(self.run_settings)

    def prepare(self, batch: pl.DataFrame) -> pl.DataFrame:
        """The texts' token ids for each group of scoring models (DetectGPT's perturbations
        need the mask model, so they are made in :meth:`partial`)."""
        from qcaudit.embed import token_column

        texts = batch[TEXT].cast(pl.String).fill_null("").to_list()
        return batch.with_columns(token_column(TOKENS[group], texts, tokenize) for group, tokenize in self.models.tokenizers().items())

    def partial(self, batch: pl.DataFrame) -> DetectorState:
        """Map-only: this batch's rows scored by the models (loaded once per analyzer, so once
        per Ray actor); DetectGPT's perturbations are each text's own (seeded by the text),
        so they do not depend on the batch either."""
        s = self.run_settings
        valid = batch.filter(pl.col(TEXT_STATUS) == "ok")
        texts = valid[TEXT].to_list()
        ids = {group: valid[column].to_list() for group, column in TOKENS.items() if column in valid.columns} or None
        scores = self.models.scores(texts, ids) if texts else {}
        if "detectgpt" in s.methods and texts:
            original = scores["likelihood"] if "likelihood" in s.methods else scores.pop("likelihood")
            scores["detectgpt"] = self.models.detectgpt(texts, original)
        labels = [_labels(valid, s.label_column)] if s.label_column else []
        return DetectorState([valid[ROW_ID].to_numpy()], {m: [v] for m, v in scores.items()}, labels, dict(self.models.runtime))

    def merge(self, a: DetectorState, b: DetectorState) -> DetectorState:
        scores = {m: a.scores.get(m, []) + b.scores.get(m, []) for m in {*a.scores, *b.scores}}
        return DetectorState(a.row_ids + b.row_ids, scores, a.labels + b.labels, a.runtime | b.runtime)

    def finalize(self, state: DetectorState) -> AnalyzerResult:
        s = self.run_settings
        row_ids = np.concatenate(state.row_ids) if state.row_ids else np.empty(0, np.uint32)
        if len(row_ids) == 0:
            raise QcauditError("machine-text detection needs rows with text; found none")
        scores = {m: np.concatenate(parts) for m, parts in state.scores.items()}
        labels = np.concatenate(state.labels) if state.labels else None
        return _detectors(pl.Series(ROW_ID, row_ids, dtype=pl.UInt32), scores, state.runtime, labels, s)


@dataclass
class DetectorState:
    """Per batch: the row_ids of the rows with text, each method's scores, their labels
    (with a label column), and where each method's models ran."""

    row_ids: list[np.ndarray]
    scores: dict[str, list[np.ndarray]]
    labels: list[np.ndarray]
    runtime: dict[str, str]


def _detectors(row_ids: pl.Series, scores: dict[str, np.ndarray], runtime: dict[str, str], labels: np.ndarray | None,
               s: DetectorsSettings) -> AnalyzerResult:
    thresholds = _thresholds(s)
    rows = pl.DataFrame({ROW_ID: row_ids, **{f"detector_{m}": scores[m] for m in s.methods}})
    flagged = {m: _machine(scores[m], m, t) for m, t in thresholds.items()}
    if flagged:
        rows = rows.with_columns(pl.Series("machine_generated", np.logical_or.reduce(list(flagged.values()))))
    metrics, summary = _metrics(scores, runtime, flagged, labels, thresholds, s)
    return AnalyzerResult(metrics, rows, {"summary": summary, "histograms": _histograms(scores, labels)})


class DetectorModels:
    """The detectors' models, each loaded on first use and kept: the scoring model (and
    Fast-DetectGPT's reference model), Binoculars' observer and performer, DetectGPT's mask
    model. ``runtime``: per method, the device and dtype its models ran in."""

    def __init__(self, settings: DetectorsSettings):
        self.settings = settings
        self.runtime: dict[str, str] = {}

    @cached_property
    def _groups(self) -> dict[str, list[tuple[str, str]]]:
        """Per group of models that share a tokenizer and run together, the (name, role) of
        each: "scoring" (the scoring model, and Fast-DetectGPT's reference model when it
        differs) and "binoculars" (observer, performer), for the methods asked for."""
        s = self.settings
        groups = {}
        if any(m in BASELINES or m in ("fast_detect_gpt", "detectgpt") for m in s.methods):
            groups["scoring"] = [(s.scoring_model, "scoring model")]
            if "fast_detect_gpt" in s.methods and s.reference_model and s.reference_model != s.scoring_model:
                groups["scoring"].append((s.reference_model, "reference model"))
        if "binoculars" in s.methods:
            groups["binoculars"] = [(s.observer_model, "observer model"), (s.performer_model, "performer model")]
        return groups

    @cached_property
    def _readers(self) -> dict[str, tuple[Any, int]]:
        """Per group, its tokenizer and the most tokens its models read: their tokenizer and
        config files only, no weights (checked to be one tokenizer across the group)."""
        from qcaudit.detectors.lm import same_tokenizer
        from qcaudit.hf import load_model_config, load_tokenizer, token_limit

        readers = {}
        for group, models in self._groups.items():
            (first, role), *others = models
            tokenizer = load_tokenizer(first, role)
            for name, other_role in others:
                same_tokenizer(tokenizer, load_tokenizer(name, other_role), (role, other_role))
            configs = [load_model_config(name, what) for name, what in models]
            readers[group] = (tokenizer, token_limit(self.settings.max_tokens, *configs))
        return readers

    def tokenizers(self) -> dict[str, Callable[[Sequence[str]], list[list[int]]]]:
        """Per group, texts to their token ids: the CPU work ahead of the models."""
        from qcaudit.detectors.lm import tokenize

        return {group: lambda texts, tokenizer=tokenizer, limit=limit: tokenize(tokenizer, texts, limit)
                for group, (tokenizer, limit) in self._readers.items()}

    def token_ids(self, items: list[str]) -> dict[str, list[list[int]]]:
        """Each group's token ids of ``items``."""
        return {group: tokenize(items) for group, tokenize in self.tokenizers().items()}

    def _loaded(self, group: str) -> tuple[Any, list, str]:
        """(tokenizer, the group's models in order, device)."""
        from qcaudit.hf import load_model

        s = self.settings
        found = [load_model(name, "causal", s.device, s.dtype, role) for name, role in self._groups[group]]
        return self._readers[group][0], [model for model, _ in found], found[0][1]

    @cached_property
    def scoring(self) -> tuple[Any, list, str]:
        """(tokenizer, [scoring model, reference model if it differs], device)."""
        return self._loaded("scoring")

    @cached_property
    def binoculars(self) -> tuple[Any, list, str]:
        """(tokenizer, [observer, performer], device)."""
        return self._loaded("binoculars")

    def scores(self, items: list[str], ids: dict[str, list[list[int]]] | None = None) -> dict[str, np.ndarray]:
        """Each method's score per item, but DetectGPT's (its likelihoods are kept for it);
        ``ids``: the items' :meth:`token_ids`, when prepared."""
        from qcaudit.detectors import criteria

        s = self.settings
        out: dict[str, np.ndarray] = {}
        ids = ids if ids is not None else self.token_ids(items)
        scoring_methods = [m for m in s.methods if m in BASELINES or m in ("fast_detect_gpt", "detectgpt")]
        if scoring_methods:
            _, models, device = self.scoring
            self.runtime |= dict.fromkeys(scoring_methods, _runtime(models[0], device))
            wanted: dict[str, Callable] = {m: _on_first(getattr(criteria, BASELINES[m])) for m in scoring_methods if m in BASELINES}
            if "fast_detect_gpt" in s.methods:
                wanted["fast_detect_gpt"] = _fast_detect_gpt
            if "detectgpt" in s.methods:  # DetectGPT compares each text's likelihood with its perturbations'
                wanted.setdefault("likelihood", _on_first(criteria.log_likelihood))
            out |= _run(models, ids["scoring"], wanted, s, device, "scoring model")
        if "binoculars" in s.methods:
            _, models, device = self.binoculars
            self.runtime["binoculars"] = _runtime(models[0], device)
            out |= _run(models, ids["binoculars"], {"binoculars": criteria.binoculars}, s, device, "binoculars")
        return out

    def detectgpt(self, items: list[str], original_ll: np.ndarray) -> np.ndarray:
        """DetectGPT's normalised perturbation discrepancy of every item, each item's
        perturbations drawn from its own seed (:func:`qcaudit.detectors.perturb.text_seed`)."""
        tokenizer, models, device = self.scoring
        self.runtime["detectgpt"] = _runtime(models[0], device)
        return _detectgpt(items, original_ll, models[0], tokenizer, *self.mask, device, self.settings)

    @cached_property
    def mask(self) -> tuple[Any, Any]:
        """DetectGPT's mask-filling model: (tokenizer, seq2seq model)."""
        from qcaudit.hf import load_model, load_tokenizer

        s = self.settings
        return load_tokenizer(s.mask_model, "mask model"), load_model(s.mask_model, "seq2seq", s.device, s.dtype, "mask model")[0]


def _on_first(fn: Callable) -> Callable:
    """A single-model criterion applied to the first model's logits of a multi-model batch."""
    return lambda first, *rest: fn(first, *rest[-2:])


def _fast_detect_gpt(scoring_logits, *rest):
    """(scoring logits, [reference logits,] input_ids, mask): white-box when one model plays both."""
    from qcaudit.detectors import criteria

    reference_logits = rest[0] if len(rest) == 3 else scoring_logits
    return criteria.fast_detect_gpt(reference_logits, scoring_logits, *rest[-2:])


def _run(models: list, token_ids: list[list[int]], wanted: dict[str, Callable], s: DetectorsSettings,
         device: str, label: str) -> dict[str, np.ndarray]:
    """:func:`qcaudit.detectors.lm.score_texts`, its progress shown as ``detectors: <label>``."""
    from qcaudit.detectors.lm import score_texts

    return score_texts(models, token_ids, wanted, s.batch_size, device, label=f"detectors: {label}")


def _detectgpt(items: list[str], original_ll: np.ndarray, scorer, tokenizer, mask_tokenizer, mask_model, device: str,
               s: DetectorsSettings) -> np.ndarray:
    from qcaudit.detectors import criteria
    from qcaudit.detectors.lm import tokenize
    from qcaudit.detectors.perturb import perturb
    from qcaudit.hf import token_limit

    with row_progress("detectors: DetectGPT perturbations", len(items) * s.n_perturbations, unit="texts") as report:
        perturbed = perturb(items, mask_model, mask_tokenizer, n=s.n_perturbations, span_length=s.span_length,
                            mask_fraction=s.mask_fraction, top_p=s.mask_top_p, seed=s.seed, batch_size=s.batch_size,
                            device=device, advance=report.advance)
    flat = [p for group in perturbed for p in group]
    lls = _run([scorer], tokenize(tokenizer, flat, token_limit(s.max_tokens, scorer.config)), {"ll": _on_first(criteria.log_likelihood)}, s, device, "perturbed texts")["ll"]
    bounds = np.cumsum([0] + [len(group) for group in perturbed])
    return criteria.detectgpt(original_ll, [lls[a:b][~np.isnan(lls[a:b])] for a, b in zip(bounds[:-1], bounds[1:])])


def _thresholds(s: DetectorsSettings) -> dict[str, float]:
    chosen = {m: t for m, t in s.thresholds.items() if m in s.methods}
    if "binoculars" in s.methods:
        chosen.setdefault("binoculars", BINOCULARS_THRESHOLDS[s.binoculars_mode])
    return chosen


def _machine(scores: np.ndarray, method: str, threshold: float) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return scores < threshold if method in MACHINE_IF_LOW else scores > threshold


def _oriented(scores: np.ndarray, method: str) -> np.ndarray:
    return -scores if method in MACHINE_IF_LOW else scores


def _labels(valid: pl.DataFrame, column: str) -> np.ndarray:
    """1.0 machine, 0.0 human, NaN unlabelled."""
    values = valid[f"_{column}"]
    if values.dtype == pl.Boolean or values.dtype.is_numeric():
        numeric = values.cast(pl.Float64).to_numpy()
        return np.where(np.isnan(numeric), np.nan, (numeric != 0).astype(float))
    out = np.full(values.len(), np.nan)
    for i, value in enumerate(values.cast(pl.String).to_list()):
        if value is None:
            continue
        key = value.strip().lower()
        if key in MACHINE_LABELS:
            out[i] = 1.0
        elif key in HUMAN_LABELS:
            out[i] = 0.0
        else:
            raise QcauditError(f"label column {column!r}: value {value!r} is neither machine ({', '.join(sorted(MACHINE_LABELS))}) nor human ({', '.join(sorted(HUMAN_LABELS))})")
    return out


def _runtime(model, device: str) -> str:
    """Where a model actually ran, as signatures record it: ``device:cpu|dtype:float32``."""
    return f"device:{device}|dtype:{str(model.dtype).removeprefix('torch.')}"


def _signature(method: str, s: DetectorsSettings, runtime: str) -> str:
    models = {
        "binoculars": [f"observer:{s.observer_model}", f"performer:{s.performer_model}", f"mode:{s.binoculars_mode}"],
        "fast_detect_gpt": [f"scoring:{s.scoring_model}", f"reference:{s.reference_model or s.scoring_model}", "analytic"],
        "detectgpt": [f"scoring:{s.scoring_model}", f"mask:{s.mask_model}", f"n:{s.n_perturbations}", f"span:{s.span_length}",
                      f"frac:{s.mask_fraction}", f"top_p:{s.mask_top_p}", f"seed:{s.seed}/text"],
    }.get(method, [f"scoring:{s.scoring_model}"])
    return signature(f"detector_{method}", *models, f"max_tokens:{s.max_tokens}", runtime)


def _metrics(scores, runtime, flagged, labels, thresholds, s: DetectorsSettings) -> tuple[dict[str, Metric], list[dict]]:
    from qcaudit.detectors.evaluation import auroc, tpr_at_fpr

    metrics: dict[str, Metric] = {}
    summary = []
    for method in s.methods:
        sig = _signature(method, s, runtime[method])
        values = scores[method]
        row = {"method": method, "machine_if": "low" if method in MACHINE_IF_LOW else "high",
               "mean": float(np.nanmean(values)) if np.isfinite(values).any() else float("nan"),
               "threshold": thresholds.get(method), "flagged_rate": None, "auroc": None, "tpr_at_1pct_fpr": None}
        metrics[f"detector_mean.{method}"] = Metric(row["mean"], sig)
        if method in flagged:
            row["flagged_rate"] = float(flagged[method].mean())
            metrics[f"detector_flagged_rate.{method}"] = Metric(row["flagged_rate"], sig + f"|threshold:{thresholds[method]}")
        if labels is not None:
            oriented = _oriented(values, method)
            known = ~np.isnan(labels) & ~np.isnan(oriented)
            machine, human = oriented[known & (labels == 1)], oriented[known & (labels == 0)]
            row["auroc"], row["tpr_at_1pct_fpr"] = auroc(machine, human), tpr_at_fpr(machine, human, 0.01)
            label_sig = sig + f"|labels:{s.label_column}|n:{machine.size}+{human.size}"
            metrics[f"detector_auroc.{method}"] = Metric(row["auroc"], label_sig)
            metrics[f"detector_tpr_at_1pct_fpr.{method}"] = Metric(row["tpr_at_1pct_fpr"], label_sig)
        summary.append(row)
    if flagged:
        any_flag = np.logical_or.reduce(list(flagged.values()))
        parts = [f"{m}{'<' if m in MACHINE_IF_LOW else '>'}{t:g}" for m, t in thresholds.items()]
        metrics["machine_generated_rate"] = Metric(float(any_flag.mean()), signature("machine_generated", *parts))
    return metrics, summary


def _histograms(scores: dict[str, np.ndarray], labels: np.ndarray | None) -> dict[str, dict]:
    out = {}
    for method, values in scores.items():
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            continue
        edges = np.histogram_bin_edges(finite, bins=HISTOGRAM_BINS)
        groups = {"all": values} if labels is None else {"machine": values[labels == 1], "human": values[labels == 0]}
        out[method] = {"edges": edges.tolist(),
                       **{name: np.histogram(v[np.isfinite(v)], bins=edges)[0].tolist() for name, v in groups.items()}}
    return out
