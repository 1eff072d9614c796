"""A local reward model (a sequence classifier with one logit) scoring (prompt, response)
pairs: the reward analyzer scores rows with it, the preference analyzer both answers of a
pair.

A pair's input is the tokenizer's chat template over ``[user: prompt, assistant: response]``
when the tokenizer has one, else (prompt, response) as a text pair; truncated to
``max_tokens``. Pairs are scored in length-sorted batches: right-padded when the model knows
its pad token (it then reads each row's last real token, as it does alone), else only pairs
of equal length share a batch, so every score is the one the pair gets scored alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from qcaudit.errors import QcauditError
from qcaudit.long_texts import (
    first_pair_tokens,
    first_tokens,
    pieces_alike,
    reads_words_apart,
    whole_ids,
)
from qcaudit.progress import row_progress
from qcaudit.signatures import signature


@dataclass
class RewardModel:
    tokenizer: Any
    model: Any
    device: str
    #: The model's pad token id; None when it has none (then batches hold pairs of one length).
    pad: int | None
    max_tokens: int
    batch_size: int


def load_reward_model(path: str, device: str, dtype: str, max_tokens: int, batch_size: int) -> RewardModel:
    """The model, reading at most ``max_tokens`` or what it was built for, whichever is fewer."""
    from qcaudit.hf import load_model, load_tokenizer, token_limit

    tokenizer = load_tokenizer(path, "reward model")
    model, device = load_model(path, "classifier", device, dtype, "reward model")
    if model.config.num_labels != 1:
        raise QcauditError(f"reward model {path!r} has {model.config.num_labels} outputs; a reward model has one")
    pad = model.config.pad_token_id
    if pad is None:
        # Hugging Face classifiers refuse batches without a pad id; -1 is no token's id, so a
        # batch of equal-length pairs (never padded) is read at each pair's last token.
        model.config.pad_token_id = -1
    return RewardModel(tokenizer, model, device, pad, token_limit(max_tokens, model.config, tokenizer=tokenizer), batch_size)


def reward_signature(path: str, device: str, dtype: str, max_tokens: int) -> str:
    """What changes the scores: the model, its input form, truncation, device and dtype
    (worked out without loading the model, so the driver of a Ray run says the same)."""
    from qcaudit.hf import load_model_config, load_tokenizer, planned_device_and_dtype, token_limit

    tokenizer = load_tokenizer(path, "reward model")
    form = "chat_template" if getattr(tokenizer, "chat_template", None) else "text_pair"
    max_tokens = token_limit(max_tokens, load_model_config(path, "reward model"), tokenizer=tokenizer)
    device, dtype = planned_device_and_dtype(device, dtype)
    return signature("reward", f"model:{path}", f"input:{form}", f"max_tokens:{max_tokens}", f"dtype:{dtype}", f"device:{device}")


def reward_inputs(tokenizer, prompts: list[str], responses: list[str], max_tokens: int) -> list[list[int]]:
    """Each row's token ids: the chat template over [user, assistant] when the tokenizer has
    one, else the (prompt, response) text pair; a long text read from a prefix that holds
    what the model reads (:mod:`qcaudit.long_texts`), where the tokenizer allows."""
    words_apart = reads_words_apart(tokenizer)
    if getattr(tokenizer, "chat_template", None):
        from qcaudit.hf import applied_chat_template

        chats = [applied_chat_template(tokenizer, [{"role": "user", "content": p}, {"role": "assistant", "content": r}],
                                       "reward model", tokenize=False)
                 for p, r in zip(prompts, responses, strict=True)]

        def cut(texts: list[str]) -> list[list[int]]:  # as apply_chat_template tokenises what it renders
            return tokenizer(texts, add_special_tokens=False, truncation=True, max_length=max_tokens)["input_ids"]

        return first_tokens(cut, chats, max_tokens, words_apart)

    def pairs(firsts: list[str], seconds: list[str]) -> list[list[int]]:
        return tokenizer(firsts, seconds, truncation=True, max_length=max_tokens)["input_ids"]

    budget = max_tokens - tokenizer.num_special_tokens_to_add(pair=True)
    return first_pair_tokens(pairs, whole_ids(tokenizer), prompts, responses, budget, words_apart, pieces_alike(tokenizer, words_apart))


def score_pairs(scorer: RewardModel, prompts: list[str], responses: list[str], label: str = "reward model: scoring") -> np.ndarray:
    """The reward model's logit for each (prompt, response), batched as the module docstring
    says, with progress under ``label`` (rows, rate, and the time left reckoned by their
    tokens, as the longest come first)."""
    from qcaudit.detectors.lm import batches, logits

    ids = reward_inputs(scorer.tokenizer, prompts, responses, scorer.max_tokens)
    scores = np.full(len(ids), np.nan)
    with row_progress(label, len(ids), work=float(sum(len(i) for i in ids))) as report:
        for batch in batches(ids, scorer.batch_size, scorer.device, pad=0 if scorer.pad is None else scorer.pad,
                             min_tokens=0, equal_lengths=scorer.pad is None):
            scores[batch.rows] = logits(scorer.model, batch)[:, 0].float().cpu().numpy()
            report.advance(batch.rows.size, float(batch.tokens))
    return scores
