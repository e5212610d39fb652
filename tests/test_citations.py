"""The citation invariant on every passage of the five reference reports."""

from __future__ import annotations

import pytest

from citations import check_citations, check_exact_map
from conftest import KAZAKHSTAN, REFERENCE_IDS
from covenant.ingest.text import decode_text


@pytest.mark.parametrize("report", REFERENCE_IDS)
def test_every_passage_is_cited_to_lines_that_contain_it(reference_docs, report: str) -> None:
    doc = reference_docs[report]
    original, _ = decode_text(report, (KAZAKHSTAN / f"{report}.txt").read_bytes())
    assert len(doc.passages) > 10
    check_citations(doc, original)
    check_exact_map(doc, original)


@pytest.mark.parametrize("report", REFERENCE_IDS)
def test_passages_are_bounded_and_ordered(reference_docs, report: str) -> None:
    doc = reference_docs[report]
    previous_end = 0
    for p in doc.passages:
        assert p.start >= previous_end
        assert p.text == p.text.strip() and p.text
        assert len(p.text) <= 1600
        previous_end = p.end
