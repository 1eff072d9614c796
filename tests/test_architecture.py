"""The shape of the code: imports point one way, analyzers declare themselves in one
registry, a new analyzer (the README's example) needs no other file, and the
partial/merge/finalize contract gives the same result however the rows are batched."""

from __future__ import annotations

import importlib.metadata
import json
import math
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qcaudit import registry
from qcaudit.columns import ROW_ID
from qcaudit.config import config_model, load_config
from qcaudit.errors import QcauditError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "short_rows.py"


def test_imports_point_one_way():
    # its own process: import-linter reconfigures logging, which qcaudit's warnings go through
    lint = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"
    ran = subprocess.run([sys.executable, "-c", lint], cwd=ROOT, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_every_benchmark_script_still_imports():
    """Nothing runs the benchmarks in CI; a helper they import that moved or was renamed
    would leave them broken unseen. Each script's module code (its imports) runs, not its main."""
    scripts = sorted((ROOT / "benchmarks").glob("bench_*.py"))
    load = ("import runpy, sys; sys.path.insert(0, sys.argv[1])\n"
            "for path in sys.argv[2:]: runpy.run_path(path, run_name='imported')")
    ran = subprocess.run([sys.executable, "-c", load, str(ROOT / "benchmarks"), *map(str, scripts)], cwd=ROOT,
                         capture_output=True, text=True)
    assert len(scripts) >= 10 and ran.returncode == 0, ran.stderr[-3000:]


def test_every_builtin_analyzer_declares_itself():
    found = registry.analyzers()
    assert {"diversity", "duplicates", "contamination", "embeddings", "watermark", "detectors"} <= set(found)
    metric_owner: dict[str, str] = {}
    flags = set()
    for name, cls in found.items():
        assert cls.name == name and cls.__module__ == f"qcaudit.analyzers.{name}"
        cls.Settings.model_json_schema()  # a real pydantic section
        for spec in cls.metrics():
            assert spec.name not in metric_owner, f"{spec.name} reported by {metric_owner.get(spec.name)} and {name}"
            metric_owner[spec.name] = name
            assert spec.low <= spec.high and spec.better in (None, "higher", "lower")
        for option in cls.options:
            assert option.flags[0] not in flags
            flags.add(option.flags[0])
    assert [cls.order for cls in found.values()] == sorted(cls.order for cls in found.values())


def test_the_config_has_each_analyzers_section_and_nothing_else():
    fields = set(config_model().model_fields)
    for name, cls in registry.analyzers().items():
        assert name in fields and set(cls.extra_sections) <= fields
    config = load_config(None, {"duplicates.near_threshold": 0.7})
    assert config.duplicates.near_threshold == 0.7
    with pytest.raises(QcauditError, match="unknown key 'duplicates.nope'"):
        load_config(None, {"duplicates.nope": 1})
    with pytest.raises(QcauditError, match="unknown analyzer 'nope'"):
        load_config(None, {"analyzers": ["nope"]})
    for budget in ("0", "0GB", "many"):
        with pytest.raises(QcauditError, match="engine.max_memory"):
            load_config(None, {"engine.max_memory": budget})
    assert load_config(None, {"engine.max_memory": "2KB"}).engine.memory_budget == 2000


def test_the_readme_shows_the_example_analyzer_as_it_is():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert EXAMPLE.read_text(encoding="utf-8") in readme


def test_the_readmes_settings_file_is_valid(tmp_path):
    """Every section and key of the README's qcaudit.toml example exists, with values the
    settings accept (drift's LM among them, in its own section)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = next(block for block in re.findall(r"```toml\n(.*?)```", readme, re.DOTALL) if "[gate]" in block)
    (tmp_path / "qcaudit.toml").write_text(example, encoding="utf-8")
    config = load_config(tmp_path / "qcaudit.toml")
    assert config.drift.lm and config.gate


@pytest.fixture
def plugin(monkeypatch):
    """The README's example installed as another package would: by an entry point."""
    monkeypatch.syspath_prepend(str(EXAMPLE.parent))
    monkeypatch.setattr(registry, "_REGISTERED", dict(registry._REGISTERED))
    point = importlib.metadata.EntryPoint("short_rows", "short_rows:ShortRows", registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [point] if group == registry.ENTRY_POINT_GROUP else [])
    registry.analyzers.cache_clear()
    yield registry.analyzers()["short_rows"]
    registry.analyzers.cache_clear()


#: A plug-in analyzer with one option, as a module's text (its options line follows).
FLAGGED = """from pydantic import Field
from qcaudit.registry import Analyzer, CliOption, Section
class Settings(Section):
    k: int = Field(5, ge=1)
class Broken(Analyzer):
    name = 'broken'
    Settings = Settings"""


@pytest.mark.parametrize(("module", "said"), [
    ("raise ImportError('needs torch 9')", "analyzer plug-in 'broken' (broken_mod:Broken) failed to load: needs torch 9"),
    ("class Broken:\n    pass", "analyzer plug-in 'broken' (broken_mod:Broken) failed to load: it names <class 'broken_mod.Broken'>, not a subclass of qcaudit.registry.Analyzer"),
    ("from qcaudit.registry import Analyzer\nclass Broken(Analyzer):\n    name = 'diversity'",
     "analyzer plug-in 'broken' (broken_mod:Broken) failed to load: two analyzers are named 'diversity': qcaudit.analyzers.diversity.Diversity and broken_mod.Broken"),
    *((f"{FLAGGED}\n    options = (CliOption(({flag!r},), 'k', int, 'x'),)", said) for flag, said in (
        ("--limit", "takes --limit, one of qcaudit's own options; an analyzer plug-in's flags must be its own"),
        ("-o", "takes -o, one of qcaudit's own options; an analyzer plug-in's flags must be its own"),
        ("--max-n", "both take --max-n; an analyzer plug-in's flags must be its own"))),
], ids=["import-fails", "no-analyzer", "name-taken", "own-flag-limit", "own-flag-o", "analyzers-flag"])
def test_a_broken_plugin_is_one_line_and_exit_2_from_every_command(tmp_path, module, said):
    """The commands' flags are built from every analyzer's when the CLI is imported, so an
    installed plug-in that fails to load stopped every command, 'qcaudit version' too, with
    a traceback and exit 1, which CI reads as a failed gate; and one whose flag was named as
    qcaudit's own or another analyzer's silently took its place (--limit no longer limited)."""
    info = tmp_path / "broken_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[{registry.ENTRY_POINT_GROUP}]\nbroken = broken_mod:Broken\n")
    (tmp_path / "broken_mod.py").write_text(module + "\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    for args in (["version"], ["report", "data.parquet"], ["report", "data.parquet", "--verbose"]):
        ran = subprocess.run([sys.executable, "-m", "qcaudit", *args], capture_output=True, text=True, env=env, cwd=tmp_path,
                             check=False)
        assert ran.returncode == 2 and ran.stdout == "", (args, ran)
        assert ran.stderr.splitlines()[-1].startswith("error: ") and ran.stderr.splitlines()[-1].endswith(said), ran.stderr
        assert ("Traceback" in ran.stderr) == ("--verbose" in args), ran.stderr


def texts(n_words: list[int]) -> list[str | None]:
    return [None if n < 0 else " ".join(f"w{i}" for i in range(n)) for n in n_words]


def test_a_plugin_analyzer_runs_end_to_end_with_its_settings_flags_and_gate(plugin, tmp_path):
    from qcaudit import audit
    from qcaudit.sampling import flagged_reasons

    lengths = [0, 1, 2, 3, 4, 7, 9, -1, 3, 12]
    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": texts(lengths)}).write_parquet(data)
    config = load_config(None, {"analyzers": ["short_rows"], "short_rows.min_words": 4, "gate": {"max_short_row_rate": 0.5}})
    report = audit(data, config)
    with_text = [n for n in lengths if n > 0]  # "" is an empty row, None a null one: neither has text
    expected = sum(n < 4 for n in with_text) / len(with_text)
    assert math.isclose(report.value("short_rows.short_row_rate"), expected)
    assert report.gate.verdict == ("pass" if expected <= 0.5 else "fail")
    assert report.rows.filter(pl.col("too_short"))[ROW_ID].to_list() == [i for i, n in enumerate(lengths) if 0 < n < 4]
    reasons = dict(flagged_reasons(report.rows, config).iter_rows())
    assert reasons[1] == "only 1 words"
    assert plugin.options[0].flags == ("--min-words",)


def test_a_bug_in_a_plugin_is_named_as_the_plugins(plugin, tmp_path, capsys, monkeypatch):
    """An exception raised in a plug-in's own code is an internal error in it, not in
    qcaudit, whose bugs the README asks users to report; qcaudit's own stay its own."""
    import sys as system

    from qcaudit.cli import run

    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": texts([3, 8, 1])}).write_parquet(data)
    monkeypatch.setattr(system.modules[plugin.__module__], "SHORTEST", "ten")  # its finalize's .head("ten") fails
    assert run(["report", str(data), "--analyzers", "short_rows", "--out", str(tmp_path / "o"), "-q"]) == 3
    said = capsys.readouterr().err.strip()
    assert said.startswith("internal error in the analyzer plug-in 'short_rows' (not part of qcaudit): TypeError: "), said
    assert "\n" not in said and not (tmp_path / "o").exists()
    monkeypatch.setattr(system.modules[plugin.__module__], "SHORTEST", 10)
    monkeypatch.setattr("qcaudit.analyzers.diversity.Diversity.finalize", lambda *a: 1 / 0)
    assert run(["report", str(data), "--analyzers", "short_rows,diversity", "--out", str(tmp_path / "o"), "-q"]) == 3
    assert capsys.readouterr().err.startswith("internal error: ZeroDivisionError: division by zero")


def test_an_exception_whose_message_cannot_be_read_still_ends_in_one_line(tmp_path, capsys, monkeypatch):
    """A plug-in's exception may fail in its own ``__str__``: the run still ends in one line
    and exit 3, with or without --verbose, not in a traceback raised while saying it."""
    from qcaudit.cli import run

    class Unreadable(Exception):
        def __str__(self):
            raise RuntimeError("no message")

    def fails(*args):
        raise Unreadable

    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": texts([3, 8, 1])}).write_parquet(data)
    monkeypatch.setattr("qcaudit.analyzers.diversity.Diversity.finalize", fails)
    for verbose in ([], ["--verbose"]):
        assert run(["report", str(data), "--analyzers", "diversity", "--out", str(tmp_path / "o"), "-q", *verbose]) == 3
        said = capsys.readouterr().err.strip().splitlines()[-1]
        assert said.startswith("internal error: Unreadable: (its message cannot be read: RuntimeError)"), said
        assert not (tmp_path / "o").exists()


@st.composite
def corpora(draw):
    words = st.text("abcd", min_size=1, max_size=3)
    row = st.one_of(st.none(), st.just(""), st.just("  "), st.lists(words, max_size=12).map(" ".join))
    return draw(st.lists(row, min_size=3, max_size=40))


@pytest.mark.parametrize("name", ["diversity", "duplicates", "short_rows"])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=corpora(), batch_rows=st.integers(1, 12), max_memory=st.sampled_from(["2KB", "64KB", None]),
       verify=st.booleans())
def test_any_batch_size_and_memory_budget_gives_the_same_report(plugin, tmp_path_factory, name, rows, batch_rows, max_memory, verify):
    """The engine's batches and an analyzer's spills change nothing: metrics, tables and
    every per-row column equal those of one batch with no budget."""
    from qcaudit import audit

    data = tmp_path_factory.mktemp("corpus") / "d.parquet"
    pl.DataFrame({"text": rows}, schema={"text": pl.String}).write_parquet(data)
    if name == "diversity" and sum(bool(r and r.strip()) for r in rows) < 2:
        return
    common = {"analyzers": [name], "duplicates.near_verify": verify}
    whole = audit(data, load_config(None, common | {"engine.batch_rows": 1000}))
    batched = audit(data, load_config(None, common | {"engine.batch_rows": batch_rows, "engine.max_memory": max_memory}))
    assert batched.metrics == whole.metrics
    assert batched.tables == whole.tables
    assert batched.rows.equals(whole.rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=corpora(), batch_rows=st.integers(1, 12), chunk_rows=st.integers(1, 5), batch_bytes=st.sampled_from([1, 200, 10**9]))
def test_batches_are_the_rows_in_order_cut_by_rows_and_by_bytes(monkeypatch, rows, batch_rows, chunk_rows, batch_bytes):
    """Dataset.batches: the rows in order, never more than batch_rows a batch; where rows
    are long (here: any row once BATCH_BYTES is 1), a batch ends at about BATCH_BYTES."""
    from qcaudit import io

    monkeypatch.setattr(io, "_CHUNK_ROWS", chunk_rows)
    monkeypatch.setattr(io, "BATCH_BYTES", batch_bytes)
    dataset = io.load_dataset(pl.DataFrame({"text": rows}, schema={"text": pl.String}))
    batches = list(dataset.batches(batch_rows))
    assert pl.concat(batches).equals(dataset.texts())
    assert all(0 < batch.height <= batch_rows for batch in batches)
    if batch_bytes == 1:  # each batch one of Polars' chunks: as many rows as the chunk size allows
        assert all(batch.height <= min(batch_rows, chunk_rows) for batch in batches)
    elif batch_bytes == 10**9 and batch_rows % chunk_rows == 0:  # cut by rows alone
        assert [batch.height for batch in batches[:-1]] == [batch_rows] * (len(batches) - 1)


def test_the_ray_engines_ranges_are_cut_by_the_first_rows_length(monkeypatch):
    """Row ranges of batch_rows rows where rows are short, fewer where the first rows are
    long: a range of 250,000 chats was gigabytes in one actor."""
    from qcaudit import io

    short = io.load_dataset(pl.DataFrame({"text": ["a few words"] * 50}))
    long = io.load_dataset(pl.DataFrame({"text": ["word " * 2000] * 50}))
    assert short.rows_a_batch(250_000) == 250_000 and short.rows_a_batch(7) == 7
    monkeypatch.setattr(io, "BATCH_BYTES", 100_000)
    assert long.rows_a_batch(250_000) == 9 and long.rows_a_batch(3) == 3  # (10,004 bytes a row: its id and status too)
    monkeypatch.setattr(io, "BATCH_BYTES", 1)
    assert long.rows_a_batch(250_000) == 1


def _shuffled_here(dataset, config, analyzers, inputs, partitions: int):
    """A plain in-process stand-in for an engine that shuffles: each batch's pieces leave its
    state (``exchange``), are gathered by key, reduced, and the rows summed per index with
    Polars, the sums arriving as each analyzer's last state."""
    from collections import defaultdict

    from qcaudit.engine import Partials, batch_partials

    gathered = defaultdict(list)
    for batch in dataset.batches(config.engine.batch_rows, inputs.category, inputs.kept, inputs.parts):
        found = batch_partials(analyzers, batch)
        for i, analyzer in enumerate(analyzers):
            found.states[i], pieces = analyzer.exchange(found.states[i], partitions)
            for key, piece in pieces:
                assert 0 <= key
                gathered[i, key].append(piece)
        yield found
    last = []
    for i, analyzer in enumerate(analyzers):
        reduced = [analyzer.reduce(pieces) for (j, _), pieces in sorted(gathered.items()) if j == i]
        if not reduced:
            last.append(None)
            continue
        sums = pl.concat(reduced).group_by(list(registry.SUM_INDEX)).agg(pl.col(v).sum() for v in registry.SUM_VALUES)
        last.append(analyzer.summed(sums))
    yield Partials({}, last)


@pytest.mark.parametrize("name", ["diversity", "duplicates"])
@settings(max_examples=25, deadline=None)
@given(rows=corpora(), batch_rows=st.integers(1, 12), partitions=st.integers(1, 7), orders=st.integers(1, 5),
       verify=st.booleans())
def test_a_global_pass_shared_out_by_key_gives_the_same_report(name, rows, batch_rows, partitions, orders, verify):
    """Diversity's n-grams counted and duplicates' LSH buckets linked where their pieces meet
    (as the Ray engine's shuffle does), in any number of partitions, give the report of the
    tables gathered in one place (with ``near_verify`` the band keys stay in the state)."""
    from qcaudit.context import RunContext
    from qcaudit.engine import run_analyzers
    from qcaudit.io import load_dataset

    if name == "diversity" and sum(bool(r and r.strip()) for r in rows) < 2:
        return
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "d.parquet"
        pl.DataFrame({"text": rows}, schema={"text": pl.String}).write_parquet(data)
        config = load_config(None, {"analyzers": [name], "engine.batch_rows": batch_rows, "diversity.max_n": orders,
                                    "diversity.self_bleu_n": 5 - orders + 1, "diversity.sample_size": 3,
                                    "duplicates.shingle": orders, "duplicates.near_verify": verify})
        results = []
        for source in (None, lambda *args: _shuffled_here(*args, partitions)):
            context = RunContext.from_config(config)
            result = run_analyzers(load_dataset(data, context.selection), config, context, source)
            results.append((result.metrics, result.tables, result.rows.collect()))
    (metrics, tables, frame), (shuffled_metrics, shuffled_tables, shuffled_frame) = results
    assert shuffled_metrics == metrics
    assert shuffled_tables == tables
    assert shuffled_frame.equals(frame)


def test_no_module_outside_analyzers_imports_an_analyzer():
    pattern = re.compile(r"^\s*(from|import) qcaudit\.analyzers\.\w+", re.M)
    for path in (ROOT / "qcaudit").rglob("*.py"):
        if "analyzers" not in path.parts:
            assert not pattern.search(path.read_text(encoding="utf-8")), path


def test_a_tiny_budget_spills_to_a_scratch_directory_that_the_run_removes(monkeypatch, tmp_path):
    from qcaudit import audit
    from qcaudit.spill import Chunks

    spilled_to = []
    spill = Chunks.spill
    monkeypatch.setattr(Chunks, "spill", lambda self, directory: (spilled_to.append(directory), spill(self, directory))[1])
    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": [f"row {i} says {' '.join(['w'] * (i % 7))} {i % 5}" for i in range(300)]}).write_parquet(data)
    small = audit(data, load_config(None, {"analyzers": ["diversity"], "engine.batch_rows": 50, "engine.max_memory": "4KB"}))
    assert spilled_to and all(d.name.startswith("run-") for d in spilled_to)
    assert not any(d.exists() for d in spilled_to)
    assert small.metrics == audit(data, load_config(None, {"analyzers": ["diversity"]})).metrics


def test_the_scratch_directory_goes_with_an_interrupted_run_and_a_killed_runs_with_the_next(monkeypatch, tmp_path):
    from qcaudit import audit, lexical
    from qcaudit.cache import cache_root
    from qcaudit.errors import Interrupted

    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    killed = cache_root() / "scratch" / "run-999999999-x"  # no such process
    killed.mkdir(parents=True)
    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": [f"row {i} of some words" for i in range(50)]}).write_parquet(data)

    def interrupted(chunks, lengths, orders, partitions, scratch, spill_at=0):
        (scratch() / "part.npy").write_bytes(b"spilled")
        raise Interrupted(2)
        yield

    monkeypatch.setattr(lexical, "partitioned_order_stats", interrupted)
    with pytest.raises(Interrupted):
        audit(data, load_config(None, {"analyzers": ["diversity"]}))
    assert not killed.exists()
    assert list((cache_root() / "scratch").iterdir()) == []


def test_the_map_only_watermark_analyzer_is_the_same_in_any_batches(tmp_path):
    from qcaudit import audit

    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": [f"row {i} " + "the quick brown fox jumps over the lazy dog " * (i % 4) for i in range(120)]
                  + [None, ""]}).write_parquet(data)
    settings = {"watermark.tokenizer": str(ROOT / "tests" / "fixtures" / "watermark" / "tokenizer"),
                "analyzers": ["watermark"], "watermark.batch_rows": 16}
    whole = audit(data, load_config(None, settings))
    batched = audit(data, load_config(None, settings | {"engine.batch_rows": 7}))
    assert whole.metrics["watermark"]["watermark_rows_scored"]["value"] > 50
    assert batched.metrics == whole.metrics and batched.tables == whole.tables and batched.rows.equals(whole.rows)


@pytest.mark.parametrize("cache", [True, False])
def test_the_embeddings_analyzer_is_the_same_in_any_batches_and_budget(tmp_path, cache):
    """Vectors encoded batch by batch and spilled to a memory map give the report of one
    batch in memory: with the cache, and without it (each text's vector does not depend on
    the batch it was encoded with)."""
    from qcaudit import audit

    data = tmp_path / "d.parquet"
    topics = ["cats and dogs", "tax law", "rust compilers", "baking bread", "orbital mechanics"]
    pl.DataFrame({"text": [f"row {i} is about {topics[i % 5]}" + " indeed" * (i % 3) for i in range(150)] + [None, ""],
                  "category": [topics[i % 3] for i in range(152)]}).write_parquet(data)
    settings = {"analyzers": ["embeddings"], "embedding.cache": cache, "embeddings.map_points": 40,
                "embeddings.semantic_dedup_eps": 0.05}
    whole = audit(data, load_config(None, settings))
    batched = audit(data, load_config(None, settings | {"engine.batch_rows": 23, "engine.max_memory": "8KB"}))
    assert whole.tables["embeddings"]["category_balance"]["counts"] == dict.fromkeys(topics[:3], 50)
    assert batched.metrics == whole.metrics and batched.tables == whole.tables and batched.rows.equals(whole.rows)


@pytest.mark.parametrize("cache", [True, False])
def test_the_map_only_contamination_analyzer_is_the_same_in_any_batches(tmp_path, cache):
    """Contamination is map-only: each batch against the benchmarks by every method (the
    semantic one encodes the batch's rows), so any batch size gives the one-batch report."""
    from qcaudit import audit

    items = [f"Question {i}: a farmer has {i * 3} apples and sells {i} of them at the market on day {i % 7}; how many are left?"
             for i in range(30)]
    bench = tmp_path / "bench.jsonl"
    bench.write_text("".join(json.dumps({"question": q, "answer": "#### 1"}) + "\n" for q in items))
    rows = [items[i % 30] if i % 9 == 0 else items[i % 30].replace("farmer", "grower").replace("apples", "pears") if i % 9 == 1
            else f"row {i} talks about the weather and the sea" for i in range(90)] + [None, ""]
    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": rows}).write_parquet(data)
    settings = {"analyzers": ["contamination"], "benchmarks.toy.path": str(bench), "embedding.cache": cache}
    whole = audit(data, load_config(None, settings))
    batched = audit(data, load_config(None, settings | {"engine.batch_rows": 11}))
    assert whole.value("contamination.contaminated_rows") >= 10
    assert batched.metrics == whole.metrics and batched.tables == whole.tables and batched.rows.equals(whole.rows)


def same_report_without_prepare(data: Path, config) -> tuple[dict, pl.DataFrame]:
    """Runs the analyzers with every batch prepared (as the Ray engine's CPU actors do) and as
    the local engine does (``partial`` doing that work itself), asserts the same report, and
    returns its metrics and rows."""
    from qcaudit.context import RunContext
    from qcaudit.engine import batch_partials, prepared, run_analyzers
    from qcaudit.io import load_dataset

    def prepared_apart(dataset, config, analyzers, inputs):
        for batch in dataset.batches(config.engine.batch_rows, inputs.category, inputs.kept, inputs.parts):
            yield batch_partials(analyzers, prepared(analyzers, batch))

    results = []
    for source in (prepared_apart, None):
        context = RunContext.from_config(config)
        result = run_analyzers(load_dataset(data, context.selection), config, context, source)
        results.append((result.metrics, result.tables, result.rows.collect()))
    (metrics, tables, frame), (own_metrics, own_tables, own_frame) = results
    assert own_metrics == metrics and own_tables == tables
    assert own_frame.equals(frame)
    assert not any(column.startswith("__") for column in frame.columns)
    return metrics, frame


def test_prepared_columns_move_the_cpu_work_and_change_nothing(tmp_path):
    """Every analyzer that prepares its batches (tokenises ahead of its model, which the Ray
    engine runs on CPU actors apart from the model actors) gives the same report when its
    ``partial`` does that work itself; long rows included (the semantic check's windows).
    The detectors, which need language models, are checked in tests/test_detectors.py."""
    import json

    preparing = {name for name, cls in registry.analyzers().items() if cls.prepare is not registry.Analyzer.prepare}
    assert preparing == {"embeddings", "contamination", "detectors"}
    outputs = pl.read_parquet(ROOT / "data" / "samples" / "instructions.parquet")["output"].head(120).to_list()
    texts = [*outputs, " ".join(outputs[:30]), None, ""]  # a row of several hundred words; rows without text
    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": texts}, schema={"text": pl.String}).write_parquet(data)
    bench = tmp_path / "bench.jsonl"
    bench.write_text("".join(json.dumps({"question": q}) + "\n" for q in outputs[:60:6]))
    config = load_config(None, {"analyzers": ["embeddings", "contamination"], "engine.batch_rows": 50, "embedding.cache": False,
                                "embeddings.map_points": 40, "contamination.methods": ["semantic"],
                                "benchmarks.toy.path": str(bench), "benchmarks.toy.adapter": "fields",
                                "benchmarks.toy.fields": ["question"]})
    metrics, _ = same_report_without_prepare(data, config)
    assert metrics["contamination"]["contaminated_rows"]["value"] > 0
