"""The rights model: two linear classifiers over units (TF-IDF words; stored multilingual passage vectors),
calibrated and combined, read from one small versioned file shipped in the package."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from covenant.errors import CovenantError
from covenant.rights.crosswalk import labels

MODEL_NAME = "rights-v1"
MODEL_FILE = Path(__file__).parent / "data" / f"{MODEL_NAME}.npz"

#: TF-IDF settings of training (scikit-learn); `RightsModel._tfidf` applies the same at labelling time.
TFIDF = {"ngram_range": (1, 2), "sublinear_tf": True, "lowercase": True, "dtype": np.float32}
_WORD = re.compile(r"(?u)\b\w\w+\b")  # TfidfVectorizer's default token pattern


@dataclass
class RightsModel:
    """Unit probabilities for passages; every scheme's scores follow from them through the crosswalk."""

    name: str
    units: list[str]
    vocabulary: dict[str, int]
    idf: np.ndarray
    text_coef: np.ndarray  # (units, words)
    text_intercept: np.ndarray
    vector_model: str
    vector_coef: np.ndarray  # (units, dim)
    vector_intercept: np.ndarray
    temperature_text: float = 1.0
    temperature_vector: float = 1.0
    text_weight: float = 0.5  # weight of the text model's log-probabilities beside the vector model's
    threshold: float = 0.5  # a scheme code whose score reaches this is the passage's label
    # ... and a passage's best ICCPR article and section already from this score: nearly every passage of a
    # report is about some right, and a passage that touches two splits its probability between them.
    best_floor: float = 0.3
    info: dict[str, Any] = field(default_factory=dict)

    # -- scoring ------------------------------------------------------------------------------------
    def text_logits(self, texts: list[str]) -> np.ndarray:
        """The word model's logits: scikit-learn's TF-IDF of training, applied here with numpy alone (importing
        scikit-learn costs seconds, longer than labelling a report)."""
        out = np.tile(self.text_intercept, (len(texts), 1)).astype(np.float32)
        coef_t = self._coef_t
        for row, text in enumerate(texts):
            columns, weights = self._tfidf(text)
            if columns.size:
                out[row] += weights @ coef_t[columns]
        return out

    def _tfidf(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """One text's TF-IDF features as TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True) makes them:
        lower-cased words of two or more characters, single and in pairs, 1 + log(count) times idf, L2-normed."""
        words = _WORD.findall(text.lower())
        counts: dict[int, int] = {}
        vocabulary = self.vocabulary
        for term in (*words, *(f"{a} {b}" for a, b in pairwise(words))):
            column = vocabulary.get(term)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
        weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * self.idf[columns]
        return columns, (weights / np.linalg.norm(weights)).astype(np.float32)

    @cached_property
    def _coef_t(self) -> np.ndarray:
        return np.ascontiguousarray(self.text_coef.T, dtype=np.float32)

    def vector_logits(self, vectors: np.ndarray) -> np.ndarray:
        return np.asarray(vectors, dtype=np.float32) @ self.vector_coef.T + self.vector_intercept

    def unit_probabilities(
        self, texts: list[str], vectors: np.ndarray | None, use_text: np.ndarray | None = None
    ) -> tuple[np.ndarray, list[str]]:
        """Unit probabilities per passage and the method behind each row.

        `vectors`: one row per text, or NaN rows where no vector is known; `use_text`: False for passages
        the word model cannot read (not English): those rely on the vector alone.
        """
        n = len(texts)
        use_text = np.ones(n, dtype=bool) if use_text is None else use_text
        has_vector = np.zeros(n, dtype=bool) if vectors is None else ~np.isnan(vectors).any(axis=1)
        log_text = _log_softmax(self.text_logits(texts) / self.temperature_text) if n else np.zeros((0, 0))
        out = np.zeros((n, len(self.units)), dtype=np.float32)
        methods: list[str] = []
        if vectors is not None and has_vector.any():
            log_vector = _log_softmax(self.vector_logits(np.nan_to_num(vectors)) / self.temperature_vector)
        else:
            log_vector = np.zeros_like(log_text)
        for i in range(n):
            if has_vector[i] and use_text[i]:
                mixed = self.text_weight * log_text[i] + (1 - self.text_weight) * log_vector[i]
                out[i] = _softmax(mixed)
                methods.append(f"model:{self.name}")
            elif has_vector[i]:
                out[i] = np.exp(log_vector[i])
                methods.append(f"model:{self.name}:vector")
            else:
                out[i] = np.exp(log_text[i])
                methods.append(f"model:{self.name}:words")
        return out, methods

    def scheme_scores(self, unit_probs: np.ndarray) -> dict[str, tuple[list[str], np.ndarray]]:
        """Per scheme: its codes and a (passages, codes) score matrix, each the summed probability of the units
        that carry the code."""
        return {scheme: (codes, unit_probs @ matrix) for scheme, (codes, matrix) in self._crosswalk.items()}

    @cached_property
    def _crosswalk(self) -> dict[str, tuple[list[str], np.ndarray]]:
        out: dict[str, tuple[list[str], np.ndarray]] = {}
        per_unit = [labels(u) for u in self.units]
        for scheme in ("iccpr", "dos_section", "theme", "icescr"):
            codes = sorted({c for lab in per_unit for c in lab[scheme]}, key=_code_order)
            matrix = np.zeros((len(self.units), len(codes)), dtype=np.float32)
            for row, lab in enumerate(per_unit):
                for code in lab[scheme]:
                    matrix[row, codes.index(code)] = 1.0
            out[scheme] = (codes, matrix)
        return out

    # -- the file -----------------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        words = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        meta = {
            "name": self.name,
            "units": self.units,
            "vector_model": self.vector_model,
            "temperature_text": self.temperature_text,
            "temperature_vector": self.temperature_vector,
            "text_weight": self.text_weight,
            "threshold": self.threshold,
            "best_floor": self.best_floor,
            "info": self.info,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            np.savez_compressed(
                out,
                meta=np.array(json.dumps(meta)),
                words=np.array(words),
                idf=self.idf.astype(np.float32),
                text_coef=self.text_coef.astype(np.float16),
                text_intercept=self.text_intercept.astype(np.float32),
                vector_coef=self.vector_coef.astype(np.float32),
                vector_intercept=self.vector_intercept.astype(np.float32),
            )


def load_model(path: Path | None = None) -> RightsModel:
    """The shipped rights model, or the one $COVENANT_RIGHTS_MODEL names (written by `covenant train rights`)."""
    path = path or Path(os.environ.get("COVENANT_RIGHTS_MODEL") or MODEL_FILE)
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            words = [str(w) for w in data["words"]]
            return RightsModel(
                name=meta["name"],
                units=list(meta["units"]),
                vocabulary={w: i for i, w in enumerate(words)},
                idf=data["idf"].astype(np.float32),
                text_coef=data["text_coef"].astype(np.float32),
                text_intercept=data["text_intercept"],
                vector_model=meta["vector_model"],
                vector_coef=data["vector_coef"],
                vector_intercept=data["vector_intercept"],
                temperature_text=float(meta["temperature_text"]),
                temperature_vector=float(meta["temperature_vector"]),
                text_weight=float(meta["text_weight"]),
                threshold=float(meta["threshold"]),
                best_floor=float(meta.get("best_floor", 0.3)),
                info=dict(meta.get("info", {})),
            )
    except FileNotFoundError:
        raise CovenantError(f"{path}: no rights model here (run `covenant train rights` to make one)") from None
    except (KeyError, ValueError, OSError) as exc:
        raise CovenantError(f"{path}: not a rights model file ({exc})") from None


#: The schemes whose best code is a label from `best_floor` (themes and ICESCR need `threshold`).
BEST_FLOOR_SCHEMES = ("iccpr", "dos_section")


def assigned(scheme: str, values: np.ndarray, threshold: float, best_floor: float) -> np.ndarray:
    """Which codes of one passage (its scores in a scheme) are its labels: a section only the best one."""
    best = int(np.argmax(values)) if values.size else -1
    out = np.zeros(values.shape, dtype=bool)
    if scheme != "dos_section":
        out |= values >= threshold
    if best >= 0 and scheme in BEST_FLOOR_SCHEMES and values[best] >= best_floor:
        out[best] = True
    return out


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _softmax(row: np.ndarray) -> np.ndarray:
    row = np.exp(row - row.max())
    return row / row.sum()


def _code_order(code: str) -> tuple[Any, ...]:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in code.split("."))
