"""Machine-text detectors: each score against its published formula on fixed logits, the
evaluation against scikit-learn, DetectGPT's masking rules, and detection power of every
detector on text sampled from a tiny LM trained here vs held-out human captions."""

from __future__ import annotations

import json
import math

import numpy as np
import polars as pl
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score, roc_curve

from qcaudit.cli import app
from qcaudit.detectors import criteria
from qcaudit.detectors.evaluation import auroc, tpr_at_fpr
from qcaudit.detectors.perturb import _apply, _fills, mask_spans


def _log_softmax(row: np.ndarray) -> np.ndarray:
    shifted = row - row.max()
    return shifted - math.log(np.exp(shifted).sum())


def published(name: str, ids: list[int], *logits: np.ndarray) -> float:
    """The criteria as the papers and reference scripts define them, on one unpadded text,
    in float64, one position at a time."""
    T = len(ids)
    if name == "fast_detect_gpt":
        ref, score = logits
        vocab = min(ref.shape[-1], score.shape[-1])
        num, var = 0.0, 0.0
        for t in range(T - 1):
            log_p = _log_softmax(score[t, :vocab])
            p_ref = np.exp(_log_softmax(ref[t, :vocab]))
            mean = (p_ref * log_p).sum()
            num += log_p[ids[t + 1]] - mean
            var += (p_ref * log_p**2).sum() - mean**2
        return num / math.sqrt(var)
    if name == "binoculars":
        observer, performer = logits
        ppl = np.mean([-_log_softmax(performer[t])[ids[t + 1]] for t in range(T - 1)])
        x_ppl = np.mean([-(np.exp(_log_softmax(observer[t])) * _log_softmax(performer[t])).sum() for t in range(T)])
        return ppl / x_ppl
    (lg,) = logits
    per_token = []
    for t in range(T - 1):
        log_p = _log_softmax(lg[t])
        token_rank = 1 + int((lg[t] > lg[t, ids[t + 1]]).sum())
        per_token.append({"likelihood": log_p[ids[t + 1]], "rank": -token_rank, "logrank": -math.log(token_rank),
                          "entropy": -(np.exp(log_p) * log_p).sum()}[name])
    return float(np.mean(per_token))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(2, 9), min_size=1, max_size=4), st.integers(0, 2**31 - 1))
def test_criteria_equal_published_formulas_in_padded_batches(lengths, seed):
    rng = np.random.default_rng(seed)
    V, width = 13, max(lengths)
    ids = torch.zeros((len(lengths), width), dtype=torch.long)
    mask = torch.zeros_like(ids)
    for i, n in enumerate(lengths):
        ids[i, :n] = torch.from_numpy(rng.integers(0, V, n))
        mask[i, :n] = 1
    a = torch.from_numpy(rng.normal(0, 3, (len(lengths), width, V)).astype(np.float32))
    b = torch.from_numpy(rng.normal(0, 3, (len(lengths), width, V + 2)).astype(np.float32))  # a larger vocab: trimmed
    a[0, 0, 1] = a[0, 0, 2]  # a tie in logits
    ours = {name: fn(a, ids, mask) for name, fn in
            {"likelihood": criteria.log_likelihood, "rank": criteria.rank, "logrank": criteria.log_rank, "entropy": criteria.entropy}.items()}
    ours["fast_detect_gpt"] = criteria.fast_detect_gpt(b, a, ids, mask)
    ours["binoculars"] = criteria.binoculars(a, b[..., :V], ids, mask)
    for i, n in enumerate(lengths):
        row = ids[i, :n].tolist()
        inputs = {"fast_detect_gpt": (b[i, :n].double().numpy(), a[i, :n].double().numpy()),
                  "binoculars": (a[i, :n].double().numpy(), b[i, :n, :V].double().numpy())}
        for name, values in ours.items():
            expected = published(name, row, *inputs.get(name, (a[i, :n].double().numpy(),)))
            assert values[i] == pytest.approx(expected, rel=1e-4, abs=1e-5), (name, i, lengths)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 50_000), max_size=12), max_size=30), st.integers(1, 8), st.integers(0, 3), st.integers(0, 9))
def test_batches_hold_each_kept_text_once_longest_first_right_padded(texts, batch_size, min_tokens, pad):
    from qcaudit.detectors.lm import batches

    seen, widths = [], []
    for batch in batches(texts, batch_size, "cpu", pad=pad, min_tokens=min_tokens):
        assert len(batch.rows) <= batch_size and batch.input_ids.shape == batch.mask.shape
        assert batch.input_ids.dtype == batch.mask.dtype == torch.long
        for i, row in enumerate(batch.rows):
            n = len(texts[row])
            assert batch.input_ids[i, :n].tolist() == texts[row]
            assert set(batch.input_ids[i, n:].tolist()) <= {pad}
            assert batch.mask[i].tolist() == [1] * n + [0] * (batch.mask.shape[1] - n)
        seen += batch.rows.tolist()
        widths.append(max(1, max(len(texts[row]) for row in batch.rows)))
    assert sorted(seen) == [i for i, text in enumerate(texts) if len(text) >= min_tokens]
    assert [len(texts[row]) for row in seen] == sorted((len(texts[row]) for row in seen), reverse=True)
    assert widths == [max(1, len(texts[rows[0]])) for rows in [seen[k:k + batch_size] for k in range(0, len(seen), batch_size)]]


def test_detectgpt_discrepancy_is_the_normalised_perturbation_discrepancy():
    lls = [np.array([-3.0, -3.5, -2.5]), np.array([-1.0]), np.array([-2.0, -2.0]), np.array([])]
    got = criteria.detectgpt(np.array([-2.0, -0.5, -1.0, -1.0]), lls)
    assert got[0] == pytest.approx((-2.0 - -3.0) / np.std([-3.0, -3.5, -2.5]))
    assert got[1] == pytest.approx(0.5)  # one perturbation: std taken as 1
    assert got[2] == pytest.approx(1.0)  # zero spread: std taken as 1
    assert math.isnan(got[3])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=1, max_size=40), st.lists(st.integers(0, 6), min_size=1, max_size=40))
def test_auroc_and_tpr_at_fpr_equal_scikit_learn(machine, human):
    machine, human = np.array(machine, float), np.array(human, float)
    y = np.r_[np.ones(machine.size), np.zeros(human.size)]
    scores = np.r_[machine, human]
    assert auroc(machine, human) == pytest.approx(roc_auc_score(y, scores))
    fpr, tpr, _ = roc_curve(y, scores, drop_intermediate=False)
    for limit in (0.0, 0.01, 0.1, 0.5):
        assert tpr_at_fpr(machine, human, limit) == pytest.approx(tpr[fpr <= limit].max())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["a", "cat", "sat", "on", "the", "mat", "x1"]), min_size=0, max_size=60), st.integers(0, 10**6))
def test_span_masking_follows_detectgpt_rules(words, seed):
    text = " ".join(words)
    masked = mask_spans(text, 2, 0.15, np.random.default_rng(seed))
    if len(words) <= 4:
        assert masked is None
        return
    out = masked.split(" ")
    spans = [i for i, w in enumerate(out) if w.startswith("<extra_id_")]
    assert [out[i] for i in spans] == [f"<extra_id_{k}>" for k in range(len(spans))]
    assert len(spans) == max(1, int(0.15 * len(words) / 2))
    assert all(b - a > 1 for a, b in zip(spans, spans[1:]))  # spans never abut
    assert len(out) == len(words) - len(spans)  # each sentinel stands for two words
    fills = [f"F{k} G{k}" for k in range(len(spans))]
    decoded = "<pad> " + " ".join(f"<extra_id_{k}> {f}" for k, f in enumerate(fills)) + f" <extra_id_{len(spans)}></s>"
    restored = _apply(masked, _fills(decoded))
    assert len(restored.split(" ")) == len(words)
    assert _apply(masked, _fills(decoded)[:-1]) is None  # a short fill is a failed fill


def test_every_detector_separates_sampled_from_human_text(tiny_models, runner, tmp_path):
    m = tiny_models
    result = runner.invoke(app, [
        "report", str(m["data"]), "--out", str(tmp_path), "--analyzers", "diversity", "--json",
        "--detectors", "likelihood,logrank,rank,entropy,fast_detect_gpt,detectgpt,binoculars",
        "--scoring-model", str(m["observer"]), "--observer-model", str(m["observer"]), "--performer-model", str(m["performer"]),
        "--mask-model", str(m["filler"]), "--label-column", "source",
    ])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout.strip().splitlines()[-1])["metrics"]["detectors"]
    power = {k.split(".")[1]: v["value"] for k, v in metrics.items() if k.startswith("detector_auroc.")}
    print("AUROC", power)
    for method in ("likelihood", "logrank", "rank", "fast_detect_gpt", "binoculars"):
        assert power[method] >= 0.85, (method, power)
    assert power["detectgpt"] >= 0.6, power
    rows = pl.read_parquet(tmp_path / "rows.parquet")
    assert {"detector_fast_detect_gpt", "detector_detectgpt", "detector_binoculars", "machine_generated"} <= set(rows.columns)
    assert rows["machine_generated"].to_list() == (rows["detector_binoculars"] < 0.8536432310785527).to_list()
    assert metrics["machine_generated_rate"]["value"] == pytest.approx(rows["machine_generated"].mean())
    # signatures say where the models actually ran: float32 on a CPU, half precision on CUDA
    ran = "|device:cuda|dtype:" if torch.cuda.is_available() else "|device:cpu|dtype:float32|"
    assert all(ran in metrics[f"detector_mean.{m}"]["signature"] for m in ("likelihood", "fast_detect_gpt", "detectgpt", "binoculars"))


def test_machine_generated_rate_gates_and_models_must_exist(tiny_models, runner, tmp_path):
    m = tiny_models
    config = tmp_path / "qcaudit.toml"
    config.write_text('analyzers = ["diversity"]\n[detectors]\nmethods = ["likelihood"]\n'
                      f'scoring_model = "{m["observer"]}"\n[detectors.thresholds]\nlikelihood = -99.0\n'
                      "[gate]\nmax_machine_generated_rate = 0.5\n")
    failed = runner.invoke(app, ["gate", str(m["data"]), "--config", str(config), "--json"])
    assert failed.exit_code == 1
    (check,) = json.loads(failed.stdout)["checks"]
    assert check["metric"] == "detectors.machine_generated_rate" and check["value"] == 1.0 and not check["passed"]
    missing = runner.invoke(app, ["report", str(m["data"]), "--out", str(tmp_path / "r"), "--detectors", "likelihood",
                                  "--scoring-model", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "scoring model" in missing.output and "Traceback" not in missing.output
    needs = runner.invoke(app, ["report", str(m["data"]), "--out", str(tmp_path / "r"), "--detectors", "binoculars",
                                "--observer-model", str(m["observer"])])
    assert needs.exit_code == 2 and "performer_model" in needs.output
    assert not (tmp_path / "r").exists()


def test_a_texts_perturbations_do_not_depend_on_the_texts_around_it(tiny_models):
    """DetectGPT's masks and fills are each text's own: alone or after other texts, a text
    gets the same perturbations; another seed, others; the caller's random state is left
    alone."""
    import torch

    from qcaudit.detectors.perturb import perturb
    from qcaudit.hf import load_model, load_tokenizer

    m = tiny_models
    texts = pl.read_parquet(m["data"])["text"].to_list()[:6]
    tokenizer = load_tokenizer(str(m["filler"]), "mask model")
    model = load_model(str(m["filler"]), "seq2seq", "cpu", "float32", "mask model")[0]
    common = {"n": 4, "span_length": 2, "mask_fraction": 0.3, "top_p": 0.96, "device": "cpu"}
    torch.manual_seed(123)
    state = torch.random.get_rng_state()
    together = perturb(texts, model, tokenizer, seed=0, batch_size=4, **common)
    assert torch.equal(torch.random.get_rng_state(), state)
    alone = [perturb([text], model, tokenizer, seed=0, batch_size=4, **common)[0] for text in reversed(texts)][::-1]
    assert together == alone and all(len(p) == 4 for p in together)
    assert perturb(texts, model, tokenizer, seed=1, batch_size=4, **common) != together


def test_detectors_are_map_only_and_load_their_models_once(tiny_models, monkeypatch, tmp_path):
    """Every method scores batch by batch with models loaded once (DetectGPT's perturbations
    are each text's own); any batch size gives the one-batch scores (to float round-off:
    padded batches group rows differently) and the same verdicts."""
    from qcaudit import audit
    from qcaudit import hf
    from qcaudit.config import load_config

    m = tiny_models
    data = tmp_path / "some.parquet"  # (20 rows of each source: DetectGPT's perturbations of 120 took most of a minute)
    pl.read_parquet(m["data"]).group_by("source", maintain_order=True).head(20).write_parquet(data)
    loads = []
    load_model = hf.load_model
    monkeypatch.setattr(hf, "load_model", lambda *a, **k: (loads.append(a[0]), load_model(*a, **k))[1])
    settings = {"analyzers": ["detectors"], "detectors.methods": ["likelihood", "fast_detect_gpt", "detectgpt", "binoculars"],
                "detectors.scoring_model": str(m["observer"]), "detectors.observer_model": str(m["observer"]),
                "detectors.performer_model": str(m["performer"]), "detectors.mask_model": str(m["filler"]),
                "detectors.n_perturbations": 3, "detectors.label_column": "source"}
    whole = audit(data, load_config(None, settings))
    loads.clear()
    batched = audit(data, load_config(None, settings | {"engine.batch_rows": 7}))
    assert sorted(loads) == sorted([str(m["observer"]), str(m["observer"]), str(m["performer"]), str(m["filler"])])  # once each
    for column in ("detector_likelihood", "detector_fast_detect_gpt", "detector_binoculars", "detector_detectgpt"):
        assert batched.rows[column].to_numpy() == pytest.approx(whole.rows[column].to_numpy(), rel=1e-4, abs=1e-5, nan_ok=True)
    assert batched.rows["machine_generated"].equals(whole.rows["machine_generated"])
    for name, entry in whole.metrics["detectors"].items():
        assert batched.metrics["detectors"][name]["value"] == pytest.approx(entry["value"], rel=1e-3, abs=1e-4), name
        assert batched.metrics["detectors"][name]["signature"] == entry["signature"]


def test_tokenising_ahead_of_the_models_loads_no_weights_and_changes_nothing(tiny_models, monkeypatch):
    """``prepare`` (which the Ray engine may run on CPU actors apart from the GPU ones) reads
    only the tokenizers' and configs' files; the report equals the one where ``partial``
    tokenises itself."""
    from qcaudit import hf
    from qcaudit.analyzers.detectors import TOKENS
    from qcaudit.config import load_config
    from qcaudit.context import RunContext
    from qcaudit.io import load_dataset
    from qcaudit.registry import get
    from tests.test_architecture import same_report_without_prepare

    m = tiny_models
    config = load_config(None, {"analyzers": ["detectors"], "detectors.methods": ["likelihood", "fast_detect_gpt", "binoculars"],
                                "detectors.scoring_model": str(m["observer"]), "detectors.reference_model": str(m["performer"]),
                                "detectors.observer_model": str(m["observer"]), "detectors.performer_model": str(m["performer"]),
                                "engine.batch_rows": 25})
    metrics, rows = same_report_without_prepare(m["data"], config)
    assert rows["detector_binoculars"].is_not_null().sum() == 120
    context = RunContext.from_config(config)
    batch = next(load_dataset(m["data"], context.selection).batches(10))
    monkeypatch.setattr(hf, "load_model", lambda *args, **kwargs: pytest.fail("prepare loaded a model's weights"))
    prepared = get("detectors").from_config(config, context).prepare(batch)
    assert set(TOKENS.values()) <= set(prepared.columns) and prepared.height == 10
