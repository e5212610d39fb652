"""State Department pages through the whole pipeline: structure, metadata, citations (sample; all pages slow)."""

from __future__ import annotations

import json

import pytest

from citations import check_citations
from conftest import STATE_DEPT
from covenant.pipeline import build_document

pytestmark = pytest.mark.skipif(not STATE_DEPT.exists(), reason="State Department pages are absent")


def _manifest() -> list[dict]:
    lines = (STATE_DEPT / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _sample(step: int) -> list[dict]:
    return _manifest()[::step] if STATE_DEPT.exists() else []


def _check_page(entry: dict, citations: bool) -> None:
    path = STATE_DEPT / entry["file"]
    doc = build_document(path)
    r = doc.report
    assert r.source_org == "U.S. Department of State"
    assert r.doc_type == "annual_country_report"
    assert r.period_start == f"{entry['year']}-01-01" and r.period_end == f"{entry['year']}-12-31"
    assert r.country, entry["file"]
    assert r.title and str(entry["year"]) in r.title
    codes = {s.code for s in doc.sections if s.code}
    partial = "notes" in entry  # China, Israel, Cyprus, Ukraine: part of the report is on sub-pages
    if not partial:
        assert {"1", "2", "3", "4", "5", "6", "7"} <= codes, entry["file"]
        assert {"1.a", "2.a"} <= codes, entry["file"]
    assert len(doc.passages) > 40
    assert not any("Skip to content" in p.text or "Official websites use .gov" in p.text for p in doc.passages)
    if citations:
        original = path.read_text(encoding="utf-8")
        check_citations(doc, original, markup=True)


@pytest.mark.parametrize("entry", _sample(40), ids=lambda e: e["file"])
def test_sample_of_pages(entry: dict) -> None:
    _check_page(entry, citations=True)


@pytest.mark.slow
def test_every_page_ingests() -> None:
    failures = []
    for entry in _manifest():
        try:
            _check_page(entry, citations=False)
        except Exception as exc:  # collect every failing page, then fail once with the list
            failures.append(f"{entry['file']}: {type(exc).__name__}: {str(exc)[:200]}")
    assert not failures, "\n".join(failures[:30])


@pytest.mark.parametrize("year", [2019, 2021])
def test_unlettered_subheads_sit_under_their_letter_in_every_markup(year: int) -> None:
    path = STATE_DEPT / str(year) / "russia.html"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    doc = build_document(path)
    by_id = {s.id: s for s in doc.sections}
    prison = next(s for s in doc.sections if s.title == "Prison and Detention Center Conditions")
    assert prison.level == 3 and prison.parent_id and by_id[prison.parent_id].code == "1.c"
    # Section 6 has no lettered subsections: its subheads stay directly under it.
    women = next(s for s in doc.sections if s.title == "Women")
    assert women.level == 2 and women.parent_id and by_id[women.parent_id].code == "6"
