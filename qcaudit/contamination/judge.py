"""An optional local LLM judge for candidate pairs, in the style of LLM Decontaminator.

Yang et al. (2023) retrieve each training row's nearest benchmark items by embedding and ask
a strong instruct model whether the row rephrases the item. Here the model is any local
causal LM (a folder, or a name the user's Hugging Face cache holds; nothing is downloaded).
For each pair it reads one next-token distribution after our prompt and compares the
probabilities of the answers "Yes" and "No": ``probability`` = P(Yes) / (P(Yes) + P(No)),
at the first token where the two answers differ.
With a chat template the prompt is a user turn followed by the assistant prefix. Pairs are
cached by (model, engine, prompt version, pair), so an unchanged pair is never judged twice.

Two engines read the same prompts' ids:

- ``transformers``: batches of similar length, left padding, one forward pass each;
- ``vllm`` (the default on CUDA when vLLM is installed): every pair is sent twice, its
  prompt followed by the "Yes" token and by the "No" token, and vLLM's prompt log
  probabilities of those last tokens give the same ratio. That is exact, at twice the
  prefill (vLLM does not read its prefix cache for requests that ask for prompt log
  probabilities), left to vLLM's scheduler. A prompt is cut from the left to leave room
  for the answer in vLLM's context (the model's, up to :data:`VLLM_CONTEXT` tokens).

How well this works depends entirely on the model: the plumbing is tested here with a tiny
local model, and accuracy with a real instruct model is not measured in this project.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import polars as pl

from qcaudit.errors import QcauditError
from qcaudit.progress import row_progress, text_costs
from qcaudit.store import VectorStore

PROMPT_VERSION = 1
ENGINES = ("auto", "transformers", "vllm")
#: Each side of a pair is cut to this many characters before it is put in the prompt.
MAX_CHARS = 2000
#: vLLM reserves memory for its context length; a prompt of two 2,000-character texts fits
#: in this many tokens (as one token a character, with the instruction and a chat template),
#: so the judge asks for no more even when the model reads 32k or 128k tokens.
VLLM_CONTEXT = 8192
#: Pairs sent to vLLM in one ``generate`` call (twice as many requests), between progress reports.
VLLM_CHUNK = 1024
INSTRUCTION = (
    "You check training data for copies of benchmark test items.\n"
    "Text A comes from a training set and text B is a benchmark test item. Answer Yes if A asks "
    "the same question or the same task as B, even when it is reworded, reordered, renamed, "
    "reformatted, translated into another language or rewritten in another programming language, "
    "or gives only part of B. Answer No if they are different problems, even on the same topic "
    "or with the same template.\n\n"
)


def judged_pairs(candidates: pl.DataFrame, min_cosine: float, top_k: int) -> pl.DataFrame:
    """The (``row``, ``item``) pairs the judge reads: each row's ``top_k`` candidates by
    verifier ``score`` among those with ``cosine`` at least ``min_cosine``."""
    return (
        candidates.filter(pl.col("cosine") >= min_cosine)
        .sort(["row", "score", "item"], descending=[False, True, False])
        .group_by("row", maintain_order=True)
        .head(top_k)
        .select("row", "item")
    )


def prompt_text(row: str, item: str) -> str:
    return f"{INSTRUCTION}Text A:\n{row[:MAX_CHARS]}\n\nText B:\n{item[:MAX_CHARS]}\n\nSame problem (Yes or No)?"


@dataclass
class Judge:
    """A local causal LM that judges (row, item) pairs; ``model`` is a folder or a cached name,
    ``engine`` one of :data:`ENGINES`."""

    model: str
    device: str = "auto"
    batch_size: int = 8
    use_cache: bool = True
    engine: str = "auto"

    @cached_property
    def runs_on(self) -> str:
        """The engine that runs: ``auto`` is vLLM on CUDA when it is installed, else transformers."""
        from qcaudit.embed import resolve_device

        if self.engine not in ENGINES:
            raise QcauditError(f"unknown judge engine {self.engine!r}: use {', '.join(ENGINES)}")
        installed = importlib.util.find_spec("vllm") is not None
        if self.engine == "vllm" and not installed:
            raise QcauditError("judge engine vllm: vLLM is not installed (pip install vllm, on a machine with a GPU)")
        if self.engine == "auto":
            return "vllm" if installed and resolve_device(self.device) == "cuda" else "transformers"
        return self.engine

    def check(self) -> None:
        """Raise QcauditError now, before any work, when the engine cannot run here or the
        model's tokenizer and config cannot be read offline or declare no causal LM (its
        weights load on first use: a re-run whose pairs are all cached never loads them)."""
        self.runs_on
        self._prompting

    @cached_property
    def _prompting(self):
        """(tokenizer, (yes, no, lead), limit): the tokenizer (cutting prompts from the left,
        as the question comes last), the ids of the first tokens where "Yes" and "No" differ
        and the tokens both start with, and the model's most positions (None if unknown)."""
        from qcaudit.hf import context_length, load_model_config, load_tokenizer, refuse_other_architectures

        tokenizer = load_tokenizer(self.model, "judge model")
        tokenizer.padding_side = tokenizer.truncation_side = "left"
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
        config = load_model_config(self.model, "judge model")
        refuse_other_architectures(config, "causal", self.model, "judge model")
        return tokenizer, answers, context_length(config)

    @cached_property
    def _model(self):
        """(model, device) for the transformers engine."""
        from qcaudit.hf import load_model

        return load_model(self.model, "causal", self.device, what="judge model")

    @cached_property
    def _llm(self):
        """The vLLM engine's model (offline: a local folder or a name the cache holds)."""
        from vllm import LLM

        from qcaudit.hf import loading_model, model_source, offline

        offline()
        source = model_source(self.model, "judge model")
        with loading_model("judge model", self.model, "vLLM cannot load it"):
            return LLM(model=source, tokenizer=source, max_model_len=self._vllm_context)

    @cached_property
    def key(self) -> str:
        """The judge's identity for the cache: the model's name and folder (its files, as the
        encoder's cache reads them: new weights under the same config are a new judge), the
        prompt version and the engine."""
        from qcaudit.hf import add_model_files

        digest = hashlib.sha256(f"{self.model}/prompt{PROMPT_VERSION}/{self.runs_on}".encode())
        path = Path(self.model).expanduser()
        if path.is_dir():
            add_model_files(digest, path)
        return digest.hexdigest()[:24]

    @property
    def signature(self) -> str:
        return f"judge:{Path(self.model).name}@{self.key[:12]}/p{PROMPT_VERSION}/{self.runs_on}"

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
        """P(Yes) per pair, with pairs done, pairs/s and time left reported as they go (a pair
        is a forward pass of a few hundred tokens: seconds each on a CPU)."""
        tokenizer, answers, limit = self._prompting
        prompts = [self._prompt(tokenizer, r, i) for r, i in zip(rows, items, strict=True)]
        cost = text_costs(prompts)  # (the time left is reckoned by the prompts' characters)
        with row_progress("judge", len(prompts), unit="pairs", work=float(cost.sum())) as report:
            if self.runs_on == "vllm":
                return self._judge_vllm(prompts, tokenizer, answers, report, cost)
            return self._judge_transformers(prompts, tokenizer, answers, limit, report, cost)

    def _judge_transformers(self, prompts: list[str], tokenizer, answers, limit, report, cost: np.ndarray) -> list[float]:
        import torch

        (yes, no, lead), (model, device) = answers, self._model
        order = np.argsort(cost, kind="stable")  # similar lengths share a batch
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
            report.advance(len(chosen), float(cost[chosen].sum()))
        return out.tolist()

    @property
    def _vllm_context(self) -> int:
        """The context vLLM is started with: the model's, up to :data:`VLLM_CONTEXT`."""
        limit = self._prompting[2]
        return min(limit, VLLM_CONTEXT) if limit else VLLM_CONTEXT

    def _judge_vllm(self, prompts: list[str], tokenizer, answers, report, cost: np.ndarray) -> list[float]:
        """Each prompt twice, ending in the Yes token and in the No token; P(Yes) from the
        log probabilities vLLM reports for those last prompt tokens. Sent in chunks of
        :data:`VLLM_CHUNK` pairs, each a full batch for vLLM's scheduler, to report progress."""
        from vllm import SamplingParams

        yes, no, lead = answers
        room = self._vllm_context - len(lead) - 2  # the answer token, and the one token vLLM generates
        out = []
        for start in range(0, len(prompts), VLLM_CHUNK):
            chunk = prompts[start : start + VLLM_CHUNK]
            ids = tokenizer(chunk, truncation=True, max_length=room, add_special_tokens=tokenizer.chat_template is None)["input_ids"]
            requests = [{"prompt_token_ids": [*p, *lead, answer]} for p in ids for answer in (yes, no)]
            outputs = self._llm.generate(requests, SamplingParams(max_tokens=1, prompt_logprobs=1), use_tqdm=False)
            logprobs = np.array([output.prompt_logprobs[-1][request["prompt_token_ids"][-1]].logprob
                                 for output, request in zip(outputs, requests, strict=True)], dtype=np.float64)
            out += (1.0 / (1.0 + np.exp(logprobs[1::2] - logprobs[0::2]))).tolist()
            report.advance(len(chunk), float(cost[start : start + len(chunk)].sum()))
        return out

    @staticmethod
    def _prompt(tokenizer, row: str, item: str) -> str:
        text = prompt_text(row, item)
        if tokenizer.chat_template is None:
            return text
        from qcaudit.hf import applied_chat_template

        return applied_chat_template(tokenizer, [{"role": "user", "content": text}], "judge model", tokenize=False,
                                     add_generation_prompt=True)


def _pair_hash(row: str, item: str) -> int:
    digest = hashlib.blake2b(f"{len(row)}:{row}{item}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")
