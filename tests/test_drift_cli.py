"""``qcaudit drift`` end to end on simulated generations."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcaudit.cli import app
from qcaudit.drift_run import generation_order
from qcaudit.simulate import simulate
from tests.conftest import shared_file


def write_generations(tmp_path, generations: list[list[str]], **columns) -> list[str]:
    """Each generation as gen<i>.parquet with a ``text`` column (plus constant ``columns``)."""
    paths = []
    for i, lines in enumerate(generations):
        path = tmp_path / f"gen{i}.parquet"
        extra = {name: [value(i)] * len(lines) for name, value in columns.items()}
        pl.DataFrame({"text": lines, **extra}).write_parquet(path)
        paths.append(str(path))
    return paths


def test_drift_command_reports_generations_alarm_and_gate(runner, tmp_path):
    real = shared_file("corpora/coco_captions.txt").read_text(encoding="utf-8").splitlines()[:1500]
    generations = simulate(real, 3, "replace", top_k=None, top_p=0.95, seed=0)
    paths = write_generations(tmp_path, generations, source=lambda i: "real" if i == 0 else "synthetic")
    config = tmp_path / "q.toml"
    # an audit threshold in the same file does not judge a drift run; the alarm is a check
    config.write_text("[gate]\nmin_tail_survival = 0.5\nmax_alarm_fired = 0\nmax_exact_duplicate_rate = 0.01\nmax_fid_drift = 1\n")
    result = runner.invoke(app, ["drift", *paths, "--out", str(tmp_path / "drift"), "--config", str(config), "--json"])
    assert result.exit_code == 1, result.output  # the gate failed
    report = json.loads(result.output)
    drift = report["metrics"]["drift"]
    assert [g["generation"] for g in drift["generations"]["value"]] == [f"gen{i}.parquet" for i in range(4)]
    assert drift["collapse_alarm"]["value"] is True and drift["alarm_fired"]["value"] == 1
    assert report["gate"]["verdict"] == "fail"  # the tails are gone, the alarm fired
    assert {c["metric"]: c["passed"] for c in report["gate"]["checks"]} == {
        "drift.tail_survival": False, "drift.alarm_fired": False, "drift.fid_drift": False}  # without --embeddings: missing
    html = (tmp_path / "drift" / "report.html").read_text()
    assert "Collapse alarm: FIRED" in html and "lexical diversity" in html
    assert "(it needs qcaudit drift with --embeddings)" in html
    console = runner.invoke(app, ["drift", *paths, "--out", str(tmp_path / "drift"), "--config", str(config)])
    assert "drift.fid_drift is missing from the report: it needs qcaudit drift with --embeddings" in " ".join(console.output.split())
    # the terminal shows each metric's course over the generations, then the summary with the alarm and why
    lines = console.output.splitlines()
    header = next(line for line in lines if "generation" in line and "gen0.parquet" in line)
    assert [name for name in (f"gen{i}.parquet" for i in range(4)) if name in header] == [f"gen{i}.parquet" for i in range(4)]
    survival = next(line for line in lines if line.startswith("│ tail_survival"))
    course = [float(cell) for cell in survival.strip("│ ").split("│")[1:]]
    assert course == pytest.approx([g["tail_survival"] for g in drift["generations"]["value"]], abs=5e-4)
    fired = f"Collapse alarm: FIRED ({', '.join(drift['collapse_alarm']['triggered_by'])})"
    assert fired in console.output and console.output.index(fired) > console.output.index("drift.tail_survival")
    shown = runner.invoke(app, ["show", str(tmp_path / "drift")])
    assert shown.exit_code == 0 and shown.output.count("Collapse alarm") == 1  # in the summary, not again in its section

    one = tmp_path / "all.parquet"
    pl.concat([pl.read_parquet(p).with_columns(pl.lit(i).alias("round")) for i, p in enumerate(paths)]).write_parquet(one)
    result = runner.invoke(app, ["drift", str(one), "--generation-column", "round", "--source-column", "source",
                                 "--out", str(tmp_path / "d2"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    generations_json = report["metrics"]["drift"]["generations"]["value"]
    assert [g["real_share"] for g in generations_json] == [1.0, 0.0, 0.0, 0.0]
    assert len(report["tables"]["drift"]["warnings"]) == 3  # every synthetic round is under the 30% anchor
    assert runner.invoke(app, ["drift", paths[0]]).exit_code == 2


def test_drift_within_a_small_memory_budget_writes_the_same_report(runner, tmp_path, monkeypatch):
    """--max-memory reaches drift's n-gram counting: 2 KB spills the generations' parts to
    the scratch directory, which the run removes, and the report is the same to the bit."""
    from qcaudit.cache import cache_root
    from qcaudit.spill import Chunks

    spilled = []
    spill = Chunks.spill
    monkeypatch.setattr(Chunks, "spill", lambda self, *args: spilled.append(1) or spill(self, *args))
    lines = shared_file("corpora/coco_captions.txt").read_text(encoding="utf-8").splitlines()
    paths = write_generations(tmp_path, [lines[:400], lines[400:800], lines[800:1000]])
    runs, before = {}, set((cache_root() / "scratch").glob("run-*"))  # (another test's, which its process removes on exit)
    for name, extra in (("default", []), ("small", ["--max-memory", "2KB"])):
        result = runner.invoke(app, ["drift", *paths, "--out", str(tmp_path / name), "--json", *extra])
        assert result.exit_code == 0, result.output
        runs[name] = json.loads(result.output), len(spilled)
    assert runs["small"][0]["metrics"] == runs["default"][0]["metrics"]
    assert runs["default"][1] == 0 and runs["small"][1] > 0
    assert set((cache_root() / "scratch").glob("run-*")) <= before


def test_each_generation_is_read_when_its_turn_comes(runner, tmp_path, monkeypatch):
    """The generations' texts are never all in memory together: each is read just before it
    is measured (the first, the baseline, once), not all of them first; so are those of one
    file named by --generation-column (its labels read first, alone), with the same figures."""
    from qcaudit import drift_run
    from qcaudit.io import Dataset

    steps = []
    texts, metrics = Dataset.texts, drift_run.generation_metrics
    monkeypatch.setattr(Dataset, "texts", lambda self, *a, **k: steps.append(("read", Path(self.sources[0]).name)) or texts(self, *a, **k))
    monkeypatch.setattr(drift_run, "generation_metrics", lambda *a, **k: steps.append(("measured",)) or metrics(*a, **k))
    lines = shared_file("corpora/coco_captions.txt").read_text(encoding="utf-8").splitlines()
    paths = write_generations(tmp_path, [lines[:100], lines[100:200], lines[200:300]], source=lambda i: "real" if i == 0 else "x")
    result = runner.invoke(app, ["drift", *paths, "--source-column", "source", "--out", str(tmp_path / "d"), "--json"])
    assert result.exit_code == 0, result.output
    assert steps == [("read", "gen0.parquet"), ("measured",), ("read", "gen1.parquet"), ("measured",),
                     ("read", "gen2.parquet"), ("measured",)]
    by_file = json.loads(result.output)["metrics"]["drift"]["generations"]["value"]
    assert [g["real_share"] for g in by_file] == [1.0, 0.0, 0.0]
    one = tmp_path / "all.parquet"  # the same generations in one file, named by a column
    pl.concat([pl.read_parquet(p).with_columns(pl.lit(f"round_{i}").alias("round")) for i, p in enumerate(paths)]).write_parquet(one)
    steps.clear()
    result = runner.invoke(app, ["drift", str(one), "--generation-column", "round", "--source-column", "source",
                                 "--out", str(tmp_path / "d2"), "--json"])
    assert result.exit_code == 0, result.output
    assert steps == [("read", "all.parquet"), ("measured",)] * 3
    by_column = json.loads(result.output)["metrics"]["drift"]["generations"]["value"]
    assert [{**g, "generation": None} for g in by_column] == [{**g, "generation": None} for g in by_file]


def test_the_baselines_tokens_are_not_held_while_later_generations_are_measured(runner, tmp_path, monkeypatch):
    """Each generation is measured against the baseline's counts (its unigrams, its rare
    bigrams, its lengths), taken once: the baseline's tokens (generation 0's, measured first
    and not tokenised again) are let go once generation 0 is measured, not held to the end
    beside each generation's own."""
    import gc
    import weakref

    from qcaudit import drift_run

    tokenised, alive_when_measured = [], []
    counted, metrics = drift_run._counted_tokens, drift_run.generation_metrics

    def counting(*args):
        tokens = counted(*args)
        tokenised.append(weakref.ref(tokens))
        return tokens

    def measuring(*args, **kwargs):
        gc.collect()
        alive_when_measured.append([ref() is not None for ref in tokenised])
        return metrics(*args, **kwargs)

    monkeypatch.setattr(drift_run, "_counted_tokens", counting)
    monkeypatch.setattr(drift_run, "generation_metrics", measuring)
    lines = shared_file("corpora/coco_captions.txt").read_text(encoding="utf-8").splitlines()
    paths = write_generations(tmp_path, [lines[:100], lines[100:200], lines[200:300]])
    result = runner.invoke(app, ["drift", *paths, "--out", str(tmp_path / "d"), "-q"])
    assert result.exit_code == 0, result.output
    # tokenised: the baseline (generation 0, not tokenised again), then each generation; alive: the one being measured
    assert alive_when_measured == [[True], [False, True], [False, False, True]]


def test_drift_embeddings_grow_with_collapse(runner, tmp_path):
    real = shared_file("corpora/coco_captions.txt").read_text(encoding="utf-8").splitlines()[:400]
    paths = write_generations(tmp_path, simulate(real, 3, "replace", top_k=None, top_p=0.9, seed=0))
    result = runner.invoke(app, ["drift", *paths, "--embeddings", "--out", str(tmp_path / "d"), "--json"])
    assert result.exit_code == 0, result.output
    gens = json.loads(result.output)["metrics"]["drift"]["generations"]["value"]
    assert gens[0]["fid_drift"] < 1e-6 and gens[0]["recall_vs_baseline"] > 0.9
    assert gens[-1]["fid_drift"] > gens[1]["fid_drift"] > 0
    assert gens[-1]["recall_vs_baseline"] < gens[0]["recall_vs_baseline"]


def test_drift_embeddings_of_texts_in_another_script_are_warned_of(runner, tmp_path):
    """The default encoder is English only: generations written in another script crowd
    together in its vectors, and the drift report says so (not for English generations)."""
    from tests.test_contamination import TRANSLATED_ITEMS

    english = shared_file("corpora/coco_captions.txt").read_text(encoding="utf-8").splitlines()[:14]
    for texts, warned in ((english, False), (english[:7] + TRANSLATED_ITEMS, True)):
        (tmp_path / str(warned)).mkdir()
        paths = write_generations(tmp_path / str(warned), [texts, texts[::-1]])
        result = runner.invoke(app, ["drift", *paths, "--embeddings", "--out", str(tmp_path / str(warned) / "d"), "--json"])
        assert result.exit_code == 0, result.output
        said = [w for w in json.loads(result.output)["tables"]["drift"]["warnings"] if "another script" in w]
        assert said == ([("14 of 28 texts are written in another script than Latin (such as Chinese or Cyrillic), and the drift "
                          "run reads them with the default encoder, all-MiniLM-L6-v2, which is English only: their vectors crowd "
                          "together, so their diversity reads lower than it is and their clusters say little; for such data give "
                          'a local multilingual sentence-transformers model ([embedding] model = "/path")')] if warned else [])


@pytest.mark.parametrize("small", ["generation", "real"])
def test_drift_embeddings_of_too_few_rows_are_refused_before_any_encoding(runner, tmp_path, monkeypatch, small):
    """PRDC's 5-nearest-neighbour balls need 6 rows a side: a smaller generation or real
    baseline is one line, before the encoder loads."""
    from qcaudit import embed

    monkeypatch.setattr(embed.Encoder, "from_settings", lambda *a, **k: pytest.fail("the encoder was loaded"))
    texts = [f"row {i} says something of its own about item {i * 7}" for i in range(12)]
    paths = write_generations(tmp_path, [texts, texts[:5] if small == "generation" else texts])
    real = []
    if small == "real":
        pl.DataFrame({"text": texts[:5]}).write_parquet(tmp_path / "real.parquet")
        real = ["--real", str(tmp_path / "real.parquet")]
    result = runner.invoke(app, ["drift", *paths, *real, "--embeddings", "--out", str(tmp_path / "d")])
    assert result.exit_code == 2, result.output
    who = "generation gen1.parquet" if small == "generation" else "the real baseline"
    assert f"--embeddings: {who} has 5 rows with text; PRDC against the baseline needs more than 5" in result.output
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize("where", ["real", "first", "last"])
def test_a_baseline_or_generation_with_nothing_to_count_is_one_line(runner, tmp_path, where):
    """A real baseline without two rows with text, or any side whose rows hold no tokens
    (punctuation under --strip-punctuation), is refused: its distributions would be NaN."""
    texts = [f"row {i} says something of its own about item {i * 7}" for i in range(12)]
    punctuation = ["!!!", "?", "..."]
    generations = {"real": [texts, texts], "first": [punctuation, texts], "last": [texts, punctuation]}[where]
    paths = write_generations(tmp_path, generations)
    real = tmp_path / "real.parquet"
    pl.DataFrame({"text": punctuation}).write_parquet(real)
    given = [*paths, "--strip-punctuation", "--out", str(tmp_path / "d")]
    result = runner.invoke(app, ["drift", *given, *(["--real", str(real)] if where == "real" else [])])
    assert result.exit_code == 2, result.output
    who = {"real": f"the real baseline {real}", "first": "generation gen0.parquet", "last": "generation gen1.parquet"}[where]
    assert f"{who}: its 3 rows with text hold no tokens once tokenised" in " ".join(result.output.split())
    if where == "real":
        pl.DataFrame({"text": [texts[0], None, "  "]}).write_parquet(real)
        result = runner.invoke(app, ["drift", *given, "--real", str(real)])
        assert result.exit_code == 2 and (f"the real baseline {real}: needs at least 2 rows with text; found 1; "
                                          "in column 'text': 1 row missing, 1 row empty or blank") in " ".join(result.output.split())
    else:  # a generation that holds numbers where the text should be says so
        pl.DataFrame({"text": [1.5, 2.5, 3.5]}).write_parquet(paths[0 if where == "first" else -1])
        result = runner.invoke(app, ["drift", *given])
        assert result.exit_code == 2 and (f"{who}: needs at least 2 rows with text; found 0; "
                                          "in column 'text': 3 rows not text") in " ".join(result.output.split())
    assert not (tmp_path / "d").exists()


def test_drift_against_a_real_baseline(runner, tmp_path):
    real = shared_file("corpora/coco_captions.txt").read_text(encoding="utf-8").splitlines()
    baseline, gen_a, gen_b = tmp_path / "real.parquet", tmp_path / "a.parquet", tmp_path / "b.parquet"
    pl.DataFrame({"text": real[:800]}).write_parquet(baseline)
    pl.DataFrame({"text": real[800:1600]}).write_parquet(gen_a)  # fresh real data: no collapse
    pl.DataFrame({"text": real[1600:2400]}).write_parquet(gen_b)
    result = runner.invoke(app, ["drift", str(gen_a), str(gen_b), "--real", str(baseline), "--out", str(tmp_path / "d"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    gens = report["metrics"]["drift"]["generations"]["value"]
    assert len(gens) == 2 and abs(gens[0]["js_divergence"] - gens[1]["js_divergence"]) < 0.03  # no trend
    assert report["metrics"]["drift"]["collapse_alarm"]["value"] is False
    assert report["tables"]["drift"]["warnings"][0].startswith("the collapse alarm is not judged: it reads the trend over "
                                                               "the last 3 generations, and this run has 2")
    assert str(baseline) in report["dataset"]["sources"]
    page = (tmp_path / "d" / "report.html").read_text(encoding="utf-8")
    assert "the collapse alarm is not judged" in page and "Collapse alarm: quiet" not in page


def test_a_real_baseline_of_another_layout_is_read_as_its_own_columns_say(runner, tmp_path):
    """Real chats as the baseline of generations read with --fields: the same sentences give
    the same metrics as a baseline of their texts, and both warnings say how each was read."""
    real = shared_file("corpora/coco_captions.txt").read_text(encoding="utf-8").splitlines()
    chats, texts = tmp_path / "real_chats.parquet", tmp_path / "real.parquet"
    pl.DataFrame({"messages": [[{"role": "assistant", "content": line}] for line in real[:400]]}).write_parquet(chats)
    pl.DataFrame({"answer_text": real[:400]}).write_parquet(texts)
    gens = []
    for i in range(2):
        gens.append(tmp_path / f"g{i}.parquet")
        pl.DataFrame({"answer_text": real[400 * (i + 1) : 400 * (i + 2)]}).write_parquet(gens[-1])
    runs = {}
    for baseline in (chats, texts):
        result = runner.invoke(app, ["drift", *map(str, gens), "--fields", "answer_text", "--real", str(baseline),
                                     "--out", str(tmp_path / baseline.stem), "--json"])
        assert result.exit_code == 0, result.output
        runs[baseline] = json.loads(result.stdout)
    # to the last digit: sums over n-gram counts add in one order every run (a group-by's was any order)
    assert runs[chats]["metrics"]["drift"]["generations"] == runs[texts]["metrics"]["drift"]["generations"]
    logger, logged = logging.getLogger("qcaudit"), []
    handler = logging.Handler()
    handler.emit = lambda record: logged.append(record.getMessage())
    logger.addHandler(handler)
    try:
        warned = runner.invoke(app, ["drift", *map(str, gens), "--fields", "answer_text", "--real", str(chats), "--out", str(tmp_path / "w")])
    finally:
        logger.removeHandler(handler)
    assert [m for m in logged if m.startswith(f"the real baseline {chats}: unknown column 'answer_text'")]
    assert any(m.endswith("its text is read as its own columns say: column 'messages'") for m in logged)
    assert "read from different columns" in " ".join(warned.output.split())


def test_drift_reads_the_selected_text_not_a_column_named_text(runner, tmp_path):
    real = shared_file("corpora/coco_captions.txt").read_text(encoding="utf-8").splitlines()
    paths = []
    for i in range(3):
        path = tmp_path / f"g{i}.parquet"
        chunk = real[i * 300 : (i + 1) * 300]
        pl.DataFrame({"text": ["same"] * len(chunk), "caption": chunk}).write_parquet(path)
        paths.append(str(path))
    result = runner.invoke(app, ["drift", *paths, "--text-column", "caption", "--out", str(tmp_path / "d"), "--json"])
    assert result.exit_code == 0, result.output
    gens = json.loads(result.output)["metrics"]["drift"]["generations"]["value"]
    assert all(g["vocabulary"] > 100 for g in gens)


def test_drift_perplexity_under_a_reference_lm(runner, tmp_path):
    """Generations of a collapsing flywheel scored under a tiny GPT-2 trained on the real
    captions: per-row perplexity equals exp of Hugging Face's mean token loss, and across the
    synthetic generations the median falls, as Shumailov et al. describe (each generation's
    samples are more probable than the last's; the real captions, gen0, are not bigram
    samples, so they are not on that line)."""
    import math

    import torch
    from transformers import GPT2LMHeadModel, PreTrainedTokenizerFast

    from tests.tiny_lms import documents, train_gpt2

    captions = shared_file("corpora/coco_captions.txt").read_text(encoding="utf-8").splitlines()
    lm = train_gpt2(documents(captions[:6000], per_doc=1), tmp_path / "lm", seed=0, steps=200)
    generations = simulate(captions[:1500], 3, "replace", top_k=None, top_p=0.9, seed=0)
    paths = write_generations(tmp_path, generations)
    result = runner.invoke(app, ["drift", *paths, "--lm", str(lm), "--out", str(tmp_path / "drift"), "--json"])
    assert result.exit_code == 0, result.output
    per_generation = json.loads(result.output)["metrics"]["drift"]["generations"]["value"]
    rows = pl.read_parquet(tmp_path / "drift" / "rows.parquet")
    assert rows.group_by("generation").len().sort("generation")["len"].to_list() == [len(g) for g in generations]
    tokenizer = PreTrainedTokenizerFast.from_pretrained(lm)
    model = GPT2LMHeadModel.from_pretrained(lm).eval()
    for row in rows.sample(8, seed=1).iter_rows(named=True):
        ids = tokenizer(row["text"], return_tensors="pt").input_ids
        with torch.no_grad():
            loss = model(input_ids=ids, labels=ids).loss.item()
        assert row["perplexity"] == pytest.approx(math.exp(loss), rel=1e-4)
    medians = [g["perplexity_median"] for g in per_generation]
    print("perplexity medians", medians)
    assert medians[1] > medians[2] > medians[3]
    assert all(g["perplexity_p10"] <= g["perplexity_median"] <= g["perplexity_p90"] for g in per_generation)


def test_generations_in_files_of_one_name_keep_distinct_names(runner, tmp_path):
    """gen0/data.parquet, gen1/data.parquet...: each generation is named by the shortest path
    ending that tells it apart, so the table and the charts keep every generation."""
    lines = [f"row {i} says {word}" for i in range(40) for word in ("alpha", "beta")]
    paths = []
    for g in range(3):
        (tmp_path / f"gen{g}").mkdir()
        pl.DataFrame({"text": lines[g * 20 :]}).write_parquet(tmp_path / f"gen{g}" / "data.parquet")
        paths.append(str(tmp_path / f"gen{g}" / "data.parquet"))
    result = runner.invoke(app, ["drift", *paths, paths[0], "--out", str(tmp_path / "d"), "--json"])
    assert result.exit_code == 0, result.output
    names = [g["generation"] for g in json.loads(result.output)["metrics"]["drift"]["generations"]["value"]]
    assert names == ["0: data.parquet", "1: data.parquet", "2: data.parquet", "3: data.parquet"]  # gen0 given twice
    warned = "the same input is given as more than one generation (0: data.parquet and 3: data.parquet)"
    assert any(warning.startswith(warned) for warning in json.loads(result.output)["tables"]["drift"]["warnings"])
    result = runner.invoke(app, ["drift", *paths, "--out", str(tmp_path / "d"), "--json"])
    names = [g["generation"] for g in json.loads(result.output)["metrics"]["drift"]["generations"]["value"]]
    assert names == [f"gen{g}/data.parquet" for g in range(3)]
    assert not any("same input" in warning for warning in json.loads(result.output)["tables"]["drift"]["warnings"])


def _rounds_frame(names: list) -> pl.DataFrame:
    """60 rows per generation, each later round drawn from a smaller vocabulary (the last one
    collapsed), the rows of all rounds shuffled together."""
    import random

    rng = random.Random(0)
    words = "the cat sat on a mat with dog and bird under tree near house".split()
    rows = [(name, " ".join(rng.choice(words[: max(3, 14 - 3 * rank)]) for _ in range(12)))
            for rank, name in enumerate(names) for _ in range(60)]
    rng.shuffle(rows)
    return pl.DataFrame(rows, schema={"round": pl.Int64 if isinstance(names[0], int) else pl.String, "text": pl.String},
                        orient="row")


@pytest.mark.parametrize("names", [["round_0", "round_1", "round_2", "round_10"], [0, 1, 2, 10]])
def test_generations_in_a_column_are_ordered_by_their_numbers(runner, tmp_path, names):
    data = tmp_path / "rounds.parquet"
    _rounds_frame(names).write_parquet(data)
    result = runner.invoke(app, ["drift", str(data), "--generation-column", "round", "--out", str(tmp_path / "d"), "--json"])
    assert result.exit_code == 0, result.output
    drift = json.loads(result.output)["metrics"]["drift"]
    generations = drift["generations"]["value"]
    assert [g["generation"] for g in generations] == [str(n) for n in names]  # round_10 last, not after round_1
    assert drift["distinct_2"]["value"] == generations[-1]["distinct_2"] == min(g["distinct_2"] for g in generations)
    assert drift["collapse_alarm"]["value"] is True  # judged on the collapsed round 10

    shown = runner.invoke(app, ["show", str(tmp_path / "d")])
    assert shown.exit_code == 0, shown.output
    assert "drift.distinct_2" in shown.output and "drift.alarm_fired" in shown.output  # the last round's headline
    assert "text from column 'text'\n" in shown.output  # no empty "()" where an audit counts its text statuses
    assert "…" not in shown.output  # on 80 columns every table wraps a long header or number, never cuts it


def test_generation_files_a_shell_sorted_alphabetically_are_read_in_their_numbers_order(runner, tmp_path):
    frame = _rounds_frame(["round_1", "round_2", "round_10"])
    paths, rounds = {}, tmp_path / "rounds"
    rounds.mkdir()
    for (name,), part in frame.partition_by("round", as_dict=True).items():
        paths[name] = rounds / f"{name}.parquet"
        part.write_parquet(paths[name])
    def drift(*names):
        result = runner.invoke(app, ["drift", *(str(paths[n]) for n in names), "--out", str(tmp_path / "d"), "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)
    in_order = drift("round_1", "round_2", "round_10")
    globbed = drift("round_1", "round_10", "round_2")  # what `qcaudit drift round_*.parquet` passes
    assert globbed["metrics"] == in_order["metrics"]
    assert in_order["metrics"]["drift"]["collapse_alarm"]["value"] is True  # round 10 judged last
    assert [w for w in globbed["tables"]["drift"]["warnings"] if "order of the numbers in their names" in w]
    assert not in_order["tables"]["drift"]["warnings"]
    chosen = drift("round_2", "round_1", "round_10")  # an order that is not the alphabetical one is the user's
    assert [g["generation"] for g in chosen["metrics"]["drift"]["generations"]["value"]] == [f"{n}.parquet" for n in ("round_2", "round_1", "round_10")]
    one = runner.invoke(app, ["drift", str(rounds), "--out", str(tmp_path / "d")])
    assert one.exit_code == 2 and f"{rounds} is one dataset of 3 files" in " ".join(one.output.split())


def test_a_row_without_a_generation_is_refused(runner, tmp_path):
    data = tmp_path / "rounds.parquet"
    frame = _rounds_frame(["a", "b"])
    pl.concat([frame, pl.DataFrame({"round": [None], "text": ["one more row"]}, schema=frame.schema)]).write_parquet(data)
    result = runner.invoke(app, ["drift", str(data), "--generation-column", "round", "--out", str(tmp_path / "d")])
    assert result.exit_code == 2, result.output
    assert "1 row names no generation (the first is row 120)" in result.output
    assert not (tmp_path / "d").exists()


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=12), st.sampled_from(["", "round_", "gen-", "v"]))
def test_generation_names_sort_as_their_numbers(numbers, prefix):
    names = [f"{prefix}{n}" for n in numbers]
    assert sorted(names, key=generation_order) == [f"{prefix}{n}" for n in sorted(numbers)]


def test_a_column_of_one_generation_is_refused(runner, tmp_path):
    data = tmp_path / "rounds.parquet"
    _rounds_frame(["only"]).write_parquet(data)
    result = runner.invoke(app, ["drift", str(data), "--generation-column", "round", "--out", str(tmp_path / "d")])
    assert result.exit_code == 2, result.output
    assert "every row is of one generation (only); drift needs at least two" in result.output


@pytest.mark.parametrize("option", ["--generation-column", "--source-column"])
def test_a_label_column_of_lists_is_refused_in_one_line(runner, tmp_path, option):
    """A round or source is one value a row: a column of lists (tags, say) is refused,
    whether the generations are in a column or in files."""
    rounds = _rounds_frame(["a", "b"])
    data = tmp_path / "rounds.parquet"
    rounds.with_columns(pl.col("round").map_elements(lambda r: [r], return_dtype=pl.List(pl.String)).alias("tags")).write_parquet(data)
    if option == "--generation-column":
        given = [str(data), "--generation-column", "tags"]
    else:
        given = [str(data), "--generation-column", "round", "--source-column", "tags"]
    result = runner.invoke(app, ["drift", *given, "--out", str(tmp_path / "d")])
    assert result.exit_code == 2, result.output
    assert f"{option} tags: the column holds List(String) values; give a column with one name or number a row" in result.output
    if option == "--source-column":
        files = write_generations(tmp_path, [["one text here", "two texts there"]] * 2, tags=lambda i: [str(i)])
        result = runner.invoke(app, ["drift", *files, "--source-column", "tags", "--out", str(tmp_path / "d")])
        assert result.exit_code == 2 and "--source-column tags: the column holds List(String)" in result.output, result.output
    assert not (tmp_path / "d").exists()


def warnings_beside_the_alarm(report: dict) -> list[str]:
    """A drift report's warnings but the one that says two generations are too few for the alarm."""
    return [w for w in report["tables"]["drift"]["warnings"] if not w.startswith("the collapse alarm is not judged")]


def test_a_source_column_without_the_real_value_says_so(runner, tmp_path):
    data = tmp_path / "rounds.parquet"
    _rounds_frame(["a", "b"]).with_columns(pl.lit("human").alias("source")).write_parquet(data)
    result = runner.invoke(app, ["drift", str(data), "--generation-column", "round", "--source-column", "source",
                                 "--out", str(tmp_path / "d"), "--json"])
    assert result.exit_code == 0, result.output
    warnings = json.loads(result.output)["tables"]["drift"]["warnings"]
    assert warnings[-1] == ("no row has source = 'real' (its values: 'human'); "
                            "if real rows are marked otherwise, give --real-value")
    result = runner.invoke(app, ["drift", str(data), "--generation-column", "round", "--source-column", "source",
                                 "--real-value", "human", "--out", str(tmp_path / "d"), "--json"])
    assert warnings_beside_the_alarm(json.loads(result.output)) == []  # (two rounds: the alarm's warning stays)


def test_drift_takes_the_text_options_and_warns_about_text_without_spaces(runner, tmp_path):
    """Chinese generations: to the whitespace tokenizer every row is one token, which the run
    says; --tokenizer cjk (and --role for chat data) are drift's options as they are report's."""
    import random

    rng = random.Random(0)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 300)]
    rows = [(g, "".join(rng.choice(alphabet[: 300 - 100 * g]) for _ in range(30))) for g in range(3) for _ in range(40)]
    data = tmp_path / "zh.parquet"
    pl.DataFrame(rows, schema={"round": pl.Int64, "text": pl.String}, orient="row").write_parquet(data)
    plain = runner.invoke(app, ["drift", str(data), "--generation-column", "round", "--out", str(tmp_path / "a"), "--json"])
    assert plain.exit_code == 0, plain.output
    warnings = json.loads(plain.stdout)["tables"]["drift"]["warnings"]
    assert warnings[0].startswith("the rows average 30 characters a token") and "--tokenizer cjk" in warnings[0]
    cjk = runner.invoke(app, ["drift", str(data), "--generation-column", "round", "--tokenizer", "cjk", "--out", str(tmp_path / "b"),
                              "--json"])
    assert cjk.exit_code == 0, cjk.output
    report = json.loads(cjk.stdout)
    assert report["tables"]["drift"]["warnings"] == []
    generations = report["metrics"]["drift"]["generations"]["value"]
    assert generations[-1]["distinct_1"] < generations[0]["distinct_1"]  # the vocabulary shrank: seen per character
    assert "tok:cjk" in report["metrics"]["drift"]["generations"]["signature"]


def test_generations_whose_text_is_found_in_different_columns_are_warned_about(runner, tmp_path):
    """Read by the names its columns have, each file may give another text (a whole Alpaca
    row, an output alone): the drift is then partly the reading's."""
    real = shared_file("corpora/coco_captions.txt").read_text(encoding="utf-8").splitlines()
    alpaca, outputs, baseline = tmp_path / "round1.parquet", tmp_path / "round2.parquet", tmp_path / "real.parquet"
    pl.DataFrame({"instruction": real[:200], "input": "", "output": real[200:400]}).write_parquet(alpaca)
    pl.DataFrame({"output": real[400:600]}).write_parquet(outputs)
    pl.DataFrame({"text": real[600:800]}).write_parquet(baseline)
    result = runner.invoke(app, ["drift", str(alpaca), str(outputs), "--real", str(baseline), "--out", str(tmp_path / "d"), "--json"])
    assert result.exit_code == 0, result.output
    assert warnings_beside_the_alarm(json.loads(result.stdout)) == [
        "the generations' text is read from different columns (the real baseline: column 'text'; round1.parquet: fields "
        "instruction, input, output joined by newlines; round2.parquet: column 'output'): their metrics differ for that "
        "alone; name the text with --text-column or --fields (columns renamed alike where the files differ)"]
    alike = runner.invoke(app, ["drift", str(alpaca), str(outputs), "--text-column", "output", "--out", str(tmp_path / "e"), "--json"])
    assert alike.exit_code == 0, alike.output
    assert warnings_beside_the_alarm(json.loads(alike.stdout)) == []



def test_audit_drift_from_python_measures_what_the_command_does(runner, tmp_path, capfd):
    """``qcaudit.audit_drift``: tables in memory (by position, or by name in a dict's order),
    or one table with a generation column, give the command's figures on the same rows;
    progress only when asked; a keyword of the wrong kind is one QcauditError."""
    import qcaudit

    real = shared_file("corpora/coco_captions.txt").read_text(encoding="utf-8").splitlines()[:600]
    generations = simulate(real, 2, "replace", top_k=None, top_p=0.9, seed=1)
    paths = write_generations(tmp_path, generations)
    command = json.loads(runner.invoke(app, ["drift", *paths, "--out", str(tmp_path / "drift"), "--json"]).output)["metrics"]["drift"]

    def figures(metrics):
        return [{k: v for k, v in g.items() if k != "generation"} for g in metrics["generations"]["value"]]

    frames = [pl.DataFrame({"text": lines}) for lines in generations]
    capfd.readouterr()
    by_position = qcaudit.audit_drift(frames)
    assert capfd.readouterr().err == ""  # quiet unless asked
    drift = by_position.metrics["drift"]
    assert figures(drift) == figures(command) and drift["collapse_alarm"] == command["collapse_alarm"]
    assert [g["generation"] for g in drift["generations"]["value"]] == ["0", "1", "2"]
    assert by_position.dataset["sources"] == ["0: <DataFrame>", "1: <DataFrame>", "2: <DataFrame>"]
    named = qcaudit.audit_drift({"seed": frames[0], "round_10": frames[1], "round_2": frames[2]}, gate={"max_alarm_fired": 0},
                                progress=True)
    assert "drift: " in capfd.readouterr().err
    assert [g["generation"] for g in named.metrics["drift"]["generations"]["value"]] == ["seed", "round_10", "round_2"]
    assert figures(named.metrics["drift"]) == figures(command)
    assert named.gate.checks[0].metric == "drift.alarm_fired"
    one = pl.concat([frame.with_columns(pl.lit(i).alias("round")) for i, frame in enumerate(frames)])
    by_column = qcaudit.audit_drift(one, generation_column="round", real=frames[0])
    assert figures(by_column.metrics["drift"]) == figures(qcaudit.audit_drift(frames, real=frames[0]).metrics["drift"])
    assert by_column.dataset["sources"] == ["<DataFrame>", "real: <DataFrame>"]  # (one table of every generation)
    assert qcaudit.audit_drift(paths).metrics["drift"]["generations"] == command["generations"]  # paths: as the command names them
    for bad, needle in (({"gate": [1]}, r"audit_drift\(\.\.\., gate=\.\.\.\) takes a dict of thresholds"),
                        ({"settings": {"drift.nope": 1}}, "drift.nope")):
        with pytest.raises(qcaudit.QcauditError, match=needle):
            qcaudit.audit_drift(frames, **bad)
    for too_few in (frames[:1], [], {}):  # (an empty list was "max() arg is an empty sequence")
        with pytest.raises(qcaudit.QcauditError, match="drift needs at least two generations"):
            qcaudit.audit_drift(too_few)
