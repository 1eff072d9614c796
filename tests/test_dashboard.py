"""The Streamlit dashboard: every page under streamlit.testing's AppTest on reports from every
analyzer, and the real thing in headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from importlib import resources
from pathlib import Path

import polars as pl
import pytest
import torch
from streamlit.testing.v1 import AppTest
from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

from qcaudit import __version__
from qcaudit.cli import app
from qcaudit.dashboards.data import ENV
from qcaudit.registry import analyzers
from tests.conftest import SAMPLES

APP = str(resources.files("qcaudit.dashboards").joinpath("app.py"))
TOKENIZER = Path(__file__).parent / "fixtures" / "watermark" / "tokenizer"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("QCAUDIT_TEST_ARTIFACTS", Path(__file__).resolve().parents[1] / "test-artifacts"))
HOSTILE = "<img src=x onerror=alert(1)> **bold** [link](http://example.com)"


@pytest.fixture(scope="module")
def report_dirs(tmp_path_factory) -> dict[str, Path]:
    """A report from every analyzer on the bundled sample (a planted contaminated row, a
    hostile row and its copy, a random tiny LM for the detectors), a clean report, and a
    drift report."""
    from typer.testing import CliRunner

    root = tmp_path_factory.mktemp("dashboard")
    runner = CliRunner()
    sample = pl.read_parquet(SAMPLES / "instructions.parquet")
    leaked = sample["output"][5]
    data = root / "data.parquet"
    first = pl.DataFrame({"instruction": [HOSTILE, HOSTILE, "Solve this."], "input": ["", "", ""], "output": ["fine", "fine", leaked],
                          "category": ["general", "general", "math"], "planted": ["hostile", "hostile copy", "leak"]})
    pl.concat([first, sample]).write_parquet(data)  # first, so that the Overview lists the flagged copy and the leak
    (root / "bench.jsonl").write_text(json.dumps({"id": "b-1", "question": leaked}) + "\n")
    torch.manual_seed(0)
    tokenizer = PreTrainedTokenizerFast.from_pretrained(TOKENIZER)
    GPT2LMHeadModel(GPT2Config(vocab_size=len(tokenizer), n_positions=256, n_embd=16, n_layer=1, n_head=2)).save_pretrained(root / "lm")
    tokenizer.save_pretrained(root / "lm")
    config = root / "qcaudit.toml"
    config.write_text(
        '[input]\nfields = ["instruction", "input", "output"]\n'
        f'[benchmarks.toy]\npath = "{root / "bench.jsonl"}"\nadapter = "fields"\nfields = ["question"]\nid_field = "id"\n'
        '[contamination]\nmethods = ["ngram", "substring"]\n'
        f'[watermark]\ntokenizer = "{TOKENIZER}"\nscheme = "lefthash"\n'
        f'[detectors]\nmethods = ["likelihood", "binoculars"]\nscoring_model = "{root / "lm"}"\n'
        f'observer_model = "{root / "lm"}"\nperformer_model = "{root / "lm"}"\n'
        "[gate]\nmax_exact_duplicate_rate = 0.01\nmax_contaminated_rows = 0\nmin_prdc_recall = 0.5\n"
    )
    dirs = {"full": root / "full", "clean": root / "clean", "drift": root / "drift"}
    runs = [
        ["report", str(data), "--config", str(config), "--out", str(dirs["full"]), "--analyzers", "diversity,duplicates,embeddings", "-q"],
        ["report", str(SAMPLES / "instructions_clean.parquet"), "--config", str(SAMPLES / "qcaudit.toml"), "--out", str(dirs["clean"]), "-q"],
        ["drift", str(SAMPLES / "instructions.parquet"), str(SAMPLES / "instructions_clean.parquet"), str(SAMPLES / "instructions.parquet"),
         "--fields", "instruction,input,output", "--out", str(dirs["drift"]), "-q"],
    ]
    for args in runs:
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    return dirs


def _app(monkeypatch, *dirs: Path) -> AppTest:
    monkeypatch.setenv(ENV, os.pathsep.join(str(d) for d in dirs))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def _page(at: AppTest, page: str) -> AppTest:
    at.sidebar.radio(key="page").set_value(page).run()
    assert not at.exception, (page, at.exception)
    return at


def _texts(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "text", "error", "success", "info", "warning")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def test_overview_shows_the_verdict_checks_and_flagged_rows(report_dirs, monkeypatch):
    at = _app(monkeypatch, report_dirs["full"])
    assert at.error[0].value == "Gate: FAIL"
    checks = at.dataframe[0].value
    assert set(checks["check"]) == {"duplicates.exact_duplicate_rate", "contamination.contaminated_rows", "embeddings.prdc_recall"}
    assert [c.value.strip("`") for c in at.caption if "is missing from the report" in c.value] == [
        ("embeddings.prdc_recall is missing from the report: it needs the embeddings analyzer with a reference dataset "
         "(--reference PATH or [embeddings] reference) (threshold >= 0.5)")]
    found = [c.value.strip("`") for c in at.caption if c.value.strip("`").startswith("contamination.contaminated_rows = ")]
    assert len(found) == 1 and "needs <= 0 (" in found[0] and "of toy's" in found[0] and "items found in the data: " in found[0]
    flagged = [t.value for t in at.text]
    assert any("benchmark contamination" in t for t in flagged) and any("exact duplicate" in t for t in flagged)
    metrics = at.dataframe[1].value
    assert {"diversity", "duplicates", "contamination", "embeddings", "watermark", "detectors"} <= set(metrics["section"])
    assert metrics["what it measures"].str.len().gt(0).all(), metrics[metrics["what it measures"] == ""][["section", "metric"]].to_string()  # every metric explains itself
    sampled = metrics.set_index("metric").loc["self_bleu_4_sampled"]
    assert sampled["better"] == "↓ lower" and "GSM8K train" in sampled["on public data"]


def test_a_page_has_an_address_and_compare_marks_large_changes(report_dirs, monkeypatch):
    monkeypatch.setenv(ENV, os.pathsep.join(str(report_dirs[d]) for d in ("full", "clean", "drift")))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["page"], at.query_params["report"] = "Duplicates", "clean"
    at.run()
    assert not at.exception and at.title[0].value == "Duplicates" and at.sidebar.selectbox[0].value == "clean"
    _page(at, "Compare")
    assert at.query_params["page"] == "Compare"  # the address follows the page shown
    # A is the report chosen in the sidebar, B the other audit (not the drift report)
    assert [s.value for s in at.main.selectbox] == ["clean", "full"]
    table = at.dataframe[0].value
    large = table[table["large change"] != ""]
    assert len(large) and (large["change"].abs() >= 0.1).all() and list(table.index[: len(large)]) == list(large.index)
    assert (table.loc[table["large change"] == "", "change"].abs() < 0.1).all()
    better = {spec.name: spec.better for cls in analyzers().values() for spec in cls.metrics()}
    for _, row in large.iterrows():  # better or worse by the metric's direction
        expected = {"higher": "better" if row["B"] > row["A"] else "worse",
                    "lower": "better" if row["B"] < row["A"] else "worse"}.get(better.get(row["metric"]), "changed")
        assert row["large change"] == expected, row.to_dict()
    assert "metrics only one report has" in at.checkbox(key="compare-only").label  # the full report has more analyzers
    assert len(at.dataframe) == 1  # ...hidden until asked
    at.checkbox(key="compare-only").check().run()
    assert set(at.dataframe[1].value["only in"]) == {"B"}
    at.sidebar.selectbox[0].set_value("drift").run()  # a drift report has no audit to compare with
    assert [s.value for s in at.main.selectbox] == ["drift", "full"] and not at.dataframe
    assert "share no metric: A is a drift report, B an audit" in _texts(at) and not at.warning
    _page(at, "Overview")
    at.sidebar.selectbox[0].set_value("drift").run()
    assert at.metric[1].label == "generations" and at.metric[1].value == "3"
    baseline = json.loads((report_dirs["drift"] / "report.json").read_text())["tables"]["drift"]["generations"][0]["generation"]
    assert at.metric[2].label == "baseline" and at.metric[2].value == baseline  # (not "analyzers": 1, the drift section)
    alarm = json.loads((report_dirs["drift"] / "report.json").read_text())["metrics"]["drift"]["collapse_alarm"]["value"]
    verdicts = [str(e.value).strip("` ") for e in (at.error if alarm else at.success) if "Collapse alarm" in str(e.value)]
    assert len(verdicts) == 1 and verdicts[0].startswith(f"Collapse alarm: {'FIRED' if alarm else 'quiet'}")  # as the HTML
    assert "Rows that need attention" not in [h.value for h in at.subheader]  # no per-row table to flag rows in


def test_an_opened_near_duplicate_cluster_marks_what_differs(report_dirs, monkeypatch):
    at = _app(monkeypatch, report_dirs["full"])
    _page(at, "Duplicates")
    clusters = at.selectbox(key="duplicates-1")  # the second view: near-duplicate clusters
    assert clusters.label == "Open group (largest first)" and "members shown" in _texts(at)
    report = json.loads((report_dirs["full"] / "report.json").read_text())
    largest = report["tables"]["duplicates"]["top_near_clusters"][0]
    first = " ".join(largest["examples"][0].split())[:60]
    table = at.dataframe[1].value  # each group says what it is before it is opened
    assert list(table.columns)[1:] == ["rows", "first member"] and table["first member"].iloc[0].startswith(first)
    assert clusters.options[0].startswith(f"{largest['near_dup_cluster']} ({largest['size']} rows): {first}")
    marked = []
    for index in range(len(clusters.options)):  # clusters of exact copies have nothing to mark; planted near duplicates do
        at.selectbox(key="duplicates-1").select_index(index).run()
        html = "\n".join(str(h.proto.body) for h in at.get("html"))
        assert "font-family:ui-monospace" in html
        marked += ["<mark>" in html]
    assert any(marked) and not all(marked)


def test_every_page_renders_on_every_kind_of_report(report_dirs, monkeypatch):
    at = _app(monkeypatch, report_dirs["full"], report_dirs["clean"], report_dirs["drift"])
    pages = ("Overview", "Diversity", "Contamination", "Duplicates", "Embeddings", "Detectors", "Rows", "Compare", "Drift")
    for report in ("full", "clean", "drift"):
        at.sidebar.selectbox[0].set_value(report).run()
        for page in pages:
            _page(at, page)
            assert (page if page != "Overview" else report) in at.title[0].value, (report, page)
            if report == "clean" and page in ("Contamination", "Embeddings", "Detectors", "Drift"):
                assert "did not run" in _texts(at), page  # say so, and how to run it
    assert any("Collapse alarm" in str(e.value) for e in [*at.error, *at.success])  # the drift report's Drift page


def test_overview_says_when_a_limit_audited_only_the_first_rows(report_dirs, monkeypatch, tmp_path):
    from typer.testing import CliRunner

    limited = tmp_path / "limited"
    result = CliRunner().invoke(app, ["report", str(SAMPLES / "instructions.parquet"), "--limit", "40", "-o", str(limited), "-q"])
    assert result.exit_code == 0, result.output
    whole = pl.read_parquet(SAMPLES / "instructions.parquet").height
    at = _app(monkeypatch, limited, report_dirs["clean"])
    assert [w.value for w in at.warning] == [f"A quick look: the first 40 of {whole:,} rows (--limit); every figure here describes those rows alone."]
    at.sidebar.selectbox[0].set_value("clean").run()
    assert not at.warning  # a whole input: no such warning


def test_a_page_another_open_report_holds_offers_to_open_it(report_dirs, monkeypatch):
    """An audit and a drift report open side by side: the audit's Drift page does not tell
    the user to run drift, it opens the drift report; a page no open report holds says how
    to run it."""
    at = _app(monkeypatch, report_dirs["full"], report_dirs["drift"])
    _page(at, "Drift")
    assert "did not run for this report; it is in `drift`" in _texts(at) and "To include it" not in _texts(at)
    at.button(key="open-drift").click().run()
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key="report").value == "drift" and at.title[0].value == "Drift"
    assert any("Collapse alarm" in str(e.value) for e in [*at.error, *at.success])
    _page(at, "Detectors")  # the audit ran the detectors and watermark detection
    assert "it is in `full`" in _texts(at) and [b.key for b in at.button] == ["open-full"]
    _page(at, "Rows")  # a drift report has no per-row table; the audit has
    assert "it is in `full`" in _texts(at) and [b.key for b in at.button] == ["open-full"]
    _page(at, "IFD")
    assert "To include it" in _texts(at) and not at.button  # neither report measured IFD


def test_pages_show_their_analyzers_data(report_dirs, monkeypatch):
    at = _app(monkeypatch, report_dirs["full"], report_dirs["clean"])
    _page(at, "Diversity")
    counts = at.dataframe[0].value["count"]
    assert counts.is_monotonic_decreasing and counts.iloc[0] > 1  # most frequent first
    _page(at, "Contamination")
    html = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert "<mark>" in html and "toy" in html
    assert "sampled substrings of the item in the row" in html or "n-grams in the row" in html  # each flag's evidence
    _page(at, "Duplicates")
    assert len(at.dataframe[0].value) > 0 and "members shown" in _texts(at)  # cluster list and an opened cluster
    _page(at, "Detectors")
    assert at.metric[0].value.endswith("%")  # the watermarked share
    summary = next(d.value for d in at.dataframe if "AUROC" in d.value.columns)
    assert list(summary["detector"]) == ["likelihood", "binoculars"]  # one row per detector
    _page(at, "Compare")
    table = at.dataframe[0].value
    assert {"A", "B", "B - A"} <= set(table.columns) and table["B - A"].notna().any()


def test_rows_page_filters_and_pages_lazily(report_dirs, monkeypatch):
    at = _app(monkeypatch, report_dirs["full"])
    _page(at, "Rows")
    assert "903 rows match" in _texts(at)
    assert len(at.dataframe[0].value) == 50
    at.multiselect[0].set_value(["is_exact_duplicate"]).run()
    at.selectbox(key="f_is_exact_duplicate").set_value(True).run()
    rows = pl.read_parquet(report_dirs["full"] / "rows.parquet")
    expected = int(rows["is_exact_duplicate"].sum())
    assert f"{expected:,} rows match" in _texts(at)
    assert at.dataframe[0].value["is_exact_duplicate"].all()
    at.multiselect[0].set_value(["watermark_z"]).run()  # a float column with NaN (rows too short to score)
    at.number_input(key="lo_watermark_z").set_value(1.0).run()
    z = rows["watermark_z"].fill_nan(None).drop_nulls()
    assert f"{int((z >= 1.0).sum()):,} rows match" in _texts(at)


def test_dataset_text_is_never_rendered_as_html_or_markdown(report_dirs, monkeypatch):
    at = _app(monkeypatch, report_dirs["full"])
    _page(at, "Rows")
    at.text_input[-1].set_value("onerror").run()  # the "Text contains" box
    assert "2 rows match" in _texts(at)
    assert at.dataframe[0].value["text"].iloc[0].startswith(HOSTILE)  # shown as data, verbatim
    assert not any("onerror" in str(m.value) for m in at.markdown)
    _page(at, "Overview")
    assert any(HOSTILE in t.value for t in at.text)  # the flagged copy, as plain text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def need_browser() -> None:
    """CI (.ci/run) installs Debian's chromium and sets QCAUDIT_REQUIRE_BROWSER: there a
    missing browser fails the test; elsewhere it skips."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("QCAUDIT_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing; scripts/install_browser.sh installs it")
        pytest.skip("Debian chromium is absent (bash scripts/install_browser.sh installs it)")


@contextlib.contextmanager
def served(*dirs: Path, options: tuple[str, ...] = (), said: list[str] | None = None, env: dict[str, str] | None = None):
    """``qcaudit dashboard DIRS OPTIONS`` on a free port (in ``env``), stopped afterwards;
    yields its URL, and puts what the command printed into ``said`` once it has stopped."""
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "qcaudit.cli", "dashboard", *map(str, dirs), "--port", str(port), *options],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, env=env)
    try:
        deadline = time.time() + 90
        while True:
            try:
                if urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise AssertionError("the dashboard did not start") from None
                time.sleep(0.5)
        yield f"http://localhost:{port}/"
    finally:
        server.terminate()
        printed, _ = server.communicate(timeout=30)
        if said is not None:
            said.append(printed)


def test_dashboard_in_a_real_browser(report_dirs):
    need_browser()
    from playwright.sync_api import sync_playwright

    with served(report_dirs["full"]) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(url)
        page.get_by_text("Gate: FAIL").wait_for(timeout=60_000)
        page.get_by_text("benchmark contamination").first.wait_for(timeout=60_000)
        page.get_by_text("onerror=alert(1)").first.wait_for(timeout=60_000)  # the hostile copy, as text
        page.wait_for_timeout(1500)  # let the tables finish drawing for the screenshot
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard-overview.png"), full_page=True)
        assert page.locator("img[src=x]").count() == 0  # ...and never as markup
        browser.close()
    assert (ARTIFACTS / "dashboard-overview.png").stat().st_size > 10_000


def test_a_dashboard_on_every_address_names_this_machine_and_asks_nothing_of_the_network(report_dirs):
    """On ``--host 0.0.0.0`` Streamlit's welcome message asked checkip.amazonaws.com for the
    machine's public address at each start (or warned "Did not auto detect external IP"
    without a network). The one line printed names the machine; a browser there loads it."""
    said: list[str] = []
    with served(report_dirs["full"], options=("--host", "0.0.0.0"), said=said) as url:
        port = url.rsplit(":", 1)[1].strip("/")
        assert urllib.request.urlopen(f"http://{socket.gethostname()}:{port}/_stcore/health", timeout=10).read() == b"ok"
    assert said[0].startswith(f"qcaudit dashboard on http://{socket.gethostname()}:{port} (1 report)"), said
    assert "external ip" not in said[0].lower() and "External URL" not in said[0] and "You can now view" not in said[0], said


def test_browser_opens_the_dashboard_without_streamlit_asking_for_an_email(report_dirs, tmp_path):
    """``--browser`` on Streamlit's first start (no ~/.streamlit/credentials.toml) asked
    "Welcome to Streamlit! ... Email:" and waited for an answer; without a terminal the
    server ended, exit 255. (BROWSER=true: Python's webbrowser runs ``true`` for the tab.)"""
    said: list[str] = []
    fresh_home = os.environ | {"HOME": str(tmp_path), "BROWSER": "true"}
    with served(report_dirs["full"], options=("--browser",), said=said, env=fresh_home) as url:
        assert urllib.request.urlopen(url, timeout=10).status == 200
    assert "Email" not in said[0] and "Welcome to Streamlit" not in said[0], said


def test_dashboard_command_rejects_what_is_not_a_report(tmp_path):
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["dashboard", str(tmp_path)])
    assert result.exit_code == 2 and "report.json" in result.output and "Traceback" not in result.output


def test_a_report_damaged_after_the_dashboard_started_is_one_error_on_the_page(report_dirs, monkeypatch, tmp_path):
    """`qcaudit dashboard` checks its reports before it starts; one changed on disk since (a
    newer run of another qcaudit version, an edit) is said on the page, escaped, not shown
    as a traceback."""
    damaged = tmp_path / "<b>damaged</b>"
    shutil.copytree(report_dirs["clean"], damaged)
    report = json.loads((damaged / "report.json").read_text())
    report["tables"]["duplicates"]["top_groups"] = [{"size": 2}]
    (damaged / "report.json").write_text(json.dumps(report))
    at = _app(monkeypatch, damaged)
    said = (f"{damaged}/report.json: malformed report: qcaudit {__version__} cannot draw tables.duplicates "
            "(KeyError: 'exact_dup_group'); 'qcaudit report' remakes the report")
    assert [e.value for e in at.error] == [f"`{said}`"]  # a code span: shown as written, the <b> included


def test_a_rows_file_the_pages_cannot_draw_is_refused_in_one_line(report_dirs, monkeypatch, tmp_path):
    """rows.parquet cut short, of another run, without the columns every page reads, or with
    a verdict column of strings ended in a traceback on some pages; it is now one line from
    `qcaudit dashboard` (exit 2) and one error on the page."""
    from typer.testing import CliRunner

    rows = pl.read_parquet(report_dirs["clean"] / "rows.parquet")
    damages = {
        "not a readable parquet file (parquet: File out of specification: A Parquet file must contain a header and "
        "footer with at least 12 bytes)": lambda path: path.write_bytes(b"cut short"),
        "holds 10 rows and report.json audited 700: the two files are of different runs": lambda path: rows.head(10).write_parquet(path),
        "it has no column 'text'": lambda path: rows.drop("text").write_parquet(path),
        "its column 'row_id' is String, not integers": lambda path: rows.with_columns(pl.col("row_id").cast(pl.String)).write_parquet(path),
        "its per-row verdicts are not of the types qcaudit reads (invalid series dtype: expected `Boolean`, got `str` for "
        "series with name `is_exact_duplicate`)":
            lambda path: rows.with_columns(pl.col("is_exact_duplicate").cast(pl.String)).write_parquet(path),
    }
    assert rows.height == 700
    for i, (why, damage) in enumerate(damages.items()):
        damaged = tmp_path / str(i)
        shutil.copytree(report_dirs["clean"], damaged)
        damage(damaged / "rows.parquet")
        said = f"{damaged / 'rows.parquet'}: {why}; 'qcaudit report' remakes the report"
        # (an address no machine has: were the report not refused first, the server could not start either)
        result = CliRunner().invoke(app, ["dashboard", str(damaged), "--host", "192.0.2.1"])
        assert (result.exit_code, result.output) == (2, f"error: {said}\n")
        if i == 0:
            assert [e.value for e in _app(monkeypatch, damaged).error] == [f"`{said}`"]


def test_compare_says_when_the_reports_read_different_text(report_dirs, monkeypatch, tmp_path):
    import shutil

    other = tmp_path / "outputs"
    shutil.copytree(report_dirs["clean"], other)
    report = json.loads((other / "report.json").read_text())
    report["dataset"]["text_source"] = "column '<b>output</b>'"  # as an old report, by the answer alone
    (other / "report.json").write_text(json.dumps(report))
    monkeypatch.setenv(ENV, os.pathsep.join([str(report_dirs["clean"]), str(other)]))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    _page(at, "Compare")
    assert not at.exception and len(at.warning) == 1
    warning = at.warning[0].value
    assert "A `fields instruction, input, output joined by newlines`, B `column '<b>output</b>'`" in warning
    at.selectbox[1].set_value("clean").run()  # the same report on both sides
    assert not at.warning
