"""The reward analyzer on tiny reward models built here: each score equals the model's logit
for the row scored alone with transformers (chat template or text pair, with and without a
pad token), Spearman is scipy's, the length adjustment is the least-squares residual, and
missing inputs are one line."""

from __future__ import annotations

import json
import logging
import random
import warnings
from functools import partial

import numpy as np
import polars as pl
import pytest
import torch
from scipy.stats import spearmanr
from transformers import GPT2Config, GPT2ForSequenceClassification, PreTrainedTokenizerFast

from qcaudit import audit
from qcaudit.config import load_config
from qcaudit.reward_model import reward_inputs
from tests.test_hostile_inputs import one_line_error, qc  # noqa: F401  (a fixture)
from tests.tiny_lms import TOKENIZER

TEMPLATE = "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{% endfor %}"
WORDS = ["the", "cat", "sat", "on", "a", "mat", "and", "then", "slept", "well", "river", "ran", "fast"]


def _reward_model(out, pad: bool, template: bool, seed: int = 0):
    tokenizer = PreTrainedTokenizerFast.from_pretrained(TOKENIZER)
    if template:
        tokenizer.chat_template = TEMPLATE
    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=len(tokenizer), n_positions=128, n_embd=32, n_layer=1, n_head=2, num_labels=1,
                        pad_token_id=tokenizer.eos_token_id if pad else None)
    GPT2ForSequenceClassification(config).save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def _rows(n: int, seed: int = 1) -> pl.DataFrame:
    rng = random.Random(seed)
    sentence = lambda k: " ".join(rng.choice(WORDS) for _ in range(k))  # noqa: E731
    return pl.DataFrame({"instruction": [sentence(rng.randint(1, 6)) for _ in range(n)],
                         "output": [sentence(rng.randint(1, 30)) for _ in range(n)] + []})


def _alone(path, prompts, responses, template: bool) -> np.ndarray:
    """Each row scored alone, as transformers documents it."""
    tokenizer = PreTrainedTokenizerFast.from_pretrained(path)
    model = GPT2ForSequenceClassification.from_pretrained(path).eval()
    out = []
    for prompt, response in zip(prompts, responses, strict=True):
        if template:
            ids = tokenizer.apply_chat_template([{"role": "user", "content": prompt}, {"role": "assistant", "content": response}],
                                                tokenize=True, return_dict=True)["input_ids"]
        else:
            ids = tokenizer(prompt, response)["input_ids"]
        with torch.no_grad():
            out.append(float(model(input_ids=torch.tensor([ids])).logits[0, 0]))
    return np.array(out)


@pytest.mark.parametrize("pad, template", [(True, False), (False, True), (True, True)])
def test_scores_are_each_rows_logit_scored_alone(tmp_path, pad, template):
    model = _reward_model(tmp_path / "rm", pad, template)
    data = tmp_path / "sft.parquet"
    frame = _rows(37)
    frame.write_parquet(data)
    config = load_config(None, {"analyzers": ["reward"], "reward.model": str(model), "reward.batch_size": 5,
                                "input.prompt": ["instruction"], "input.response": "output", "input.text_column": "output"})
    report = audit(data, config)
    expected = _alone(model, frame["instruction"].to_list(), frame["output"].to_list(), template)
    scores = report.rows["reward_score"].to_numpy()
    assert np.abs(scores - expected).max() < 1e-4
    tokens = np.array([len(t.split()) for t in frame["output"]])
    assert report.rows["response_tokens"].to_list() == tokens.tolist()
    rho, p = spearmanr(expected, tokens)
    assert report.value("reward.length_spearman") == pytest.approx(rho, abs=1e-6)
    assert report.value("reward.length_spearman_p") == pytest.approx(p, rel=1e-3)
    slope, intercept = np.polyfit(np.log1p(tokens), scores, 1)  # an independent least-squares fit
    assert np.abs(report.rows["reward_score_length_adjusted"].to_numpy() - (scores - (slope * np.log1p(tokens) + intercept))).max() < 1e-9
    assert report.value("reward.reward_median") == pytest.approx(np.median(scores), abs=1e-12)


def test_chat_rows_are_scored_by_their_last_answer(tmp_path):
    model = _reward_model(tmp_path / "rm", pad=True, template=True)
    data = tmp_path / "chat.parquet"
    chats = [[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "the cat sat"}],
             [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "user", "content": "river"},
              {"role": "assistant", "content": "ran fast and then slept"}]]
    pl.DataFrame({"messages": chats}).write_parquet(data)
    report = audit(data, load_config(None, {"analyzers": ["reward"], "reward.model": str(model)}))
    expected = _alone(model, ["hi", "a\nb\nriver"], ["the cat sat", "ran fast and then slept"], template=True)
    assert np.abs(report.rows["reward_score"].to_numpy() - expected).max() < 1e-4


def _transformers_warnings(run) -> tuple[object, list[str]]:
    """``run()``'s result and what transformers' loggers said meanwhile (they write to a
    stream of their own, not to the root logger)."""
    messages: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: messages.append(record.getMessage())
    logger = logging.getLogger("transformers")
    logger.addHandler(handler)
    try:
        return run(), messages
    finally:
        logger.removeHandler(handler)


@pytest.mark.parametrize("template", [False, True])
def test_long_rows_give_the_ids_of_their_whole_texts(template):
    """Rows of thousands of words on either side or both, read from prefixes
    (:func:`qcaudit.long_texts.first_pair_tokens`, :func:`~qcaudit.long_texts.first_tokens`):
    the ids the tokenizer gives the whole texts, truncated "longest first" for an odd budget
    and an even one (the chat template: its rendering cut at ``max_tokens``); the texts'
    tokens counted past the model's length without transformers' warning of it."""
    tokenizer = PreTrainedTokenizerFast.from_pretrained(TOKENIZER)
    tokenizer.model_max_length = 200
    if template:
        tokenizer.chat_template = TEMPLATE
    rng = random.Random(3)

    def words(count: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(count))

    tie = words(1_501)
    prompts = ["a short prompt", words(1_500), words(40), words(1_500), words(2_000), tie]
    responses = [words(2_000), "a short answer", words(1_800), words(1_500), words(1_999), tie]
    for max_tokens in (127, 128):
        if template:
            expected = [tokenizer.apply_chat_template([{"role": "user", "content": p}, {"role": "assistant", "content": r}],
                                                      tokenize=True, truncation=True, max_length=max_tokens, return_dict=True)["input_ids"]
                        for p, r in zip(prompts, responses, strict=True)]
        else:
            expected = tokenizer(prompts, responses, truncation=True, max_length=max_tokens)["input_ids"]
        found, warnings_given = _transformers_warnings(partial(reward_inputs, tokenizer, prompts, responses, max_tokens))
        assert not warnings_given
        assert found == expected
        assert all(len(ids) == max_tokens for ids in expected)


def test_missing_model_or_response_is_one_line(qc, tmp_path):  # noqa: F811
    data = tmp_path / "sft.parquet"
    _rows(5).write_parquet(data)
    one_line_error(qc("report", data, "--analyzers", "reward", "--text-column", "output", "--out", tmp_path / "o"), "--reward-model")
    model = _reward_model(tmp_path / "rm", pad=True, template=False)
    unnamed = tmp_path / "unnamed.parquet"  # columns of no layout found by name
    _rows(5).rename({"instruction": "ask", "output": "reply"}).write_parquet(unnamed)
    one_line_error(qc("report", unnamed, "--reward-model", model, "--text-column", "reply", "--out", tmp_path / "o"), "--response-field")
    ran = qc("report", data, "--reward-model", model, "--prompt-fields", "instruction", "--response-field", "output",
             "--text-column", "output", "--out", tmp_path / "o", "-q")
    assert ran.code == 0, ran.err
    report = json.loads((tmp_path / "o" / "report.json").read_text())
    found = qc("report", data, "--reward-model", model, "--out", tmp_path / "found", "-q")  # Alpaca's columns, found by name
    assert found.code == 0, found.err
    assert pl.read_parquet(tmp_path / "found" / "rows.parquet")["reward_score"].equals(pl.read_parquet(tmp_path / "o" / "rows.parquet")["reward_score"])
    assert report["metrics"]["reward"]["rows_scored"]["value"] == 5 and "device:cpu" in report["metrics"]["reward"]["reward_mean"]["signature"]
    assert "Reward-model scores" in (tmp_path / "o" / "report.html").read_text()


def test_a_language_model_given_as_the_reward_model_is_one_line(qc, tmp_path):  # noqa: F811
    """A plain causal LM has no score head: transformers would start one at random and every
    reward would be noise, so it is refused (transformers' own load report stays quiet)."""
    from tests.tiny_lms import untrained_gpt2

    data = tmp_path / "sft.parquet"
    _rows(5).write_parquet(data)
    language_model = untrained_gpt2(tmp_path / "lm")
    one_line_error(qc("report", data, "--reward-model", language_model, "--prompt-fields", "instruction", "--response-field",
                      "output", "--text-column", "output", "--out", tmp_path / "o", "-q"),
                   "not a sequence classifier (a reward model) checkpoint", "GPT2ForSequenceClassification", "score.weight")
    assert not (tmp_path / "o").exists()


def test_rows_longer_than_the_model_reads_are_cut_to_its_context(tmp_path):
    """A reward model of 128 positions under the default max_tokens (1024) failed with "index
    out of range"; it now reads what it was built for, as max_tokens = 128 would have it."""
    model = _reward_model(tmp_path / "rm", pad=True, template=False)
    rng = random.Random(5)
    data = tmp_path / "long.parquet"
    pl.DataFrame({"instruction": [" ".join(rng.choice(WORDS) for _ in range(40)) for _ in range(6)],
                  "output": [" ".join(rng.choice(WORDS) for _ in range(90)) for _ in range(6)]}).write_parquet(data)
    from scipy.stats import ConstantInputWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConstantInputWarning)  # every response is 90 words: no length correlation, no warning line
        default = audit(data, load_config(None, {"reward.model": str(model)}))
    told = audit(data, load_config(None, {"reward.model": str(model), "reward.max_tokens": 128}))
    assert "length_spearman" not in default.metrics["reward"]
    assert default.rows["reward_score"].to_list() == told.rows["reward_score"].to_list()
    assert default.metrics["reward"]["reward_mean"]["signature"] == told.metrics["reward"]["reward_mean"]["signature"]
    assert "max_tokens:128" in default.metrics["reward"]["reward_mean"]["signature"]


def test_the_token_limit_is_the_least_of_the_setting_the_configs_and_what_the_tokenizer_says():
    from types import SimpleNamespace

    from qcaudit.hf import token_limit

    roberta = SimpleNamespace(max_position_embeddings=514)  # two positions kept for padding
    assert token_limit(1024, roberta) == 514 and token_limit(1024, roberta, tokenizer=SimpleNamespace(model_max_length=512)) == 512
    assert token_limit(1024, roberta, tokenizer=SimpleNamespace(model_max_length=int(1e30))) == 514  # transformers' "unknown"
    assert token_limit(300, roberta, SimpleNamespace(n_positions=1024), tokenizer=SimpleNamespace(model_max_length=512)) == 300
    assert token_limit(300, SimpleNamespace()) == 300  # a config that says nothing
