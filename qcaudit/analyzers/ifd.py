"""Instruction-following difficulty (IFD; Li et al. 2023, "From Quantity to Quality", the
Cherry-LLM reference): how much the prompt helps a causal LM predict the response.

IFD = s(A|Q) / s(A), s the mean token cross-entropy (nats) of the response A:

- ``ifd_loss_response`` s(A): the response alone, its ids after a BOS token when the
  tokenizer defines one (Hugging Face's loss with labels = those ids, so without a BOS the
  first response token is not predicted);
- ``ifd_loss_conditioned`` s(A|Q): the prompt, written with ``[ifd] template`` (default: the
  tokenizer's chat template for one user turn with the generation prompt, else
  ``"{prompt}\\n"``), and the response, each tokenised on its own without special tokens and
  concatenated as ids after the BOS; the loss over the response tokens only. (Cherry-LLM
  tokenises the joined text and finds the response by its character offset; separate
  tokenisation puts the boundary exactly.) Past ``max_tokens`` the response is cut at the
  end and then the prompt at its start, so the response keeps its context.

IFD ≥ 1 means the prompt does not help: the row is a candidate for review
(``ifd_at_least_1_rate``). Rows are scored in length-sorted, right-padded batches; a causal
LM's logits at real positions do not depend on right padding, so a row's numbers are those
of the row alone (tested against transformers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
import polars as pl
from pydantic import Field

from qcaudit.errors import QcauditError
from qcaudit.columns import PROMPT, RESPONSE, ROW_ID
from qcaudit.progress import row_progress
from qcaudit.registry import Analyzer, AnalyzerResult, CliOption, Device, MetricSpec, RowFlag, Section, count, register, share
from qcaudit.signatures import Metric, histogram, signature
from qcaudit.views import Marker, Stat, View, histogram_view

QUANTILES = {"p10": 0.1, "median": 0.5, "p90": 0.9}
HISTOGRAM_BINS = 40


class IfdSettings(Section):
    """IFD with a local causal LM, switched on by ``model``."""

    model: str | None = None
    #: How the prompt is written before the response: a str.format pattern with {prompt};
    #: None: the tokenizer's chat template if it has one, else "{prompt}\\n".
    template: str | None = None
    batch_size: int = Field(8, ge=1, le=4096)
    max_tokens: int = Field(512, ge=4, le=1_000_000)
    device: Device | None = None
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"


@dataclass
class _Model:
    tokenizer: Any
    model: Any
    device: str


@register
class Ifd(Analyzer):
    name = "ifd"
    order = 68
    title = "Instruction-following difficulty"
    page = "IFD"
    run_hint = "qcaudit report DATA --ifd-model PATH --prompt-fields instruction,input --response-field output"
    Settings = IfdSettings
    options = (CliOption(("--ifd-model",), "model", str, "Local causal LM for IFD; switches the ifd analyzer on."),)

    @classmethod
    def metrics(cls) -> tuple[MetricSpec, ...]:
        return (
            MetricSpec("ifd_mean", "mean IFD, s(A|Q)/s(A)", None, 0.0, headline=True),
            *(MetricSpec(f"ifd_{name}", f"{name} of the per-row IFD", None, 0.0) for name in QUANTILES),
            share("ifd_at_least_1_rate", "share of scored rows whose prompt does not help (IFD >= 1)", "lower", headline=True),
            count("ifd_rows_scored", "rows with a response IFD could score", gateable=False),
        )

    @classmethod
    def row_flags(cls, columns) -> list[RowFlag]:
        return [RowFlag("ifd", pl.col("ifd") >= 1, "prompt does not help", pl.format("IFD {} >= 1", pl.col("ifd").round(3)),
                        verdict=False)]

    @classmethod
    def switched_on(cls, config) -> bool:
        return bool(config.ifd.model)

    @classmethod
    def missing_input(cls, config) -> str | None:
        if not config.ifd.model:
            return "the ifd analyzer needs a causal LM: --ifd-model PATH or [ifd] model"
        return None

    def input_parts(self) -> tuple[str, ...]:
        return PROMPT, RESPONSE

    @classmethod
    def views(cls, tables: dict[str, Any], metrics: dict[str, Any], config: dict[str, Any]) -> list[View]:
        views: list[View] = [Stat("rows whose prompt does not help (IFD >= 1)", metrics["ifd_at_least_1_rate"], ".1%")]
        if tables["ifd_histogram"]["counts"]:
            views.append(histogram_view(tables["ifd_histogram"], "IFD per row", "s(A|Q) / s(A)", markers=[Marker(1.0, "IFD = 1")]))
        return views

    @cached_property
    def _lm(self) -> _Model:
        from qcaudit.hf import load_model, load_tokenizer

        s = self.settings
        tokenizer = load_tokenizer(s.model, "IFD model")
        model, device = load_model(s.model, "causal", s.device or self.context.device, s.dtype, "IFD model")
        return _Model(tokenizer, model, device)

    def _signature(self) -> str:
        from qcaudit.hf import load_model_config, load_tokenizer, planned_device_and_dtype, token_limit

        s = self.settings
        tokenizer = load_tokenizer(s.model, "IFD model")
        template = s.template or ("chat_template" if getattr(tokenizer, "chat_template", None) else "{prompt}\\n")
        max_tokens = token_limit(s.max_tokens, load_model_config(s.model, "IFD model"), tokenizer=tokenizer)
        device, dtype = planned_device_and_dtype(s.device or self.context.device, s.dtype)
        return signature("ifd", f"model:{s.model}", f"template:{template}", f"max_tokens:{max_tokens}", f"dtype:{dtype}",
                         f"device:{device}")

    def partial(self, batch: pl.DataFrame) -> pl.DataFrame:
        rows = batch.filter(pl.col(RESPONSE).is_not_null()).select(ROW_ID, PROMPT, RESPONSE)
        conditioned, alone = ifd_losses(self._lm, rows[PROMPT].fill_null("").to_list(), rows[RESPONSE].to_list(), self.settings)
        return rows.select(ROW_ID).with_columns(
            pl.Series("ifd_loss_conditioned", conditioned), pl.Series("ifd_loss_response", alone),
        ).with_columns((pl.col("ifd_loss_conditioned") / pl.col("ifd_loss_response")).alias("ifd"))

    def finalize(self, rows: pl.DataFrame) -> AnalyzerResult:
        values = rows["ifd"].drop_nans().drop_nulls().to_numpy()
        values = values[np.isfinite(values)]
        if values.size == 0:
            raise QcauditError("the ifd analyzer found no row with a response long enough to score")
        sig = self._signature()
        metrics = {"ifd_mean": Metric(float(values.mean()), sig), "ifd_rows_scored": Metric(int(values.size), sig),
                   "ifd_at_least_1_rate": Metric(float((values >= 1).mean()), sig)}
        metrics |= {f"ifd_{name}": Metric(float(np.quantile(values, q)), sig) for name, q in QUANTILES.items()}
        return AnalyzerResult(metrics, rows, {"ifd_histogram": histogram(values, HISTOGRAM_BINS)})


def prompt_text(tokenizer, prompt: str, template: str | None) -> str:
    if template is not None:
        return template.format(prompt=prompt)
    if getattr(tokenizer, "chat_template", None):
        from qcaudit.hf import applied_chat_template

        return applied_chat_template(tokenizer, [{"role": "user", "content": prompt}], "IFD model", tokenize=False,
                                     add_generation_prompt=True)
    return f"{prompt}\n"


def ifd_inputs(tokenizer, prompts: list[str], responses: list[str], template: str | None,
               max_tokens: int) -> tuple[list[list[int]], list[int], list[list[int]]]:
    """(conditioned ids, where the response starts in them, response-alone ids) per row."""
    from qcaudit import long_texts

    bos = [tokenizer.bos_token_id] if tokenizer.bos_token_id is not None else []
    kept = max(max_tokens - len(bos), 1)

    def answers_cut(texts: list[str]) -> list[list[int]]:
        return tokenizer(texts, add_special_tokens=False, truncation=True, max_length=kept)["input_ids"]

    # a long answer is read from a prefix, a long prompt from a suffix: only the answer's first
    # tokens are scored, after at most the prompt's last ``kept``
    words_apart = long_texts.reads_words_apart(tokenizer)
    answers = long_texts.first_tokens(answers_cut, responses, kept, words_apart)
    questions = long_texts.last_tokens(long_texts.whole_ids(tokenizer), [prompt_text(tokenizer, p, template) for p in prompts],
                                       kept, long_texts.pieces_alike(tokenizer, words_apart))
    conditioned, starts, alone = [], [], []
    for question, answer in zip(questions, answers, strict=True):
        answer = answer[: max_tokens - len(bos)]
        room = max_tokens - len(bos) - len(answer)
        question = question[len(question) - room:] if room > 0 else []
        conditioned.append(bos + question + answer)
        starts.append(len(bos) + len(question))
        alone.append(bos + answer)
    return conditioned, starts, alone


def ifd_losses(lm: _Model, prompts: list[str], responses: list[str], settings: IfdSettings) -> tuple[np.ndarray, np.ndarray]:
    """s(A|Q) and s(A) per row (NaN where the response has no predicted token), reading at
    most ``max_tokens`` or what the model was built for, whichever is fewer."""
    from qcaudit.detectors.lm import scored_lengths
    from qcaudit.hf import token_limit

    max_tokens = token_limit(settings.max_tokens, lm.model.config, tokenizer=lm.tokenizer)
    conditioned, starts, alone = ifd_inputs(lm.tokenizer, prompts, responses, settings.template, max_tokens)
    scored = scored_lengths([*conditioned, *alone])
    with row_progress("ifd: scoring responses after their prompts and alone", len(scored), unit="texts",
                      work=float(sum(scored))) as report:
        # alone, every token after the first is predicted: the response's first after a BOS
        return (mean_losses(lm, conditioned, starts, settings.batch_size, report.advance),
                mean_losses(lm, alone, [1] * len(alone), settings.batch_size, report.advance))


def mean_losses(lm: _Model, token_ids: list[list[int]], starts: list[int], batch_size: int,
                advance: Callable[[int, float], None]) -> np.ndarray:
    """Per sequence, the mean cross-entropy of its tokens from ``starts[i]`` on, each
    predicted from the tokens before it; length-sorted, right-padded batches, each told to
    ``advance`` (its sequences and their tokens)."""
    import torch

    from qcaudit.detectors.lm import batches, logits

    out = np.full(len(token_ids), np.nan)
    for batch in batches(token_ids, batch_size, lm.device):
        scores = logits(lm.model, batch).float()
        nll = -torch.log_softmax(scores[:, :-1], dim=-1).gather(-1, batch.input_ids[:, 1:].unsqueeze(-1)).squeeze(-1)
        position = torch.arange(1, batch.input_ids.shape[1], device=lm.device)
        for i, row in enumerate(batch.rows):
            scored = (position >= max(starts[row], 1)) & (position < len(token_ids[row]))
            if scored.any():
                out[row] = float(nll[i][scored].mean())
        advance(batch.rows.size, float(batch.tokens))
    return out
