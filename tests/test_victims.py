"""The named victims of the attack a news article reports (covenant.events.victims), on HRDsAttack train articles
saved as news pages the way benchmarks/hrdsattack.py saves them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import hrdsattack_article
from covenant.entities import Recogniser
from covenant.events import document_events
from covenant.events.victims import FEATURES, article_victims, candidates, victim_scores


def test_the_victim_is_named_and_the_officials_who_speak_are_not(tmp_path: Path) -> None:
    recogniser = Recogniser()
    # "UK newspaper denounces arrest of journalists in US": The Independent's Andrew Buncombe was arrested in
    # Seattle; the UN's spokesperson Liz Throssell comments and President Donald Trump is named.
    doc = hrdsattack_article(tmp_path, 937229983)
    mentions = recogniser.passages(doc.passages)
    events = document_events(doc, mentions, anchored=False)
    scores = victim_scores(doc, mentions, events)
    assert {"Andrew Buncombe", "Liz Throssell", "Donald Trump"} <= set(scores)
    assert article_victims(doc, mentions, events) == ["Andrew Buncombe"]
    assert scores["Liz Throssell"] < scores["Andrew Buncombe"] and scores["Donald Trump"] < scores["Andrew Buncombe"]
    # The model also reads what the sentence first naming each says of them, the name itself left out.
    context = {c.name: c.context for c in candidates(doc, mentions, events)}
    assert "X" in context["Andrew Buncombe"].split() and "Buncombe" not in context["Andrew Buncombe"]

    # "UN expert likens Belarus to 'totalitarian' states": the journalist taken off a diverted plane is the victim,
    # the president who ordered it is not.
    doc = hrdsattack_article(tmp_path, 1006292214)
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
        "assert model.name == 'victims-v2' and model.features == list(FEATURES), model.features\n"
        "n = len(FEATURES)\n"
        "assert 0 < model.threshold < 1 and model.coef.shape == (n + 512,) and model.encoder\n"
        "p = model.probabilities(np.eye(n), np.zeros((n, 512)))\n"
        "assert p.shape == (n,) and ((p > 0) & (p < 1)).all()\n"
        "assert 'sklearn' not in {m.split('.')[0] for m in sys.modules if sys.modules[m] is not None}\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
