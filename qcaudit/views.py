"""The kinds of table a report section is drawn from, and nothing else.

An analyzer (or the drift command) says how its report tables are shown by turning them
into a list of these views (:meth:`qcaudit.registry.Analyzer.views`); the console, the
HTML page and the dashboard each draw every kind one way, so a new analyzer needs no
renderer of its own. Charts: :class:`Histogram`, :class:`Series`, :class:`Scatter`.
Tables: :class:`RankedRows` (records, usually dataset rows best or worst first),
:class:`Groups` (sets of rows with examples), :class:`Pairs` (a dataset row beside what it
matched). Text: :class:`Stat` (one headline number), :class:`Notice` (a verdict or warning).
Two kinds draw from rows.parquet and so appear only in the dashboard:
:class:`RowHistograms` (a histogram of a per-row column picked by the user) and
:class:`FrequentNgrams` (the commonest word n-grams of the text).

Every string a view carries may come from the dataset; renderers escape all of them.
Views are pydantic dataclasses, checked when made: a report's tables read from a file (one
of another qcaudit version, or edited by hand) that do not fit fail there, with the field
named, and not halfway through drawing. Numbers and texts may come as arrays (numpy, pandas,
Polars), held as lists.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import field, fields, is_dataclass
from difflib import SequenceMatcher
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ValidationError
from pydantic.dataclasses import dataclass


def _listed(value: Any) -> Any:
    """An array (numpy's, pandas' or Polars' Series) as the list it holds, so that a view
    takes one where it takes a list (an analyzer of a plug-in may well give one); anything
    else as it is, for the field's own check."""
    for method in ("tolist", "to_list"):
        if not isinstance(value, str | bytes) and callable(getattr(value, method, None)):
            return getattr(value, method)()
    return value


#: Numbers, labels, nullable numbers and texts of a view: a sequence or an array.
Numbers = Annotated[Sequence[float], BeforeValidator(_listed)]
Labels = Annotated[Sequence[Any], BeforeValidator(_listed)]
Values = Annotated[Sequence[float | None], BeforeValidator(_listed)]
Texts = Annotated[Sequence[str], BeforeValidator(_listed)]
#: (text, shared) runs of a text, the shared ones highlighted.
Segments = Sequence[tuple[str, bool]]


@dataclass(frozen=True)
class Marker:
    """A vertical line across a chart at ``x`` (a threshold), labelled."""

    x: float
    label: str = ""


@dataclass(frozen=True)
class Histogram:
    """Precomputed bins: ``edges`` (one more than counts) and one or more overlaid count
    series by name (one series is drawn without a legend)."""

    title: str
    x_title: str
    edges: Numbers
    counts: dict[str, Numbers]
    y_title: str = "rows"
    markers: Sequence[Marker] = ()
    kind: Literal["histogram"] = "histogram"

    def __post_init__(self) -> None:
        if any(right <= left for left, right in zip(self.edges, self.edges[1:])):
            raise ValueError(f"{self.title!r}: its edges do not increase")
        for name, counts in self.counts.items():
            if len(counts) != max(len(self.edges) - 1, 0):
                raise ValueError(f"{self.title!r}: {len(self.edges)} edges, {len(counts)} counts of {name!r}")


@dataclass(frozen=True)
class Series:
    """Values over categories or steps: bars (one series) or lines (several, by name)."""

    title: str
    x_title: str
    y_title: str
    x: Labels
    y: dict[str, Values]
    style: Literal["bars", "lines"] = "bars"
    y_range: tuple[float, float] | None = None
    kind: Literal["series"] = "series"

    def __post_init__(self) -> None:
        for name, values in self.y.items():
            if len(values) != len(self.x):
                raise ValueError(f"{self.title!r}: {len(self.x)} points, {len(values)} values of {name!r}")


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    colour: int
    row_id: int
    text: str
    flag: str = ""
    #: What the colour stands for (a topic's top terms), shown on hover.
    label: str = ""


@dataclass(frozen=True)
class Scatter:
    """Rows as points (a 2-D map): colour by a group number, flagged rows marked."""

    title: str
    x_title: str
    y_title: str
    points: Sequence[Point]
    colour_title: str = "group"
    kind: Literal["scatter"] = "scatter"


@dataclass(frozen=True)
class Column:
    """A column of a :class:`RankedRows`: ``format`` is a Python format spec for numbers
    ("" = as is); ``text`` marks dataset text (shown pre-wrapped); ``emphasis`` names a
    boolean field of the record that marks the value as a finding."""

    key: str
    label: str
    format: str = ""
    text: bool = False
    emphasis: str | None = None

    def shown(self, value: object) -> object:
        """A cell of this column: a number by :attr:`format`, a missing value (None, NaN) as a
        dash, anything else as it is (for the renderer to escape)."""
        if value is None or (isinstance(value, float) and value != value):
            return "—"
        if self.format and isinstance(value, int | float) and not isinstance(value, bool):
            return format(value, self.format)
        return value


@dataclass(frozen=True)
class RankedRows:
    """Records in the order given (usually rows, worst or best first). ``anchor`` is the
    HTML id of the table."""

    title: str
    columns: Sequence[Column]
    records: Sequence[dict[str, Any]]
    anchor: str
    caption: str = ""
    kind: Literal["ranked_rows"] = "ranked_rows"


@dataclass(frozen=True)
class Group:
    key: int
    size: int
    examples: Texts


def one_line(text: object, length: int) -> str:
    """``text`` on one line (each run of whitespace one space), cut to ``length`` characters,
    the last an ellipsis: a row's start in a table cell or a picker."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"


def shown_sources(sources: list[str], name: Callable[[str], str] = str, shown: int = 3) -> str:
    """The inputs as a renderer names them on one line: the first ``shown``, each as ``name``
    writes it, then how many more ("a.parquet, b.parquet, c.parquet and 7 more"), so that a
    list cut short says so."""
    more = len(sources) - shown
    return ", ".join(map(name, sources[:shown])) + (f" and {more:,} more" if more > 0 else "")


def differences(first: str, other: str) -> Segments:
    """``other`` as (text, differs) runs: the words and spaces that are not in ``first``
    (difflib's longest matching blocks over whitespace-split tokens) are marked, so the
    members of a near-duplicate cluster show how they differ from its first member."""
    mine, theirs = re.split(r"(\s+)", other), re.split(r"(\s+)", first)
    runs: list[tuple[str, bool]] = []
    for tag, _, _, start, end in SequenceMatcher(None, theirs, mine, autojunk=False).get_opcodes():
        text = "".join(mine[start:end])
        if text:
            runs.append((text, tag != "equal"))
    return runs


@dataclass(frozen=True)
class Groups:
    """Sets of rows, largest first: each with its key, size and the text of its first
    members. ``member_column`` is the rows.parquet column holding the key, so the dashboard
    can list any group's members."""

    title: str
    key_label: str
    groups: Sequence[Group]
    anchor: str
    member_column: str
    caption: str = ""
    #: Near duplicates: each member after the first is shown with its differences marked.
    marks_differences: bool = False
    kind: Literal["groups"] = "groups"

    def marked(self, group: Group) -> list[Segments]:
        """The group's examples as runs, the differences from the first marked when
        :attr:`marks_differences` (else each example is one unmarked run)."""
        first = group.examples[0] if group.examples else ""
        return [differences(first, text) if self.marks_differences and i else [(text, False)]
                for i, text in enumerate(group.examples)]


@dataclass(frozen=True)
class Pair:
    """A dataset row beside what it matched, shared runs marked; ``facets`` are the
    record's values for the dashboard's filters (e.g. benchmark, method)."""

    row_id: int
    heading: str
    subheading: str
    left: Segments
    right: Segments
    evidence: str = ""
    facets: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Pairs:
    title: str
    left_title: str
    right_title: str
    pairs: Sequence[Pair]
    anchor: str
    caption: str = ""
    footnote: str = ""
    kind: Literal["pairs"] = "pairs"


@dataclass(frozen=True)
class Stat:
    """One headline number, ``format`` a Python format spec."""

    label: str
    value: float
    format: str = ".4g"
    kind: Literal["stat"] = "stat"

    @property
    def shown(self) -> str:
        return format(self.value, self.format)


@dataclass(frozen=True)
class Notice:
    """A sentence about the section: ``level`` ok and alarm are verdicts (green, red),
    warning is a caution, info plain text."""

    text: str
    level: Literal["info", "ok", "warning", "alarm"] = "info"
    anchor: str = ""
    kind: Literal["notice"] = "notice"

    @property
    def is_verdict(self) -> bool:
        """An ok or alarm notice is its section's verdict (the collapse alarm): shown first,
        beside the gate's, at the top of the HTML page and in the console summary."""
        return self.level in ("ok", "alarm")


@dataclass(frozen=True)
class RowHistograms:
    """Dashboard only: a histogram of whichever of these numeric rows.parquet columns the
    user picks."""

    title: str
    columns: Sequence[str]
    x_title: str = "value"
    kind: Literal["row_histograms"] = "row_histograms"


@dataclass(frozen=True)
class FrequentNgrams:
    """Dashboard only: the commonest word n-grams of the rows' text (a sample of rows)."""

    title: str = "Most frequent n-grams"
    lowercase: bool = False
    kind: Literal["frequent_ngrams"] = "frequent_ngrams"


View = Histogram | Series | Scatter | RankedRows | Groups | Pairs | Stat | Notice | RowHistograms | FrequentNgrams
CHARTS = (Histogram, Series, Scatter)


def view_fault(exc: ValidationError) -> str:
    """Where and why a view was refused: ``Histogram.edges: <why>``, its field named even
    where it was given by position (pydantic numbers those); ``Histogram 'title': <why>``
    where the view's own check (``__post_init__``) refused it."""
    error = exc.errors()[0]
    if error["type"] == "value_error" and not error["loc"]:
        return f"{exc.title} {error['ctx']['error']}"
    where = list(error["loc"])
    kind = globals().get(exc.title)
    if where and isinstance(where[0], int) and is_dataclass(kind) and where[0] < len(fields(kind)):
        where[0] = fields(kind)[where[0]].name
    return ".".join(map(str, [exc.title, *where])) + f": {error['msg']}"


def histogram_view(table: dict[str, Sequence[float]], title: str, x_title: str, y_title: str = "rows",
                   markers: Sequence[Marker] = ()) -> Histogram:
    """A view of a report histogram table, ``{"edges": [...], "counts": [...]}``."""
    return Histogram(title, x_title, table["edges"], {"rows": table["counts"]}, y_title, markers)
