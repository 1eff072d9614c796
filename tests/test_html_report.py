"""The HTML report as a reader meets it: one small offline file whose charts draw with the
network off, a navigation bar, the gate and the collapse alarm first, and every metric with
its meaning, its better direction and its values on public data."""

from __future__ import annotations

import json
import re
import tempfile
from html import unescape
from importlib import resources
from pathlib import Path

import pytest

from qcaudit.cli import app
from qcaudit.report.figures import TRACE_TYPES, figure
from qcaudit.report.html import PLOTLY_BUNDLE
from qcaudit.report.references import REFERENCE_FILE, reference_corpora, reference_values
from qcaudit.report.sections import sections
from qcaudit.views import CHARTS
from tests.conftest import ROOT, SAMPLES, SHARED_DATA
from tests.test_dashboard import CHROMIUM, need_browser
from tests.test_views import every_kind  # noqa: F401  (fixture)

QUICK_START_LIMIT = 1_500_000


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """The quick start's report.html, and a drift report's whose collapse alarm fires."""
    from typer.testing import CliRunner

    root = tmp_path_factory.mktemp("html")
    runner = CliRunner()
    words = [f"w{i}" for i in range(200)]
    gens = []
    for g, vocabulary in enumerate((200, 60, 12, 4)):  # the vocabulary shrinks: the tails vanish
        path = root / f"gen{g}.parquet"
        import polars as pl

        pl.DataFrame({"text": [" ".join(words[(i * 7 + k) % vocabulary] for k in range(12)) for i in range(300)]}).write_parquet(path)
        gens.append(str(path))
    runs = {
        "quick": ["report", str(SAMPLES / "instructions.parquet"), "--config", str(SAMPLES / "qcaudit.toml"), "--out", str(root / "quick")],
        "drift": ["drift", *gens, "--out", str(root / "drift")],
    }
    for args in runs.values():
        result = runner.invoke(app, [*args, "-q"])
        assert result.exit_code == 0, result.output
    return {name: root / name / "report.html" for name in runs}


def test_the_quick_start_page_is_small_and_needs_nothing_from_outside(pages):
    page = pages["quick"].read_text(encoding="utf-8")
    assert len(page.encode()) <= QUICK_START_LIMIT, len(page.encode())
    assert "plotly.js (basic - minified)" in page
    markup = re.sub(r"<script>.*?</script>", "", page, flags=re.S)  # plotly.js holds links it never loads
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", markup)  # no external script, style or image
    assert "<script src" not in page and "<link" not in markup and "@import" not in markup


def test_every_chart_kind_uses_only_the_bundles_trace_types(every_kind):  # noqa: F811
    bundle = resources.files("qcaudit.templates").joinpath(PLOTLY_BUNDLE).read_text("utf-8")
    charts = [figure(view) for section in sections(every_kind) for view in section.views if isinstance(view, CHARTS)]
    assert len(charts) == 3
    used = {trace.type for fig in charts for trace in fig.data}
    assert used <= TRACE_TYPES, used
    for trace in used:  # each one registered by the bundle the page carries
        assert re.search(rf'name:"{trace}"', bundle), trace


def test_navigation_links_every_section_and_verdicts_come_first(pages):
    for name, path in pages.items():
        page = path.read_text(encoding="utf-8")
        nav = page[page.index('<nav id="nav">') : page.index("</nav>")]
        anchors = re.findall(r'id="(section-[^"]+)"', page)
        assert anchors and re.findall(r'href="#(section-[^"]+)"', nav) == anchors, name
        first_section = page.index(f'id="{anchors[0]}"')
        assert page.index('id="verdict"') < first_section
    drift = pages["drift"].read_text(encoding="utf-8")
    alarm = drift.index('id="collapse-alarm"')
    assert alarm < drift.index('id="section-drift"') and "Collapse alarm: FIRED" in drift[alarm : alarm + 200]
    assert drift.count('id="collapse-alarm"') == 1 and 'id="rows"' not in drift  # a drift run has no row statuses
    assert 'id="generations"' in drift  # the per-generation table instead


def _metric_rows(page: str) -> dict[str, list[str]]:
    """metric name -> its cells (text only), from every Metrics table of the page."""
    out = {}
    for table in re.findall(r'<table class="metrics">(.*?)</table>', page, re.S):
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
            cells = [unescape(re.sub(r"<[^>]+>", " ", c)).split() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            out[cells[0][0]] = [" ".join(c) for c in cells]
    return out


def test_every_metric_says_what_it_measures_which_way_is_better_and_its_public_values(pages):
    from qcaudit.registry import analyzers

    rows = _metric_rows(pages["quick"].read_text(encoding="utf-8"))
    report = json.loads((pages["quick"].parent / "report.json").read_text())
    for analyzer, metrics in report["metrics"].items():
        specs = {spec.name: spec for spec in analyzers()[analyzer].metrics()}
        for name in metrics:
            _, value, better, public, definition = rows[name]
            assert definition == " ".join(specs[name].definition.split()), name
            assert better == {"higher": "↑ higher", "lower": "↓ lower", None: ""}[specs[name].better], name
            for reference in reference_values(f"{analyzer}.{name}"):
                assert reference.shown in public, (name, public)
    _, _, better, public, _ = rows["self_bleu_4_sampled"]
    assert better == "↓ lower" and "GSM8K train" in public and "Code Alpaca" in public
    drift = _metric_rows(pages["drift"].read_text(encoding="utf-8"))
    assert drift["collapse_alarm"][1] == "yes" and drift["alarm_fired"][2] == "↓ lower"
    assert drift["generations"][1] == "(charts above)"


def test_the_shipped_public_values_are_what_the_script_computes():
    """reports/reference-values.json against a fresh run of its script on the smallest corpus
    (the lexical and duplicate values exactly; those of the fp32 encoder to its last digit)."""
    if not (SHARED_DATA / "corpora" / "self_instruct_seed_tasks.jsonl").exists():
        pytest.skip(f"{SHARED_DATA} is absent (the real public data lives in ../shared/data)")
    import importlib.util

    spec = importlib.util.spec_from_file_location("reference_values", ROOT / "scripts" / "reference_values.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    with tempfile.TemporaryDirectory() as tmp:
        corpus, values = script.corpus_values("seeds", SHARED_DATA, Path(tmp))
    shipped = json.loads((ROOT / "reports" / REFERENCE_FILE).read_text())
    assert reference_corpora()["seeds"] == corpus == shipped["corpora"]["seeds"]
    shipped_values = {name: by_corpus["seeds"] for name, by_corpus in shipped["metrics"].items() if "seeds" in by_corpus}
    assert shipped_values.keys() == values.keys() and shipped["embedding_backend"] == script.EMBEDDING_BACKEND
    for name, value in values.items():
        if name.split(".")[0] in ("embeddings", "topics"):
            # fp32 vectors differ between CPUs (AVX-512 or AVX2 kernels) in the seventh digit:
            # rounded to 4 significant digits, a value may fall either side of a boundary
            assert shipped_values[name] == pytest.approx(value, rel=1e-3), name
        else:
            assert shipped_values[name] == value, name
    assert "diversity.self_bleu_4_sampled" not in values  # 175 rows: smaller than one sample


def test_charts_draw_in_a_browser_with_the_network_off(pages):
    need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(offline=True)
        for name, path in pages.items():
            page, errors = context.new_page(), []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            page.on("requestfailed", lambda request, errors=errors: errors.append(request.url))
            page.goto(path.as_uri())
            figures = page.locator("div.figure")
            page.wait_for_function("document.querySelectorAll('div.figure .main-svg').length > 0", timeout=30_000)
            page.wait_for_timeout(500)
            assert figures.count() >= 3 and errors == [], (name, errors)
            assert page.locator("div.figure:not(:has(.main-svg))").count() == 0, name  # every chart drawn
        browser.close()
