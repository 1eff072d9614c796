"""Size-comparable diversity: distinct-n and Self-BLEU on equal-size seeded samples equal the
public functions (qcaudit.metrics, themselves tested against nltk) on the same samples, and
two halves of one real corpus agree within 0.01 where the whole-corpus figures do not."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from qcaudit import audit
from qcaudit.config import load_config
from qcaudit.metrics import distinct_n, self_bleu
from tests.conftest import SAMPLES, shared_file


def _samples(n: int, size: int, repeats: int, seed: int) -> list[np.ndarray]:
    """The documented protocol: default_rng(seed), choice without replacement, input order."""
    rng = np.random.default_rng(seed)
    return [np.sort(rng.choice(n, min(size, n), replace=False)) for _ in range(repeats)]


def test_sampled_metrics_are_the_public_functions_on_the_documented_samples(tmp_path):
    texts = pl.read_parquet(SAMPLES / "instructions.parquet")["output"].to_list()
    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": texts + [None, ""]}).write_parquet(data)  # rows without text are not sampled
    report = audit(data, load_config(None, {"analyzers": ["diversity"], "diversity.sample_size": 200,
                                            "diversity.sample_repeats": 4, "diversity.sample_seed": 7}))
    samples = [[texts[i] for i in sample] for sample in _samples(len(texts), 200, 4, 7)]
    assert report.value("diversity.self_bleu_4_sampled") == pytest.approx(np.mean([self_bleu(s, 4) for s in samples]), abs=1e-12)
    for n in (1, 2, 3, 4):
        assert report.value(f"diversity.distinct_{n}_sampled") == pytest.approx(np.mean([distinct_n(s, n) for s in samples]), abs=1e-12)
    interval = report.tables["diversity"]["sampled"]["metrics"]["self_bleu_4_sampled"]
    assert interval["low"] < interval["mean"] < interval["high"]
    assert "size:200" in report.metrics["diversity"]["self_bleu_4_sampled"]["signature"]


def test_two_halves_of_a_corpus_agree_where_the_whole_corpus_figures_do_not(tmp_path):
    questions = pl.read_ndjson(shared_file("benchmarks/gsm8k/train.jsonl"))["question"]
    half = len(questions) // 2
    reports = []
    for name, part in (("first", questions.head(half)), ("second", questions.tail(len(questions) - half)), ("all", questions)):
        data = tmp_path / f"{name}.parquet"
        pl.DataFrame({"text": part}).write_parquet(data)
        reports.append(audit(data, load_config(None, {"analyzers": ["diversity"]})))
    first, second, whole = reports
    assert abs(first.value("diversity.self_bleu_4") - whole.value("diversity.self_bleu_4")) > 0.03  # size moves it
    for name in ("self_bleu_4_sampled", "distinct_2_sampled", "distinct_4_sampled"):
        assert abs(first.value(f"diversity.{name}") - second.value(f"diversity.{name}")) < 0.01, name
