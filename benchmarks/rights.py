"""Rights labels on the held-out State Department years (2021-2022), the shipped model beside two peers trained on the
same split in the same run, and the time to label the whole State Department library against embedding it.

usage: python benchmarks/rights.py [--db DB] [--corpus DIR] [--out benchmarks/results] [--embed-sample N]

`--db` is a library of the State Department pages with their passage vectors (`covenant --db DB train rights
--corpus ../shared/corpus/state-dept-html` makes one; the pages are ingested here when the library is empty). Peers:
TF-IDF (single words) + logistic regression predicting the section directly, and a softmax (logistic regression) on
the stored multilingual passage vectors predicting the section: the baseline measured during the search work. ICCPR
articles of a peer follow from its section through the same crosswalk (the section's own entry: 6 is 26, 1.c is 7;
the peers know no subsections). Calibration: expected calibration error of the ICCPR scores (all passage x article
cells) and of the section's top score. Speed: `Library.rights.label(relabel=True)` over every passage against
embedding `--embed-sample` passages with the library's model, scaled to the library. Results go to <out>/rights.json
and rights.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from covenant.library import Library  # noqa: E402
from covenant.rights.classifier import load_model  # noqa: E402
from covenant.rights.crosswalk import labels  # noqa: E402
from covenant.rights.examples import Example, examples  # noqa: E402
from covenant.rights.metrics import expected_calibration_error, label_f1  # noqa: E402
from covenant.rights.taxonomy import UNITS  # noqa: E402
from covenant.rights.train import score_split  # noqa: E402
from covenant.search.embed import load_embedder  # noqa: E402

FIT, TEST = (2017, 2018, 2019, 2020), (2021, 2022)


def section_peer(name: str, train_x: Any, train: list[Example], test_x: Any, test: list[Example]) -> dict[str, Any]:
    """A peer that predicts the 2017-2022 section and takes the section's ICCPR articles from the crosswalk."""
    from sklearn.linear_model import LogisticRegression

    started = time.perf_counter()
    model = LogisticRegression(max_iter=300)
    model.fit(train_x, [UNITS[e.unit].section for e in train])
    probs = model.predict_proba(test_x)
    classes = list(model.classes_)
    top = [classes[i] for i in probs.argmax(axis=1)]
    truth = [UNITS[e.unit].section for e in test]
    hits = np.array([a == b for a, b in zip(top, truth, strict=True)])
    section_articles = {c: _section_articles(c) for c in classes}
    predicted = [section_articles[c] for c in top]
    gold = [set(labels(e.unit)["iccpr"]) for e in test]
    iccpr = label_f1(gold, predicted, sorted({a for g in gold for a in g}, key=int))
    # ICCPR scores: each article's probability is the summed probability of the sections that carry it.
    articles = sorted({a for s in section_articles.values() for a in s} | {a for g in gold for a in g}, key=int)
    scores = np.zeros((len(test), len(articles)))
    for j, cls in enumerate(classes):
        for a in section_articles[cls]:
            scores[:, articles.index(a)] += probs[:, j]
    truth_matrix = np.array([[a in g for a in articles] for g in gold], dtype=float)
    return {
        "peer": name,
        "passages": len(test),
        "dos_section": {
            "accuracy": round(float(hits.mean()), 4),
            "macro_f1": label_f1([{t} for t in truth], [{p} for p in top])["macro_f1"],
            "ece_top1": expected_calibration_error(probs.max(axis=1), hits),
        },
        "iccpr": {
            "macro_f1": iccpr["macro_f1"],
            "micro_f1": iccpr["micro_f1"],
            "ece": expected_calibration_error(scores, truth_matrix),
        },
        "seconds": round(time.perf_counter() - started, 1),
    }


def _section_articles(section: str) -> set[str]:
    """A section's own articles: its crosswalk entry (a section that only has lettered units: theirs)."""
    return {a for u, found in UNITS.items() if found.section == section and "/" not in u for a in labels(u)["iccpr"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="rights-train.db")
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus" / "state-dept-html"))
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    parser.add_argument("--embed-sample", type=int, default=2000)
    args = parser.parse_args()
    from sklearn.feature_extraction.text import TfidfVectorizer

    model = load_model()
    result: dict[str, Any] = {"when": datetime.now(UTC).isoformat(timespec="minutes"), "model": model.name}
    with Library(args.db) as lib:
        if not lib.reports():
            lib.ingest([args.corpus])
        found = examples(lib.store, set(FIT) | set(TEST))
        train = [e for e in found if e.year in FIT]
        test = [e for e in found if e.year in TEST]
        stored = lib.store.embeddings(model.vector_model, sorted({e.text_hash for e in found}))
        vectors = {h: np.frombuffer(v, dtype=np.float32) for h, v in stored.items()}
        result["passages"] = {"train": len(train), "test": len(test), "with_vectors": len(vectors)}

        # The shipped model (its words, its vector part, both combined) on the held-out years.
        ours = score_split(model, test, vectors)
        result["covenant"] = {
            k: {kk: vv for kk, vv in v.items() if kk != "per_class" and not isinstance(vv, dict)}
            | {s: {m: x for m, x in v[s].items() if m != "per_class"} for s in ("dos_section", "iccpr", "theme")}
            for k, v in ours.items()
        }
        result["covenant_per_article"] = {
            a: s["f1"] for a, s in ours["combined" if "combined" in ours else "words"]["iccpr"]["per_class"].items()
        }
        result["covenant_per_section"] = {
            c: s["f1"]
            for c, s in ours["combined" if "combined" in ours else "words"]["dos_section"]["per_class"].items()
        }

        # Peers on the same split.
        words = TfidfVectorizer(min_df=3, max_features=60000)
        train_x = words.fit_transform([e.text for e in train])
        peers = [
            section_peer("tf-idf + logistic regression", train_x, train, words.transform([e.text for e in test]), test)
        ]
        v_train = [e for e in train if e.text_hash in vectors]
        v_test = [e for e in test if e.text_hash in vectors]
        if v_train and v_test:
            peers.append(
                section_peer(
                    "stored-vector softmax",
                    np.stack([vectors[e.text_hash] for e in v_train]),
                    v_train,
                    np.stack([vectors[e.text_hash] for e in v_test]),
                    v_test,
                )
            )
        result["peers"] = peers

        # Speed: label every passage, against embedding them.
        total = sum(lib.store.passage_counts().values())
        started = time.perf_counter()
        done = lib.rights.label(relabel=True)
        label_seconds = time.perf_counter() - started
        sample = [e.text for e in found[:: max(1, len(found) // args.embed_sample)]][: args.embed_sample]
        embedder = load_embedder(model.vector_model)
        started = time.perf_counter()
        embedder.embed(sample)
        embed_rate = len(sample) / (time.perf_counter() - started)
        result["speed"] = {
            "passages": total,
            "labelled": done["passages"],
            "label_seconds": round(label_seconds, 1),
            "label_passages_per_second": round(done["passages"] / label_seconds, 1),
            "embed_passages_per_second": round(embed_rate, 1),
            "embed_seconds_for_library": round(total / embed_rate, 1),
            "label_vs_embed": round(label_seconds / (total / embed_rate), 3),
        }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "rights.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (out / "rights.md").write_text(render(result), encoding="utf-8")
    print(render(result))


def render(result: dict[str, Any]) -> str:
    lines = [
        f"# Rights labels ({result['when']}, model {result['model']})",
        "",
        f"Held-out State Department years 2021-2022: {result['passages']['test']} passages "
        f"(trained on {result['passages']['train']} of 2017-2020); {result['passages']['with_vectors']} passages "
        "have a stored vector.",
        "",
        "| system | passages | section accuracy | section macro-F1 | ICCPR macro-F1 | ICCPR micro-F1 | ECE ICCPR | "
        "ECE section |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for part, s in result["covenant"].items():
        lines.append(
            f"| Covenant ({part}) | {s['passages']} | {s['dos_section']['accuracy']:.3f} | "
            f"{s['dos_section']['macro_f1']:.3f} | {s['iccpr']['macro_f1']:.3f} | {s['iccpr']['micro_f1']:.3f} | "
            f"{s['iccpr']['ece']:.4f} | {s['dos_section']['ece_top1']:.4f} |"
        )
    for s in result["peers"]:
        lines.append(
            f"| peer: {s['peer']} | {s['passages']} | {s['dos_section']['accuracy']:.3f} | "
            f"{s['dos_section']['macro_f1']:.3f} | {s['iccpr']['macro_f1']:.3f} | {s['iccpr']['micro_f1']:.3f} | "
            f"{s['iccpr']['ece']:.4f} | {s['dos_section']['ece_top1']:.4f} |"
        )
    lines += [
        "",
        "ICCPR F1 per article (Covenant): "
        + ", ".join(
            f"{a}: {f:.2f}" for a, f in sorted(result["covenant_per_article"].items(), key=lambda kv: int(kv[0]))
        ),
        "",
    ]
    sp = result["speed"]
    lines += [
        f"Speed: labelling {sp['labelled']} passages took {sp['label_seconds']} s ({sp['label_passages_per_second']} "
        f"passages/s); embedding them would take about {sp['embed_seconds_for_library']} s "
        f"({sp['embed_passages_per_second']} passages/s): labelling costs {sp['label_vs_embed']:.1%} of embedding.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
