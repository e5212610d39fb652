"""Scores for rights labels: per-class and macro F1 over label sets, and the calibration error of scores."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def label_f1(
    gold: Sequence[set[str]], predicted: Sequence[set[str]], classes: list[str] | None = None
) -> dict[str, Any]:
    """Per-class precision, recall and F1 over multi-label sets, and their macro average over the classes that
    occur in the gold labels (a class never in gold nor predicted does not count)."""
    classes = classes or sorted({c for g in gold for c in g})
    per: dict[str, dict[str, float]] = {}
    for cls in classes:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if cls in g and cls in p)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if cls not in g and cls in p)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if cls in g and cls not in p)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per[cls] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": tp + fn,
        }
    scored = [v["f1"] for v in per.values() if v["support"]]
    tp_all = sum(len(g & p) for g, p in zip(gold, predicted, strict=True))
    pred_all = sum(len(p) for p in predicted)
    gold_all = sum(len(g) for g in gold)
    micro_p = tp_all / pred_all if pred_all else 0.0
    micro_r = tp_all / gold_all if gold_all else 0.0
    return {
        "macro_f1": round(float(np.mean(scored)), 4) if scored else 0.0,
        "micro_f1": round(2 * micro_p * micro_r / (micro_p + micro_r), 4) if micro_p + micro_r else 0.0,
        "per_class": per,
        "passages": len(gold),
    }


def expected_calibration_error(scores: np.ndarray, truth: np.ndarray, bins: int = 10) -> float:
    """ECE of binary scores: the gap between mean score and hit rate, averaged over equal-width bins by size."""
    scores = np.asarray(scores, dtype=np.float64).ravel()
    truth = np.asarray(truth, dtype=np.float64).ravel()
    if not scores.size:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(scores, edges[1:-1]), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            error += mask.mean() * abs(scores[mask].mean() - truth[mask].mean())
    return round(float(error), 4)
