"""``qcaudit drift``: audit data-flywheel generations against a baseline.

Generations come as separate inputs (GEN0 GEN1 ...) or as one input with a generation
column. The baseline is ``--real`` when given, else generation 0. The report holds, under
``metrics.drift``: ``generations`` (a list, one dict of every metric per generation, the
baseline first), the last generation's headline values (``tail_survival``,
``distinct_2``, ``js_divergence``, ``real_share`` with a source column) and
``collapse_alarm`` with the metrics that triggered it. With ``embeddings``: per generation
``fid_drift`` (Fréchet distance), ``mmd``, ``recall_vs_baseline`` and
``coverage_vs_baseline`` (PRDC), ``vendi_1`` and ``mean_pairwise_cosine``. With ``lm`` (a
local causal LM, as Shumailov et al. score generations under the original model): per row
the perplexity exp(−mean token log-likelihood) in rows.parquet (``generation``, ``row_id``,
``text``, ``perplexity``), per generation ``perplexity_p10``/``_median``/``_p90`` and
``log_perplexity_mean``; the LM and its device, dtype, batch size and token limit are the
``[drift]`` section's. Generations whose real-data share (``--source-column``) is under 30% are listed
in ``tables.drift.warnings``.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

import polars as pl

from qcaudit.config import Config, with_overrides
from qcaudit.context import RunContext, load_beside, load_input, text_selection
from qcaudit.drift import ALARM_QUORUM, ALARM_WINDOW, Baseline, DriftSettings, collapse_alarm, generation_metrics
from qcaudit.engine import why_no_text
from qcaudit.errors import QcauditError
from qcaudit.gate import evaluate, thresholds_for
from qcaudit.columns import ROW_ID, TEXT, TEXT_STATUS
from qcaudit.io import Dataset
from qcaudit.readers import input_files
from qcaudit.tables import input_name
from qcaudit.pipeline import keyword_settings, speaks_keywords
from qcaudit.progress import progress_shown, row_progress
from qcaudit.report.model import Report
from qcaudit.signatures import signature
from qcaudit.text import Tokenization, TokenStream, unspaced_text_warning, written_in_other_scripts

HEADLINE = ("distinct_2", "self_bleu_4", "tail_survival", "js_divergence", "real_share", "fid_drift", "recall_vs_baseline",
            "perplexity_median")
#: Common practice keeps 30-50% real data as an anchor; a generation below this floor is warned about.
REAL_SHARE_FLOOR = 0.3
EMBEDDING_SAMPLE = 2000
#: Neighbours of PRDC's balls (Naeem et al. 2020's default): each side needs more rows than this.
PRDC_K = 5


def named_generations(inputs: Sequence[Any] | Mapping[str, Any]) -> tuple[list[tuple[str, Any]], str | None]:
    """Each generation's name and input, in order, and a warning where the order was changed.

    Inputs by name (a dict) keep their names and order. Paths are named by the shortest
    ending that tells them apart and put in their numbers' order where they were given in
    alphabetical order (:func:`in_numbered_order`); tables in memory, by their position (0, 1, ...)."""
    if isinstance(inputs, Mapping):
        return [(str(name), data) for name, data in inputs.items()], None
    inputs = list(inputs)
    if not inputs or not all(isinstance(data, str | os.PathLike) for data in inputs):  # (none: refused as too few)
        return [(str(i), data) for i, data in enumerate(inputs)], None
    paths, order_warning = in_numbered_order([str(data) for data in inputs])
    return list(zip(_distinct_names(paths), paths, strict=True)), order_warning


def repeated_input_warning(named: list[tuple[str, Any]]) -> str | None:
    """A warning where one file or folder is given as more than one generation (a glob and
    a name that overlap, a name typed twice): its drift against itself is none."""
    seen: dict[str, list[str]] = {}
    for name, data in named:
        if isinstance(data, str | os.PathLike):
            seen.setdefault(os.path.realpath(data), []).append(name)
    repeated = [names for names in seen.values() if len(names) > 1]
    if not repeated:
        return None
    said = "; ".join(" and ".join(names) for names in repeated)
    return f"the same input is given as more than one generation ({said}): they cannot differ"


def _source(name: str, data: Any) -> str:
    """How the report lists a generation's input: its path, or a table in memory with the
    generation's name (``round_1: <DataFrame>``)."""
    return str(data) if isinstance(data, str | os.PathLike) else f"{name}: {input_name(data)}"


@dataclass(frozen=True)
class _Generation:
    """A generation: its name, its rows, and its texts (with the source column kept as
    ``_<source_column>``), read when its turn comes, so that the generations' texts are
    never all in memory together."""

    name: str
    rows: int
    read: Callable[[], pl.DataFrame]


def _generations(
    named: list[tuple[str, Any]], config: Config, generation_column: str | None, source_column: str | None
) -> tuple[list[_Generation], dict[str, str], list[Dataset]]:
    """The generations in order (:class:`_Generation`), how each one's text was selected, by
    name, and the inputs read. Their label columns are checked before any is read whole."""
    keep = tuple(c for c in (generation_column, source_column) if c)
    if generation_column:
        if len(named) != 1:
            raise QcauditError("--generation-column takes one dataset holding every generation")
        dataset = load_input(named[0][1], config)
        labels = dataset.kept_columns(keep)  # (the labels alone: each generation's texts are read in its turn)
        _check_labels(labels.schema, generation_column, source_column)
        column = labels[f"_{generation_column}"]
        missing = column.is_null() | (column.is_nan() if column.dtype.is_float() else False)
        if missing.any():
            first, count = int(labels.filter(missing)[ROW_ID][0]), int(missing.sum())
            rows = "1 row names" if count == 1 else f"{count:,} rows name"
            raise QcauditError(f"--generation-column {generation_column}: {rows} no generation (the first is row {first}); "
                               "give every row one, or drop those rows")
        sizes = dict(column.value_counts().iter_rows())
        if len(sizes) < 2:
            raise QcauditError(f"--generation-column {generation_column}: every row is of one generation "
                               f"({next(iter(sizes))}); drift needs at least two")
        ordered = sorted(sizes, key=generation_order)
        read = [partial(dataset.texts, keep=keep, where=pl.col(f"_{generation_column}") == value) for value in ordered]
        return ([_Generation(str(value), sizes[value], reader) for value, reader in zip(ordered, read, strict=True)],
                {str(value): dataset.text_source for value in ordered}, [dataset])
    if len(named) < 2:
        files = input_files(named[0][1]) if named and isinstance(named[0][1], str) else []
        one = f": {named[0][1]} is one dataset of {len(files)} files (give each generation's file or folder)" if len(files) > 1 else ""
        raise QcauditError(f"drift needs at least two generations (GEN0 GEN1 ...) or --generation-column{one}")
    out, sources, datasets = [], {}, []
    for name, data in named:
        dataset = load_input(data, config)
        _check_labels(dataset.selected(keep=keep).collect_schema(), None, source_column)
        out.append(_Generation(name, dataset.rows, partial(dataset.texts, keep=keep)))
        sources[name] = dataset.text_source
        datasets.append(dataset)
    return out, sources, datasets


def _too_few_texts(what: str, frame: pl.DataFrame, text_source: str) -> QcauditError:
    """The refusal of a generation (or baseline) with under two rows with text, saying what
    its other rows held."""
    statuses = Counter(frame[TEXT_STATUS].to_list())
    why = why_no_text(text_source, statuses, [])
    return QcauditError(f"{what}: needs at least 2 rows with text; found {statuses['ok']}" + (f"; {why}" if why else ""))


def limit_warning(datasets: list[Dataset]) -> str | None:
    """A warning when ``[input] limit`` read only the first rows of some input: drift over
    the whole generations may differ."""
    if all(dataset.input_rows is None for dataset in datasets):
        return None
    read, whole = sum(d.rows for d in datasets), sum(d.input_rows or d.rows for d in datasets)
    return (f"a quick look (--limit): read only the first rows of each input, {read:,} of {whole:,} rows; "
            "the whole generations may drift otherwise")


def _check_labels(schema: pl.Schema, generation_column: str | None, source_column: str | None) -> None:
    """Refuse, in one line, a generation or source column of lists, structs or bytes (by
    the texts' ``schema``): each row's value there is a name (or a number) compared as one."""
    for option, name in (("--generation-column", generation_column), ("--source-column", source_column)):
        dtype = schema[f"_{name}"] if name else None
        if dtype is not None and (dtype.is_nested() or dtype == pl.Binary):
            raise QcauditError(f"{option} {name}: the column holds {dtype} values; give a column with one name or number a row")


def read_alike_warning(sources: dict[str, str]) -> str | None:
    """A warning when the generations' texts were found in different columns (each file
    read by the names its columns have): their metrics then differ for that alone."""
    by_source: dict[str, list[str]] = {}
    for name, source in sources.items():
        by_source.setdefault(source, []).append(name)
    if len(by_source) < 2:
        return None
    read = "; ".join(f"{', '.join(names)}: {source}" for source, names in by_source.items())
    return (f"the generations' text is read from different columns ({read}): their metrics differ for that alone; "
            "name the text with --text-column or --fields (columns renamed alike where the files differ)")


def generation_order(name: object) -> tuple:
    """How generations named in a column are ordered: numbers by value, and names by their
    parts with the digits in them compared as numbers, so that ``round_2`` comes before
    ``round_10`` (the last generation is the one the alarm and the gate judge)."""
    if isinstance(name, int | float):
        return (name,)
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", str(name)) if part)


def in_numbered_order(paths: list[str]) -> tuple[list[str], str | None]:
    """The generations' inputs in the order given, unless that order is their names sorted
    alphabetically (``round_1, round_10, round_2``, as a shell expands ``rounds/*.parquet``)
    and the numbers in the names order them otherwise: then in that order
    (:func:`generation_order`), with a warning saying so."""
    numbered = sorted(paths, key=generation_order)
    if paths == numbered or paths != sorted(paths):
        return paths, None
    def names(ordered: list[str]) -> str:
        return ", ".join(_distinct_names(ordered)[:4]) + (", ..." if len(ordered) > 4 else "")
    return numbered, (f"generations read in the order of the numbers in their names ({names(numbered)}), not in the "
                      f"alphabetical order given ({names(paths)}, as a shell expands a glob); any other order is kept as given")


def _distinct_names(paths: list[str]) -> list[str]:
    """A name per generation: the shortest path ending that tells them apart (``gen1/data.parquet``
    when every generation is a ``data.parquet``); a path given twice is numbered."""
    parts = [Path(path).parts or (path,) for path in paths]
    for depth in range(1, max(map(len, parts)) + 1):
        names = ["/".join(p[-depth:]) for p in parts]
        if len(set(names)) == len(names):
            return names
    return [f"{i}: {'/'.join(p[-1:])}" for i, p in enumerate(parts)]


def _embedding_metrics(encoder, base: np.ndarray, texts: pl.Series, seed: int) -> dict[str, float]:
    """Fréchet distance, MMD, PRDC recall/coverage against the baseline embeddings ``base``
    (seeded samples of at most EMBEDDING_SAMPLE rows), and the generation's Vendi score and
    mean pairwise cosine."""
    from qcaudit.geometry import frechet_distance, mean_pairwise_cosine, mmd_rbf, prdc, vendi_score

    rng = np.random.default_rng(seed)
    gen = encoder.encode(texts, progress=True)
    real = base[rng.choice(len(base), min(len(base), EMBEDDING_SAMPLE), replace=False)]
    fake = gen[rng.choice(len(gen), min(len(gen), EMBEDDING_SAMPLE), replace=False)]
    coverage = prdc(real, fake, PRDC_K)
    return {
        "fid_drift": frechet_distance(real, fake),
        "mmd": mmd_rbf(real, fake),
        "recall_vs_baseline": coverage["recall"],
        "coverage_vs_baseline": coverage["coverage"],
        "vendi_1": vendi_score(gen),
        "mean_pairwise_cosine": mean_pairwise_cosine(gen),
    }


def _counted_tokens(tokenization: Tokenization, texts: pl.Series, name: str) -> TokenStream:
    """The tokens of ``texts``, refused in one line when there are none (punctuation alone
    under ``--strip-punctuation``, say): no distribution to compare."""
    tokens = tokenization.tokens(texts)
    if len(tokens.hashes) == 0:
        raise QcauditError(f"{name}: its {texts.len():,} rows with text hold no tokens once tokenised (punctuation "
                           "alone has none under --strip-punctuation); drift compares token distributions")
    return tokens


def _check_prdc_sizes(real_rows: int | None, generations: list[_Generation]) -> None:
    """Before anything is embedded: PRDC's k-nearest-neighbour balls need more than
    :data:`PRDC_K` rows with text in the baseline (``real_rows``, else the first generation)
    and in every generation (each read for it, one at a time)."""
    sizes = [("the real baseline", real_rows)] if real_rows is not None else []
    sizes += [(f"generation {g.name}", int((g.read()[TEXT_STATUS] == "ok").sum())) for g in generations]
    for name, rows in sizes:
        if rows <= PRDC_K:
            raise QcauditError(f"--embeddings: {name} has {rows} rows with text; PRDC against the baseline needs more "
                               f"than {PRDC_K} (leave --embeddings out for so few rows)")


class _Perplexity:
    """Per-row perplexity under the ``[drift]`` section's local causal LM."""

    def __init__(self, config: Config):
        from qcaudit.hf import load_model, load_tokenizer, token_limit

        self.settings = config.drift
        self.tokenizer = load_tokenizer(self.settings.lm, "drift LM")
        device = self.settings.device or config.embedding.device
        self.model, self.device = load_model(self.settings.lm, "causal", device, self.settings.dtype, "drift LM")
        self.max_tokens = token_limit(self.settings.max_tokens, self.model.config)

    def __call__(self, texts: list[str], generation: str) -> np.ndarray:
        """The texts' perplexities, with progress (``generation`` names the step: texts, rate,
        and the time left reckoned by their tokens)."""
        from qcaudit.detectors.criteria import log_likelihood
        from qcaudit.detectors.lm import score_texts, tokenize

        ids = tokenize(self.tokenizer, texts, self.max_tokens)
        mean_ll = score_texts([self.model], ids, {"ll": log_likelihood}, self.settings.batch_size, self.device,
                              label=f"drift: perplexity of generation {generation}")["ll"]
        return np.exp(-mean_ll)


def _perplexity_metrics(perplexity: np.ndarray) -> dict[str, float]:
    finite = perplexity[np.isfinite(perplexity)]
    if finite.size == 0:
        return {}
    p10, median, p90 = np.quantile(finite, [0.1, 0.5, 0.9])
    return {"perplexity_p10": float(p10), "perplexity_median": float(median), "perplexity_p90": float(p90),
            "log_perplexity_mean": float(np.log(finite).mean())}


@speaks_keywords
def audit_drift(
    generations: Sequence[Any] | Mapping[str, Any] | Any,
    config: Any = None,
    *,
    real: Any = None,
    generation_column: str | None = None,
    source_column: str | None = None,
    real_value: str = "real",
    embeddings: bool = False,
    lm: str | None = None,
    text_column: str | None = None,
    fields: Sequence[str] | None = None,
    role: Sequence[str] | None = None,
    limit: int | None = None,
    gate: Mapping[str, float] | None = None,
    settings: Mapping[str, Any] | None = None,
    progress: bool | None = None,
) -> Report:
    """Drift across data-flywheel generations from Python, as ``qcaudit drift`` measures it:
    the report it writes, with per-row perplexities in ``rows`` when ``lm`` is given.

    ``generations``: the generations in order, each a path or a table in memory (anything
    :func:`qcaudit.audit` reads), named by their paths or their positions; or a dict of them
    by name, in its order; or, with ``generation_column``, one dataset holding them all.
    ``real``: the real baseline (a path or a table; default the first generation);
    ``source_column``/``real_value``, ``embeddings`` and ``lm`` are the command's
    ``--source-column``/``--real-value``, ``--embeddings`` and ``--lm``; ``config`` and the
    other keywords are :func:`qcaudit.audit`'s (``gate`` takes drift's thresholds,
    ``{"max_alarm_fired": 0}``)."""
    config = keyword_settings("audit_drift", config, {"text_column": text_column, "fields": fields, "role": role, "limit": limit,
                                                      "gate": gate, "settings": settings, "progress": progress})
    config = with_overrides(config, {"drift.lm": lm})
    if isinstance(generations, str | os.PathLike) or not isinstance(generations, list | tuple | Mapping) or (
            generation_column and isinstance(generations, Mapping)):  # one dataset (a dict of columns, with the column)
        generations = [generations]
    run = partial(run_drift, generations, config, real, generation_column, source_column, real_value, embeddings)
    if progress:
        with progress_shown():
            return run()
    return run()


def run_drift(inputs: Sequence[Any] | Mapping[str, Any], config: Config, real: Any = None, generation_column: str | None = None,
              source_column: str | None = None, real_value: str = "real", embeddings: bool = False) -> Report:
    """The drift report of the generations ``inputs`` (paths or tables in memory, in order,
    or a dict of them by name; one of them with ``generation_column``) against the first
    generation, or against ``real`` (a path or a table) where one is given."""
    named, order_warning = named_generations(inputs)
    generations, sources, datasets = _generations(named, config, generation_column, source_column)
    tokenization = Tokenization(**config.text.model_dump())
    settings = DriftSettings()
    if real is not None:
        dataset = load_beside(real, text_selection(config), "the real baseline", config.input.limit, config.input.header)
        datasets.append(dataset)
        baseline_name, baseline_frame, baseline_source = f"the real baseline {input_name(real)}", dataset.texts(), dataset.text_source
        sources = {"the real baseline": dataset.text_source} | sources
    else:
        baseline_name, baseline_frame = f"generation {generations[0].name}", generations[0].read()
        baseline_source = sources[generations[0].name]
    baseline_texts = baseline_frame.filter(pl.col(TEXT_STATUS) == "ok")[TEXT]
    if baseline_texts.len() < 2:
        raise _too_few_texts(baseline_name, baseline_frame, baseline_source)
    baseline_tokens = _counted_tokens(tokenization, baseline_texts, baseline_name)
    baseline = Baseline.of(baseline_tokens, settings)
    unspaced = unspaced_text_warning(int(baseline_texts.str.len_chars().sum()), int(baseline_tokens.lengths.sum()),
                                     tokenization.tokenizer)
    encoder = None
    if embeddings:
        _check_prdc_sizes(baseline_texts.len() if real is not None else None, generations)
        from qcaudit.embed import CROWDED_VECTORS, Encoder, english_only_warning

        encoder = Encoder.from_settings(config.embedding)
        base_vectors = encoder.encode(baseline_texts, progress=True)  # once, for every generation
    read_texts = read_in_other_scripts = 0  # (texts the encoder read, and of them those written in another script than Latin)
    if encoder is not None and real is not None:
        read_texts, read_in_other_scripts = baseline_texts.len(), int(written_in_other_scripts(baseline_texts).sum())
    # generation 0's rows and tokens, measured first, where it is the baseline; each generation is measured against
    # `baseline` alone: the baseline's rows and tokens are let go once generation 0 is measured (or at once)
    first = (baseline_frame, baseline_tokens) if real is None else None
    del baseline_frame, baseline_texts, baseline_tokens
    lm = config.drift.lm
    scorer = _Perplexity(config) if lm else None
    per_generation, per_row = [], []
    spill = RunContext(memory_budget=config.engine.memory_budget)  # (the n-gram counts' budget and scratch directory)
    labels: list[pl.Series] = []  # (each generation's source column values, for a warning)
    with row_progress("drift", sum(g.rows for g in generations)) as shown, closing(spill):  # (a bar, or lines in a log)
        for generation in generations:
            name, (frame, tokens) = generation.name, first or (generation.read(), None)
            first = None
            valid = frame.filter(pl.col(TEXT_STATUS) == "ok")
            if valid.height < 2:
                raise _too_few_texts(f"generation {name}", frame, sources[name])
            if tokens is None:
                tokens = _counted_tokens(tokenization, valid[TEXT], f"generation {name}")
            metrics = {"generation": name, "rows": valid.height, **generation_metrics(tokens, baseline, settings, spill.memory_budget, spill.scratch)}
            if source_column:
                metrics["real_share"] = float((frame[f"_{source_column}"].cast(pl.String) == real_value).mean())
                labels.append(frame[f"_{source_column}"].cast(pl.String).drop_nulls().unique(maintain_order=True))
            if encoder is not None:
                metrics.update(_embedding_metrics(encoder, base_vectors, valid[TEXT], config.drift.seed))
                read_texts += valid.height
                read_in_other_scripts += int(written_in_other_scripts(valid[TEXT]).sum())
            if scorer is not None:
                perplexity = scorer(valid[TEXT].to_list(), name)
                metrics.update(_perplexity_metrics(perplexity))
                per_row.append(valid.select(pl.lit(name).alias("generation"), ROW_ID, TEXT).with_columns(pl.Series("perplexity", perplexity)))
            per_generation.append(metrics)
            shown.advance(frame.height)
    alarm = collapse_alarm(per_generation)
    sig = signature("drift", f"baseline:{'real' if real is not None else 'gen0'}", f"tail:k{settings.tail_k},n{settings.tail_n}",
                    f"alarm:window{ALARM_WINDOW},tol0.1,quorum{ALARM_QUORUM}", tokenization.signature_fields(),
                    *([f"lm:{lm}", f"max_tokens:{scorer.max_tokens}"] if scorer else []))
    last = per_generation[-1]
    drift_metrics: dict = {"generations": {"value": per_generation, "signature": sig}}
    for name in HEADLINE:
        if name in last:
            drift_metrics[name] = {"value": last[name], "signature": sig}
    drift_metrics["collapse_alarm"] = {"value": alarm.fired, "signature": sig, "triggered_by": alarm.triggered_by}
    drift_metrics["alarm_fired"] = {"value": int(alarm.fired), "signature": sig}
    unjudged = None if alarm.judged else (f"the collapse alarm is not judged: it reads the trend over the last {ALARM_WINDOW} "
                                          f"generations, and this run has {len(per_generation)}; read the metrics' course")
    english_only = (english_only_warning(encoder, read_in_other_scripts, read_texts, "texts", "the drift run", CROWDED_VECTORS)
                    if encoder is not None else None)
    warnings = [warning for warning in (unjudged, order_warning, repeated_input_warning(named), read_alike_warning(sources),
                                        unspaced, limit_warning(datasets), english_only) if warning]
    warnings += [
        f"generation {g['generation']}: real data is {g['real_share']:.0%} of rows, under the {REAL_SHARE_FLOOR:.0%} anchor"
        for g in per_generation[1:] if g.get("real_share", 1.0) < REAL_SHARE_FLOOR
    ]
    if source_column and not any(g["real_share"] for g in per_generation):
        seen = pl.concat(labels).unique(maintain_order=True)
        values = ", ".join(repr(value[:40]) for value in seen.head(5)) + (", ..." if seen.len() > 5 else "")
        warnings.append(f"no row has {source_column} = {real_value!r} (its values: {values}); "
                        "if real rows are marked otherwise, give --real-value")
    metrics = {"drift": drift_metrics}
    return Report(
        dataset={"sources": [input_name(data) if generation_column else _source(name, data) for name, data in named]
                 + ([_source("real", real)] if real is not None else []),
                 "format": "generations",
                 "rows": sum(g["rows"] for g in per_generation),
                 "text_source": next(iter(sources.values())), "text_rows": {}},
        config=config.model_dump(mode="json"),
        metrics=metrics,
        tables={"drift": {"generations": per_generation, "warnings": warnings,
                          "alarm": {"fired": alarm.fired, "triggered_by": alarm.triggered_by, "judged": alarm.judged}}},
        gate=evaluate(metrics, thresholds_for(config.gate, drift=True)),
        rows=pl.concat(per_row) if per_row else None,
    )

