"""Settings: ``qcaudit.toml``, ``[tool.qcaudit]`` in ``pyproject.toml``, or ``--config FILE``.

Command-line flags override the file. Unknown keys and bad values are errors that name the
key. The ``[gate]`` table holds thresholds ``min_<metric>`` / ``max_<metric>`` over the
metrics the analyzers declare as gateable (see :mod:`qcaudit.gate`).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from qcaudit.errors import QcauditError

MAX_ORDER = 8


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class InputConfig(_Section):
    """Which part of each row is the text (all unset: auto-detect)."""

    text_column: str | None = None
    fields: list[str] = Field(default_factory=list)
    role: list[str] = Field(default_factory=list)


class TextConfig(_Section):
    """Normalisation and tokenisation shared by every lexical metric."""

    tokenizer: str = "whitespace"
    lowercase: bool = False
    strip_punctuation: bool = False

    @model_validator(mode="after")
    def _valid_tokenizer(self) -> TextConfig:
        from qcaudit.text import Tokenization

        try:
            Tokenization(self.tokenizer, self.lowercase, self.strip_punctuation)
        except QcauditError as exc:
            raise ValueError(str(exc)) from None
        return self


class DiversityConfig(_Section):
    """Lexical diversity: orders of n-grams, Self-BLEU order, report sizes."""

    max_n: int = Field(4, ge=1, le=MAX_ORDER)
    self_bleu_n: int = Field(4, ge=1, le=MAX_ORDER)
    histogram_bins: int = Field(40, ge=2, le=1000)
    worst_rows: int = Field(20, ge=0, le=10000)


class DuplicatesConfig(_Section):
    """Exact duplicates on normalised text (whitespace collapsed, optionally lower-cased), and
    near duplicates by MinHash-LSH over word shingles of that text."""

    lowercase: bool = True
    near: bool = True
    near_threshold: float = Field(0.8, gt=0.0, lt=1.0)
    num_perm: int = Field(128, ge=2, le=1024)
    shingle: int = Field(5, ge=1, le=32)
    seed: int = 1
    near_verify: bool = False


class BenchmarkConfig(_Section):
    """One benchmark test set: where it is and how its items' text is made."""

    path: str
    adapter: str = "auto"
    fields: list[str] = Field(default_factory=list)
    id_field: str | None = None


class ContaminationConfig(_Section):
    """Benchmark contamination: which methods run and their published defaults."""

    methods: list[Literal["ngram", "substring", "semantic"]] = Field(
        default_factory=lambda: ["ngram", "substring", "semantic"]
    )
    ngram_n: int = Field(13, ge=1, le=64)
    ngram_min_tokens: int = Field(8, ge=1)
    substring_count: int = Field(3, ge=1, le=100)
    substring_length: int = Field(50, ge=5, le=10000)
    seed: int = 0
    semantic_top_k: int = Field(5, ge=1, le=100)
    semantic_min_cosine: float = Field(0.2, ge=-1.0, le=1.0)
    semantic_threshold: float = Field(0.9749, gt=0.0, lt=1.0)
    #: A local instruct model (folder or cached name) that judges each row's best candidates.
    judge_model: str | None = None
    judge_min_cosine: float = Field(0.5, ge=-1.0, le=1.0)
    judge_top_k: int = Field(2, ge=1, le=100)
    judge_threshold: float = Field(0.5, gt=0.0, lt=1.0)
    judge_batch_size: int = Field(8, ge=1, le=4096)
    examples: int = Field(50, ge=0, le=10000)


class EmbeddingsConfig(_Section):
    """Embedding diversity, cluster balance and coverage against a reference dataset."""

    reference: str | None = None
    clusters: int | None = Field(None, ge=2, le=100000)
    sample: int = Field(5000, ge=100, le=1_000_000)
    mmd_sample: int = Field(2000, ge=50, le=20000)
    prdc_k: int = Field(5, ge=1, le=100)
    category_column: str | None = None
    seed: int = 0
    map_points: int = Field(2000, ge=0, le=100000)
    semantic_dedup_eps: float | None = Field(None, gt=0.0, lt=1.0)


class SampleConfig(_Section):
    """The human-review sample: rate by dataset size, flagged share, seed."""

    #: (rows up to, share sampled): under 10K rows 30%, to 100K 5%, to 1M 1%, above 0.1%.
    rates: list[tuple[int, float]] = Field(
        default_factory=lambda: [(10_000, 0.30), (100_000, 0.05), (1_000_000, 0.01), (2**62, 0.001)]
    )
    min_rows: int = Field(20, ge=1)
    flagged_share: float = Field(0.5, ge=0.0, le=1.0)
    near_threshold_band: float = Field(0.1, ge=0.0, le=1.0)
    seed: int = 0


class EmbeddingConfig(_Section):
    """The sentence encoder every embedding-based analyzer shares."""

    model: str = "all-MiniLM-L6-v2"
    device: Literal["auto", "cpu", "cuda"] = "auto"
    batch_size: int = Field(32, ge=1, le=4096)
    cache: bool = True
    #: ``auto`` (onnx-int8 on CPU when the model allows, torch on CUDA), ``torch`` (fp32 on
    #: CPU, fp16 on CUDA) or ``onnx-int8`` (CPU, about twice as fast as torch there).
    backend: Literal["auto", "torch", "onnx-int8"] = "auto"


class WatermarkConfig(_Section):
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
    def _valid_scheme(self) -> WatermarkConfig:
        if self.tokenizer is None:  # off: not worth importing torch to check settings nobody uses
            return self
        from qcaudit.watermark.detect import validate_window
        from qcaudit.watermark.schemes import parse_scheme

        parse_scheme(self.scheme, self.key)
        if self.window is not None:
            validate_window(self.window)
        return self


DETECTOR_METHODS = ("likelihood", "logrank", "rank", "entropy", "fast_detect_gpt", "detectgpt", "binoculars")


class DetectorsConfig(_Section):
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
    device: Literal["auto", "cpu", "cuda"] = "auto"
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"
    seed: int = 0
    label_column: str | None = None
    binoculars_mode: Literal["low-fpr", "accuracy"] = "low-fpr"
    thresholds: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _models_for_methods(self) -> DetectorsConfig:
        needs = {"binoculars": ("observer_model", "performer_model"), "detectgpt": ("scoring_model", "mask_model")}
        for method in self.methods:
            for key in needs.get(method, ("scoring_model",)):
                if getattr(self, key) is None:
                    raise ValueError(f"detector {method!r} needs detectors.{key} (a local model folder)")
        for name in self.thresholds:
            if name not in DETECTOR_METHODS:
                raise ValueError(f"threshold for unknown detector {name!r}; detectors: {', '.join(DETECTOR_METHODS)}")
        return self


class Config(_Section):
    input: InputConfig = Field(default_factory=InputConfig)
    text: TextConfig = Field(default_factory=TextConfig)
    analyzers: list[str] = Field(default_factory=lambda: ["diversity", "duplicates"])
    diversity: DiversityConfig = Field(default_factory=DiversityConfig)
    duplicates: DuplicatesConfig = Field(default_factory=DuplicatesConfig)
    benchmarks: dict[str, BenchmarkConfig] = Field(default_factory=dict)
    contamination: ContaminationConfig = Field(default_factory=ContaminationConfig)
    embedding: EmbeddingConfig = Field(default_factory=EmbeddingConfig)
    embeddings: EmbeddingsConfig = Field(default_factory=EmbeddingsConfig)
    sample: SampleConfig = Field(default_factory=SampleConfig)
    watermark: WatermarkConfig = Field(default_factory=WatermarkConfig)
    detectors: DetectorsConfig = Field(default_factory=DetectorsConfig)
    gate: dict[str, float | dict[str, float]] = Field(default_factory=dict)

    @field_validator("gate")
    @classmethod
    def _known_thresholds(cls, gate: dict[str, float | dict[str, float]]) -> dict[str, float | dict[str, float]]:
        from qcaudit.gate import check_thresholds

        check_thresholds(gate)
        return gate

    @field_validator("analyzers")
    @classmethod
    def _known_analyzers(cls, names: list[str]) -> list[str]:
        from qcaudit.analyzers import ANALYZERS

        for name in names:
            if name not in ANALYZERS:
                raise ValueError(f"unknown analyzer {name!r}; available: {', '.join(ANALYZERS)}")
        return list(dict.fromkeys(names))  # a name given twice runs once

    @model_validator(mode="after")
    def _inputs_switch_analyzers_on(self) -> Config:
        """Benchmarks, a reference, a watermark tokenizer and detector methods switch their
        analyzers on; an analyzer named without its input is an error."""
        if self.benchmarks and "contamination" not in self.analyzers:
            self.analyzers.append("contamination")
        if self.embeddings.reference and "embeddings" not in self.analyzers:
            self.analyzers.append("embeddings")
        if self.watermark.tokenizer and "watermark" not in self.analyzers:
            self.analyzers.append("watermark")
        if self.detectors.methods and "detectors" not in self.analyzers:
            self.analyzers.append("detectors")
        if "watermark" in self.analyzers and not self.watermark.tokenizer:
            raise ValueError("the watermark analyzer needs the generating model's tokenizer: --watermark-tokenizer PATH or [watermark] tokenizer")
        if "detectors" in self.analyzers and not self.detectors.methods:
            raise ValueError("the detectors analyzer needs methods: --detectors likelihood,fast_detect_gpt,... or [detectors] methods")
        if "contamination" in self.analyzers and not self.benchmarks:
            raise ValueError("the contamination analyzer needs benchmarks: --benchmark NAME=PATH or [benchmarks.NAME]")
        return self


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Read the config file (explicit, else ./qcaudit.toml, else ./pyproject.toml), then
    apply ``overrides`` keyed by dotted path (``"diversity.max_n"``); None values are skipped."""
    data, source = _read_file(Path(path) if path else None)
    for dotted, value in (overrides or {}).items():
        if value is None:
            continue
        *sections, key = dotted.split(".")
        target = data
        for section in sections:
            target = target.setdefault(section, {})
        target[key] = value
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise QcauditError(f"{source}: {_describe(exc)}") from None


def _read_file(path: Path | None) -> tuple[dict[str, Any], str]:
    if path is None:
        if Path("qcaudit.toml").is_file():
            path = Path("qcaudit.toml")
        elif Path("pyproject.toml").is_file():
            path = Path("pyproject.toml")
        else:
            return {}, "settings"
    if not path.is_file():
        raise QcauditError(f"config file {path} does not exist")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise QcauditError(f"{path}: not valid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("qcaudit", {})
        return data, f"{path} [tool.qcaudit]"
    return data, str(path)


def _describe(exc: ValidationError) -> str:
    """One line naming the first bad key and why."""
    error = exc.errors()[0]
    key = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown key {key!r}"
    message = error["msg"].removeprefix("Value error, ")
    got = error.get("input")
    return f"{key}: {message}" + ("" if isinstance(got, dict | list) else f" (got {got!r})")
