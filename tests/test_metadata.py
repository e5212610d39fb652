"""Metadata detected from the text of the reference reports (expected values read from the reports)."""

from __future__ import annotations

import pytest

from covenant.structure.metadata import _country, _country_mentions

EXPECTED = {
    "000_81691023f15c1c92": {
        "title": "Kazakhstan: Country Reports on Human Rights Practices 2003",
        "source_org": "U.S. Department of State",
        "doc_type": "annual_country_report",
        "country": "KZ",
        "period_start": "2003-01-01",
        "period_end": "2003-12-31",
        # The printed page footer "02/26/2004 http://www.state.gov/..." dates the copy.
        "publication_date": "2004-02",
    },
    "001_30dfef030156c0a4": {
        "title": "Human Rights Watch World Report 2005: Kazakhstan (events of 2004)",
        "source_org": "Human Rights Watch",
        "doc_type": "world_report_chapter",
        "country": "KZ",
        "period_start": "2004-01-01",
        "period_end": "2004-12-31",
        "publication_date": None,
    },
    "002_e77f42745581b012": {
        "source_org": "Human Rights Watch",
        "doc_type": "letter",
        "country": "KZ",
        "period_start": None,
        "period_end": None,
        "publication_date": "2005",
    },
    "003_45cd954fc36bba18": {
        "title": "Kazakhstan: 2019 Country Reports on Human Rights Practices",
        "source_org": "U.S. Department of State",
        "doc_type": "annual_country_report",
        "country": "KZ",
        "period_start": "2019-01-01",
        "period_end": "2019-12-31",
        "publication_date": None,
    },
    "004_c44e466740d2cce1": {
        "source_org": "Kazakhstani human rights NGOs",
        "doc_type": "shadow_report",
        "country": "KZ",
        "period_start": "2011",
        "period_end": "2016-05",
        "publication_date": "2016-05",
    },
}


@pytest.mark.parametrize("report", sorted(EXPECTED))
def test_metadata_is_detected(reference_docs, report: str) -> None:
    found = reference_docs[report].report
    for key, value in EXPECTED[report].items():
        assert getattr(found, key) == value, key
    assert found.language == "en"
    assert found.ingested_at and found.ingested_at != found.publication_date


def test_letter_title_names_the_sender(reference_docs) -> None:
    title = reference_docs["002_e77f42745581b012"].report.title
    assert title.startswith("Letter") and "Human Rights Watch" in title


def test_shadow_report_title_from_the_capitals_title_block(reference_docs) -> None:
    title = reference_docs["004_c44e466740d2cce1"].report.title
    assert title.startswith("Comments of Kazakhstani Human Rights NGOs on Kazakhstan’s Second Periodic Report")
    assert "International Covenant on Civil and Political Rights" in title
    assert "UN Human Rights Committee" in title


def test_every_detected_field_names_its_method(reference_docs) -> None:
    for doc in reference_docs.values():
        for key in ("title", "source_org", "doc_type", "country"):
            assert doc.report.metadata_method.get(key), (doc.report.file_name, key)


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        # the longest name where several start at one place, and no name inside a longer word
        ("Niger and Nigeria; Nigerian troops left Niger.", ["NE", "NG", "NE"]),
        ("Guinea-Bissau, Papua New Guinea, Equatorial Guinea and Guinea", ["GW", "PG", "GQ", "GN"]),
        ("the Democratic Republic of the Congo and the Republic of the Congo", ["CD", "CG"]),
        # spellings folded as the pages print them, aliases, and a name ending in a full stop
        ("Côte d'Ivoire, Cote d'Ivoire, Burma and the Virgin Islands, U.S.", ["CI", "CI", "MM"]),
        ("Kazakhstani officials in Kazakhstan_ and _Kazakhstan", []),
    ],
)
def test_country_mentions(text: str, codes: list[str]) -> None:
    assert _country_mentions(text) == codes


def test_country_of_a_report_is_the_one_it_names_most(reference_docs) -> None:
    """Every reference report names Kazakhstan most, and far more than the runner-up."""
    for doc in reference_docs.values():
        assert _country(doc.clean_text, {}) == "KZ", doc.report.file_name
