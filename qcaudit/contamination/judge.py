"""An optional local LLM judge for candidate pairs, in the style of LLM Decontaminator.

Yang et al. (2023) retrieve each training row's nearest benchmark items by embedding and ask
a strong instruct model whether the row rephrases the item. Here the model is any local
causal LM (a folder, or a name the user's Hugging Face cache holds; nothing is downloaded).
For each pair it reads one next-token distribution after our prompt and compares the
probabilities of the answers "Yes" and "No": ``probability`` = P(Yes) / (P(Yes) + P(No)),
at the first token where the two answers differ.
With a chat template the prompt is a user turn followed by the assistant prefix. Pairs are
scored in batches (left padding) and cached by (model, prompt version, pair), so an
unchanged pair is never judged twice.

How well this works depends entirely on the model: the plumbing is tested here with a tiny
local model, and accuracy with a real instruct model is not measured in this project.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from qcaudit.errors import QcauditError
from qcaudit.store import VectorStore

PROMPT_VERSION = 1
#: Each side of a pair is cut to this many characters before it is put in the prompt.
MAX_CHARS = 2000
INSTRUCTION = (
    "You check training data for copies of benchmark test items.\n"
    "Text A comes from a training set and text B is a benchmark test item. Answer Yes if A asks "
    "the same question or the same task as B, even when it is reworded, reordered, renamed, "
    "reformatted, translated into another language or rewritten in another programming language, "
    "or gives only part of B. Answer No if they are different problems, even on the same topic "
    "or with the same template.\n\n"
)


def prompt_text(row: str, item: str) -> str:
    return f"{INSTRUCTION}Text A:\n{row[:MAX_CHARS]}\n\nText B:\n{item[:MAX_CHARS]}\n\nSame problem (Yes or No)?"


@dataclass
class Judge:
    """A local causal LM that judges (row, item) pairs; ``model`` is a folder or a cached name."""

    model: str
    device: str = "auto"
    batch_size: int = 8
    use_cache: bool = True

    @cached_property
    def _loaded(self):
        from qcaudit.hf import load_model, load_tokenizer

        tokenizer = load_tokenizer(self.model, "judge model")
        model, device = load_model(self.model, "causal", self.device, what="judge model")
        tokenizer.padding_side = tokenizer.truncation_side = "left"  # the question comes last: keep it
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        spelled = [tokenizer.encode(" " + w if tokenizer.chat_template is None else w, add_special_tokens=False)
                   for w in ("Yes", "No")]
        shared = 0  # tokens both answers start with (a lone space in small vocabularies) go into the prompt
        while shared < min(map(len, spelled)) and spelled[0][shared] == spelled[1][shared]:
            shared += 1
        if shared == min(map(len, spelled)):
            raise QcauditError(f"judge model {self.model!r}: its tokenizer cannot tell 'Yes' from 'No'")
        answers = (spelled[0][shared], spelled[1][shared], spelled[0][:shared])
        limit = getattr(model.config, "max_position_embeddings", None) or getattr(model.config, "n_positions", None)
        return tokenizer, model, device, answers, limit

    @cached_property
    def key(self) -> str:
        """The model's identity for the cache: its name and its config and tokenizer files."""
        digest = hashlib.sha256(f"{self.model}/prompt{PROMPT_VERSION}".encode())
        path = Path(self.model).expanduser()
        if path.is_dir():
            for file in sorted(path.rglob("*.json")):
                digest.update(file.read_bytes())
        return digest.hexdigest()[:24]

    @property
    def signature(self) -> str:
        return f"judge:{Path(self.model).name}@{self.key[:12]}/p{PROMPT_VERSION}"

    def probabilities(self, rows: list[str], items: list[str]) -> np.ndarray:
        """P(Yes) per (row, item) pair, from the cache where it holds them."""
        keys = np.array([_pair_hash(r, i) for r, i in zip(rows, items, strict=True)], dtype=np.uint64)
        distinct, first, back = np.unique(keys, return_index=True, return_inverse=True)
        store = VectorStore(f"judge/{self.key}", 1, "judge")
        found, known = store.get(distinct) if self.use_cache else (np.zeros(len(distinct), bool), np.zeros((len(distinct), 1), np.float32))
        todo = np.flatnonzero(~found)
        if len(todo):
            fresh = np.asarray(self._judge([rows[first[t]] for t in todo], [items[first[t]] for t in todo]), dtype=np.float32)
            known[todo, 0] = fresh
            if self.use_cache:
                store.put(distinct[todo], fresh[:, None])
        return known[back.ravel(), 0].astype(np.float64)

    def _judge(self, rows: list[str], items: list[str]) -> list[float]:
        import torch

        tokenizer, model, device, (yes, no, lead), limit = self._loaded
        prompts = [self._prompt(tokenizer, r, i) for r, i in zip(rows, items, strict=True)]
        order = np.argsort([len(p) for p in prompts], kind="stable")  # similar lengths share a batch
        out = np.zeros(len(prompts))
        for start in range(0, len(prompts), self.batch_size):
            chosen = order[start : start + self.batch_size]
            batch = tokenizer([prompts[i] for i in chosen], return_tensors="pt", padding=True, truncation=limit is not None,
                              max_length=limit - len(lead) if limit else None, add_special_tokens=tokenizer.chat_template is None)
            ids, mask = batch["input_ids"], batch["attention_mask"]
            if lead:
                ids = torch.cat([ids, torch.tensor([lead] * len(chosen))], dim=1)
                mask = torch.cat([mask, torch.ones(len(chosen), len(lead), dtype=mask.dtype)], dim=1)
            positions = (mask.cumsum(dim=1) - 1).clamp(min=0)  # left padding must not shift positions
            with torch.inference_mode():
                logits = model(input_ids=ids.to(device), attention_mask=mask.to(device),
                               position_ids=positions.to(device)).logits[:, -1, :].float()
            pair = torch.log_softmax(logits[:, [yes, no]], dim=-1)
            out[chosen] = pair[:, 0].exp().cpu().numpy()
        return out.tolist()

    @staticmethod
    def _prompt(tokenizer, row: str, item: str) -> str:
        text = prompt_text(row, item)
        if tokenizer.chat_template is None:
            return text
        return tokenizer.apply_chat_template([{"role": "user", "content": text}], tokenize=False, add_generation_prompt=True)


def _pair_hash(row: str, item: str) -> int:
    digest = hashlib.blake2b(f"{len(row)}:{row}{item}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")
