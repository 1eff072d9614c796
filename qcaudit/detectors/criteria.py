"""Zero-shot machine-text criteria on a batch of next-token logits, one number per text.

Inputs are right-padded: ``logits`` (B, T, V) from a causal LM over ``input_ids`` (B, T)
with ``mask`` (B, T) marking real tokens. Position t's logits predict token t+1, so the
scored tokens are ``input_ids[:, 1:]`` under ``logits[:, :-1]``, as the references score
them. Work is in float32 whatever the model's dtype. Each function agrees with its
reference run on one unpadded text (``tests/test_detectors.py`` checks both against the
published formulas on fixed logits, padded and not):

- ``log_likelihood``: mean log p(token) (Fast-DetectGPT ``baselines.get_likelihood``;
  DetectGPT's ``get_ll``). Higher means machine.
- ``log_rank`` / ``rank``: minus the mean log rank / rank of each token among the
  vocabulary, rank 1 the most likely (``get_logrank``, ``get_rank``; ties in logits are
  counted in the token's favour). Higher means machine.
- ``entropy``: mean entropy of the predictive distribution (``get_entropy``).
- ``fast_detect_gpt``: the analytic sampling discrepancy of Bao et al. (2024),
  ``get_sampling_discrepancy_analytic``: (Σ log p_s(x_t) − Σ μ_t) / sqrt(Σ σ²_t), where μ_t
  and σ²_t are the mean and variance of log p_s under the reference (sampling) model's
  distribution at t. Higher means machine.
- ``binoculars``: Hans et al. (2024), ``Binoculars.compute_score``: the performer's mean
  log-perplexity over the tokens, divided by the cross-perplexity, the mean over every real
  position of the cross-entropy from the observer's distribution to the performer's (the
  reference averages this over all positions, the last included). Lower means machine.
"""

from __future__ import annotations

import numpy as np
import torch


def _scored(logits: torch.Tensor, input_ids: torch.Tensor, mask: torch.Tensor):
    """float32 logits at positions 0..T-2, their target tokens, and which targets are real."""
    return logits[:, :-1].float(), input_ids[:, 1:], mask[:, 1:].bool()


def _masked_mean(values: torch.Tensor, mask: torch.Tensor) -> np.ndarray:
    mask = mask.to(values.dtype)
    total = (values * mask).sum(dim=1)
    count = mask.sum(dim=1)
    return torch.where(count > 0, total / count.clamp(min=1), torch.full_like(total, float("nan"))).double().cpu().numpy()


def token_log_probs(logits: torch.Tensor, input_ids: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    scored, labels, real = _scored(logits, input_ids, mask)
    return torch.log_softmax(scored, dim=-1).gather(-1, labels.unsqueeze(-1)).squeeze(-1), real


def log_likelihood(logits: torch.Tensor, input_ids: torch.Tensor, mask: torch.Tensor) -> np.ndarray:
    values, real = token_log_probs(logits, input_ids, mask)
    return _masked_mean(values, real)


def _ranks(logits: torch.Tensor, input_ids: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    scored, labels, real = _scored(logits, input_ids, mask)
    target = scored.gather(-1, labels.unsqueeze(-1))
    return (scored > target).sum(dim=-1).float() + 1.0, real


def rank(logits: torch.Tensor, input_ids: torch.Tensor, mask: torch.Tensor) -> np.ndarray:
    ranks, real = _ranks(logits, input_ids, mask)
    return -_masked_mean(ranks, real)


def log_rank(logits: torch.Tensor, input_ids: torch.Tensor, mask: torch.Tensor) -> np.ndarray:
    ranks, real = _ranks(logits, input_ids, mask)
    return -_masked_mean(torch.log(ranks), real)


def entropy(logits: torch.Tensor, input_ids: torch.Tensor, mask: torch.Tensor) -> np.ndarray:
    scored, _, real = _scored(logits, input_ids, mask)
    log_p = torch.log_softmax(scored, dim=-1)
    return _masked_mean(-(log_p.exp() * log_p).sum(dim=-1), real)


def fast_detect_gpt(reference_logits: torch.Tensor, scoring_logits: torch.Tensor, input_ids: torch.Tensor, mask: torch.Tensor) -> np.ndarray:
    vocab = min(reference_logits.shape[-1], scoring_logits.shape[-1])  # as the reference trims
    scored, labels, real = _scored(scoring_logits[..., :vocab], input_ids, mask)
    # float64: the variance E[log p^2] - E[log p]^2 cancels badly in float32 when it is small
    scored, reference = scored.double(), reference_logits[:, :-1, :vocab].double()
    log_p = torch.log_softmax(scored, dim=-1)
    p_ref = torch.softmax(reference, dim=-1)
    observed = log_p.gather(-1, labels.unsqueeze(-1)).squeeze(-1)
    expected = (p_ref * log_p).sum(dim=-1)
    variance = (p_ref * log_p.square()).sum(dim=-1) - expected.square()
    weight = real.float()
    numerator = ((observed - expected) * weight).sum(dim=1)
    denominator = (variance * weight).sum(dim=1).sqrt()
    return (numerator / denominator).double().cpu().numpy()


def binoculars(observer_logits: torch.Tensor, performer_logits: torch.Tensor, input_ids: torch.Tensor, mask: torch.Tensor) -> np.ndarray:
    perplexity = -_masked_mean(*token_log_probs(performer_logits, input_ids, mask))
    observer_p = torch.softmax(observer_logits.float(), dim=-1)
    cross = -(observer_p * torch.log_softmax(performer_logits.float(), dim=-1)).sum(dim=-1)
    return perplexity / _masked_mean(cross, mask.bool())


def detectgpt(original: np.ndarray, perturbed: list[np.ndarray]) -> np.ndarray:
    """Normalised perturbation discrepancy (Mitchell et al. 2023; Fast-DetectGPT's
    ``detect_gpt.py``): (ll(x) − mean ll(x̃)) / std ll(x̃), the population std, taken as 1
    when it is 0 or there is one perturbation. NaN where a text has no perturbation."""
    out = np.full(len(original), np.nan)
    for i, (ll, lls) in enumerate(zip(original, perturbed)):
        lls = np.asarray(lls, dtype=np.float64)
        if lls.size == 0:
            continue
        std = np.std(lls) if lls.size > 1 else 1.0
        out[i] = (ll - np.mean(lls)) / (std if std != 0 else 1.0)
    return out
