"""The CUDA paths against the CPU ones: the encoder in half precision, LM scoring and the
judge model in bf16 (or fp16). Marked ``gpu``: skipped where torch sees no CUDA device,
run with ``pytest -m gpu`` on a machine that has one. Half precision changes the last digits,
so each check is agreement within a tolerance that an error in batching, padding, device
placement or precision handling would break."""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest

from tests.tiny_lms import untrained_gpt2

pytestmark = pytest.mark.gpu


def varied_texts(count: int = 400, seed: int = 0) -> list[str]:
    """Texts from one word to several hundred (past the encoder's 256 tokens), empty included."""
    rng = random.Random(seed)
    words = "the a cat dog sat ran over under quickly model data token batch apple seven 42 3.5 x_1 def return".split()
    lengths = [0, 1, 2, 5, 700] + [rng.choice([3, 10, 30, 80, 300]) + rng.randrange(5) for _ in range(count - 5)]
    return [" ".join(rng.choice(words) for _ in range(n)) for n in lengths]


def test_cuda_encoder_gives_the_cpu_reference_vectors():
    from sentence_transformers import SentenceTransformer

    from qcaudit.embed import Encoder, default_model_path

    texts = varied_texts()
    encoder = Encoder(device="cuda", use_cache=False)
    assert encoder.backend == "torch-fp16"
    got = encoder.encode(pl.Series(texts))
    reference = SentenceTransformer(str(default_model_path()), device="cpu").encode(
        texts, normalize_embeddings=True, convert_to_numpy=True)
    cosine = np.einsum("ij,ij->i", got, reference)
    assert cosine.min() >= 0.999, np.argsort(cosine)[:5]
    # the neighbours a contamination or diversity metric reads are the same
    assert (np.argsort(-(got @ got.T), axis=1)[:, 1] == np.argsort(-(reference @ reference.T), axis=1)[:, 1]).mean() >= 0.98


def test_cuda_lm_scores_agree_with_cpu(tmp_path):
    from qcaudit.detectors import criteria
    from qcaudit.detectors.lm import score_texts, tokenize
    from qcaudit.hf import load_model, load_tokenizer

    path = str(untrained_gpt2(tmp_path / "lm"))
    tokenizer = load_tokenizer(path)
    ids = tokenize(tokenizer, varied_texts(120), 512)
    wanted = {name: getattr(criteria, name) for name in ("log_likelihood", "entropy")}  # smooth in the logits (ranks of a random model tie)
    scores = {}
    for device in ("cpu", "cuda"):
        model, ran_on = load_model(path, "causal", device)
        assert ran_on == device
        scores[device] = score_texts([model], ids, wanted, 16, device)
    for name in wanted:
        cpu, cuda = scores["cpu"][name], scores["cuda"][name]
        assert np.array_equal(np.isnan(cpu), np.isnan(cuda)), name
        assert np.nanmax(np.abs(cpu - cuda)) <= 0.02 * max(1.0, np.nanmax(np.abs(cpu))), name


def test_cuda_judge_agrees_with_cpu(tmp_path):
    from qcaudit.contamination.judge import Judge

    path = str(untrained_gpt2(tmp_path / "judge"))
    rows = ["How many apples does Ann have?", "Sort a list.", "x" * 50, "word " * 400]
    items = ["Ann has 3 apples. How many?", "def f(xs): return sorted(xs)", "Name the capital of France.", "item"]
    on_cpu = Judge(path, device="cpu", use_cache=False).probabilities(rows, items)
    on_cuda = Judge(path, device="cuda", engine="transformers", use_cache=False).probabilities(rows, items)
    assert on_cuda == pytest.approx(on_cpu, abs=0.01)
