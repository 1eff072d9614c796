"""IFD on a tiny causal LM built here: per row, s(A|Q), s(A) and their ratio equal Hugging
Face's loss with labels on the row alone (1e-4), whatever the batch's padding; the template
and truncation are as documented; a missing model is one line."""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

from qcaudit import audit
from qcaudit.config import load_config
from tests.test_hostile_inputs import one_line_error, qc  # noqa: F401  (a fixture)
from tests.tiny_lms import TOKENIZER

WORDS = ["the", "cat", "sat", "on", "a", "mat", "and", "then", "slept", "well", "why", "did", "it", "?"]
TEMPLATE = "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}"


def _lm(out, template: bool):
    tokenizer = PreTrainedTokenizerFast.from_pretrained(TOKENIZER)
    if template:
        tokenizer.chat_template = TEMPLATE
    torch.manual_seed(0)
    GPT2LMHeadModel(GPT2Config(vocab_size=len(tokenizer), n_positions=128, n_embd=32, n_layer=1, n_head=2)).save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def _hf_loss(model, ids: list[int], start: int) -> float:
    labels = torch.tensor([[-100] * start + ids[start:]])
    with torch.no_grad():
        return float(model(input_ids=torch.tensor([ids]), labels=labels).loss)


def _reference(path, prompts, responses, template: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Each row alone, labels as the module docstring defines them."""
    tokenizer = PreTrainedTokenizerFast.from_pretrained(path)
    model = GPT2LMHeadModel.from_pretrained(path).eval()
    bos = [tokenizer.bos_token_id] if tokenizer.bos_token_id is not None else []
    conditioned, alone = [], []
    for prompt, response in zip(prompts, responses, strict=True):
        if template is None and tokenizer.chat_template:
            written = tokenizer.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True)
        else:
            written = (template or "{prompt}\n").format(prompt=prompt)
        q = tokenizer(written, add_special_tokens=False)["input_ids"]
        a = tokenizer(response, add_special_tokens=False)["input_ids"]
        conditioned.append(_hf_loss(model, bos + q + a, len(bos) + len(q)))
        alone.append(_hf_loss(model, bos + a, len(bos)))
    return np.array(conditioned), np.array(alone)


def _rows(n: int) -> pl.DataFrame:
    rng = random.Random(3)
    sentence = lambda k: " ".join(rng.choice(WORDS) for _ in range(k))  # noqa: E731
    return pl.DataFrame({"instruction": [sentence(rng.randint(1, 12)) for _ in range(n)],
                         "output": [sentence(rng.randint(1, 25)) for _ in range(n)]})


@pytest.mark.parametrize("chat, template", [(False, None), (True, None), (False, "Q: {prompt}\nA:")])
def test_each_rows_ifd_is_hugging_faces_loss_ratio_alone(tmp_path, chat, template):
    model = _lm(tmp_path / "lm", chat)
    data = tmp_path / "sft.parquet"
    frame = _rows(29)
    frame.write_parquet(data)
    report = audit(data, load_config(None, {"analyzers": ["ifd"], "ifd.model": str(model), "ifd.batch_size": 4,
                                            "ifd.template": template, "input.prompt": ["instruction"],
                                            "input.response": "output", "input.text_column": "output"}))
    conditioned, alone = _reference(model, frame["instruction"].to_list(), frame["output"].to_list(), template)
    rows = report.rows
    assert np.abs(rows["ifd_loss_conditioned"].to_numpy() - conditioned).max() < 1e-4
    assert np.abs(rows["ifd_loss_response"].to_numpy() - alone).max() < 1e-4
    ifd = conditioned / alone
    assert np.abs(rows["ifd"].to_numpy() - ifd).max() < 1e-4
    assert report.value("ifd.ifd_at_least_1_rate") == pytest.approx(float((rows["ifd"].to_numpy() >= 1).mean()))
    assert report.value("ifd.ifd_median") == pytest.approx(float(np.median(rows["ifd"].to_numpy())), abs=1e-12)


def test_a_conversation_written_as_text_is_scored_as_the_same_chat_in_messages(tmp_path):
    """A column of ChatML-rendered chats (its system turn, a question, the answer, and a
    prompt rendered for generation, whose empty answer is none) gives each row the IFD that
    the same chats give as a messages column: the prompt, then the last answer."""
    model = _lm(tmp_path / "lm", False)
    frame = _rows(12)
    chats = [[("system", "Be brief."), ("user", q), ("assistant", a)] for q, a in frame.iter_rows()] + [[("user", "unanswered")]]
    written = ["".join(f"<|im_start|>{r}\n{c}<|im_end|>\n" for r, c in chat) for chat in chats]
    written[-1] += "<|im_start|>assistant\n"
    as_text, as_chats = tmp_path / "text.parquet", tmp_path / "chats.parquet"
    pl.DataFrame({"text": written}).write_parquet(as_text)
    pl.DataFrame({"messages": [[{"role": r, "content": c} for r, c in chat] for chat in chats]}).write_parquet(as_chats)
    scored = [audit(path, load_config(None, {"analyzers": ["ifd"], "ifd.model": str(model), "ifd.batch_size": 4})).rows
              for path in (as_text, as_chats)]
    assert scored[0]["ifd"].null_count() == 1 and scored[0]["ifd"][-1] is None  # (no answer: not scored)
    assert np.abs(scored[0]["ifd"].to_numpy()[:-1] - scored[1]["ifd"].to_numpy()[:-1]).max() < 1e-6
    conditioned, _ = _reference(model, [f"Be brief.\n{q}" for q in frame["instruction"]], frame["output"].to_list(), None)
    assert np.abs(scored[0]["ifd_loss_conditioned"].to_numpy()[:-1] - conditioned).max() < 1e-4


def test_truncation_keeps_the_response_and_the_end_of_the_prompt():
    from qcaudit.analyzers.ifd import ifd_inputs

    tokenizer = PreTrainedTokenizerFast.from_pretrained(TOKENIZER)
    bos = tokenizer.bos_token_id
    answer = tokenizer("alpha beta", add_special_tokens=False)["input_ids"]  # 6 tokens with this small vocabulary
    question = tokenizer("one two three four five six", add_special_tokens=False)["input_ids"]
    assert len(answer) == 6 and len(question) > 2
    conditioned, starts, alone = ifd_inputs(tokenizer, ["one two three four five six"], ["alpha beta"], "{prompt}", 9)
    assert conditioned[0] == [bos, *question[-2:], *answer] and starts[0] == 3 and alone[0] == [bos, *answer]
    conditioned, starts, alone = ifd_inputs(tokenizer, ["one two"], ["alpha beta"], "{prompt}", 5)
    assert conditioned[0] == [bos, *answer[:4]] and starts[0] == 1 and alone[0] == [bos, *answer[:4]]


def test_a_missing_model_is_one_line(qc, tmp_path):  # noqa: F811
    data = tmp_path / "sft.parquet"
    _rows(4).write_parquet(data)
    one_line_error(qc("report", data, "--analyzers", "ifd", "--text-column", "output", "--out", tmp_path / "o"), "--ifd-model")


def test_rows_longer_than_the_model_reads_are_cut_to_its_context(tmp_path):
    """A model of 128 positions under the default max_tokens (512): it failed with "index out
    of range"; it now reads what it was built for, as max_tokens = 128 would have it."""
    model = _lm(tmp_path / "lm", template=False)
    rng = random.Random(5)
    data = tmp_path / "long.parquet"
    pl.DataFrame({"instruction": [" ".join(rng.choice(WORDS) for _ in range(40)) for _ in range(6)],
                  "output": [" ".join(rng.choice(WORDS) for _ in range(90)) for _ in range(6)]}).write_parquet(data)
    default = audit(data, load_config(None, {"ifd.model": str(model)}))
    told = audit(data, load_config(None, {"ifd.model": str(model), "ifd.max_tokens": 128}))
    assert default.rows["ifd"].to_list() == told.rows["ifd"].to_list() and default.rows["ifd"].is_finite().all()
    assert default.metrics["ifd"]["ifd_mean"]["signature"] == told.metrics["ifd"]["ifd_mean"]["signature"]
    assert "max_tokens:128" in default.metrics["ifd"]["ifd_mean"]["signature"]
