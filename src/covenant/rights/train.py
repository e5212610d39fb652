"""Train the rights model from a library of State Department reports: fit on the early years, calibrate on the
last training year, score on the held-out later years."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from covenant.errors import CovenantError
from covenant.rights.classifier import MODEL_NAME, TFIDF, RightsModel, assigned
from covenant.rights.crosswalk import labels
from covenant.rights.examples import Example, examples
from covenant.rights.metrics import expected_calibration_error, label_f1
from covenant.rights.vectors import sampled, stored_vectors
from covenant.search.embed import DEFAULT_MODEL
from covenant.store.base import Store

Progress = Callable[[str, int, int], None]


@dataclass
class TrainingPlan:
    """Which years train, calibrate and test, and how much of the library's text the model sees."""

    fit_years: tuple[int, ...] = (2017, 2018, 2019)
    calibration_years: tuple[int, ...] = (2020,)
    test_years: tuple[int, ...] = (2021, 2022)
    vector_model: str = DEFAULT_MODEL
    vector_every: int = 1  # embed 1 in N passages for the vector model (1: all)
    max_words: int = 60000
    min_df: int = 3
    c_text: float = 20.0
    c_vector: float = 10.0
    refit: bool = True  # refit on fit + calibration years once calibrated
    embed_missing: bool = True
    seed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def train_rights(
    store: Store, plan: TrainingPlan | None = None, on_progress: Progress | None = None
) -> tuple[RightsModel, dict[str, Any]]:
    """Fit, calibrate and test the rights model on the library's State Department reports; the report says how
    each part scored on the test years."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    plan = plan or TrainingPlan()
    started = time.perf_counter()
    years = set(plan.fit_years) | set(plan.calibration_years) | set(plan.test_years)
    found = examples(store, years)
    fit = [e for e in found if e.year in plan.fit_years]
    calibration = [e for e in found if e.year in plan.calibration_years]
    test = [e for e in found if e.year in plan.test_years]
    if len(fit) < 50 or not calibration:
        raise CovenantError(
            f"too few State Department passages to train on: {len(fit)} in {plan.fit_years}, "
            f"{len(calibration)} in {plan.calibration_years} (ingest the State Department pages first)"
        )
    units = sorted({e.unit for e in fit + calibration})
    index = {u: i for i, u in enumerate(units)}

    # Words.
    vectorizer = TfidfVectorizer(min_df=plan.min_df, max_features=plan.max_words, **TFIDF)  # type: ignore[arg-type]
    x_fit = vectorizer.fit_transform([e.text for e in fit])
    y_fit = np.array([index[e.unit] for e in fit])
    text = _logistic(x_fit, y_fit, plan.c_text, plan.seed, len(units))
    x_cal = vectorizer.transform([e.text for e in calibration])
    y_cal = np.array([index.get(e.unit, -1) for e in calibration])
    text_cal = _logits(text, x_cal, len(units))
    t_text = _temperature(text_cal, y_cal)

    # Stored passage vectors.
    wanted = {e.text_hash: e.text for e in found if sampled(e.text_hash, plan.vector_every)}
    vectors = stored_vectors(
        store, plan.vector_model, wanted, embed_missing=plan.embed_missing, on_progress=on_progress
    )
    v_fit = [e for e in fit if e.text_hash in vectors]
    v_cal = [e for e in calibration if e.text_hash in vectors]
    if len(v_fit) < 50 or not v_cal:
        raise CovenantError(f"too few passage vectors to train on ({len(v_fit)}); run `covenant index` first")
    vector = _logistic(
        _matrix(v_fit, vectors), np.array([index[e.unit] for e in v_fit]), plan.c_vector, plan.seed, len(units)
    )
    vec_cal = _logits(vector, _matrix(v_cal, vectors), len(units))
    yv_cal = np.array([index.get(e.unit, -1) for e in v_cal])
    t_vector = _temperature(vec_cal, yv_cal)

    # How much each model counts where both can read a passage: the weight with the best calibration loss.
    rows = [i for i, e in enumerate(calibration) if e.text_hash in vectors]
    both_text = _log_softmax(text_cal[rows] / t_text)
    both_vec = _log_softmax(vec_cal / t_vector)
    weight = min(
        (round(w, 2) for w in np.arange(0.0, 1.01, 0.1)),
        key=lambda w: _nll(w * both_text + (1 - w) * both_vec, y_cal[rows]),
    )
    if plan.refit:
        vectorizer = TfidfVectorizer(min_df=plan.min_df, max_features=plan.max_words, **TFIDF)  # type: ignore[arg-type]
        both = fit + calibration
        text = _logistic(
            vectorizer.fit_transform([e.text for e in both]),
            np.array([index[e.unit] for e in both]),
            plan.c_text,
            plan.seed,
            len(units),
        )
        v_both = v_fit + v_cal
        vector = _logistic(
            _matrix(v_both, vectors), np.array([index[e.unit] for e in v_both]), plan.c_vector, plan.seed, len(units)
        )
    model = RightsModel(
        name=MODEL_NAME,
        units=units,
        vocabulary={w: int(i) for w, i in vectorizer.vocabulary_.items()},
        idf=vectorizer.idf_.astype(np.float32),
        text_coef=_full(text, "coef_", len(units)),
        text_intercept=_full(text, "intercept_", len(units)),
        vector_model=plan.vector_model,
        vector_coef=_full(vector, "coef_", len(units)),
        vector_intercept=_full(vector, "intercept_", len(units)),
        temperature_text=t_text,
        temperature_vector=t_vector,
        text_weight=float(weight),
        info={
            "fit_years": list(plan.fit_years),
            "calibration_years": list(plan.calibration_years),
            "test_years": list(plan.test_years),
            "passages": {"fit": len(fit), "calibration": len(calibration), "test": len(test)},
            "vector_passages": len(v_fit) + len(v_cal),
            "vector_every": plan.vector_every,
        },
    )
    report = {
        "model": MODEL_NAME,
        "units": len(units),
        "words": len(model.vocabulary),
        "temperature_text": round(t_text, 3),
        "temperature_vector": round(t_vector, 3),
        "text_weight": weight,
        "passages": model.info["passages"],
        "vector_passages": model.info["vector_passages"],
        "test": score_split(model, test, vectors) if test else {},
        "seconds": round(time.perf_counter() - started, 1),
    }
    model.info["test"] = {k: v for k, v in report["test"].items() if k != "per_class"}
    return model, report


def score_split(model: RightsModel, split: list[Example], vectors: dict[str, np.ndarray]) -> dict[str, Any]:
    """How the model and each of its parts label held-out State Department passages (their crosswalk labels)."""
    out: dict[str, Any] = {}
    with_vectors = [e for e in split if e.text_hash in vectors]
    runs: list[tuple[str, list[Example], bool, bool]] = [
        ("words", split, True, False),
        ("vector", with_vectors, False, True),
        ("combined", with_vectors, True, True),
    ]
    for name, rows, use_text, use_vector in runs:
        if not rows:
            continue
        matrix = _matrix(rows, vectors) if use_vector else None
        probs, _ = model.unit_probabilities([e.text for e in rows], matrix, np.full(len(rows), use_text, dtype=bool))
        out[name] = score_probabilities(model, probs, [e.unit for e in rows])
    return out


def score_probabilities(model: RightsModel, probs: np.ndarray, gold_units: list[str]) -> dict[str, Any]:
    scores = model.scheme_scores(probs)
    gold = [labels(u) for u in gold_units]
    result: dict[str, Any] = {"passages": len(gold_units)}
    codes, matrix = scores["dos_section"]
    top = [codes[i] for i in matrix.argmax(axis=1)]
    truth = [g["dos_section"][0] for g in gold]
    section = label_f1([{t} for t in truth], [{p} for p in top])
    result["dos_section"] = {
        "accuracy": round(float(np.mean([a == b for a, b in zip(top, truth, strict=True)])), 4),
        "macro_f1": section["macro_f1"],
        "per_class": section["per_class"],
        "ece_top1": expected_calibration_error(
            matrix.max(axis=1), np.array([a == b for a, b in zip(top, truth, strict=True)])
        ),
    }
    for scheme in ("iccpr", "theme"):
        codes, matrix = scores[scheme]
        predicted = [
            {codes[j] for j in np.flatnonzero(assigned(scheme, row, model.threshold, model.best_floor))}
            for row in matrix
        ]
        gold_sets = [set(g[scheme]) for g in gold]
        scored = label_f1(gold_sets, predicted, codes)
        truth_matrix = np.array([[c in g for c in codes] for g in gold_sets], dtype=float)
        result[scheme] = {
            "macro_f1": scored["macro_f1"],
            "micro_f1": scored["micro_f1"],
            "per_class": scored["per_class"],
            "ece": expected_calibration_error(matrix, truth_matrix),
        }
    return result


def _matrix(rows: list[Example], vectors: dict[str, np.ndarray]) -> np.ndarray:
    return np.stack([vectors[e.text_hash] for e in rows]).astype(np.float32)


def _logistic(x: Any, y: np.ndarray, c: float, seed: int, classes: int) -> Any:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=300, tol=1e-3, random_state=seed)
    model.fit(x, y)
    model.n_units_ = classes
    return model


def _full(model: Any, attr: str, classes: int) -> np.ndarray:
    """Coefficients for every unit (a unit absent from a fit gets a very low intercept)."""
    values = np.asarray(getattr(model, attr), dtype=np.float32)
    shape = (classes, *values.shape[1:])
    out = np.zeros(shape, dtype=np.float32)
    if attr == "intercept_":
        out[:] = -30.0
    out[model.classes_] = values
    return out


def _logits(model: Any, x: Any, classes: int) -> np.ndarray:
    return np.asarray(x @ _full(model, "coef_", classes).T, dtype=np.float64) + _full(model, "intercept_", classes)


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _nll(log_probs: np.ndarray, y: np.ndarray) -> float:
    known = y >= 0
    renorm = _log_softmax(log_probs[known])
    return float(-renorm[np.arange(known.sum()), y[known]].mean())


def _temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature that best calibrates these logits on held-out labels (a 1-D search over log T)."""
    from scipy.optimize import minimize_scalar

    found = minimize_scalar(lambda t: _nll(logits / np.exp(t), y), bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(found.x))
