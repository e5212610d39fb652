"""Metadata of the six external documents (Amnesty Report extracts, an RSF web page, a UN UPR report),
with expected values read from the documents and external/SOURCES.md."""

from __future__ import annotations

import pytest

from conftest import EXTERNAL
from covenant.model import Document
from covenant.pipeline import build_document
from covenant.structure.metadata import country_entries, main_entry

pytestmark = pytest.mark.skipif(not EXTERNAL.exists(), reason="external corpus ../shared is absent")

AMNESTY = {
    # file: (country, entry heading, edition year); each extract also holds its neighbours' entries
    "ai_2006_uzbekistan.pdf": ("UZ", "Uzbekistan", 2006),
    "ai_2007_russia.pdf": ("RU", "Russian Federation", 2007),
    "ai_2011_kyrgyzstan.pdf": ("KG", "Kyrgyzstan", 2011),
    "ai_2013_tajikistan.pdf": ("TJ", "Tajikistan", 2013),
}
RSF = "rsf_2014_eastern_europe_central_asia.html"
UPR = "un_hrc_2010_upr_slovenia.pdf"


@pytest.fixture(scope="module")
def external_docs() -> dict[str, Document]:
    return {name: build_document(EXTERNAL / name) for name in [*AMNESTY, RSF, UPR]}


@pytest.mark.parametrize("name", sorted(AMNESTY))
def test_amnesty_extract_is_the_entry_that_fills_it(external_docs, name: str) -> None:
    country, heading, edition = AMNESTY[name]
    report = external_docs[name].report
    assert report.country == country
    assert report.title == f"Amnesty International Report {edition}: {heading}"
    assert report.source_org == "Amnesty International"
    assert report.doc_type == "world_report_chapter"
    assert report.language == "en"


@pytest.mark.parametrize("name", sorted(AMNESTY))
def test_amnesty_report_covers_the_year_before_its_edition(external_docs, name: str) -> None:
    edition = AMNESTY[name][2]
    report = external_docs[name].report
    assert report.publication_date == str(edition)
    assert (report.period_start, report.period_end) == (f"{edition - 1}-01-01", f"{edition - 1}-12-31")
    assert report.metadata_method["period_start"] == "rules:report-edition"


def test_the_edition_comes_from_the_running_footer(external_docs) -> None:
    doc = external_docs["ai_2006_uzbekistan.pdf"]
    assert "Amnesty" not in doc.clean_text  # only the page footers name the report
    footers = [f for f in doc.furniture if f.reason == "running header or footer"]
    assert "276 Amnesty International Report 2006" in {f.text for f in footers}
    assert {f.page for f in footers} == {1, 2, 3, 4}


def test_neighbouring_entries_are_found_but_do_not_win(external_docs) -> None:
    doc = external_docs["ai_2006_uzbekistan.pdf"]
    entries = country_entries(doc.clean_text, doc.sections)
    assert [e.country for e in entries] == ["UY", "UZ", "VE"]
    longest = main_entry(doc.clean_text, doc.sections)
    assert longest is not None and longest.country == "UZ" and longest.heading == "UZBEKISTAN"
    # Kyrgyzstan 2011 opens on the end of Kuwait's entry, which names Kuwait more often than Kyrgyzstan is named
    doc = external_docs["ai_2011_kyrgyzstan.pdf"]
    assert doc.sections[0].start > 0 and "Kuwait" in doc.clean_text[: doc.sections[0].start + 2000]
    assert [e.country for e in country_entries(doc.clean_text, doc.sections)] == ["KG", "LA"]
    # "RUSSIAN" and "FEDERATION" are set as two heading lines
    doc = external_docs["ai_2007_russia.pdf"]
    assert [e.country for e in country_entries(doc.clean_text, doc.sections)] == ["RU", "RW"]


def test_rsf_page_title_is_the_page_not_the_site(external_docs) -> None:
    report = external_docs[RSF].report
    assert report.title == "World Press Freedom Index 2014: Eastern Europe and Central Asia"
    assert report.source_org == "Reporters Without Borders"
    assert report.doc_type == "world_report_chapter"
    assert report.publication_date == "2014"
    # a regional survey: no one country, and the index's own measuring window is not stated on the page
    assert report.country is None
    assert report.period_start is None and report.period_end is None


def test_upr_report_is_a_country_review(external_docs) -> None:
    report = external_docs[UPR].report
    assert report.title == "Report of the Working Group on the Universal Periodic Review: Slovenia"
    assert report.country == "SI"
    assert report.source_org == "UN Human Rights Council"
    assert report.doc_type == "annual_country_report"
    assert report.publication_date == "2010-03-15"  # the masthead's date under "Distr.: General"
    assert report.period_start is None and report.period_end is None


def test_every_field_names_its_method(external_docs) -> None:
    for doc in external_docs.values():
        report = doc.report
        for key in ("title", "source_org", "doc_type", "country", "publication_date", "period_start", "language"):
            if getattr(report, key) is not None:
                assert report.metadata_method.get(key), (report.file_name, key)
