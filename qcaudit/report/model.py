"""The report: ``report.json`` (versioned schema) and ``rows.parquet`` (``row_id`` + every
per-row column). Everything downstream (HTML, gate, dashboard) reads only these two files.

:class:`ReportDocument` is what report.json holds; its JSON Schema is published as
``reports/report-v{SCHEMA_VERSION}.schema.json`` (installed with the templates; remade by
``python scripts/write_report_schema.py``), and every report is checked against the model
when written and when read."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StrictBool, StrictInt, ValidationError

from qcaudit import __version__
from qcaudit.atomic import write_directory_atomic
from qcaudit.errors import QcauditError
from qcaudit.gate import GateResult
from qcaudit.readers import is_dataset_file
from qcaudit.views import shown_sources

SCHEMA_VERSION = 1
REPORT_JSON, ROWS_PARQUET, REPORT_HTML = "report.json", "rows.parquet", "report.html"
REPORT_FILES = (REPORT_JSON, ROWS_PARQUET, REPORT_HTML)

SCHEMA_FILE = f"report-v{SCHEMA_VERSION}.schema.json"

FiniteFloat = Annotated[float, Field(strict=True, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatasetInfo(_Strict):
    """What was audited: the input files, their format, the rows and where the text came from."""

    sources: list[str]
    format: str
    rows: int = Field(ge=0)
    text_source: str
    #: Rows by text status: ok, null, empty, non_string.
    text_rows: dict[str, int]
    #: Rows in the whole input, where ``[input] limit`` (``--limit``) audited only its first
    #: ``rows`` (absent: every row was audited).
    input_rows: int | None = Field(None, ge=1)


def audited_rows(dataset: dict[str, Any]) -> str:
    """How many rows the audit read, as every renderer says it: "7,473 rows", or where a
    limit read only the input's first rows, "the first 1,000 of 7,473 rows (--limit)"."""
    rows, whole = dataset["rows"], dataset.get("input_rows")
    return f"{rows:,} rows" if whole is None else f"the first {rows:,} of {whole:,} rows (--limit)"


class MetricValue(_Strict):
    """A metric as report.json holds it: a finite number (drift adds a flag and a series)
    and the signature of every setting that changed it."""

    value: StrictInt | FiniteFloat | StrictBool | list[dict[str, Any]]
    signature: str
    triggered_by: list[str] | None = None


class ReportDocument(_Strict):
    """report.json."""

    model_config = ConfigDict(extra="forbid", title=f"qcaudit report, schema version {SCHEMA_VERSION}")

    schema_version: Literal[1]
    qcaudit_version: str
    dataset: DatasetInfo
    #: The settings the audit ran with (qcaudit.toml's tables).
    config: dict[str, Any]
    #: analyzer -> metric name (``<name>.<key>`` for per-key metrics) -> value and signature.
    metrics: dict[str, dict[str, MetricValue]]
    #: analyzer -> its tables (histograms, ranked rows, groups, pairs, series) for the renderers.
    tables: dict[str, dict[str, Any]]
    gate: GateResult


class Report(BaseModel):
    """One audit in memory: report.json's content as plain data
    (``metrics[analyzer][name] = {"value": ..., "signature": ...}``) and the per-row table."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    dataset: dict[str, Any]
    config: dict[str, Any]
    metrics: dict[str, dict[str, dict[str, Any]]]
    tables: dict[str, dict[str, Any]]
    gate: GateResult
    #: One row per input row; a LazyFrame is read (and written) as a stream.
    rows: pl.DataFrame | pl.LazyFrame | None = None
    _rows_read_check: Callable[[], None] | None = PrivateAttr(default=None)

    def after_rows_read(self, check: Callable[[], None]) -> None:
        """Have :meth:`write` call ``check`` once it has read the rows (a LazyFrame reads
        the input again) and before it swaps the files in: the audit's check that the
        input did not change meanwhile, which raises if it did."""
        self._rows_read_check = check

    @property
    def is_drift(self) -> bool:
        """Whether this is a drift run's report (``qcaudit drift``), not an audit's."""
        return "drift" in self.metrics

    def value(self, metric: str) -> float:
        """A metric's value by ``analyzer.name``, ``report.value("diversity.self_bleu_4")``, or
        by its name alone where one analyzer reports it, ``report.value("self_bleu_4")`` (as the
        gate's thresholds name it)."""
        analyzer, _, name = metric.partition(".")
        if name in self.metrics.get(analyzer, {}):
            return self.metrics[analyzer][name]["value"]
        owners = [owner for owner, metrics in self.metrics.items() if metric in metrics]
        if len(owners) == 1:
            return self.metrics[owners[0]][metric]["value"]
        if owners:
            raise KeyError(f"metric {metric!r} is reported by {' and '.join(owners)}: name one, e.g. {owners[0]}.{metric}")
        known = ", ".join(f"{a}.{m}" for a, metrics in self.metrics.items() for m in metrics) or "none"
        raise KeyError(f"no metric {metric!r} in this report; it has: {known}")

    def __repr__(self) -> str:
        """One line a terminal can show: what was audited, the gate, the metrics by analyzer
        and the rows' shape (the fields' whole repr was tens of kilobytes, the rows' text in
        it unescaped). Every report string goes through :func:`~qcaudit.untrusted.visible`."""
        from qcaudit.untrusted import visible

        data = self.dataset
        metrics = ", ".join(f"{visible(analyzer)} ({len(found)})" for analyzer, found in self.metrics.items()) or "none"
        if isinstance(self.rows, pl.DataFrame):
            rows = f"DataFrame {self.rows.height:,} × {self.rows.width}"
        else:
            rows = "LazyFrame" if isinstance(self.rows, pl.LazyFrame) else "none"
        return (f"Report({audited_rows(data)} of {visible(shown_sources(data['sources']))} ({visible(data['format'])}); "
                f"gate: {self.gate.verdict}; metrics: {metrics}; rows: {rows})")

    __str__ = __repr__

    def _repr_html_(self) -> str:
        """A notebook's view: the dataset, the gate's verdict and checks, the headline metrics.
        Every report string is escaped."""
        from qcaudit.registry import analyzers
        from qcaudit.untrusted import html_text

        data = self.dataset
        lines = [f"<p><b>qcaudit report</b>: {html_text(shown_sources(data['sources']))} "
                 f"({html_text(data['format'])}), {audited_rows(data)}; gate: <b>{html_text(self.gate.verdict).upper()}</b></p>"]
        rows = [(c.metric, "—" if c.value is None else f"{c.value:.6g}", f"{'≥' if c.threshold_key.startswith('min_') else '≤'} "
                 f"{c.threshold:g}", "pass" if c.passed else "FAIL") for c in self.gate.checks]
        if rows:
            lines.append(_html_table(("check", "value", "threshold", "result"), rows))
        headline = []
        for analyzer, metrics in self.metrics.items():
            cls = analyzers().get(analyzer)
            names = {spec.name for spec in cls.metrics() if spec.headline} if cls else set()
            headline += [(f"{analyzer}.{name}", f"{entry['value']:.4g}") for name, entry in metrics.items()
                         if name.split(".")[0] in names and isinstance(entry.get("value"), int | float)]
        if headline:
            lines.append(_html_table(("metric", "value"), headline))
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """report.json's content, checked against :class:`ReportDocument`."""
        document = {
            "schema_version": SCHEMA_VERSION,
            "qcaudit_version": __version__,
            "dataset": self.dataset,
            "config": self.config,
            "metrics": self.metrics,
            "tables": self.tables,
            "gate": self.gate.to_json(),
        }
        ReportDocument.model_validate(document)  # a bug if it fails: the audit made it
        return document

    def write(self, out_dir: str | Path, page: str | None = None) -> dict[str, Path]:
        """Write report.json, rows.parquet (when there are rows) and ``page`` as report.html
        (when given: :func:`qcaudit.write_report` renders it and calls this) as one set: the directory
        is swapped in whole (:func:`qcaudit.atomic.write_directory_atomic`), so it never
        mixes two runs' files."""
        out = Path(out_dir)
        text = json.dumps(self.to_json(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        written = {"json": REPORT_JSON} | ({"rows": ROWS_PARQUET} if self.rows is not None else {}) | (
            {"html": REPORT_HTML} if page is not None else {})

        def fill(directory: Path) -> None:
            if isinstance(self.rows, pl.LazyFrame):
                self.rows.sink_parquet(directory / ROWS_PARQUET)
                if self._rows_read_check is not None:
                    self._rows_read_check()
            elif self.rows is not None:
                self.rows.write_parquet(directory / ROWS_PARQUET)
            (directory / REPORT_JSON).write_text(text, encoding="utf-8")
            if page is not None:
                (directory / REPORT_HTML).write_text(page, encoding="utf-8")

        write_directory_atomic(out, fill, REPORT_FILES)
        return {kind: out / name for kind, name in written.items()}

    @classmethod
    def read(cls, path: str | Path) -> Report:
        """Read ``report.json`` (or the directory holding it); the per-row table stays on disk."""
        path = report_json(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"), parse_constant=_no_constant)
        except FileNotFoundError:
            raise QcauditError(f"{path} does not exist; run 'qcaudit report DATA --out DIR' first") from None
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise _not_a_report(path) or QcauditError(f"{path} is not a readable report ({exc}); give the directory "
                                                      "'qcaudit report --out' wrote, or its report.json") from None
        if not isinstance(data, dict) or "schema_version" not in data:
            raise _not_a_report(path) or QcauditError(f"{path}: not a qcaudit report")
        if data["schema_version"] != SCHEMA_VERSION:
            raise _other_schema(path, data)
        try:
            document = ReportDocument.model_validate(data)
        except ValidationError as exc:
            raise QcauditError(f"{path}: malformed report: {_first_fault(exc.errors())}") from None
        return cls(dataset=data["dataset"], config=data["config"], metrics=data["metrics"], tables=data["tables"],
                   gate=document.gate)


def report_json(path: str | Path) -> Path:
    """The report.json a user means by ``path``: the file, or the one in the directory."""
    path = Path(path)
    return path / REPORT_JSON if path.is_dir() else path


def _first_fault(errors: list[dict[str, Any]]) -> str:
    """``where: why`` of a report's first fault. A value that fits none of a union's types
    fails once per type, each error's place ending in the type's tag (``value.int``,
    ``value.float``, ...): those are said as one, at the value's place."""
    first = errors[0]
    tried = [error for error in errors if error["loc"][:-1] == first["loc"][:-1] and error["input"] is first["input"]
             and error["type"].endswith("_type")]
    where = ".".join(str(part) for part in (first["loc"][:-1] if len(tried) > 1 else first["loc"]))
    if len(tried) < 2:
        return f"{where}: {first['msg']}"
    kinds = [error["msg"].removeprefix("Input should be ") for error in tried]
    return f"{where}: Input should be {', '.join(kinds[:-1])} or {kinds[-1]} (got {type(first['input']).__name__})"


def _not_a_report(path: Path) -> QcauditError | None:
    """What to give instead of ``path`` where it is plainly no report.json: another file
    of a report's directory, or a dataset (given to ``show``, ``card``, ``gate --report`` or
    the dashboard before it was audited)."""
    if path.name == REPORT_JSON:
        return None
    if path.name in REPORT_FILES:
        return QcauditError(f"{path} is one of a report's files; give its directory ({path.parent}) or its {REPORT_JSON}")
    if is_dataset_file(path):
        return QcauditError(f"{path} is a dataset, not a report: audit it first ('qcaudit report {path} --out DIR'), "
                            "then give DIR")
    return None


def _html_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    from qcaudit.untrusted import html_text

    head = "".join(f"<th>{html_text(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html_text(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _other_schema(path: Path, data: dict) -> QcauditError:
    """The error for a report.json of another schema version than this qcaudit reads: one
    written by a newer qcaudit (a CI job's pinned qcaudit gating a report from a newer one)
    is told to upgrade, or to audit again with this version."""
    version, writer = data["schema_version"], data.get("qcaudit_version")
    by = f"qcaudit {writer}" if isinstance(writer, str) else "another qcaudit"
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        return QcauditError(f"{path}: written by a newer qcaudit ({by}, report schema {version}); this one ({__version__}) "
                            f"reads schema {SCHEMA_VERSION}: upgrade qcaudit, or audit the data again with this version")
    return QcauditError(f"{path}: report schema {version!r} ({by}); this qcaudit ({__version__}) reads schema "
                        f"{SCHEMA_VERSION}: audit the data again with this version")


def _no_constant(name: str) -> None:
    """report.json is strict JSON: NaN and Infinity are not numbers a gate can judge."""
    raise ValueError(f"{name} is not valid JSON")
