"""The analyzer contract and the registry that finds every analyzer by name.

An analyzer is a class that declares everything about itself, so that adding one touches
its own module only (the README's "Adding an analyzer" walks through one):

- ``name``, ``order`` (where it runs and lists among the others) and ``default`` (whether it
  runs when the user names no analyzers);
- ``Settings``: its own pydantic section of the config (``[name]`` in ``qcaudit.toml``),
  and ``options``: the command-line flags that set it;
- ``metrics()``: every metric it can report, with definition, direction and range, which of
  them the gate may judge and which the console shows first;
- ``row_flags()``: the per-row verdicts the review sample, the embedding map and the
  dashboard read (a row's first flag names it);
- ``views(tables, metrics, config)``: how its report tables are shown, as views of a few kinds
  (:mod:`qcaudit.views`) that every renderer draws; ``title``, ``page`` and ``run_hint``
  name its report section, its dashboard page and the command that turns it on;
- ``findings(tables)``: what lies behind its metrics, one line each, that a failed gate check
  says beside the value (the benchmark items a contamination check's rows leak);
- ``filters``: commands that write the data back without the rows it says to drop
  (``qcaudit dedup``), and ``stratum``: a per-row column the review sample stratifies over;
- ``switched_on()`` / ``missing_input()``: an input that turns it on (a benchmark, a
  tokenizer), and the error when it runs without one; ``found_in()``: data that turns it on
  (responses that hold a reasoning model's reasoning);
- the computation: ``partial(batch) -> state``, ``merge(a, b) -> state``,
  ``finalize(state) -> AnalyzerResult``; state is picklable, so the same code runs over
  batches of one machine and over shards of many;
- optionally, the CPU half of a model stage (``prepare``: tokenisation), which an engine may
  run on other workers than ``partial`` (the Ray engine: CPU actors ahead of GPU ones);
- optionally, a global pass an engine can share out across machines (``exchange``,
  ``reduce``, ``summed``): a table too large for one machine (every n-gram of the corpus)
  leaves each batch's state as pieces keyed by partition, each partition is reduced where
  its pieces meet (the Ray engine's shuffle) to rows of integer sums, and only the summed
  rows come back into the state. The local engine keeps the table in the state instead.

Built-in analyzers live in :mod:`qcaudit.analyzers` (one module each, found by scanning
that package); another package adds one with an entry point in the ``qcaudit.analyzers``
group naming its class. Registration is by the :func:`register` decorator.

Analyzer modules import their heavy libraries (torch, faiss, scipy) inside the methods
that use them: the registry is read to build the command line, and ``qcaudit --help``
stays instant.
"""

from __future__ import annotations

import difflib
import importlib
import math
import pkgutil
import traceback
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from types import TracebackType
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, get_args

import polars as pl
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from qcaudit.errors import QcauditError, first_line
from qcaudit.signatures import Metric
from qcaudit.views import View

if TYPE_CHECKING:
    from qcaudit.context import RunContext

ENTRY_POINT_GROUP = "qcaudit.analyzers"
BUILTIN_PACKAGE = "qcaudit.analyzers"
#: The rows a global pass's :meth:`Analyzer.reduce` returns: integer columns that name what
#: a row counts (which of the analyzer's tables, a group inside it, a key such as a row_id)
#: and integer values the engine adds up over all partitions per name.
SUM_INDEX = ("table", "group", "key")
SUM_VALUES = ("x", "y")


def merged_sums(a: pl.DataFrame | None, b: pl.DataFrame | None) -> pl.DataFrame | None:
    """Two states' summed rows of a global pass as one (None: the state has none)."""
    found = [sums for sums in (a, b) if sums is not None]
    return pl.concat(found) if found else None


def _one_device(value: Any) -> Any:
    """``cuda:N`` is not a choice (the models of a run share one device): say how to pick a GPU.
    Nor is ``mps``, Apple's GPUs, which a Mac's user tries first: say what runs instead."""
    if isinstance(value, str) and value.startswith("cuda:"):
        raise ValueError(f"give cuda, and choose the GPU with CUDA_VISIBLE_DEVICES={value[5:]}")
    if isinstance(value, str) and value.lower() == "mps":
        raise ValueError("Apple's GPUs (mps) are not supported: give cpu, where the default encoder runs as ONNX int8 "
                         "(auto chooses it on a Mac), or cuda")
    return value


#: Where models run: ``auto`` picks CUDA when torch sees it.
Device = Annotated[Literal["auto", "cpu", "cuda"], BeforeValidator(_one_device)]
#: A random seed every generator the settings reach takes: numpy's (not negative), datasketch's
#: MinHash (under 2**32) and faiss's k-means (a C int).
Seed = Annotated[int, Field(ge=0, le=2**31 - 1)]


class Section(BaseModel):
    """Base of every config section: unknown keys are errors, assignments are validated, no
    text setting is empty (``judge_model = ""`` would read as not given), and no number is
    NaN or infinite (TOML writes both; ``z_threshold = nan`` would flag nothing, silently)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, defer_build=True, str_min_length=1,
                              allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_true_for_a_number(cls, value: Any, info: ValidationInfo) -> Any:
        """TOML's ``true`` or ``false`` where the setting is no switch is refused: pydantic
        takes them for 1 and 0, so ``limit = true`` audited one row and ``rate = true``
        sampled every row, silently."""
        if isinstance(value, bool):
            annotation = cls.model_fields[info.field_name].annotation
            if not _admits(annotation, bool):
                kind = "a number" if _admits(annotation, int) or _admits(annotation, float) else "a value"
                raise ValueError(f"give {kind}, not true or false")
        return value

    @field_validator("*")
    @classmethod
    def _fits_in_64_bits(cls, value: Any) -> Any:
        """No whole number beyond 64 bits: numpy, Polars and torch take none (``batch_rows =
        1e20`` as an integer failed deep inside a read)."""
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
            raise ValueError(f"Input should be less than or equal to {2**63 - 1}" if value > 0 else
                             f"Input should be greater than or equal to {-2**63 + 1}")
        return value


def _admits(annotation: Any, kind: type) -> bool:
    """Whether a setting's type takes values of ``kind``: ``kind`` itself, ``Any``, or a type
    holding one (``int | None``, ``Annotated[int, ...]``, ``Literal[True]`` for a bool)."""
    if annotation is kind or annotation is Any:
        return True
    return any(_admits(inner, kind) if isinstance(inner, type) or get_args(inner) else type(inner) is kind
               for inner in get_args(annotation))


@dataclass(frozen=True)
class MetricSpec:
    """One metric an analyzer can report. ``low``/``high`` bound the values it can take (a
    gate threshold outside them is a mistake); ``better`` says which way is good. ``needs``
    names what, beyond its analyzer being on, makes it reported (an option, a setting): a
    gate threshold on it, missing from a report, says so."""

    name: str
    definition: str
    better: Literal["higher", "lower"] | None = None
    low: float = -math.inf
    high: float = math.inf
    gateable: bool = True
    headline: bool = False
    needs: str = ""


def share(name: str, definition: str, better: Literal["higher", "lower"] | None = None, **kw: Any) -> MetricSpec:
    """A metric that is a share of rows or pairs, in [0, 1]."""
    return MetricSpec(name, definition, better, 0.0, 1.0, **kw)


def count(name: str, definition: str, better: Literal["higher", "lower"] | None = None, **kw: Any) -> MetricSpec:
    """A metric that cannot be negative (a count, a length, a distance, an entropy)."""
    return MetricSpec(name, definition, better, 0.0, math.inf, **kw)


@dataclass(frozen=True)
class RowFlag:
    """A per-row verdict: rows where ``when`` holds are flagged; ``label`` names the flag
    (map, dashboard), ``reason`` says why for the review sample. ``column`` must be among
    the rows' columns for the flag to apply. A flag with ``verdict`` false is a reason to
    review a row, not a finding about it: the sample uses it, the map and dashboard do not."""

    column: str
    when: pl.Expr
    label: str
    reason: pl.Expr
    verdict: bool = True


@dataclass(frozen=True)
class RowFilter:
    """A command (``qcaudit <command> DATA -o KEPT``) that runs this analyzer alone, with
    ``settings`` changed in its section, and writes the rows where ``drop`` is false to
    KEPT and the others, with the ``reasons`` columns, beside it."""

    command: str
    help: str
    drop: pl.Expr
    reasons: dict[str, pl.Expr]
    settings: dict[str, Any] = field(default_factory=dict)
    #: Also run the analyzers the settings switch on (their columns can feed the verdict:
    #: the RM filter's strata from the embeddings or IFD).
    companions: bool = False
    #: Flags only this command has, setting keys in the analyzer's section (what its users
    #: tune most: ``dedup --threshold``).
    options: tuple[CliOption, ...] = ()
    #: What the command says after its counts, from the analyzer's tables in the run's report:
    #: keys for ``--json``'s summary, and lines for the console (``decontaminate``: the
    #: benchmark items the removed rows match).
    summary: Callable[[dict[str, Any]], tuple[dict[str, Any], list[str]]] | None = None


@dataclass(frozen=True)
class CliOption:
    """A command-line flag that sets ``key`` in the analyzer's section (or, with ``parse``,
    any config keys: it maps the raw value to ``{dotted key: value}``)."""

    flags: tuple[str, ...]
    key: str
    type: Any
    help: str
    comma_list: bool = False
    parse: Callable[[Any], dict[str, Any]] | None = None
    #: The value's name in --help (default: its kind, TEXT, INTEGER, NUMBER).
    metavar: str | None = None

    @property
    def parameter(self) -> str:
        """The Python name typer passes the value by, from the first flag (also the
        keyword of the Python API's functions: ``qcaudit.dedup(data, threshold=0.7)``)."""
        return self.flags[0].split("/")[0].lstrip("-").replace("-", "_")

    def settings(self, section: str, value: Any) -> dict[str, Any]:
        """The settings ``value`` gives, by dotted key: ``key`` in the analyzer's ``section``
        (a comma list given as one string split into its names, ``"ngram,semantic"``), or
        what ``parse`` makes of it."""
        if self.parse is not None:
            return self.parse(value)
        if self.comma_list and isinstance(value, str):
            value = comma_names(value)
        return {f"{section}.{self.key}": value}


def comma_names(value: str) -> list[str]:
    """The names of a flag's comma-separated list (``"ngram, semantic,"``: ngram, semantic)."""
    return [part.strip() for part in value.split(",") if part.strip()]


@dataclass
class AnalyzerResult:
    """``rows`` holds ``row_id`` plus this analyzer's per-row columns."""

    metrics: dict[str, Metric]
    rows: pl.DataFrame
    tables: dict[str, Any] = field(default_factory=dict)


class Analyzer:
    """Base of every analyzer; see the module docstring for what a subclass declares.

    The default state is the rows themselves (``partial`` keeps the batch, ``merge``
    concatenates), for analyzers whose statistics need every row at once; an analyzer with
    a compact state overrides ``partial`` and ``merge`` too.
    """

    name: ClassVar[str]
    Settings: ClassVar[type[Section]] = Section
    order: ClassVar[int] = 100
    default: ClassVar[bool] = False
    options: ClassVar[tuple[CliOption, ...]] = ()
    #: Top-level config keys this analyzer owns besides its section: key -> (type, default factory).
    extra_sections: ClassVar[dict[str, tuple[Any, Callable[[], Any]]]] = {}
    #: Other analyzers' sections it reads (the preference analyzer reads ``[reward]``'s model).
    reads: ClassVar[tuple[str, ...]] = ()
    #: The heading of its report section (default: its name as words, capitalised).
    title: ClassVar[str | None] = None
    #: The dashboard page that draws it; analyzers may share one (default: its title).
    page: ClassVar[str | None] = None
    #: The command that turns it on, shown where a report lacks it.
    run_hint: ClassVar[str | None] = None
    #: Filter commands it offers (``qcaudit dedup``), each a :class:`RowFilter`.
    filters: ClassVar[tuple[RowFilter, ...]] = ()
    #: A per-row column (a cluster) the review sample stratifies over when it is present.
    stratum: ClassVar[str | None] = None

    def __init__(self, settings: Section, context: RunContext, **sections: Any):
        self.settings = settings
        self.context = context
        self.sections = sections

    @classmethod
    def from_config(cls, config: Any, context: RunContext) -> Analyzer:
        """This analyzer with its section (and the sections it owns or reads) of ``config``."""
        extra = {key: getattr(config, key) for key in (*cls.extra_sections, *cls.reads)}
        return cls(getattr(config, cls.name), context, **extra)

    # -- declarations -------------------------------------------------------------------
    @classmethod
    def metrics(cls) -> tuple[MetricSpec, ...]:
        return ()

    @classmethod
    def row_flags(cls, columns: Collection[str]) -> list[RowFlag]:
        """The flags that apply to rows with these columns."""
        return []

    @classmethod
    def findings(cls, tables: dict[str, Any]) -> dict[str, str]:
        """What lies behind some of its metrics, by metric name, in one line each, read from
        its ``tables`` in a report (of any version: a table it lacks gives nothing): a failed
        gate check on such a metric says it beside the value, in a CI log too."""
        return {}

    @classmethod
    def heading(cls) -> str:
        return cls.title or cls.name.replace("_", " ").capitalize()

    @classmethod
    def dashboard_page(cls) -> str:
        return cls.page or cls.heading()

    @classmethod
    def how_to_run(cls) -> str:
        return cls.run_hint or f"qcaudit report DATA --analyzers {cls.name}"

    @classmethod
    def views(cls, tables: dict[str, Any], metrics: dict[str, Any], config: dict[str, Any]) -> list[View]:
        """How ``tables`` (this analyzer's tables of a report, as report.json holds them)
        are shown, given its metric values by name and the report's ``config``. Charts
        first, then tables."""
        return []

    @classmethod
    def switched_on(cls, config: Any) -> bool:
        """Whether ``config`` gives an input that turns this analyzer on by itself."""
        return False

    @classmethod
    def found_in(cls, dataset: Any, config: Any) -> dict[str, Any] | None:
        """Whether the data itself turns this analyzer on (:class:`qcaudit.io.Dataset`, read
        before the audit under ``config``: its columns, its first rows): the settings it then
        runs with, by dotted key (``{}`` for none: the column found, say); None where not."""
        return None

    @classmethod
    def missing_input(cls, config: Any) -> str | None:
        """Why this analyzer cannot run with ``config`` (None when it can)."""
        return None

    def input_columns(self) -> tuple[str | None, tuple[str, ...]]:
        """(category column, other input columns) this analyzer reads besides the text."""
        return None, ()

    def input_parts(self) -> tuple[str, ...]:
        """The parts of each row it reads (:data:`qcaudit.io.PARTS`: prompt, response,
        chosen, rejected), as batch columns of those names."""
        return ()

    # -- computation --------------------------------------------------------------------
    def check_inputs(self) -> None:
        """Read, or refuse, what this analyzer takes besides the data (benchmarks, a
        reference dataset): the engine calls it once before the first row is read, so that
        a bad file fails at once rather than after the pass over the data."""

    def partial(self, batch: pl.DataFrame) -> Any:
        return batch

    def merge(self, a: Any, b: Any) -> Any:
        return pl.concat([a, b])

    def finalize(self, state: Any) -> AnalyzerResult:
        raise NotImplementedError(f"analyzer {self.name!r} does not finalize")

    # -- optional CPU work ahead of a model, for an engine that runs it apart ------------------
    def prepare(self, batch: pl.DataFrame) -> pl.DataFrame:
        """``batch`` with columns added (named ``__<analyzer>_...``) that :meth:`partial`
        reads instead of doing that work itself: the CPU half of a model stage, such as
        tokenisation. It loads no model weights, so an engine may run it on other workers
        than ``partial`` (the Ray engine does, on CPU actors ahead of GPU ones); where no
        engine does, ``partial`` does that work itself, chunk by chunk, and gives the same
        state. The default adds nothing."""
        return batch

    # -- an optional global pass, for an engine that shuffles -------------------------------
    def exchange(self, state: Any, partitions: int) -> tuple[Any, list[tuple[int, dict[str, Any]]]]:
        """Take a batch's share of the analyzer's global table out of its ``partial`` state,
        as pieces (dicts of arrays) each with its key, ``0 <= key < partitions x`` whatever
        else the table is split by. An engine that shuffles (the Ray engine) calls this on
        the worker, gathers each key's pieces from every batch where they meet and passes
        them to :meth:`reduce`, so the table is never whole on one machine. The default: no
        global pass, no pieces."""
        return state, []

    def reduce(self, pieces: list[dict[str, Any]]) -> pl.DataFrame:
        """One key's pieces, from every batch, as :data:`SUM_INDEX` + :data:`SUM_VALUES`
        rows, which the engine adds up per index over all keys."""
        raise NotImplementedError(f"analyzer {self.name!r} exchanges pieces but does not reduce them")

    def summed(self, sums: pl.DataFrame) -> Any:
        """A state holding the added-up rows of every key's :meth:`reduce`; it is merged into
        the batches' states like any other before :meth:`finalize`."""
        raise NotImplementedError(f"analyzer {self.name!r} exchanges pieces but does not take their sums")

    def annotate(self, result: AnalyzerResult, rows: pl.LazyFrame) -> pl.DataFrame | None:
        """Called once every analyzer's columns are joined into ``rows``: a chance to mark
        this analyzer's tables and metrics with the others' verdicts (the embedding map
        does), and to return more per-row columns (``row_id`` + columns) worked out from
        them (the reward-model filter's verdict)."""
        return None


_REGISTERED: dict[str, type[Analyzer]] = {}


def register(cls: type[Analyzer]) -> type[Analyzer]:
    """Class decorator: make ``cls`` available under ``cls.name``."""
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name.isidentifier():
        raise TypeError(f"analyzer {cls.__qualname__} needs a name that is a Python identifier, got {name!r}")
    known = _REGISTERED.get(name)
    if known is not None and known.__qualname__ != cls.__qualname__:
        raise TypeError(f"two analyzers are named {name!r}: {known.__module__}.{known.__qualname__} and {cls.__module__}.{cls.__qualname__}")
    _REGISTERED[name] = cls
    analyzers.cache_clear()  # registered after the first look-up: seen by the next
    return cls


@cache
def analyzers() -> dict[str, type[Analyzer]]:
    """Every analyzer by name, in run order: the built-in modules, then entry points."""
    package = importlib.import_module(BUILTIN_PACKAGE)
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{BUILTIN_PACKAGE}.{module.name}")
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = entry.load()
            if not (isinstance(loaded, type) and issubclass(loaded, Analyzer)):
                raise TypeError(f"it names {loaded!r}, not a subclass of qcaudit.registry.Analyzer")
            register(loaded)
        except Exception as exc:  # a broken plug-in is the user's to fix, named in one line
            raise QcauditError(f"analyzer plug-in {entry.name!r} ({entry.value}) failed to load: {first_line(exc)}") from None
    return dict(sorted(_REGISTERED.items(), key=lambda item: (item[1].order, item[0])))


def plugin_in(trace: TracebackType | None) -> str | None:
    """The name of the analyzer plug-in (an analyzer from outside qcaudit) whose code is in
    ``trace``, the innermost first; None when there is none: a bug there is its authors' to
    hear of, not qcaudit's."""
    packages = {cls.__module__.partition(".")[0]: name for name, cls in _REGISTERED.items()
                if cls.__module__.partition(".")[0] != __name__.partition(".")[0]}
    for frame, _ in reversed(list(traceback.walk_tb(trace))):
        if (package := str(frame.f_globals.get("__name__", "")).partition(".")[0]) in packages:
            return packages[package]
    return None


def get(name: str) -> type[Analyzer]:
    try:
        return analyzers()[name]
    except KeyError:
        raise QcauditError(unknown_analyzer(name)) from None


def unknown_analyzer(name: str) -> str:
    """Why ``name`` names no analyzer: the ones there are, and the one spelled alike."""
    known = list(analyzers())
    alike = difflib.get_close_matches(name.lower(), known, n=1)
    return f"unknown analyzer {name!r}{f' (did you mean {alike[0]}?)' if alike else ''}; available: {', '.join(known)}"


def findings(tables: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Every analyzer's :meth:`Analyzer.findings` in a report's ``tables``, by the metric's
    name in the report (``contamination.benchmark_leak_rate.gsm8k``)."""
    known = analyzers()
    return {f"{name}.{metric}": text for name, table in tables.items() if name in known
            for metric, text in known[name].findings(table).items()}


def gateable_metrics() -> dict[str, tuple[str, MetricSpec]]:
    """Gateable metric name -> (the analyzer that reports it, its spec)."""
    return {spec.name: (name, spec) for name, cls in analyzers().items() for spec in cls.metrics() if spec.gateable}


def row_filters() -> dict[str, tuple[str, RowFilter]]:
    """Filter command -> (the analyzer that declares it, the filter)."""
    return {f.command: (name, f) for name, cls in analyzers().items() for f in cls.filters}


#: Flags by parameter name: (the analyzer whose section they set, the flag).
Flags = dict[str, tuple[str, CliOption]]


def analyzer_flags(names: Collection[str] | None = None) -> Flags:
    """The flags of these analyzers (default: all), by parameter name."""
    return _by_parameter((name, option) for name, cls in analyzers().items() if names is None or name in names
                         for option in cls.options)


def filter_flags(command: str) -> Flags:
    """A filter command's flags: its analyzer's and its own (``dedup --threshold``), and every
    analyzer's when the filter runs the analyzers its settings switch on."""
    analyzer, row_filter = row_filters()[command]
    flags = analyzer_flags(None if row_filter.companions else {analyzer})
    return _by_parameter([*flags.values(), *((analyzer, option) for option in row_filter.options)])


def option_names(option: CliOption) -> tuple[str, ...]:
    """What a command line knows ``option`` by: each of its flags (both sides of
    ``--x/--no-x``), then its parameter."""
    return *(name for flag in option.flags for name in flag.split("/")), option.parameter


def _by_parameter(options: Iterable[tuple[str, CliOption]]) -> Flags:
    """Analyzers' options by parameter name. Two that share a name are refused, naming both:
    a plug-in's flag would silently take another analyzer's place."""
    found: Flags = {}
    owners: dict[str, str] = {}
    for analyzer, option in options:
        for name in option_names(option):
            if name in owners:
                raise QcauditError(f"the analyzers {owners[name]!r} and {analyzer!r} both take {name}; "
                                   "an analyzer plug-in's flags must be its own")
            owners[name] = analyzer
        found[option.parameter] = (analyzer, option)
    return found


def stratum_column(columns: Collection[str]) -> str | None:
    """The first declared stratum among ``columns`` (None when none is there)."""
    return next((cls.stratum for cls in analyzers().values() if cls.stratum in columns), None)


def all_row_flags(columns: Collection[str]) -> Iterator[RowFlag]:
    """Every flag that applies to rows with ``columns``, in analyzer order."""
    for cls in analyzers().values():
        yield from (flag for flag in cls.row_flags(columns) if flag.column in columns)


def first_flag(columns: Collection[str]) -> pl.Expr | None:
    """The label of the first verdict each row carries ("" when none), over the flags that
    apply to ``columns``; None when none apply."""
    checks = [pl.when(f.when.fill_null(False)).then(pl.lit(f.label)) for f in all_row_flags(columns) if f.verdict]
    return pl.coalesce(checks).fill_null("") if checks else None
