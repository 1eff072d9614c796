"""How well a detector's scores separate labelled machine rows from human rows.

``auroc``: the probability that a random machine row outscores a random human row, ties
counted half (the Mann-Whitney statistic over n_machine * n_human; equal to scikit-learn's
``roc_auc_score``). ``tpr_at_fpr``: the largest share of machine rows caught by a threshold
that flags at most ``fpr`` of human rows (a point of scikit-learn's ``roc_curve``).
Scores are oriented so that higher means machine before either is computed.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata


def auroc(machine: np.ndarray, human: np.ndarray) -> float:
    if machine.size == 0 or human.size == 0:
        return float("nan")
    ranks = rankdata(np.concatenate([machine, human]))
    return float((ranks[: machine.size].sum() - machine.size * (machine.size + 1) / 2) / (machine.size * human.size))


def tpr_at_fpr(machine: np.ndarray, human: np.ndarray, fpr: float = 0.01) -> float:
    if machine.size == 0 or human.size == 0:
        return float("nan")
    thresholds = np.unique(np.concatenate([machine, human]))[::-1]
    human_sorted, machine_sorted = np.sort(human), np.sort(machine)
    false_pos = (human.size - np.searchsorted(human_sorted, thresholds, side="left")) / human.size
    true_pos = (machine.size - np.searchsorted(machine_sorted, thresholds, side="left")) / machine.size
    allowed = false_pos <= fpr
    return float(true_pos[allowed].max()) if allowed.any() else 0.0
