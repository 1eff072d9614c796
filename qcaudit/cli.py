"""The ``qcaudit`` command. Exit codes: 0 ok, 1 the gate failed, 2 bad input or usage, 3 an
internal error; 130/143 when Ctrl-C or SIGTERM stopped it (see :mod:`qcaudit.__main__`), 141 when
the output's reader went away."""

from __future__ import annotations

import contextlib
import errno
import functools
import inspect
import json
import logging
import os
import re
import signal
import sys
import traceback
import typing
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Annotated, Any, Optional

import polars as pl
import typer
from rich.console import Console
from rich.progress import Progress

from qcaudit import __version__
from qcaudit.atomic import special_file, write_text_atomic
from qcaudit.cli_help import HelpCommand
from qcaudit.config import CORE_FLAG_SETTINGS, load_config, with_overrides
from qcaudit.errors import EXIT_BAD_INPUT, EXIT_GATE_FAILED, EXIT_INTERNAL, Interrupted, QcauditError, first_line, message_of, os_error_line
from qcaudit.gate import evaluate, github_annotations, junit_xml, recorded_thresholds, thresholds_for
from qcaudit.progress import phases, show_progress
from qcaudit.registry import CliOption, Flags, analyzer_flags, analyzers, comma_names, filter_flags, option_names, row_filters
from qcaudit.untrusted import console as safe, visible

app = typer.Typer(
    add_completion=False,
    help="Audit LLM training data: diversity, duplication, contamination; gate a pipeline on it.",
    rich_markup_mode=None,  # help text is shown as written: "[gate]" is a TOML table, not markup
)


class _Console(Console):
    """A rich console whose reader went away (``qcaudit show DIR | head``) raises the
    BrokenPipeError that :func:`_guarded` ends as SIGPIPE ends a process, not rich's own
    exit 1, which reads as a failed gate."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))


out = _Console()
err = _Console(stderr=True)


class Command(HelpCommand):
    """A command of ``qcaudit``: the conventional plain help (:mod:`qcaudit.cli_help`), and an
    option or argument given empty refused by name before click converts it. A script's unset
    variable (``qcaudit report "$DATA"``, ``--out "$DIR"``) would otherwise read as not given
    (the default used instead: the columns found by name, no judge model) or, as a path, as
    the current directory (``Path("")`` is ``.``)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if set(ctx.help_option_names).isdisjoint(args):  # (--help shows the help, whatever else is given)
            given, _, _ = self.make_parser(ctx).parse_args(args=list(args))  # the values as typed
            for param in self.get_params(ctx):
                value = given.get(param.name)
                if any(isinstance(v, str) and not v.strip() for v in (value if isinstance(value, list | tuple) else [value])):
                    if param.param_type_name == "argument":
                        ctx.fail(f"{param.metavar} is given empty; give it a value")
                    fallback = "" if param.required else ", or leave it out for the default"
                    ctx.fail(f"{param.opts[0]} is given empty; give it a value{fallback}")
        return super().parse_args(ctx, args)


def command(name: str | None = None) -> Callable[[Callable[..., Any]], Any]:
    """Register a command of ``qcaudit`` (see :class:`Command`)."""
    return app.command(name, cls=Command)


def _print_version(wanted: bool) -> None:
    if wanted:
        print(__version__)
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option("--version", help="Print the qcaudit version and exit.", is_eager=True,
                                          callback=_print_version)] = False,
) -> None:
    # the options every command shares before its name (the app's help text is set above)
    return None

#: Help panels: where the data's text comes from, how it is tokenised, how the run goes;
#: each analyzer's own flags have a panel of their own.
INPUT_PANEL, TEXT_PANEL, RUN_PANEL = "Input: which part of each row is the text", "Text: tokenisation", "Run"

ConfigOpt = Annotated[Optional[Path], typer.Option("--config", help="TOML settings file (default: ./qcaudit.toml or [tool.qcaudit] in ./pyproject.toml).")]
TextColumnOpt = Annotated[Optional[str], typer.Option("--text-column", metavar="COLUMN", help="Column holding the text (a struct column's field by its path: meta.text).", rich_help_panel=INPUT_PANEL)]
FieldsOpt = Annotated[Optional[str], typer.Option("--fields", metavar="A,B,...", help="Comma-separated fields joined by newlines into the text, e.g. instruction,input,output.", rich_help_panel=INPUT_PANEL)]
PromptOpt = Annotated[Optional[str], typer.Option("--prompt-fields", metavar="A,B,...", help="Comma-separated fields joined by newlines into each row's prompt (reward, IFD, preference analyzers; default: a prompt column, or instruction,input).", rich_help_panel=INPUT_PANEL)]
ResponseOpt = Annotated[Optional[str], typer.Option("--response-field", metavar="COLUMN", help="Column holding each row's response (default: response, completion or output beside the prompt).", rich_help_panel=INPUT_PANEL)]
ChosenOpt = Annotated[Optional[str], typer.Option("--chosen-field", metavar="COLUMN", help="Column holding the chosen answer of a preference pair (default: chosen, beside rejected).", rich_help_panel=INPUT_PANEL)]
RejectedOpt = Annotated[Optional[str], typer.Option("--rejected-field", metavar="COLUMN", help="Column holding the rejected answer of a preference pair (default: rejected, beside chosen).", rich_help_panel=INPUT_PANEL)]
PreferredByOpt = Annotated[Optional[str], typer.Option("--preferred-by", metavar="COLUMN", help="Column that judges each row's pair of answers (winner, overall_preference, better_response_id, safer_response_id, labels; found by name): --chosen-field and --rejected-field then name the answers it calls first and second. A row it prefers neither in is no pair. Or LIST.FIELD, a list of answers ranked by a field of each or a column of numbers beside it (completions.fine-grained_score, answers.rank, generations.ratings; found by name): each row's best and worst answers are its pair.", rich_help_panel=INPUT_PANEL)]
LabelOpt = Annotated[Optional[str], typer.Option("--label-field", metavar="COLUMN", help="Column of true/false labels of each row's response, desirable or not, as unpaired preference data holds them (KTO's label; found by name beside a prompt and its completion); 1 and 0 read as true and false.", rich_help_panel=INPUT_PANEL)]
PairRatingsOpt = Annotated[Optional[str], typer.Option("--pair-ratings", metavar="CHOSEN,REJECTED", help="Columns of the ratings a preference pair's data gives its chosen and its rejected answer (found by name: score_chosen,score_rejected; chosen_rating,rejected_rating): the preference analyzer counts the pairs rated a tie or the other way round.", rich_help_panel=INPUT_PANEL)]
RoleOpt = Annotated[Optional[str], typer.Option("--role", metavar="ROLE,...", help="For a chat column (messages or ShareGPT conversations): comma-separated roles whose turns make the text.", rich_help_panel=INPUT_PANEL)]
HeaderOpt = Annotated[Optional[bool], typer.Option("--header/--no-header", help="CSV and TSV input: whether the first line names the columns (default: it does); without a header, they are column_1, column_2, ...", rich_help_panel=INPUT_PANEL)]
ReasoningOpt = Annotated[Optional[bool], typer.Option("--reasoning/--no-reasoning", help="Read a reasoning model's reasoning into the text and answers (default): a chat turn's reasoning_content, reasoning or thinking field, Anthropic's thinking blocks, <think>...</think>, a flat reasoning column; --no-reasoning audits the answers without it.", rich_help_panel=INPUT_PANEL)]
TokenizerOpt = Annotated[Optional[str], typer.Option("--tokenizer", metavar="NAME", help="whitespace | regex | regex:PATTERN | cjk (each CJK ideograph a token) | hf:PATH (a local Hugging Face tokenizer folder, or a model name your cache holds).", rich_help_panel=TEXT_PANEL)]
LowercaseOpt = Annotated[Optional[bool], typer.Option("--lowercase/--no-lowercase", help="Lower-case text before tokenising.", rich_help_panel=TEXT_PANEL)]
PunctOpt = Annotated[Optional[bool], typer.Option("--strip-punctuation/--keep-punctuation", help="Remove Unicode punctuation before tokenising.", rich_help_panel=TEXT_PANEL)]
DeviceOpt = Annotated[Optional[str], typer.Option("--device", metavar="DEVICE", help="auto | cpu | cuda for embedding and detector models (auto: CUDA when torch sees it).", rich_help_panel=RUN_PANEL)]
MaxMemoryOpt = Annotated[Optional[str], typer.Option("--max-memory", metavar="SIZE", help="Memory the analyzers may hold before spilling to disk, e.g. 3GB (default: an eighth of RAM).", rich_help_panel=RUN_PANEL)]
LimitOpt = Annotated[Optional[int], typer.Option("--limit", metavar="ROWS", help="Read only the first ROWS rows of each input: a quick look (the report says how many the input holds).", rich_help_panel=RUN_PANEL)]
BatchRowsOpt = Annotated[Optional[int], typer.Option("--batch-rows", metavar="ROWS", help="Rows read at a time (default 250000).", rich_help_panel=RUN_PANEL)]
EngineOpt = Annotated[Optional[str], typer.Option("--engine", metavar="ENGINE", help="local (default) | ray: compute on a pool of Ray actors (pip install 'qcaudit[ray]').", rich_help_panel=RUN_PANEL)]
RayAddressOpt = Annotated[Optional[str], typer.Option("--ray-address", metavar="ADDRESS", help="With --engine ray: 'auto' or an address joins that cluster (default: start a local Ray).", rich_help_panel=RUN_PANEL)]
RayWorkersOpt = Annotated[Optional[int], typer.Option("--ray-workers", metavar="N", help="With --engine ray: actors in the pool (default: one per CPU).", rich_help_panel=RUN_PANEL)]
AnalyzersOpt = Annotated[Optional[str], typer.Option("--analyzers", metavar="NAME,...", help="Comma-separated analyzers to run (default: diversity,duplicates, plus each one its input switches on: benchmarks, a reference, a reward or IFD model, detector methods, a watermark tokenizer, preference pairs).", rich_help_panel=RUN_PANEL)]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Show tracebacks.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]


def _split(value: str | None) -> list[str] | None:
    return None if value is None else comma_names(value)


def _guarded(verbose: bool, body: Callable[[], int]) -> None:
    """Run a command body: user errors become one line and exit 2, bugs one line and exit 3;
    ``--verbose`` adds the traceback and never changes the exit code."""
    try:
        code = body()
    except QcauditError as exc:
        _fail(verbose, "error", message_of(exc), EXIT_BAD_INPUT)
    except BrokenPipeError:
        _reader_gone()
    except Exception as exc:
        if Interrupted.received is not None:  # a signal broke something on its way out: it is the signal
            raise Interrupted(Interrupted.received) from exc
        if isinstance(exc, OSError):
            _fail(verbose, "error", os_error_line(exc), EXIT_BAD_INPUT)
        if isinstance(exc, pl.exceptions.PolarsError | UnicodeError):
            _fail(verbose, "error", first_line(exc), EXIT_BAD_INPUT)
        _internal_error(verbose, exc)
    except pl.exceptions.PanicException as exc:  # (a Rust panic in Polars: a BaseException, not an Exception)
        _internal_error(verbose, exc)
    raise typer.Exit(code)


def _reader_gone() -> None:
    """The output's reader stopped early (``qcaudit show DIR | head``): end silently with the
    status of a process that SIGPIPE killed, 141, as ``yes | head`` does (Python ignores
    SIGPIPE, so the write failed instead; click would make it exit 1, a failed gate). Stdout
    goes to /dev/null first, so that the interpreter's last flush does not fail again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    raise typer.Exit(128 + signal.SIGPIPE)


def _internal_error(verbose: bool, exc: BaseException) -> None:
    """A bug, said in one line (its traceback with ``--verbose``), exit 3; named as an
    analyzer plug-in's where its code raised it, so that it is reported to its authors."""
    from qcaudit.registry import plugin_in

    hint = "" if verbose else " (rerun with --verbose for the traceback)"
    plugin = plugin_in(exc.__traceback__)
    label = "internal error" if plugin is None else f"internal error in the analyzer plug-in {plugin!r} (not part of qcaudit)"
    _fail(verbose, label, f"{type(exc).__name__}: {message_of(exc)}{hint}", EXIT_INTERNAL)


def _fail(verbose: bool, label: str, message: str, code: int) -> None:
    if verbose:
        traceback.print_exc(file=sys.stderr)
    _print_error(label, message)
    raise typer.Exit(code) from None


def _print_error(label: str, message: str) -> None:
    """One line on stderr, never wrapped, dataset text never read as markup or control codes."""
    err.print(f"[bold red]{label}:[/] ", end="", soft_wrap=True)
    err.print(visible(" ".join(message.split("\n"))), markup=False, highlight=False, soft_wrap=True)


class _WarningLine(logging.Handler):
    """qcaudit's log warnings (a damaged cache entry rebuilt, ...) as one escaped line each."""

    def emit(self, record: logging.LogRecord) -> None:
        err.print(f"[yellow]warning:[/] {safe(record.getMessage())}", highlight=False, soft_wrap=True)


@contextlib.contextmanager
def _warnings_shown(quiet: bool) -> Iterator[None]:
    """qcaudit's log warnings as lines on stderr (none with ``quiet``) while the command
    runs; the logger as it was afterwards, so that a program that ran a command in its own
    process (a notebook, a test) gets its own logging back."""
    logger = logging.getLogger("qcaudit")
    before = logger.level, logger.propagate, list(logger.handlers)
    if not any(isinstance(h, _WarningLine) for h in logger.handlers):
        logger.addHandler(_WarningLine())
    logger.setLevel(logging.ERROR if quiet else logging.WARNING)
    logger.propagate = False
    try:
        yield
    finally:
        logger.setLevel(before[0])
        logger.propagate = before[1]
        logger.handlers[:] = before[2]


def run(argv: list[str]) -> int:
    """Run the command line ``argv``; return the exit code. Usage errors are one line too."""
    quiet = bool({"--quiet", "-q"} & set(argv))
    with _warnings_shown(quiet=quiet):
        return _run(argv, quiet)


def _run(argv: list[str], quiet: bool) -> int:
    show_progress(not quiet, err)
    if not argv:  # the overview, as a usage error
        app(args=["--help"], prog_name="qcaudit", standalone_mode=False)
        return EXIT_BAD_INPUT
    try:
        code = app(args=argv, prog_name="qcaudit", standalone_mode=False)
    except typer.TyperException as exc:  # typer's click: bad options, missing arguments, unknown commands
        context = getattr(exc, "ctx", None)
        hint = f" (see '{context.command_path} --help')" if context is not None else ""
        _print_error("error", f"{exc.format_message()}{_extra_arguments_hint(exc, argv)}{_threshold_hint(exc)}{hint}")
        return EXIT_BAD_INPUT
    return code if isinstance(code, int) else 0


def _extra_arguments_hint(exc: typer.TyperException, argv: list[str]) -> str:
    """Why a command line may hold more arguments than the command takes: one empty, a glob
    the shell expanded into several files, or a list given space-separated; empty for other
    errors."""
    message = exc.format_message()
    if not message.startswith("Got unexpected extra argument"):
        return ""
    extra = message.partition("(s) (")[2].removesuffix(")")  # (click's message: the extra arguments, space-separated)
    if not extra.strip():
        return "; one is empty (a script's unset variable?)"
    if any(arg in extra and os.path.isfile(arg) for arg in argv):
        return ("; several files were given (a glob the shell expanded?): give their folder, or quote the glob "
                "('data/*.parquet') for qcaudit to expand")
    return "; an option's list is comma-separated (--analyzers diversity,duplicates)"


def _threshold_hint(exc: typer.TyperException) -> str:
    """How a gate threshold is given, for an unknown option named like one
    (``--max-contaminated-rows 0``); empty for other errors."""
    option = getattr(exc, "option_name", "") or ""
    threshold = re.fullmatch(r"--((?:min|max)[-_]\w[\w-]*)", option)
    if not exc.format_message().startswith("No such option") or threshold is None:
        return ""
    key = threshold.group(1).replace("-", "_")
    where = "-t" if exc.ctx is not None and exc.ctx.command.name == "gate" else "qcaudit gate -t"
    return f"; a gate threshold is {where} {key}=VALUE (or {key} = VALUE in qcaudit.toml's [gate] table)"


def _progress(quiet: bool) -> Progress:
    return phases(err, disable=quiet)


#: Options every auditing command takes, besides each analyzer's own: (annotation, config key
#: from :data:`qcaudit.config.CORE_FLAG_SETTINGS`).
CORE_OPTIONS: dict[str, tuple[Any, str]] = {name: (annotation, CORE_FLAG_SETTINGS[name]) for name, annotation in {
    "text_column": TextColumnOpt, "fields": FieldsOpt, "role": RoleOpt, "prompt_fields": PromptOpt,
    "response_field": ResponseOpt, "chosen_field": ChosenOpt, "rejected_field": RejectedOpt, "preferred_by": PreferredByOpt,
    "label_field": LabelOpt, "pair_ratings": PairRatingsOpt, "header": HeaderOpt, "reasoning": ReasoningOpt,
    "tokenizer": TokenizerOpt, "lowercase": LowercaseOpt, "strip_punctuation": PunctOpt, "analyzers": AnalyzersOpt,
    "limit": LimitOpt, "device": DeviceOpt, "max_memory": MaxMemoryOpt, "batch_rows": BatchRowsOpt, "engine": EngineOpt,
    "ray_address": RayAddressOpt, "ray_workers": RayWorkersOpt,
}.items()}
_COMMA_LISTS = {"fields", "role", "analyzers", "prompt_fields", "pair_ratings"}


def _annotation(analyzer: str, option: CliOption) -> Any:
    panel = f"{analyzers()[analyzer].heading()} ({analyzer})"
    return Annotated[Optional[option.type], typer.Option(*option.flags, help=option.help, metavar=option.metavar,
                                                         rich_help_panel=panel)]


def _refuse_empty_list(flag: str, names: list[str] | None) -> None:
    """A comma-separated option that names nothing (``--fields ","``) is refused, as one given
    empty is (:class:`Command`): it would read as not given, and the default be used instead."""
    if names == []:
        raise QcauditError(f"{flag} is given empty; give it a value, or leave it out for the default")


def audit_overrides(options: dict[str, Any], flags: Flags | None = None) -> dict[str, Any]:
    """The shared options' values as config overrides keyed by dotted path; ``flags`` are
    the analyzer flags the command has (default: every analyzer's)."""
    overrides: dict[str, Any] = {}
    for name, (_, key) in CORE_OPTIONS.items():
        value = options.get(name)
        if name in _COMMA_LISTS:
            value = _split(value)
            _refuse_empty_list(f"--{name.replace('_', '-')}", value)
        overrides[key] = value
    for parameter, (analyzer, option) in (analyzer_flags() if flags is None else flags).items():
        value = options.get(parameter)
        if isinstance(value, str) and option.comma_list:
            _refuse_empty_list(option.flags[0].split("/")[0], _split(value))
        overrides |= option.settings(analyzer, value)
    return overrides


def audit_options(command: Callable[..., None] | None = None, *, flags: Flags | None = None,
                  core: Collection[str] = tuple(CORE_OPTIONS)) -> Any:
    """Give ``command`` the shared audit options (``core`` of :data:`CORE_OPTIONS` and the
    analyzer ``flags``, default all); it receives their raw values as ``options`` (turned
    into config overrides by :func:`audit_overrides` in its body, so that a bad value is
    reported like any other bad input). Used bare (``@audit_options``) or with arguments."""
    if command is None:
        return functools.partial(audit_options, flags=flags, core=core)
    signature = inspect.signature(command)
    hints = typing.get_type_hints(command, include_extras=True)  # real objects, not strings
    own = [p.replace(annotation=hints[p.name]) for p in signature.parameters.values() if p.name != "options"]
    annotations = {name: annotation for name, (annotation, _) in CORE_OPTIONS.items() if name in core}
    flags = analyzer_flags() if flags is None else flags
    _refuse_taken_names({p.name: p.annotation for p in own} | annotations, flags)
    annotations |= {parameter: _annotation(analyzer, option) for parameter, (analyzer, option) in flags.items()}
    shared = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)
        for name, annotation in annotations.items()
    ]

    @functools.wraps(command)
    def wrapper(**values: Any) -> None:
        options = {name: values.pop(name) for name in annotations}
        command(options=options, **values)

    wrapper.__signature__ = signature.replace(parameters=own + shared)
    wrapper.__annotations__ = {p.name: p.annotation for p in own + shared}
    return wrapper


def _refuse_taken_names(taken: dict[str, Any], flags: Flags) -> None:
    """An analyzer (a plug-in's) whose option is named as one of the command's own or shared
    ones (``--limit``, ``--out``) is refused: its flag would silently replace qcaudit's."""
    names = set(taken)
    for annotation in taken.values():
        info = annotation.__metadata__[0]
        declared = [d for d in (info.default, *(getattr(info, "param_decls", None) or ())) if isinstance(d, str)]
        names |= {name for d in declared for name in d.split("/") if name.startswith("-")}
    for analyzer, option in flags.values():
        if clash := next((name for name in option_names(option) if name in names), None):
            raise QcauditError(f"the analyzer {analyzer!r} takes {clash}, one of qcaudit's own options; "
                               "an analyzer plug-in's flags must be its own")


def _write_report(report, out_dir: Path, html: bool = True) -> dict[str, Path]:
    from qcaudit.report.html import write_report  # plotly and jinja2 load when a report is written

    return write_report(report, out_dir, html)


def _run_audit(data: str, config: Any, quiet: bool, lazy_rows: bool = False):
    from qcaudit.pipeline import audit

    with _progress(quiet) as progress:
        return audit(data, config, progress=progress, lazy_rows=lazy_rows)


@command()
@audit_options
def report(
    data: Annotated[str, typer.Argument(metavar="DATA", help="Dataset: parquet/jsonl/json/csv/tsv/txt file (.gz, .zst, .bz2 or .xz allowed; .txt is one row a line) or .arrow, a directory of shards, a glob, or a URI (s3://, gs://, hf://, ...).")],
    out_dir: Annotated[Path, typer.Option("--out", "--output", "-o", metavar="DIR", help="Directory for report.json, rows.parquet and report.html.")] = Path("qcaudit-report"),
    config: ConfigOpt = None,
    html: Annotated[bool, typer.Option("--html/--no-html", help="Also write report.html.")] = True,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    as_json: JsonOpt = False,
    options: dict[str, Any] | None = None,
) -> None:
    """Audit DATA and write report.json, rows.parquet and report.html to --out."""

    def body() -> int:
        from qcaudit.outputs import check_outputs

        check_outputs([data], {"--out": out_dir}, report_dirs=frozenset({"--out"}))
        result = _run_audit(data, load_config(config, audit_overrides(options or {})), quiet or as_json, lazy_rows=True)
        written = _write_report(result, out_dir, html)
        if as_json:
            print(json.dumps(result.to_json(), ensure_ascii=False))
        elif not quiet:
            from qcaudit.report.console import print_summary

            print_summary(out, result, written)
        return 0

    _guarded(verbose, body)


@command()
@audit_options
def gate(
    data: Annotated[Optional[str], typer.Argument(metavar="DATA", help="Dataset to audit, then judge (or use --report).")] = None,
    report_path: Annotated[Optional[Path], typer.Option("--report", help="Judge an existing report.json (or its directory) instead of auditing.")] = None,
    junit: Annotated[Optional[Path], typer.Option("--junit", help="Write the checks as JUnit XML to this file.")] = None,
    out_dir: Annotated[Optional[Path], typer.Option("--out", "--output", "-o", metavar="DIR", help="Also write the audit's report files here.")] = None,
    threshold: Annotated[Optional[list[str]], typer.Option("--threshold", "-t", metavar="KEY=VALUE", help="A gate threshold, e.g. max_exact_duplicate_rate=0.01 or max_benchmark_leak_rate.gsm8k=0 (repeatable; replaces the config file's [gate] entry of that key).")] = None,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    as_json: JsonOpt = False,
    options: dict[str, Any] | None = None,
) -> None:
    """Judge DATA (or --report) against the [gate] thresholds: exit 0 pass, 1 fail, 2 bad input."""

    def body() -> int:
        from qcaudit.outputs import check_outputs
        from qcaudit.report.model import Report

        if (data is None) == (report_path is None):
            raise QcauditError("give either DATA or --report FILE")
        if report_path is not None and out_dir is not None:
            raise QcauditError("--out writes a new audit's report; with --report there is none to write")
        check_outputs([data or report_path], {"--out": out_dir, "--junit": junit}, report_dirs=frozenset({"--out"}),
                      inputs_are_data=data is not None)
        settings = load_config(config, ({} if data is None else audit_overrides(options or {})) | _thresholds(threshold))
        report = None if report_path is None else Report.read(report_path)
        drift = report is not None and report.is_drift
        if report is not None and not settings.gate and report.gate.checks:  # (a CI job without the config file)
            settings = with_overrides(settings, {"gate": recorded_thresholds(report.gate)})
            if not quiet and not as_json:
                err.print("note: no gate thresholds are configured: judging by the ones the report was made with",
                          highlight=False, soft_wrap=True)
        thresholds = thresholds_for(settings.gate, drift)
        if not thresholds:  # before any audit
            if settings.gate:
                raise QcauditError(f"the [gate] thresholds ({', '.join(settings.gate)}) judge "
                                   f"{'audits, not a drift run' if drift else 'drift runs (qcaudit drift), not an audit'}")
            held = "" if report is None else " (the report was made without any)"
            raise QcauditError(f"no gate thresholds configured{held}: add a [gate] table to qcaudit.toml, pass --config, "
                               "or give --threshold KEY=VALUE")
        if report is not None:
            result = evaluate(report.metrics, thresholds, report.tables)
        else:
            report = _run_audit(data, settings, quiet or as_json)
            if out_dir is not None:
                _write_report(report, out_dir)
            result = report.gate
        if report.dataset.get("input_rows") and not quiet:
            from qcaudit.report.model import audited_rows

            err.print(f"[yellow]warning:[/] the gate judged only {audited_rows(report.dataset)}", highlight=False)
        if junit is not None:
            write_text_atomic(junit, junit_xml(result))
        if os.environ.get("GITHUB_ACTIONS") == "true":
            for line in github_annotations(result):
                print(line)
            _add_to_step_summary(result, report)
        if as_json:
            print(json.dumps(result.to_json()))
        elif not quiet:
            from qcaudit.report.console import print_gate

            print_gate(out, result)
        return EXIT_GATE_FAILED if result.failed else 0

    _guarded(verbose, body)


def _add_to_step_summary(result: Any, report: Any) -> None:
    """Append the gate's verdict and checks to the job's summary page, the Markdown file
    GitHub Actions names in ``GITHUB_STEP_SUMMARY``; a file that cannot be written is
    warned about, as the gate's verdict stands without it."""
    from qcaudit.report.card import gate_summary

    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as summary:
            summary.write(gate_summary(result, report))
    except OSError as exc:
        err.print(f"[yellow]warning:[/] cannot add the gate's checks to GITHUB_STEP_SUMMARY ({safe(target)}): "
                  f"{safe(exc.strerror or exc)}", highlight=False, soft_wrap=True)


def _thresholds(given: list[str] | None) -> dict[str, Any]:
    """``--threshold KEY=VALUE`` flags as config overrides (``gate.KEY``); a value that is not
    a number is passed on as written, for the settings check to name."""
    overrides: dict[str, Any] = {}
    for flag in given or []:
        key, _, value = flag.partition("=")
        if not key.strip() or not value.strip():
            raise QcauditError(f"--threshold {flag!r}: give KEY=VALUE, e.g. max_exact_duplicate_rate=0.01")
        try:
            number: Any = float(value)
        except ValueError:
            number = value
        overrides[f"gate.{key.strip()}"] = number
    return overrides


@command()
def show(
    report_path: Annotated[Path, typer.Argument(metavar="REPORT", help="A report directory (or its report.json).")],
    section: Annotated[Optional[str], typer.Option("--section", help="Only this section, e.g. duplicates.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Records shown per table.")] = 5,
    verbose: VerboseOpt = False,
) -> None:
    """Print a saved report in the terminal: its summary, then every section's tables and charts as text."""

    def body() -> int:
        from qcaudit.report.console import print_sections, print_summary
        from qcaudit.report.sections import read_report

        loaded = read_report(report_path)
        if section is not None and section not in {*loaded.tables, *loaded.metrics}:
            raise QcauditError(f"--section {section!r} is not in this report; it has: {', '.join([*loaded.metrics] or ['none'])}")
        print_summary(out, loaded)
        print_sections(out, loaded, limit, section)
        return 0

    _guarded(verbose, body)


def _text_as_written(path: Path) -> str:
    """A UTF-8 file's text with its line endings as they are (``read_text`` turns ``\r\n``
    into ``\n``)."""
    with open(path, encoding="utf-8", newline="") as file:
        return file.read()


@command()
def card(
    report_path: Annotated[Path, typer.Argument(metavar="REPORT", help="A report directory (or its report.json).")],
    output: Annotated[Optional[Path], typer.Option("--output", "--out", "-o", metavar="FILE", help="Write the card here: a new file, or an existing card, whose qcaudit section (between <!-- qcaudit:start --> and <!-- qcaudit:end -->) is replaced, or added at its end (default, or -: print it).")] = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Summarise a saved report as a Hugging Face dataset card (README.md): YAML metadata and a Markdown section."""

    def body() -> int:
        from qcaudit.report.card import card as whole_card, merge_card
        from qcaudit.report.model import REPORT_FILES
        from qcaudit.report.sections import read_report

        loaded = read_report(report_path)
        if output is None or str(output) == "-":
            print(whole_card(loaded), end="")
            return 0
        if output.is_dir():
            raise QcauditError(f"--output {output} is a directory; give the name of a file (README.md in it, say)")
        directory = report_path if report_path.is_dir() else report_path.parent
        if output.resolve() in {(directory / name).resolve() for name in REPORT_FILES}:  # (the card would be merged into it)
            raise QcauditError(f"--output {output} is one of the report's own files; write the card elsewhere (README.md)")
        try:
            existing = _text_as_written(output) if output.exists() and not special_file(output) else None
        except (OSError, UnicodeDecodeError) as exc:
            raise QcauditError(f"{output}: cannot read the existing card: {exc}") from None
        write_text_atomic(output, whole_card(loaded) if existing is None else merge_card(existing, loaded, str(output)))
        if not quiet:
            out.print(f"wrote {safe(output)}", highlight=False)
        return 0

    _guarded(verbose, body)


def _filter_command(kind: str, data: str, output: Path, removed: Path | None, config: Path | None,
                    quiet: bool, as_json: bool, options: dict[str, Any]) -> int:
    """Shared body of every filter command: configure, filter, report the counts."""
    from qcaudit.filtering import filter_rows
    from qcaudit.outputs import check_outputs, removed_beside, table_format

    settings = load_config(config, audit_overrides(options, filter_flags(kind)))
    table_format(output)
    removed_path = removed or removed_beside(output)
    table_format(removed_path)
    check_outputs([data], {"--output": output, "--removed": removed_path})
    with _progress(quiet or as_json) as progress:
        result = filter_rows(data, settings, kind, output, removed_path, progress)
    whole = result.report.dataset.get("input_rows")
    summary = {"kept": result.kept, "removed": result.removed, "output": str(output), "removed_path": str(removed_path)}
    summary |= {"input_rows": whole} if whole else {}
    analyzer, row_filter = row_filters()[kind]
    said, lines = row_filter.summary(result.report.tables.get(analyzer) or {}) if row_filter.summary else ({}, [])
    summary |= said
    if as_json:
        print(json.dumps(summary))
    elif not quiet:
        statuses = result.report.dataset.get("text_rows") or {}
        untouched = sum(count for status, count in statuses.items() if status != "ok")
        note = f" ({untouched:,} of them without text, which no filter judges)" if untouched else ""
        out.print(f"kept {result.kept:,} {'row' if result.kept == 1 else 'rows'}{note} -> {safe(output)}; "
                  f"removed {result.removed:,} -> {safe(removed_path)}", highlight=False)
        for line in lines:
            out.print(safe(line), highlight=False)
        if whole:
            read = result.report.dataset["rows"]
            err.print(f"[yellow]warning:[/] --limit read {read:,} of {whole:,} rows; the other {whole - read:,} are in "
                      "neither file", highlight=False)
    return 0


OutputOpt = Annotated[Path, typer.Option("--output", "--out", "-o", metavar="FILE", help="File for the kept rows (the input's columns, in order): .parquet, .jsonl, .json or .csv (the last three also .gz, .zst, .bz2 or .xz).")]
RemovedOpt = Annotated[Optional[Path], typer.Option("--removed", help="File for the removed rows with their reasons (default: OUTPUT's name + .removed, same format).")]
FilterDataArg = Annotated[str, typer.Argument(metavar="DATA", help="Dataset to filter (any input qcaudit reads).")]


def _register_filter_command(kind: str, summary: str) -> None:
    """Every filter command shares one body; each has its analyzer's options (all but
    ``--analyzers``: it runs its analyzer alone)."""

    @audit_options(flags=filter_flags(kind), core=[name for name in CORE_OPTIONS if name != "analyzers"])
    def command(
        data: FilterDataArg,
        output: OutputOpt,
        removed: RemovedOpt = None,
        config: ConfigOpt = None,
        quiet: QuietOpt = False,
        verbose: VerboseOpt = False,
        as_json: JsonOpt = False,
        options: dict[str, Any] | None = None,
    ) -> None:
        _guarded(verbose, lambda: _filter_command(kind, data, output, removed, config, quiet, as_json, options or {}))

    command.__doc__ = summary
    app.command(name=kind, cls=Command)(command)


for _command, (_, _filter) in row_filters().items():
    _register_filter_command(_command, _filter.help)


@command()
@audit_options
def sample(
    data: Annotated[str, typer.Argument(metavar="DATA", help="Dataset to sample (any input qcaudit reads).")],
    output: Annotated[Path, typer.Option("--output", "--out", "-o", metavar="FILE", help="review.csv, review.jsonl, review.json or review.parquet (the first three also .gz, .zst, .bz2 or .xz): the rows to review, with the reason each was chosen.")],
    size: Annotated[Optional[int], typer.Option("--size", min=1, metavar="ROWS", help="Review exactly this many rows (default: a share by dataset size, [sample] rates).")] = None,
    rate: Annotated[Optional[float], typer.Option("--rate", metavar="SHARE", help="Review this share of the rows, e.g. 0.05.")] = None,
    seed: Annotated[Optional[int], typer.Option("--seed", metavar="INTEGER", help="Seed of the sample (default 0).")] = None,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    as_json: JsonOpt = False,
    options: dict[str, Any] | None = None,
) -> None:
    """Choose the rows a person should review: flagged rows first, the rest stratified."""

    def body() -> int:
        from qcaudit.outputs import check_outputs, table_format
        from qcaudit.sampling import write_sample

        table_format(output)
        check_outputs([data], {"--output": output})
        settings = load_config(config, audit_overrides(options or {}) | {"sample.size": size, "sample.rate": rate, "sample.seed": seed})
        with _progress(quiet or as_json) as progress:
            sampled = write_sample(data, settings, output, progress)
        count, whole = sampled.rows, sampled.dataset.get("input_rows")
        if as_json:
            print(json.dumps({"rows": count, "output": str(output)} | ({"input_rows": whole} if whole else {})))
        elif not quiet:
            from qcaudit.report.model import audited_rows

            asked, share = settings.sample.size, settings.sample.rate
            short = f" (all the data holds; the size asked for was {asked:,})" if asked is not None and count < asked else ""
            by_share = round(sampled.dataset["rows"] * share) if share is not None else count
            if count > by_share:
                short = safe(f" (at least [sample] min_rows; {share:.2%} of the rows is {by_share:,})")
            read = f", from {audited_rows(sampled.dataset)}" if whole else ""
            out.print(f"wrote {count:,} rows to review{short}{read} -> {safe(output)}", highlight=False)
        return 0

    _guarded(verbose, body)


#: The shared options that choose what ``qcaudit inspect`` reads: the text and its parts.
_INPUT_OPTIONS = ("text_column", "fields", "role", "prompt_fields", "response_field", "chosen_field", "rejected_field",
                  "preferred_by", "label_field", "pair_ratings", "header", "reasoning", "limit")


#: The analyzer flags ``qcaudit inspect`` takes: the benchmarks (``-b``), whose reading it shows too.
_INSPECT_FLAGS = {parameter: flag for parameter, flag in analyzer_flags({"contamination"}).items() if parameter == "benchmark"}


@command("inspect")
@audit_options(flags=_INSPECT_FLAGS, core=_INPUT_OPTIONS)
def inspect_data(
    data: Annotated[str, typer.Argument(metavar="DATA", help="Dataset to read (any input qcaudit reads).")],
    rows: Annotated[int, typer.Option("--rows", min=1, metavar="ROWS", help="First rows shown.")] = 3,
    config: ConfigOpt = None,
    verbose: VerboseOpt = False,
    as_json: JsonOpt = False,
    options: dict[str, Any] | None = None,
) -> None:
    """Show how DATA is read, before any audit: the text's source, the columns behind each part the analyzers read, the first rows; and how each benchmark is (-b), with its first items."""

    def body() -> int:
        from qcaudit.inspection import inspect_input

        inspection = inspect_input(data, load_config(config, audit_overrides(options or {}, flags=_INSPECT_FLAGS)), rows)
        if as_json:
            print(json.dumps(inspection.to_json(), ensure_ascii=False, default=str))
        else:
            from qcaudit.report.console import print_inspection

            print_inspection(out, inspection)
        return 0

    _guarded(verbose, body)


@command()
@audit_options(flags={}, core=("text_column", "fields", "role", "header", "reasoning", "tokenizer", "lowercase", "strip_punctuation", "limit", "device", "max_memory"))
def drift(
    generations: Annotated[list[str], typer.Argument(metavar="GENERATIONS", help="Generation datasets in order (GEN0 GEN1 ...), or one with --generation-column.")],
    out_dir: Annotated[Path, typer.Option("--out", "--output", "-o", metavar="DIR", help="Directory for report.json and report.html.")] = Path("qcaudit-drift"),
    real: Annotated[Optional[str], typer.Option("--real", help="Real data to use as the baseline (default: the first generation).")] = None,
    generation_column: Annotated[Optional[str], typer.Option("--generation-column", help="Column naming each row's generation; generations are ordered by it, numbers in names as numbers (round_2 before round_10).")] = None,
    source_column: Annotated[Optional[str], typer.Option("--source-column", help="Column marking rows as real or synthetic.")] = None,
    real_value: Annotated[str, typer.Option("--real-value", help="The source-column value of real rows.")] = "real",
    embeddings: Annotated[bool, typer.Option("--embeddings/--no-embeddings", help="Also Frechet, MMD, PRDC recall/coverage, Vendi per generation (encodes every row).")] = False,
    lm: Annotated[Optional[str], typer.Option("--lm", help="Local causal LM: per-row perplexity of every generation under it (Shumailov et al.), written to rows.parquet.")] = None,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    as_json: JsonOpt = False,
    options: dict[str, Any] | None = None,
) -> None:
    """Measure drift across data-flywheel generations and raise a model-collapse alarm."""

    def body() -> int:
        from qcaudit.drift_run import run_drift
        from qcaudit.outputs import check_outputs

        check_outputs([*generations, *([real] if real else [])], {"--out": out_dir}, report_dirs=frozenset({"--out"}))
        settings = load_config(config, audit_overrides(options or {}, flags={}) | {"drift.lm": lm})
        result = run_drift(generations, settings, real, generation_column, source_column, real_value, embeddings)
        written = _write_report(result, out_dir)
        if as_json:
            print(json.dumps(result.to_json(), ensure_ascii=False))
        elif not quiet:
            from qcaudit.report.console import print_series, print_summary

            print_series(out, result)
            for warning in result.tables["drift"]["warnings"]:
                err.print(f"[yellow]warning:[/] {safe(warning)}", highlight=False)
            print_summary(out, result, written)
        return EXIT_GATE_FAILED if result.gate.failed else 0

    _guarded(verbose, body)


@command()
def dashboard(
    dirs: Annotated[list[Path], typer.Argument(metavar="DIRS", help="Report directories (from qcaudit report or qcaudit drift).")],
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to serve on.")] = 8501,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "localhost",
    browser: Annotated[bool, typer.Option("--browser/--no-browser", help="Open a browser tab.")] = False,
    verbose: VerboseOpt = False,
) -> None:
    """Open the Streamlit dashboard on saved reports (it reads only report.json and rows.parquet)."""

    def body() -> int:
        import signal
        import subprocess
        from importlib import resources

        from qcaudit.dashboards.data import ENV, load_reports
        from qcaudit.errors import Interrupted

        load_reports(dirs)  # a clear one-line error for anything that is not a report it can draw
        _check_port_free(host, port)
        app_path = resources.files("qcaudit.dashboards").joinpath("app.py")
        env = os.environ | {ENV: json.dumps([str(d.resolve()) for d in dirs])}
        command = [sys.executable, "-m", "streamlit", "run", str(app_path), "--server.port", str(port),
                   "--server.address", host, "--server.headless", str(not browser).lower(),
                   "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
                   "--client.toolbarMode", "viewer", "--logger.hideWelcomeMessage", "true",
                   "--server.showEmailPrompt", "false"]  # (Streamlit's first start asked for an email, with --browser)
        out.print(f"qcaudit dashboard on {_dashboard_url(host, port)} ({len(dirs)} report{'s' * (len(dirs) > 1)}); "
                  "Ctrl-C stops it", highlight=False)
        try:  # subprocess.run kills the server when this process is interrupted; the kernel, when it is killed
            return subprocess.run(command, env=env, check=False, preexec_fn=_die_with_parent).returncode
        except Interrupted as stop:
            if stop.signum != signal.SIGINT:
                raise
            return 0

    _guarded(verbose, body)


def _dashboard_url(host: str, port: int) -> str:
    """Where a browser opens the dashboard: on every address (``0.0.0.0``, ``::``), by this
    machine's name; an IPv6 address in brackets. (It replaces Streamlit's welcome message,
    which, for every address, asked checkip.amazonaws.com for the machine's public address:
    a request over the network at each start, or a warning where there is none.)"""
    import socket

    shown = socket.gethostname() if host in ("0.0.0.0", "::") else host
    return f"http://{safe(f'[{shown}]' if ':' in shown else shown)}:{port}"


def _check_port_free(host: str, port: int) -> None:
    import socket

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise QcauditError(f"cannot serve on {host}:{port}: {exc.strerror or exc}; choose another --port or --host") from None


def _die_with_parent() -> None:
    """In the dashboard's server process: ask Linux to send it SIGTERM when qcaudit dies,
    even by SIGKILL (prctl PR_SET_PDEATHSIG); elsewhere nothing."""
    import ctypes
    import signal

    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


cache_app = typer.Typer(help="The cache of benchmark indexes, embeddings and judge verdicts.")
app.add_typer(cache_app, name="cache")


@cache_app.callback(invoke_without_command=True)
def cache_overview(context: typer.Context) -> None:
    """``qcaudit cache`` alone: its help, as a usage error (exit 2), as ``qcaudit`` alone.
    (click's no_args_is_help raises its help as an error message, which came out as one line.)"""
    if context.invoked_subcommand is None:
        out.print(context.get_help(), markup=False, highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT)


@cache_app.command("info", cls=Command)
def cache_info(verbose: VerboseOpt = False, as_json: JsonOpt = False) -> None:
    """Where the cache is, its size and limit, entries per model, and SQLite's integrity check."""
    from qcaudit import store

    def body() -> int:
        facts = store.info()
        if as_json:
            print(json.dumps(facts, indent=2))
            return 0
        integrity = "no store yet" if facts["integrity"] == "absent" else f"integrity {safe(facts['integrity'])}"
        over = (" (over it: the next write, or qcaudit cache compact, deletes the least recently used entries)"
                if facts["store_bytes"] > facts["limit_bytes"] else "")
        out.print(f"cache {safe(facts['path'])}: store {facts['store_bytes'] / 2**20:,.1f} MB of "
                  f"{facts['limit_bytes'] / 2**20:,.0f} MB (QCAUDIT_CACHE_MAX_MB){over}, {integrity}, "
                  f"benchmark indexes and exported models {facts['other_bytes'] / 2**20:,.1f} MB", soft_wrap=True)
        for space in facts["spaces"]:
            out.print(f"  {safe(space['space'])}: {space['entries']:,} entries, {space['bytes'] / 2**20:,.1f} MB", soft_wrap=True)
        return 0

    _guarded(verbose, body)


@cache_app.command("compact", cls=Command)
def cache_compact(verbose: VerboseOpt = False) -> None:
    """Give the space of deleted entries back to the disk (SQLite VACUUM), within the size limit."""
    from qcaudit import store

    def body() -> int:
        if not store.has_store():
            out.print("cache: no store yet", highlight=False)
            return 0
        done = store.compact_within_limit()
        evicted = f"; deleted the {done.deleted:,} least recently used entries to keep under the limit" if done.deleted else ""
        out.print(f"cache store {done.before_bytes / 2**20:,.1f} MB -> {done.after_bytes / 2**20:,.1f} MB{evicted}",
                  soft_wrap=True, highlight=False)
        return 0

    _guarded(verbose, body)


@cache_app.command("clear", cls=Command)
def cache_clear(verbose: VerboseOpt = False) -> None:
    """Delete the cache: the store of embeddings and verdicts, benchmark indexes, exported models (rebuilt as needed)."""
    from qcaudit import store

    def body() -> int:
        from qcaudit.cache import configured_cache_root

        where = safe(str(configured_cache_root()))
        freed, left, running = store.clear()
        kept = f"; left the scratch of {running} audit{'s' if running > 1 else ''} still running (removed when they end)" if running else ""
        out.print(f"cache {where}: deleted {freed / 2**20:,.1f} MB{kept}", soft_wrap=True, highlight=False)
        if left:
            out.print(f"left {len(left)} entries that are not qcaudit's in {where}: "
                      f"{safe(', '.join(left[:5]))}{', ...' if len(left) > 5 else ''}", soft_wrap=True)
        return 0

    _guarded(verbose, body)


@command()
def version() -> None:
    """Print the qcaudit version."""
    print(__version__)


if __name__ == "__main__":
    from qcaudit.__main__ import main

    main()
