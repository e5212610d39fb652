"""`covenant eval` on the development annotations: real files in, scores out, results written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import EVAL_DEV, needs_corpus
from covenant.eval.matching import normalise, quote_matches

COVENANT = [sys.executable, "-m", "covenant.cli"]


def test_quote_matching_follows_the_format() -> None:
    passage = "On May 5, 2005, the independent newspaper Respublika (“Republic”) was shut down.3 It reopened."
    assert quote_matches('the independent newspaper Respublika ("Republic") was shut down', passage)
    assert not quote_matches("the newspaper was never closed", passage)
    long_quote = passage + " Its editor left the country in fear."
    assert not quote_matches(long_quote, passage)  # 13 of 20 words, under 80 %
    assert quote_matches(passage.replace(" It reopened.", " It then reopened in May."), passage)
    assert normalise("Kazakhstan.2  Next") == "kazakhstan. next"


@needs_corpus
def test_eval_ingest_and_search_write_their_scores(tmp_path: Path) -> None:
    out = tmp_path / "ingest.json"
    subprocess.run(
        [*COVENANT, "eval", "ingest", "--gold", str(EVAL_DEV), "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    scores = json.loads(out.read_text())
    assert scores["metadata"]["accuracy"] >= 0.9
    assert scores["sections"]["f1"] == 1.0 and scores["sections"]["code_accuracy"] == 1.0

    out = tmp_path / "search.json"
    subprocess.run(
        [
            *COVENANT,
            "--db",
            str(tmp_path / "untouched.db"),
            "eval",
            "search",
            "--gold",
            str(EVAL_DEV),
            "--mode",
            "bm25",
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    search = json.loads(out.read_text())
    bm25 = search["modes"]["bm25"]
    assert search["queries"] == 30 and search["unlocated_quotes"] == []
    assert 0.5 <= bm25["ndcg@10"] <= 1.0 and 0.5 <= bm25["recall@20"] <= 1.0 and bm25["mrr"] > 0.5
    assert not (tmp_path / "untouched.db").exists()  # scoring never writes to the user's library
