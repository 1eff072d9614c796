"""An audit as users call it: settings, the data, the engine's findings, the gate's verdict,
one :class:`~qcaudit.report.model.Report`."""

from __future__ import annotations

import difflib
import functools
import inspect
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.progress import Progress

from qcaudit.config import CORE_FLAG_SETTINGS, CoreConfig, load_config, with_overrides
from qcaudit.context import RunContext, load_input
from qcaudit.engine import PartialsSource, run_analyzers
from qcaudit.errors import QcauditError
from qcaudit.gate import evaluate, thresholds_for
from qcaudit.io import Dataset, TextSelection
from qcaudit.progress import api_progress
from qcaudit.registry import Flags, analyzer_flags
from qcaudit.registry import analyzers as registered_analyzers
from qcaudit.report.model import Report


def _partials_source(config: CoreConfig) -> PartialsSource | None:
    """Where the analyzers' partial states are computed: this process, or Ray actors."""
    if config.engine.kind == "ray":
        from qcaudit.ray_engine import ray_partials  # ray loads only when it is asked for

        return ray_partials
    return None


#: Words that follow a flag in a message and are not its value (``--role needs ...``).
_PROSE_AFTER_FLAG = "or|and|as|for|from|in|is|joins|needs|of|on|read|reads|takes|there|to|with|writes"
#: A command-line flag named in a message, with the value written after it where one is:
#: ``--text-column``, ``--no-header``, ``--ifd-model PATH``, ``--max-n 5``, ``--tokenizer cjk``.
_FLAG_NAMED = re.compile(rf"--(no-)?([a-z][a-z0-9]*(?:-[a-z0-9]+)*)(?: (?!(?:{_PROSE_AFTER_FLAG})\b)([\w.:/=,*-]*\w))?")


def flags_as_keywords(message: str, keywords: Collection[str]) -> str:
    """``message`` as a Python caller reads it: each command-line flag in it that one of
    ``keywords`` sets said as that keyword, with its value where the message gives one
    (``text_column=`` for ``--text-column``, ``header=False`` for ``--no-header``,
    ``ifd_model=PATH`` for ``--ifd-model PATH``, ``benchmarks={NAME: PATH}`` for
    ``--benchmark NAME=PATH``); a flag that none sets (``--out``) as it is."""
    def said(flag: re.Match[str]) -> str:
        negated, name, value = flag.groups()
        keyword = name.replace("-", "_")
        if keyword == "benchmark" and "benchmarks" in keywords:
            return "benchmarks={NAME: PATH}" if value == "NAME=PATH" else flag.group(0).replace("--benchmark", "benchmarks=", 1)
        if keyword not in keywords:
            return flag.group(0)
        if negated:  # (a value after a --no- flag is the message's own word)
            return f"{keyword}=False" + (f" {value}" if value else "")
        return f"{keyword}={value or ''}"

    return _FLAG_NAMED.sub(said, message)


def speaks_keywords(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function``, a Python API function, whose :class:`QcauditError` messages name its
    keywords where they name the command's flags (:func:`flags_as_keywords`): the messages
    are the command line's, and ``choose one with --text-column`` reads in Python as
    ``choose one with text_column=``."""
    @functools.wraps(function)
    def called(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except QcauditError as error:
            error.args = (flags_as_keywords(str(error), inspect.signature(called).parameters), *error.args[1:])
            raise

    return called


def audit(
    data: str | Path | Dataset | Any,
    config: CoreConfig | str | Path | Mapping[str, Any] | None = None,
    *,
    text_column: str | None = None,
    fields: Sequence[str] | None = None,
    role: Sequence[str] | None = None,
    analyzers: Sequence[str] | None = None,
    limit: int | None = None,
    benchmarks: Mapping[str, str | Path | Mapping[str, Any]] | None = None,
    gate: Mapping[str, float] | None = None,
    settings: Mapping[str, Any] | None = None,
    progress: Progress | bool | None = None,
    lazy_rows: bool = False,
    **flags: Any,
) -> Report:
    """Audit ``data`` (a path, directory or glob; a table in memory: a Polars or pandas
    DataFrame, a pyarrow Table, a Hugging Face Dataset, a dict of columns, a list or iterator
    of rows as dicts, a Series or numpy array of texts; or a :class:`Dataset` already loaded with the same text selection) and return the report, rows included: a DataFrame, or with
    ``lazy_rows`` a LazyFrame that reads the input again as it is written (what
    ``qcaudit report`` does, so that no copy of the corpus is held in memory).

    ``config`` is a :class:`CoreConfig`, the path of a qcaudit.toml (or pyproject.toml), or
    the settings as such a file's tables parse (a dict, ``{"diversity": {"max_n": 3}}``);
    by default the ``qcaudit.toml`` / ``pyproject.toml`` of the working directory, as the
    command line reads it. The keywords override it as the command's flags do:
    ``text_column``, ``fields``, ``role`` and ``analyzers`` (a list, or its names in one
    string with commas, as the flags take them), ``limit`` (a quick look at the
    first rows: ``report.dataset["input_rows"]`` then holds the input's count),
    ``benchmarks`` (name -> test-set path, or name -> a ``[benchmarks.NAME]`` table),
    ``gate`` (``{"max_...": ...}``) and ``settings`` (any other setting by dotted key,
    ``{"diversity.max_n": 3}``). A setting
    that is unknown or out of range raises :class:`~qcaudit.errors.QcauditError` naming it.
    ``progress=True`` shows the progress the command line shows, on stderr (a long embedding
    step's rows, rate and time left); a rich ``Progress`` is the command line's own. Every
    other flag of ``qcaudit report`` is a keyword too, named as the flag
    (``reward_model="rm/"`` is ``--reward-model rm/``, ``self_bleu_n=3``, ``device="cuda"``,
    ``prompt_fields=["instruction"]``; :func:`flag_settings`).

    >>> audit("data.parquet", fields=["instruction", "input", "output"],
    ...       benchmarks={"gsm8k": "test.jsonl"}, gate={"max_contaminated_rows": 0})  # doctest: +SKIP
    """
    config = keyword_settings("audit", config, {"text_column": text_column, "fields": fields, "role": role, "analyzers": analyzers,
                                                "limit": limit, "benchmarks": benchmarks, "gate": gate, "settings": settings,
                                                "progress": progress})
    config = with_overrides(config, flag_settings("audit", python_flags(), flags))
    with api_progress(progress) as shown:
        return _audited(data, config, shown, lazy_rows)


#: The keywords of the Python API's functions that are no flag's (the input's, the settings').
OWN_KEYWORDS = frozenset({"text_column", "fields", "role", "analyzers", "limit", "benchmarks", "gate", "settings", "progress"})
#: The command line's own flags that a Python function takes as keywords beside its own
#: (``device=``, ``engine=``, ``prompt_fields=``): the setting each sets.
CORE_KEYWORDS = {name: key for name, key in CORE_FLAG_SETTINGS.items() if name not in OWN_KEYWORDS}


def python_flags(flags: Flags | None = None) -> Flags:
    """The analyzer ``flags`` (default: every analyzer's, as ``qcaudit report`` has them) a
    Python API function takes as keywords: all but those that set what one of its own
    keywords sets (``--benchmark``: ``benchmarks=``)."""
    flags = analyzer_flags() if flags is None else flags
    return {name: flag for name, flag in flags.items() if flag[1].key not in OWN_KEYWORDS}


def flag_settings(function: str, flags: Flags, given: Mapping[str, Any]) -> dict[str, Any]:
    """The settings, by dotted key, of command-line flags given to ``function`` as keywords
    named as the flags (``threshold=0.7`` for ``--threshold 0.7``: :attr:`CliOption.parameter`;
    the command line's own, :data:`CORE_KEYWORDS`, and the analyzer ``flags``), those given
    None left out; a keyword that is none of them is a TypeError, as Python raises for an
    unknown keyword, that names them (and the keyword meant, where one is spelled alike:
    ``benchmark=`` for ``benchmarks=``)."""
    known = sorted({*CORE_KEYWORDS, *flags})
    if unknown := sorted(set(given) - set(known)):
        alike = difflib.get_close_matches(unknown[0], [name for name in (*known, *OWN_KEYWORDS) if name != unknown[0]], n=1)
        meant = f" (did you mean {alike[0]!r}?)" if alike else ""
        raise TypeError(f"{function}() got an unexpected keyword argument {unknown[0]!r}{meant}; its flags as keywords: "
                        f"{', '.join(known)}")
    settings: dict[str, Any] = {}
    for name, value in given.items():
        if value is None:
            continue
        if name in CORE_KEYWORDS:
            settings[CORE_KEYWORDS[name]] = _listed(value) if name == "prompt_fields" else value
        else:
            section, option = flags[name]
            settings |= option.settings(section, value)
    return settings


def with_flag_keywords(signature: inspect.Signature, flags: Flags) -> inspect.Signature:
    """``signature`` with its ``**`` keywords written out as the command line's own flags'
    (:data:`CORE_KEYWORDS`) and the analyzer ``flags``' (what ``help()`` and a notebook's
    completion show)."""
    named = [parameter for parameter in signature.parameters.values() if parameter.kind != inspect.Parameter.VAR_KEYWORD]
    annotations = {name: Any for name in CORE_KEYWORDS} | {name: option.type | None for name, (_, option) in flags.items()}
    keywords = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)
                for name, annotation in sorted(annotations.items())]
    return signature.replace(parameters=[*named, *keywords])


@functools.cache
def python_api(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` (:func:`audit`, ``sample``: ``**flags`` in its definition) as the package
    root hands it to Python callers: the flags it takes written out in its signature (made
    on first use: the analyzers' flags are known once the registry has loaded them), and its
    errors naming its keywords where the command line's name flags (:func:`speaks_keywords`;
    the commands call :func:`audit` itself, and keep the flags)."""
    spoken = speaks_keywords(function)
    spoken.__signature__ = with_flag_keywords(inspect.signature(function), python_flags())
    return spoken


def keyword_settings(function: str, config: CoreConfig | str | Path | Mapping[str, Any] | None,
                     keywords: Mapping[str, Any]) -> CoreConfig:
    """The settings of a Python API call (:func:`audit`, ``audit_drift``): ``config`` with
    the call's ``keywords`` (:func:`audit`'s, by name; those not given None or absent)
    applied as the command's flags are; a keyword of the wrong kind raises
    :class:`~qcaudit.errors.QcauditError` naming ``function`` and the keyword."""
    text_column, fields, role, analyzers, limit, benchmarks, gate, settings, progress = (
        keywords.get(name) for name in ("text_column", "fields", "role", "analyzers", "limit", "benchmarks", "gate",
                                        "settings", "progress"))
    for keyword, value, kinds, wanted in (
            ("config", config, (CoreConfig, str, Path, Mapping), "a path, a dict of settings or a CoreConfig"),
            ("gate", gate, Mapping, "a dict of thresholds, {'max_exact_duplicate_rate': 0.01}"),
            ("settings", settings, Mapping, "a dict of settings by dotted key, {'diversity.max_n': 3}"),
            ("benchmarks", benchmarks, Mapping, "a dict of benchmark name -> test-set path"),
            ("progress", progress, (bool, Progress), "True, False or a rich Progress")):
        if value is not None and not isinstance(value, kinds):
            raise QcauditError(f"{function}(..., {keyword}=...) takes {wanted}, not a {type(value).__name__}")
    overrides: dict[str, Any] = {"input.text_column": text_column, "input.fields": _listed(fields),
                                 "input.role": _listed(role, commas=True), "analyzers": _listed(analyzers, commas=True),
                                 "input.limit": limit}
    for name, benchmark in (benchmarks or {}).items():
        key = f"benchmarks.{name}"
        if not isinstance(benchmark, str | Path | Mapping):
            raise QcauditError(f"benchmark {name!r} is a {type(benchmark).__name__}: give its test set's path (or a "
                               "[benchmarks.NAME] table of settings); write a table in memory to a file first, "
                               f"e.g. frame.write_parquet('{name}.parquet') or dataset.to_parquet('{name}.parquet')")
        overrides |= {key: dict(benchmark)} if isinstance(benchmark, Mapping) else {f"{key}.path": str(benchmark)}
    overrides |= {f"gate.{key}": value for key, value in (gate or {}).items()} | dict(settings or {})
    return with_overrides(config, overrides) if isinstance(config, CoreConfig) else load_config(config, overrides)


def _audited(data: str | Path | Dataset | Any, config: CoreConfig, progress: Progress | None, lazy_rows: bool) -> Report:
    """The audit of :func:`audit` once its settings are whole: with the parts and the
    analyzers that the data gives (:func:`with_parts_found`, :func:`with_analyzers_found`)."""
    dataset = data if isinstance(data, Dataset) else load_input(data, config)
    return audit_as_configured(dataset, with_analyzers_found(with_parts_found(config, dataset.selection), dataset), progress, lazy_rows)


def audit_as_configured(dataset: Dataset, config: CoreConfig, progress: Progress | None, lazy_rows: bool = False) -> Report:
    """The audit of ``dataset`` by exactly the analyzers ``config`` names, none added for what
    the data holds (a filter command's run: its analyzer and its companions)."""
    context = RunContext.from_config(config, progress)
    try:
        found = run_analyzers(dataset, config, context, _partials_source(config))
        rows = found.rows if lazy_rows else found.rows.collect()  # (the rows read the input once more)
    except Exception:
        dataset.check_unchanged()  # (an input written meanwhile explains a failure better than the failure does)
        raise
    dataset.check_unchanged()
    report = Report(
        dataset=found.dataset,
        config=config.model_dump(mode="json"),
        metrics=found.metrics,
        tables=found.tables,
        gate=evaluate(found.metrics, thresholds_for(config.gate, drift=False), found.tables),
        rows=rows,
    )
    if lazy_rows:
        report.after_rows_read(dataset.check_unchanged)
    return report


def with_parts_found(config: CoreConfig, selection: TextSelection) -> CoreConfig:
    """``config`` naming the prompt and answer columns that the loader found by name where it
    named none (:func:`qcaudit.io.load_dataset`): the report then says where each part came
    from, and found preference pairs switch the preference analyzer on as their flags do. An
    analyzer that the settings switched on and the found parts switch off is dropped (a reward
    model, on pairs, scores both answers for the preference analyzer instead of a response)."""
    found = {f"input.{key}": value for key, value in (("prompt", list(selection.prompt)), ("response", selection.response),
                                                      ("chosen", selection.chosen), ("rejected", selection.rejected),
                                                      ("preferred_by", selection.preferred_by), ("label", selection.label),
                                                      ("ratings", list(selection.ratings)))
             if value and not getattr(config.input, key)}
    if not found:
        return config
    updated = with_overrides(config, found)
    switched_off = {name for name, cls in registered_analyzers().items() if cls.switched_on(config) and not cls.switched_on(updated)}
    return updated.model_copy(update={"analyzers": [name for name in updated.analyzers if name not in switched_off]})


def with_analyzers_found(config: CoreConfig, dataset: Dataset) -> CoreConfig:
    """``config`` with the analyzers that the data itself turns on added
    (:meth:`~qcaudit.registry.Analyzer.found_in`: the reasoning analyzer, where the first
    responses hold a reasoning model's reasoning; the answers analyzer, beside a column of
    reference answers found by name), with the settings each found, as found preference
    pairs turn theirs on."""
    found = {name: settings for name, cls in registered_analyzers().items()
             if name not in config.analyzers and (settings := cls.found_in(dataset, config)) is not None}
    if not found:
        return config
    updated = with_overrides(config, {key: value for settings in found.values() for key, value in settings.items()})
    return updated.model_copy(update={"analyzers": [*config.analyzers, *found]})


def _listed(values: Sequence[str] | None, commas: bool = False) -> list[str] | None:
    """A keyword's list of names; a lone string is one name, not its characters, or with
    ``commas`` (names that never hold one: analyzers, roles) its names as a flag takes them,
    ``"diversity,duplicates"``."""
    if isinstance(values, str):
        return [name.strip() for name in values.split(",")] if commas else [values]
    return None if values is None else list(values)

