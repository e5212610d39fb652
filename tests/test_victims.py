"""The named victims of the attack a news article reports (covenant.events.victims), on HRDsAttack train articles
saved as news pages the way benchmarks/hrdsattack.py saves them."""

from __future__ import annotations

import html
import json
import subprocess
import sys
from pathlib import Path

import pytest

from covenant.entities import Recogniser
from covenant.events import document_events
from covenant.events.victims import FEATURES, article_victims, candidates, victim_scores
from covenant.model import Document
from covenant.pipeline import build_document

HRDSATTACK_TRAIN = Path(__file__).resolve().parents[2] / "shared" / "bench" / "hrdsattack" / "train.json"


def _news(tmp_path: Path, article_id: int) -> Document:
    """A HRDsAttack train article as the benchmark saves it: title, publication time, then its paragraphs."""
    if not HRDSATTACK_TRAIN.exists():
        pytest.skip("../shared/bench/hrdsattack is absent")
    samples = json.loads(HRDSATTACK_TRAIN.read_text(encoding="utf-8"))
    sample = next(s["sample"] for s in samples if s["sample"]["Input.GLOBALEVENTID"] == article_id)
    title = html.escape(sample["Input.title"])
    published = html.escape(sample["Input.publish_date"].replace(" ", "T"), quote=True)
    path = tmp_path / f"{article_id}.html"
    path.write_text(
        f'<html><head><title>{title}</title><meta property="article:published_time" content="{published}"></head>'
        f"<body><h1>{title}</h1>{sample['Input.article_interface']}</body></html>",
        encoding="utf-8",
    )
    return build_document(path)


def test_the_victim_is_named_and_the_officials_who_speak_are_not(tmp_path: Path) -> None:
    recogniser = Recogniser()
    # "UK newspaper denounces arrest of journalists in US": The Independent's Andrew Buncombe was arrested in
    # Seattle; the UN's spokesperson Liz Throssell comments and President Donald Trump is named.
    doc = _news(tmp_path, 937229983)
    mentions = recogniser.passages(doc.passages)
    events = document_events(doc, mentions, anchored=False)
    scores = victim_scores(doc, mentions, events)
    assert {"Andrew Buncombe", "Liz Throssell", "Donald Trump"} <= set(scores)
    assert article_victims(doc, mentions, events) == ["Andrew Buncombe"]
    assert scores["Liz Throssell"] < scores["Andrew Buncombe"] and scores["Donald Trump"] < scores["Andrew Buncombe"]

    # "UN expert likens Belarus to 'totalitarian' states": the journalist taken off a diverted plane is the victim,
    # the president who ordered it is not.
    doc = _news(tmp_path, 1006292214)
    mentions = recogniser.passages(doc.passages)
    events = document_events(doc, mentions, anchored=False)
    found = {c.name: c.features for c in candidates(doc, mentions, events)}
    assert found["Alexander Lukashenko"][FEATURES.index("office before")] == 1.0
    victims = article_victims(doc, mentions, events)
    assert "Roman Protasevich" in victims and "Alexander Lukashenko" not in victims


def test_the_victim_model_loads_and_scores_without_scikit_learn() -> None:
    # The stage reads the shipped file with numpy alone: scikit-learn is for training only.
    code = (
        "import sys; sys.modules['sklearn'] = None\n"
        "import numpy as np\n"
        "from covenant.events.victims import FEATURES, load_victim_model\n"
        "model = load_victim_model()\n"
        "assert model.name == 'victims-v1' and model.features == list(FEATURES), model.features\n"
        "assert 0 < model.threshold < 1 and model.coef.shape == (len(FEATURES),)\n"
        "p = model.probabilities(np.eye(len(FEATURES)))\n"
        "assert p.shape == (len(FEATURES),) and ((p > 0) & (p < 1)).all()\n"
        "assert 'sklearn' not in {m.split('.')[0] for m in sys.modules if sys.modules[m] is not None}\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
