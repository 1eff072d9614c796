"""Settings: ``qcaudit.toml``, ``[tool.qcaudit]`` in ``pyproject.toml``, or ``--config FILE``.

Command-line flags override the file. Unknown keys and bad values are errors that name the
key. Here are the sections every run has; each analyzer declares its own (``[diversity]``,
``[duplicates]``, ...: see :mod:`qcaudit.registry`), and :func:`config_model` joins them. The
``[gate]`` table holds thresholds ``min_<metric>`` / ``max_<metric>`` over the metrics the
analyzers declare as gateable (see :mod:`qcaudit.gate`).
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import os
import re
import tomllib
import typing
from collections.abc import Collection, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ByteSize, Field, PrivateAttr, ValidationError, create_model, field_validator, model_validator

from qcaudit.errors import QcauditError
from qcaudit.registry import (
    Analyzer,
    Device,
    MetricSpec,
    Section,
    Seed,
    analyzers,
    gateable_metrics as analyzer_metrics,
    unknown_analyzer,
)


def gateable_metrics() -> dict[str, tuple[str, MetricSpec]]:
    """Metric name -> (what reports it: an analyzer, or ``drift``; its spec)."""
    from qcaudit.drift import GATE_METRICS

    return analyzer_metrics() | {spec.name: ("drift", spec) for spec in GATE_METRICS}


def check_thresholds(thresholds: dict[str, Any]) -> None:
    """Raise ValueError naming the first threshold that matches no gateable metric, is not
    a number (or a table of numbers, one a benchmark), is not finite, or lies outside the
    values its metric can take. Run before the settings model reads the numbers, so that a
    value of the wrong kind is named as the user wrote it."""
    known = gateable_metrics()
    for key, setting in thresholds.items():
        op, _, metric = key.partition("_")
        if op not in ("min", "max") or metric not in known:
            raise ValueError(_unknown_threshold(key, setting, known))
        lo, hi = known[metric][1].low, known[metric][1].high
        for sub, value in (setting if isinstance(setting, dict) else {"": setting}).items():
            name = f"{key}.{sub}" if sub else key
            if isinstance(value, bool) or not isinstance(value, int | float):
                kind = "a number or a table of numbers, one a benchmark" if not sub else "a number"
                raise ValueError(f"threshold {name} = {json.dumps(value, default=str)}: give {kind}")
            if not math.isfinite(value):
                raise ValueError(f"threshold {name} = {value}: give a finite number")
            if not lo <= value <= hi:
                raise ValueError(f"threshold {name} = {value:g}: {metric} lies in [{lo:g}, {hi:g}]")


def _unknown_threshold(key: str, setting: Any, known: dict[str, tuple[str, MetricSpec]]) -> str:
    """Why ``key`` names no threshold: the nearest that does, else every metric a threshold
    may name. An unquoted dotted key, ``min_diversity.distinct_2 = 0.5`` (a metric's name as
    report.json writes it, also ``-t min_embeddings.vendi_1=50``), reads as a table
    ``min_diversity``: its full name is what the user meant, and the metric after the dot,
    where one is named, is the threshold. A metric given a table of bounds,
    ``"diversity.distinct_2" = {min = 0.5}`` (as other tools write a test), means
    ``min_distinct_2``."""
    dotted = [f"{key}.{sub}" for sub in setting] if isinstance(setting, dict) else []
    side = key.partition("_")[0]
    qualified = [f"{side}_{sub}" for sub in setting if side in ("min", "max") and sub in known] if dotted else []
    bounds = [f"{sub}_{key.rpartition('.')[2]}" for sub in setting if sub in ("min", "max")] if dotted else []
    close = next(iter(qualified), None) or next(filter(None, (_closest_threshold(name, known) for name in (*bounds, *dotted, key))), None)
    if close:
        return f"unknown threshold {(dotted or [key])[0]!r} (did you mean {close}?)"
    return (f"unknown threshold {(dotted or [key])[0]!r}: use min_<metric> or max_<metric> with a metric of "
            f"{', '.join(_numbered_runs(sorted(known)))}")


def _closest_threshold(name: str, known: dict[str, tuple[str, MetricSpec]]) -> str | None:
    """The threshold nearest ``name`` (difflib), a headline metric's among equally near ones:
    ``max_self_bleu`` is as near ``max_self_bleu_8`` as ``max_self_bleu_4``, which is meant."""
    keys = [f"{side}_{metric}" for metric in sorted(known) for side in ("min", "max")]
    near = difflib.get_close_matches(name, keys, n=len(keys), cutoff=0.7)
    if not near:
        return None
    score = {key: difflib.SequenceMatcher(None, key, name).ratio() for key in near}
    best = max(score.values())
    return min((key for key in near if score[key] == best), key=lambda key: (not known[key[4:]][1].headline, key))


def _numbered_runs(names: list[str]) -> list[str]:
    """``names`` with each run of three or more that differ only in consecutive numbers
    written once: distinct_1, ..., distinct_8 as ``distinct_1..8``."""
    numbered = {name: (m[1], m[3], int(m[2])) for name in names if (m := re.fullmatch(r"(.*_)(\d+)(.*)", name))}
    runs: dict[tuple[str, str], list[int]] = {}
    for head, tail, number in numbered.values():
        runs.setdefault((head, tail), []).append(number)
    shown, done = [], set()
    for name in names:
        head, tail, _ = numbered.get(name, (name, "", 0))
        numbers = sorted(runs.get((head, tail), []))
        if len(numbers) < 3 or numbers != list(range(numbers[0], numbers[-1] + 1)):
            shown.append(name)
        elif (head, tail) not in done:
            done.add((head, tail))
            shown.append(f"{head}{numbers[0]}..{numbers[-1]}{tail}")
    return shown


class InputConfig(Section):
    """Which part of each row is the text (all unset: auto-detect)."""

    text_column: str | None = None
    fields: list[str] = Field(default_factory=list)
    role: list[str] = Field(default_factory=list)
    #: For analyzers of (prompt, response) and preference pairs: prompt fields (joined by
    #: newlines), and the response, chosen and rejected columns (a chat column works too).
    prompt: list[str] = Field(default_factory=list)
    response: str | None = None
    chosen: str | None = None
    rejected: str | None = None
    #: A column judging each row's pair (Chatbot Arena's ``winner``, HelpSteer3's
    #: ``overall_preference``, PKU-SafeRLHF's ``better_response_id`` or ``safer_response_id``,
    #: SHP's ``labels``): chosen and rejected then name the answers it calls first and second;
    #: or ``list.field``, a list of answers ranked by a field of each or a column of numbers
    #: beside it (UltraFeedback's ``completions.fine-grained_score``, distilabel's
    #: ``generations.ratings``), whose best and worst answers are each row's pair.
    preferred_by: str | None = None
    #: A column of true/false labels of each row's response, as unpaired preference data (TRL's
    #: KTO layout: ``prompt``, ``completion``, ``label``) or a data flywheel's thumbs up and down
    #: hold them: true desirable, false not (whole numbers: 1 and 0).
    label: str | None = None
    #: The columns of the ratings a pair's data gives its chosen and its rejected answer, in
    #: that order (UltraFeedback binarized's ``score_chosen`` and ``score_rejected``, Argilla's
    #: ``chosen_rating`` and ``rejected_rating``; found by name beside found pairs).
    ratings: list[str] = Field(default_factory=list)
    #: CSV and TSV input: the first line names the columns; false: it is data too, and the
    #: columns are column_1, column_2, ... (as MMLU's files are laid out).
    header: bool = True
    #: A reasoning model's reasoning is read into the text and the answer (a chat turn's
    #: ``reasoning_content``, ``reasoning`` or ``thinking``, Anthropic's thinking blocks, R1's
    #: ``<think>...</think>``, a flat reasoning column); false: its answers without it.
    reasoning: bool = True
    #: Read only each input's first rows (a quick look, as lm-evaluation-harness's and
    #: datatrove's ``limit``); the report says how many rows the input holds.
    limit: int | None = Field(None, ge=1)

    def pairs(self) -> bool:
        """Whether the settings read preference pairs: chosen and rejected answers, or a
        ``preferred_by`` (a verdict, which the loader refuses without the answers it judges,
        or a ranked list, whose best and worst answers are the pairs)."""
        return bool(self.chosen and self.rejected or self.preferred_by)

    def preferences(self) -> bool:
        """Whether the settings read preferences: pairs (:meth:`pairs`), or each response
        labelled desirable or not (``label``)."""
        return self.pairs() or bool(self.label)


class TextConfig(Section):
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


class SampleConfig(Section):
    """The human-review sample: rate by dataset size, flagged share, seed."""

    #: (rows up to, share sampled): under 10K rows 30%, to 100K 5%, to 1M 1%, above 0.1%.
    rates: list[tuple[int, float]] = Field(
        default_factory=lambda: [(10_000, 0.30), (100_000, 0.05), (1_000_000, 0.01), (2**62, 0.001)]
    )
    min_rows: int = Field(20, ge=1)
    #: A fixed number of rows, or a fixed share of them, instead of the rates by size.
    size: int | None = Field(None, ge=1)
    rate: float | None = Field(None, gt=0.0, le=1.0)
    flagged_share: float = Field(0.5, ge=0.0, le=1.0)
    near_threshold_band: float = Field(0.1, ge=0.0, le=1.0)
    seed: Seed = 0

    @model_validator(mode="after")
    def _one_size(self) -> SampleConfig:
        if self.size is not None and self.rate is not None:
            raise ValueError("give [sample] size or rate, not both")
        return self


class EmbeddingConfig(Section):
    """The sentence encoder every embedding-based analyzer shares."""

    model: str = "all-MiniLM-L6-v2"
    device: Device = "auto"
    #: Texts a batch of the torch backend; None: 32 on CPU, 256 on CUDA (on an H200 256 ran
    #: 1.2-2.1x the rows/s of 32, ``benchmarks/bench_embed.py --device cuda``).
    batch_size: int | None = Field(None, ge=1, le=4096)
    cache: bool = True
    #: ``auto`` (onnx-int8 on CPU when the model allows, torch on CUDA), ``torch`` (fp32 on
    #: CPU, fp16 on CUDA) or ``onnx-int8`` (CPU, about twice as fast as torch there).
    backend: Literal["auto", "torch", "onnx-int8"] = "auto"


class EngineConfig(Section):
    """Which engine runs the analyzers, how it reads the input and bounds memory."""

    #: ``local``: this process streams the input; ``ray``: a pool of Ray actors computes the
    #: analyzers' partial states over row ranges (``pip install 'qcaudit[ray]'``).
    kind: Literal["local", "ray"] = "local"
    #: Rows read and handed to the analyzers at a time (a Ray task's row range too).
    batch_rows: int = Field(250_000, ge=1)
    #: None: start a local Ray for the run; ``auto`` or ``host:port`` (its GCS): join that cluster.
    ray_address: str | None = None
    #: Actors in the Ray pool (None: as many as the cluster's CPUs and, with GPUs per actor, its GPUs hold).
    ray_workers: int | None = Field(None, ge=1)
    #: CPUs and GPUs each actor asks Ray for (GPUs for the model stages: embeddings, LMs).
    ray_cpus_per_worker: float = Field(1.0, gt=0)
    ray_gpus_per_worker: float = Field(0.0, ge=0)
    #: Global passes (diversity's n-gram counts, duplicates' LSH buckets) through Ray Data's
    #: shuffle, reduced where their pieces meet (``on``), or their tables to the driver, as
    #: locally (``off``); ``auto``: the shuffle when the cluster has more than one node.
    ray_shuffle: Literal["auto", "on", "off"] = "auto"
    #: Partitions of each global pass's table in the shuffle (None: one per 100,000 input
    #: rows, at least twice the actors).
    ray_shuffle_partitions: int | None = Field(None, ge=1, le=2**16)
    #: The analyzers' CPU work ahead of their models (tokenisation) on a pool of CPU actors
    #: apart from the model actors (``on``), or in the model actors (``off``); ``auto``: apart
    #: when the model actors ask for GPUs.
    ray_prepare: Literal["auto", "on", "off"] = "auto"
    #: Memory the analyzers' state may hold before spilling to disk ("3GB", "512MiB"); None:
    #: an eighth of the machine's memory (the per-row columns and the text being read come
    #: on top: 10 million rows peak at about 7.3 GB with a 3 GB budget).
    max_memory: ByteSize | None = Field(None, gt=0)

    @property
    def memory_budget(self) -> int:
        if self.max_memory is not None:
            return int(self.max_memory)
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 8


class DriftConfig(Section):
    """``qcaudit drift``: the local causal LM every generation is scored under (``--lm``) and
    how it runs, and the seed of the embedding metrics' samples (``--embeddings``)."""

    lm: str | None = None
    #: None: the run's device (``[embedding] device``).
    device: Device | None = None
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"
    batch_size: int = Field(8, ge=1, le=4096)
    #: Tokens scored per row at most (capped at the model's context).
    max_tokens: int = Field(512, ge=2, le=1_000_000)
    seed: Seed = 0


class CoreConfig(Section):
    """The sections every run has; each analyzer adds its own (see :func:`config_model`)."""

    input: InputConfig = Field(default_factory=InputConfig)
    text: TextConfig = Field(default_factory=TextConfig)
    analyzers: list[str] = Field(default_factory=lambda: [name for name, cls in analyzers().items() if cls.default])
    embedding: EmbeddingConfig = Field(default_factory=EmbeddingConfig)
    sample: SampleConfig = Field(default_factory=SampleConfig)
    engine: EngineConfig = Field(default_factory=EngineConfig)
    drift: DriftConfig = Field(default_factory=DriftConfig)
    gate: dict[str, float | dict[str, float]] = Field(default_factory=dict)
    #: The config file whose ``[input]`` chose the text, where no flag or keyword chose any
    #: of it: named when that choice fits no column of an input (a qcaudit.toml of the
    #: working directory, written for other data, read without a word).
    _selection_file: str | None = PrivateAttr(None)

    @property
    def selection_file(self) -> str | None:
        return self._selection_file

    @field_validator("gate", mode="before")
    @classmethod
    def _known_thresholds(cls, gate: Any) -> Any:
        if isinstance(gate, dict):
            check_thresholds(gate)
        return gate

    @field_validator("analyzers")
    @classmethod
    def _known_analyzers(cls, names: list[str]) -> list[str]:
        for name in names:
            if name not in analyzers():
                raise ValueError(unknown_analyzer(name))
        return list(dict.fromkeys(names))  # a name given twice runs once

    @model_validator(mode="after")
    def _inputs_switch_analyzers_on(self) -> CoreConfig:
        """An analyzer's input (benchmarks, a reference, a tokenizer) switches it on; an
        analyzer named without its input is an error."""
        for name, cls in analyzers().items():
            if name not in self.analyzers and cls.switched_on(self):
                self.analyzers.append(name)
        if not self.analyzers:
            raise ValueError(f"analyzers: none chosen; name at least one of: {', '.join(analyzers())}")
        for name in self.analyzers:
            problem = analyzers()[name].missing_input(self)
            if problem:
                raise ValueError(problem)
        return self


def config_model() -> type[CoreConfig]:
    """The whole settings model: the core sections plus every registered analyzer's."""
    return _config_model(tuple(analyzers().items()))


@cache
def _config_model(registered: tuple[tuple[str, type[Analyzer]], ...]) -> type[CoreConfig]:
    fields: dict[str, Any] = {}
    for name, cls in registered:
        fields[name] = (cls.Settings, Field(default_factory=cls.Settings))
        for key, (annotation, factory) in cls.extra_sections.items():
            fields[key] = (annotation, Field(default_factory=factory))
    return create_model("Config", __base__=CoreConfig, __module__=__name__, **fields)


def __getattr__(name: str) -> Any:
    """``Config`` is built on first use, once the analyzers are registered."""
    if name == "Config":
        return config_model()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: The ``[input]`` settings that choose which part of a row is the text.
SELECTION_KEYS = frozenset({"text_column", "fields", "role", "prompt", "response", "chosen", "rejected", "preferred_by", "label",
                            "ratings", "reasoning"})


def _chooses_text(dotted_keys: Collection[str]) -> bool:
    """Whether settings given by these dotted keys choose the text (``input.fields``)."""
    return any(key.startswith("input.") and key[len("input."):] in SELECTION_KEYS for key in dotted_keys)


def load_config(path: str | Path | Mapping[str, Any] | None = None, overrides: dict[str, Any] | None = None) -> CoreConfig:
    """Read the config file (explicit, else ./qcaudit.toml, else ./pyproject.toml), or take
    the settings as a file's tables parse (``{"diversity": {"max_n": 3}}``), then apply
    ``overrides`` keyed by dotted path (``"diversity.max_n"``); None values are skipped."""
    if isinstance(path, Mapping):
        data, source = copy.deepcopy(dict(path)), "config"
    else:
        data, source = _read_file(Path(path) if path else None)
    given = {dotted for dotted, value in (overrides or {}).items() if value is not None}
    from_file = source not in ("config", "settings") and isinstance(data.get("input"), dict) and bool(
        SELECTION_KEYS.intersection(data["input"]))
    config = _validated(_overridden(data, overrides), source, given)
    if from_file and not _chooses_text(given):
        config._selection_file = source
    return config


def with_overrides(config: CoreConfig, overrides: dict[str, Any]) -> CoreConfig:
    """``config`` with ``overrides`` (as :func:`load_config`'s) applied and checked again."""
    given = {dotted for dotted, value in overrides.items() if value is not None}
    if not given:
        return config
    changed = _validated(_overridden(config.model_dump(mode="json"), overrides), "settings")
    if not _chooses_text(given):
        changed._selection_file = config.selection_file
    return changed


#: The settings every auditing command's own flags set (besides each analyzer's flags), by
#: the flag's parameter name: ``--prompt-fields`` sets ``input.prompt``. The command line
#: gives each its option; the Python API takes each as a keyword of that name.
CORE_FLAG_SETTINGS = {
    "text_column": "input.text_column", "fields": "input.fields", "role": "input.role", "prompt_fields": "input.prompt",
    "response_field": "input.response", "chosen_field": "input.chosen", "rejected_field": "input.rejected",
    "preferred_by": "input.preferred_by", "label_field": "input.label", "pair_ratings": "input.ratings", "header": "input.header", "reasoning": "input.reasoning", "tokenizer": "text.tokenizer", "lowercase": "text.lowercase",
    "strip_punctuation": "text.strip_punctuation", "analyzers": "analyzers", "limit": "input.limit",
    "device": "embedding.device", "max_memory": "engine.max_memory", "batch_rows": "engine.batch_rows",
    "engine": "engine.kind", "ray_address": "engine.ray_address", "ray_workers": "engine.ray_workers",
}


#: Settings that choose the same thing in different ways: overriding one drops the others
#: where the file set them (``--text-column`` on the command line replaces the file's
#: ``fields``, ``--rate`` its ``size``, instead of clashing with them).
ALTERNATIVES = (("input.text_column", "input.fields"), ("sample.size", "sample.rate"))


def _overridden(data: dict[str, Any], overrides: dict[str, Any] | None) -> dict[str, Any]:
    given = {dotted for dotted, value in (overrides or {}).items() if value is not None}
    for group in ALTERNATIVES:
        if given & set(group):
            for dotted in set(group) - given:
                *sections, key = dotted.split(".")
                table = data
                for section in sections:
                    table = table.get(section) if isinstance(table, dict) else None
                if isinstance(table, dict):
                    table.pop(key, None)
    for dotted, value in (overrides or {}).items():
        if value is None:
            continue
        *sections, key = dotted.split(".")
        target = data
        for section in sections:
            target = target.setdefault(section, {})
            if not isinstance(target, dict):
                raise QcauditError(f"setting {dotted!r}: {section!r} is not a table of settings")
        target[key] = value
    return data


def _validated(data: dict[str, Any], source: str, overridden: Collection[str] = ()) -> CoreConfig:
    """The settings model of ``data``; an error is blamed on ``source`` (the file) unless it
    lies in or around a setting the command line gave (``overridden``, dotted keys)."""
    try:
        return config_model().model_validate(data)
    except ValidationError as exc:
        loc = [str(part) for part in exc.errors()[0]["loc"]]
        if any(dotted.split(".")[: len(loc)] == loc[: len(dotted.split("."))] for dotted in overridden):
            source = "settings"
        raise QcauditError(f"{source}: {_describe(exc)}") from None


def _read_file(path: Path | None) -> tuple[dict[str, Any], str]:
    if path is None:
        if Path("qcaudit.toml").is_file():
            path = Path("qcaudit.toml")
        elif Path("pyproject.toml").is_file():
            path = Path("pyproject.toml")
        else:
            return {}, "settings"
    if path.is_dir():
        raise QcauditError(f"config file {path} is a directory; give a TOML file")
    if not path.exists():
        raise QcauditError(f"config file {path} does not exist")
    if not (path.is_file() or path.is_fifo() or os.path.realpath(path) == os.devnull):
        raise QcauditError(f"config file {path} is not a file; give a TOML file")
    try:  # (a pipe, as the shell's <(...) gives, and /dev/null, no settings, are read too)
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # (Windows editors lead with a BOM)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise QcauditError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise QcauditError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("qcaudit", {})
        return data, f"{path} [tool.qcaudit]" if data else "settings"
    return data, str(path)


def _keys_beside(loc: tuple) -> list[str]:
    """The keys the settings table that holds ``loc``'s last key can have."""
    model: Any = config_model()
    for part in loc[:-1]:
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        model = field.annotation
    return list(getattr(model, "model_fields", {}))


def _top_level_form(name: str) -> str:
    """How the settings file writes top-level setting ``name``: a table of its own, a table a
    name (``[benchmarks.NAME]``), or a key above the first table."""
    annotation = config_model().model_fields[name].annotation
    if typing.get_origin(annotation) is dict:
        values = typing.get_args(annotation)[1]
        return f"tables [{name}.NAME]" if isinstance(values, type) and issubclass(values, BaseModel) else f"a table [{name}]"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"a table [{name}]"
    return "a key of the top level: write it above the first table"


def _describe(exc: ValidationError) -> str:
    """One line naming the first bad key and why."""
    error = exc.errors()[0]
    key = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        beside = _keys_beside(error["loc"])
        close = difflib.get_close_matches(str(error["loc"][-1]), beside, n=1, cutoff=0.7)
        if close:
            return f"unknown key {key!r} (did you mean {'.'.join([*map(str, error['loc'][:-1]), close[0]])}?)"
        name, within = str(error["loc"][-1]), ".".join(map(str, error["loc"][:-1]))
        if within and name in _keys_beside((name,)):  # (TOML puts a key written below a table's header inside it)
            return f"unknown key {key!r}: {name!r} is not a key of [{within}] but {_top_level_form(name)}"
        return f"unknown key {key!r}" + (f"; the keys there are {', '.join(sorted(beside))}" if beside else "")
    message = error["msg"].removeprefix("Value error, ")
    if not key:  # a check of the whole config, which names its own keys
        return message
    got = error.get("input")
    if error["type"] == "list_type" and isinstance(got, dict):
        return f"{key}: a list ({error['loc'][-1]} = [...]), not a table"
    return f"{key}: {message}" + ("" if isinstance(got, dict | list) else f" (got {got!r})")
