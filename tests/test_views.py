"""Generic rendering: a section's views are drawn by kind in the console, the HTML page and the
dashboard, so an analyzer no renderer names (the README's example, a test analyzer showing
every kind) reaches all three, with every string it carries escaped."""

from __future__ import annotations

import json
import os

import plotly.io
import polars as pl
import pytest
from hypothesis import given, strategies as st
from rich.console import Console
from streamlit.testing.v1 import AppTest

from qcaudit import registry
from qcaudit.config import load_config
from qcaudit.gate import GateResult
from qcaudit.report.console import print_sections
from qcaudit.report.figures import figure
from qcaudit.report.html import render_html, write_report
from qcaudit.report.model import Report
from qcaudit.report.sections import pages, sections
from qcaudit.untrusted import markdown, prose
from qcaudit.views import (
    CHARTS, Column, FrequentNgrams, Group, Groups, Histogram, Marker, Notice, Pair, Pairs, Point, RankedRows,
    RowHistograms, Scatter, Series, Stat, differences,
)
from tests.test_architecture import plugin, texts  # noqa: F401  (a fixture, and the plug-in's rows)
from tests.conftest import SAMPLES
from tests.test_dashboard import APP, ENV
from tests.test_hostile_inputs import one_line_error, qc  # noqa: F401  (fixture)

HOSTILE = "<img src=x onerror=alert(1)> [red]rich[/red] **md** \u202e"


class EveryKind(registry.Analyzer):
    """Not registered globally: a test analyzer whose views are one of each kind, every
    string in them hostile."""

    name = "every_kind"
    title = f"every kind {HOSTILE}"
    order = 99

    @classmethod
    def views(cls, tables, metrics, config):
        h = tables["text"]
        return [
            Notice(f"notice {h}", "warning"),
            Stat(f"stat {h}", metrics["rate"], ".1%"),
            Histogram(f"histogram {h}", h, [0.0, 1.0, 2.0], {h: [3, 4], "second": [1, 2]}, markers=[Marker(1.5, h)]),
            Series(f"series {h}", h, h, [h, "b"], {h: [0.5, 0.25]}),
            Scatter(f"scatter {h}", h, h, [Point(0.0, 1.0, 2, 7, h, h)]),
            RankedRows(f"ranked {h}", [Column("row_id", h), Column("score", "score", ".3f"), Column("text", "text", text=True)],
                       [{"row_id": 7, "score": 0.123456, "text": h}, {"row_id": 8, "score": None, "text": None}], "ranked"),
            Groups(f"groups {h}", h, [Group(7, 2, [h, h])], "groups", "no_such_column"),
            Pairs(f"pairs {h}", h, h, [Pair(7, h, h, [(h, True), (" plain", False)], [(h, False)], h, {"facet": h})], "pairs",
                  footnote=h),
            RowHistograms(f"rows {h}", ["n_words"]),
            FrequentNgrams(),
        ]


@pytest.fixture
def every_kind(monkeypatch):
    monkeypatch.setattr(registry, "_REGISTERED", dict(registry._REGISTERED))
    registry.analyzers.cache_clear()
    registry.register(EveryKind)
    yield Report(dataset={"sources": [HOSTILE], "format": "parquet", "rows": 2, "text_source": HOSTILE, "text_rows": {"ok": 2}},
                 config={}, metrics={"every_kind": {"rate": {"value": 0.25, "signature": HOSTILE}}},
                 tables={"every_kind": {"text": HOSTILE}}, gate=GateResult(verdict="no thresholds", checks=[]))
    registry.analyzers.cache_clear()


def test_every_kind_is_drawn_in_html_with_every_string_escaped(every_kind):
    page = render_html(every_kind)
    assert "<img src=x" not in page and "\u202e" not in page
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") >= 12  # notice, stat, tables, pairs, titles...
    for anchor in ("ranked", "groups", "pairs"):
        assert f'id="{anchor}"' in page
    assert "<mark>" in page and "25.0%" in page and "0.123" in page and "—" in page  # formats; a missing value
    assert page.count("Plotly.newPlot") == 3  # histogram, series, scatter; the row views are the dashboard's


def test_every_chart_escapes_what_plotly_would_render_as_html(every_kind):
    charts = [figure(v) for s in sections(every_kind) for v in s.views if isinstance(v, CHARTS)]
    assert len(charts) == 3
    for fig in charts:
        spec = plotly.io.to_json(fig)
        assert "<img" not in spec and "\u202e" not in spec and "\\u202e" not in spec.lower(), spec[:300]
        assert "&lt;img" in spec
        assert fig.layout.template.layout.plot_bgcolor == "white" and fig.layout.height == 320  # (plotly_white, as named)
    from qcaudit.report.figures import _LAYOUT  # (every figure starts from one layout, which none of them changes)
    assert _LAYOUT.title.text is None and _LAYOUT.xaxis.title.text is None and not _LAYOUT.showlegend


def test_every_kind_is_printed_on_the_console_as_written(every_kind):
    console = Console(record=True, width=200, color_system=None)
    print_sections(console, every_kind, limit=1)
    printed = console.export_text()
    assert "[red]rich[/red]" in printed  # rich markup printed, not applied
    assert "\u202e" not in printed and "<U+202E>" in printed
    for title in ("notice", "histogram", "series", "1 points, 1 flagged", "ranked", "groups", "pairs"):
        assert title in printed, title
    assert "25.0%" in printed and "… 1 more" in printed  # limit=1 of two ranked rows


def test_every_kind_is_drawn_on_its_dashboard_page(every_kind, tmp_path, monkeypatch):
    rows = pl.DataFrame({"row_id": [0, 1], "text": ["a b c", "a b d"], "text_status": ["ok", "ok"], "n_words": [3, 3]})
    out = tmp_path / "r"
    write_report(every_kind.model_copy(update={"rows": rows}), out)
    monkeypatch.setenv(ENV, json.dumps([str(out)]))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    page = EveryKind.dashboard_page()
    assert page in pages()
    at.sidebar.radio(key="page").set_value(page).run()
    assert not at.exception, at.exception
    assert at.metric[0].value == "25.0%" and len(at.get("plotly_chart")) == 4  # three charts and a row histogram
    assert any("ngram" in d.value.columns for d in at.dataframe)
    html = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert "<img" not in html and "&lt;img" in html
    bodies = [str(e.value) for kind in ("title", "subheader", "caption", "warning") for e in getattr(at, kind)]
    assert all("**md**" not in b or b.startswith("`") for b in bodies), bodies  # never interpreted as Markdown


def test_a_plugin_analyzers_views_reach_every_renderer(plugin, tmp_path, monkeypatch):  # noqa: F811
    from qcaudit import audit

    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": texts([1, 6, 2, 9]) + [HOSTILE]}).write_parquet(data)
    report = audit(data, load_config(None, {"analyzers": ["short_rows"]}))
    out = tmp_path / "r"
    write_report(report, out)
    page = (out / "report.html").read_text()
    assert 'id="shortest-rows"' in page and "words per row" in page and "<img src=x" not in page
    console = Console(record=True, width=200, color_system=None)
    print_sections(console, Report.read(out), limit=3)
    printed = console.export_text()
    assert "Shortest rows" in printed and "words per row" in printed
    monkeypatch.setenv(ENV, os.pathsep.join([str(out)]))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.sidebar.radio(key="page").set_value("Short rows").run()
    assert not at.exception, at.exception
    shortest = next(d.value for d in at.dataframe if "words" in d.value.columns)
    assert list(shortest["words"]) == sorted(shortest["words"]) and shortest["words"].iloc[0] == 1


def test_show_prints_a_saved_report_and_rejects_what_is_not_one(qc, tmp_path):  # noqa: F811
    out = tmp_path / "r"
    assert qc("report", SAMPLES / "instructions.parquet", "--config", SAMPLES / "qcaudit.toml", "--out", out, "-q").code == 0
    shown = qc("show", out, "--limit", "2")
    assert shown.code == 0, shown.err
    for heading in ("Lexical diversity", "Duplicates", "Least diverse rows", "Largest exact-duplicate groups", "gate verdict"):
        assert heading in shown.out, heading
    only = qc("show", out, "--section", "duplicates")
    assert only.code == 0 and "Largest exact-duplicate groups" in only.out and "Least diverse rows" not in only.out
    flat = " ".join(only.out.split())
    assert "what it measures" in flat and "↓ lower" in flat and "GSM8K train 0" in flat  # each metric explained
    one_line_error(qc("show", out, "--section", "nope"), "--section 'nope'")
    one_line_error(qc("show", tmp_path / "missing"), "does not exist")


@given(st.text(max_size=40))
def test_prose_is_the_text_itself_only_when_markdown_would_show_it_as_written(text):
    shown = prose(text)
    if shown == text:
        assert not set(text) & set("*_`[]<>$#~|\\{}&\"") and "www." not in text.lower() and "://" not in text
        assert ":" not in text.replace(": ", "").rstrip(":")  # no shortcode or directive can open
    else:
        assert shown == markdown(text)


@given(st.text(alphabet="ab \n", max_size=30), st.text(alphabet="abc \n", max_size=30))
def test_differences_keep_the_text_and_mark_only_what_the_first_lacks(first, other):
    runs = differences(first, other)
    assert "".join(text for text, _ in runs) == other
    assert not any(marked for _, marked in differences(other, other))
    if "c" in other:
        assert any(marked and "c" in text for text, marked in runs)  # "c" never occurs in the first


def test_only_near_duplicate_groups_mark_differences():
    group = Group(1, 2, ["The cat sat on the mat.", "The dog sat on the mat."])
    near = Groups("near", "first row_id", [group], "near", "c", marks_differences=True)
    assert near.marked(group) == [[("The cat sat on the mat.", False)], [("The ", False), ("dog", True), (" sat on the mat.", False)]]
    assert Groups("k-means", "cluster", [group], "k", "c").marked(group)[1] == [("The dog sat on the mat.", False)]


@given(st.integers(40, 200), st.integers(1, 14), st.integers(1, 30))
def test_a_series_in_any_console_shows_every_name_and_value_whole(width, points, name_length):
    """Metric by generation on a console of any width: each metric name and each value is
    printed whole (never "distinc…", never 0.6 for 0.63), the generations split over as
    many tables as they need, every generation's label in one of them."""
    from qcaudit.report.console import _series
    from qcaudit.views import Series

    labels = [f"round_{'x' * name_length}_{i}.txt" for i in range(points)]
    values = {f"distinct_{n}": [round(0.1 * n + 0.0123 * i, 4) for i in range(points)] for n in range(1, 5)}
    console = Console(width=width, record=True, color_system=None)
    _series(console, Series("lexical diversity", "generation", "value", labels, values, style="lines"), 12)
    text = console.export_text()
    lines = text.splitlines()
    assert all(len(line) <= width for line in lines) and "…" not in text
    for name, series in values.items():
        rows = [line for line in lines if line.startswith(f"│ {name} ")]
        cells = [cell.strip() for row in rows for cell in row.strip("│").split("│")[1:]]
        assert cells == [format(v, ".4g") for v in series[:12]], (name, rows)
    shown, header = [], None  # each table's column labels, their wrapped pieces put together
    for line in lines:
        if line.startswith("┏"):
            header = None
        elif line.startswith("┃"):
            cells = [cell.strip() for cell in line.strip("┃").split("┃")]
            header = cells if header is None else [a + b for a, b in zip(header, cells, strict=True)]
        elif line.startswith("┡"):
            assert header[0] == "generation"
            shown += header[1:]
    assert shown == labels[:12]


def test_metrics_are_listed_in_the_order_their_analyzer_declares_them():
    """distinct-1 to distinct-4 together (the report holds each order's distinct, entropy and
    repetition in turn), and a metric the analyzer does not declare after those it does."""
    from qcaudit import audit
    from qcaudit.registry import analyzers

    report = audit(SAMPLES / "instructions.parquet", analyzers=["diversity"], fields=["instruction", "input", "output"])
    stored = list(report.metrics["diversity"])
    report.metrics["diversity"] = {"not_declared": {"value": 1.0, "signature": "x"}, **report.metrics["diversity"]}
    (shown,) = [section for section in sections(report) if section.name == "diversity"]
    declared = [spec.name for spec in analyzers()["diversity"].metrics()]
    names = [line.name for line in shown.metrics]
    assert names[:-1] == sorted(stored, key=declared.index) and names[-1] == "not_declared"
    assert names[:-1] != stored and names[:4] == ["distinct_1", "distinct_2", "distinct_3", "distinct_4"]


def test_a_view_that_cannot_be_drawn_is_refused_when_made_with_its_field_named():
    """Views check themselves when made (a report's tables read from a file need not fit):
    types by field, a histogram's edges increasing and one more than each series' counts, a
    series' values one per point; the fault names the view and the field."""
    from pydantic import ValidationError

    from qcaudit.views import view_fault

    Histogram("empty", "x", [], {"rows": []})  # no values: no edges, no counts
    Histogram("one bin", "x", [0.5, 1.5], {"rows": [3]})
    faults = {
        "Histogram.edges: 'str' instances are not allowed as a Sequence value": lambda: Histogram("h", "x", "0 1", {}),
        "Histogram.counts.rows.1: Input should be a valid number, unable to parse string as a number":
            lambda: Histogram("h", "x", [0, 1, 2], {"rows": [1, "many"]}),
        "Histogram 'h': its edges do not increase": lambda: Histogram("h", "x", [0, 2, 2], {"rows": [1, 1]}),
        "Histogram 'h': 3 edges, 1 counts of 'rows'": lambda: Histogram("h", "x", [0, 1, 2], {"rows": [1]}),
        "Series 's': 2 points, 1 values of 'a'": lambda: Series("s", "x", "y", [1, 2], {"a": [0.5]}),
        "Groups.groups.0.examples: Input should be an instance of Sequence":
            lambda: Groups("g", "k", [{"key": 1, "size": 2, "examples": 5}], "a", "c"),
        "Stat.value: Input should be a valid number, unable to parse string as a number": lambda: Stat("s", "high"),
    }
    for said, make in faults.items():
        with pytest.raises(ValidationError) as caught:
            make()
        assert view_fault(caught.value) == said


def test_a_view_takes_arrays_where_it_takes_lists():
    """A plug-in analyzer may give numpy, pandas or Polars arrays where a view holds numbers or
    texts (plain dataclasses drew them; checked views must still take them): each is the view
    made of the same values as lists."""
    import numpy as np
    import pandas as pd

    assert Histogram("h", "x", np.array([0.0, 0.5, 1.0]), {"rows": pl.Series([3, 4])}) == Histogram(
        "h", "x", [0.0, 0.5, 1.0], {"rows": [3, 4]})
    assert Series("s", "x", "y", np.arange(3), {"a": pd.Series([0.5, 1.5, 2.5])}) == Series(
        "s", "x", "y", [0, 1, 2], {"a": [0.5, 1.5, 2.5]})
    assert Group(1, 2, pl.Series(["a", "b"])) == Group(1, 2, ["a", "b"])
    assert Group(1, 2, np.array(["a", "b"])).examples == ["a", "b"]
