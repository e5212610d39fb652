"""Train the victim model (src/covenant/events/data/victims-v2.npz) on HRDsAttack news articles: a logistic regression
over the full names of people each article gives (covenant.events.victims.candidates), their features and the sentence
vector of the sentence that first names them, a name a victim when the annotators name it so; C and the threshold
chosen by 5-fold cross-validation on the same articles.

usage: .venv/bin/python benchmarks/train_victims.py [--splits train dev] [--dev] [--out PATH]
--dev also scores the dev split with a model trained on the other splits given (use with --splits train).
Needs scikit-learn (training only; the stage reads the file with numpy alone).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
from hrdsattack import read_articles as hrdsattack_articles
from hrdsattack import rule_victims
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from covenant.events import document_events
from covenant.events.victims import DENSE_WEIGHT, FEATURES, MODEL_FILE, MODEL_NAME, VictimModel, candidates
from covenant.events.violations import ENCODER, sentence_encoder

C_GRID = (0.3, 1.0, 3.0)
THRESHOLDS = [round(x, 3) for x in np.arange(0.1, 0.451, 0.025)]
SEEDS = (0, 1, 2)


def read_articles(splits: list[str]) -> list[dict[str, Any]]:
    """Each article of the splits through the entity and event stages as the benchmark reads it: its candidate
    names and their features beside their context vectors (times DENSE_WEIGHT), the rules' victims and the
    annotators'."""
    articles = []
    encoder = sentence_encoder(ENCODER)
    for split, sample, doc, mentions in hrdsattack_articles(splits):
        events = document_events(doc, mentions, anchored=False)
        found = candidates(doc, mentions, events)
        gold = [v["victim_name"] for v in sample["merged_sample"].get("victims") or [] if v.get("victim_name")]
        features = np.zeros((0, len(FEATURES) + encoder.spec.dim))
        if found:
            vectors = encoder.embed([c.context for c in found]).astype(np.float64) * DENSE_WEIGHT
            features = np.hstack([np.stack([c.features for c in found]), vectors])
        articles.append(
            {
                "split": split,
                "names": [c.name for c in found],
                "features": features,
                "rules": rule_victims(doc, mentions, events),
                "gold": gold,
            }
        )
    return articles


def score(predicted: list[list[str]], articles: list[dict[str, Any]]) -> tuple[float, float, float]:
    """Exact-match micro P, R, F1 (percent) as the benchmark's score.py counts them: of names that contain each
    other, one is kept."""
    right = said = total = 0
    for names, article in zip(predicted, articles, strict=True):
        kept: list[str] = []
        for name in reversed(names):
            if not any(name in k for k in kept):
                kept.append(name)
        said += len(kept)
        total += len(article["gold"])
        right += sum(name in article["gold"] for name in kept)
    p = right / said if said else 0.0
    r = right / total if total else 0.0
    return 100 * p, 100 * r, (200 * p * r / (p + r) if p + r else 0.0)


def fit(articles: list[dict[str, Any]], c: float) -> LogisticRegression:
    rows = [a for a in articles if a["names"]]
    features = np.vstack([a["features"] for a in rows])
    labels = np.concatenate([[name in a["gold"] for name in a["names"]] for a in rows]).astype(int)
    return LogisticRegression(C=c, max_iter=5000).fit(features, labels)


def probabilities(model: LogisticRegression, articles: list[dict[str, Any]]) -> list[np.ndarray]:
    return [model.predict_proba(a["features"])[:, 1] if a["names"] else np.zeros(0) for a in articles]


def picked(articles: list[dict[str, Any]], scores: list[np.ndarray], threshold: float) -> list[list[str]]:
    return [
        [n for n, p in zip(a["names"], s, strict=True) if p >= threshold] for a, s in zip(articles, scores, strict=True)
    ]


def cross_validate(articles: list[dict[str, Any]]) -> dict[float, list[float]]:
    """Per C, the F1 of each threshold, mean over SEEDS shufflings of 5 folds (each fold scored by a model trained on
    the other four)."""
    table: dict[float, list[float]] = {}
    for c in C_GRID:
        f1 = np.zeros(len(THRESHOLDS))
        for seed in SEEDS:
            scores: list[np.ndarray] = [np.zeros(0)] * len(articles)
            for train, held in KFold(5, shuffle=True, random_state=seed).split(articles):
                model = fit([articles[i] for i in train], c)
                for i, s in zip(held, probabilities(model, [articles[i] for i in held]), strict=True):
                    scores[i] = s
            f1 += [score(picked(articles, scores, t), articles)[2] for t in THRESHOLDS]
        table[c] = list(f1 / len(SEEDS))
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", nargs="+", default=["train", "dev"])
    parser.add_argument("--dev", action="store_true", help="also score the dev split with the trained model")
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    args = parser.parse_args()
    started = time.perf_counter()
    articles = read_articles(args.splits)
    rules = score([a["rules"] for a in articles], articles)
    table = cross_validate(articles)
    c, i = max(((c, i) for c in table for i in range(len(THRESHOLDS))), key=lambda ci: table[ci[0]][ci[1]])
    threshold = THRESHOLDS[i]
    print(f"{len(articles)} articles, {sum(len(a['names']) for a in articles)} candidate names")
    for cc, f1 in table.items():
        print(f"C={cc}: " + " ".join(f"{t}:{f:.2f}" for t, f in zip(THRESHOLDS, f1, strict=True)))
    print(f"rules F1 {rules[2]:.2f}; cross-validated F1 {table[c][i]:.2f} at C={c}, threshold {threshold}")
    model = fit(articles, c)
    info = {
        "splits": args.splits,
        "C": c,
        "cv_f1": round(table[c][i], 2),
        "rules_f1": round(rules[2], 2),
        "articles": len(articles),
    }
    victims = VictimModel(MODEL_NAME, list(FEATURES), model.coef_[0].astype(np.float64),
                          float(model.intercept_[0]), threshold, ENCODER, info)  # fmt: skip
    if args.dev:
        dev = read_articles(["dev"])
        ours = score(picked(dev, probabilities(model, dev), threshold), dev)
        print("dev rules P/R/F1 {:.2f} {:.2f} {:.2f}".format(*score([a["rules"] for a in dev], dev)))
        print("dev model P/R/F1 {:.2f} {:.2f} {:.2f}".format(*ours))
    victims.save(args.out)
    print(dict(zip(FEATURES, np.round(victims.coef, 2), strict=False)), "intercept", round(victims.intercept, 2))
    print(f"wrote {args.out} in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
