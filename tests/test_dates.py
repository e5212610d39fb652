"""Date expressions in the reference reports, normalised to ISO at their precision."""

from __future__ import annotations

import html
import json
from datetime import date
from pathlib import Path

import pytest

from conftest import SHARED, needs_corpus
from covenant.dates import dates_in, find_dates, reference_date
from covenant.model import DateMention, Document
from covenant.pipeline import build_document

pytestmark = needs_corpus

REPORT_2003 = "000_81691023f15c1c92"
LETTER_2005 = "002_e77f42745581b012"


def _dates(doc: Document) -> list[DateMention]:
    return [m for p in doc.passages for m in find_dates(p, doc.report)]


def _first(doc: Document, text: str) -> DateMention:
    hit = next((m for m in _dates(doc) if m.text == text), None)
    assert hit is not None, f"no date mention {text!r} in {doc.report.id}"
    return hit


@pytest.fixture(scope="module")
def report_2003(reference_docs: dict[str, Document]) -> Document:
    return reference_docs[REPORT_2003]


def test_relative_month_takes_the_report_year(report_2003: Document) -> None:
    september = _first(report_2003, "September")
    assert (september.value, september.precision, september.method) == ("2003-09", "month", "rules:report-period")
    in_september = next(m for m in _dates(report_2003) if report_2003.clean_text[m.start - 3 : m.end] == "In September")
    assert in_september.value == "2003-09"


def test_day_without_year_takes_the_report_year_not_the_publication_year(report_2003: Document) -> None:
    assert report_2003.report.publication_date is not None and report_2003.report.publication_date.startswith("2004")
    july_1 = _first(report_2003, "July 1")
    assert (july_1.value, july_1.precision) == ("2003-07-01", "day")
    passage = next(p for p in report_2003.passages if p.id == july_1.passage_id)
    assert "On July 1, off-duty Almaty police officer Bakhyt Krykbayev" in passage.text


def test_offsets_are_clean_text_offsets(report_2003: Document) -> None:
    for mention in _dates(report_2003):
        assert report_2003.clean_text[mention.start : mention.end] == mention.text


def test_explicit_ranges_and_seasons(report_2003: Document) -> None:
    found = {m.text: (m.value, m.precision) for m in _dates(report_2003)}
    assert found["summer of 2002"] == ("2002-06/2002-08", "range")
    assert found["July to October 2002"] == ("2002-07/2002-10", "range")
    assert found["February and March 2002"] == ("2002-02/2002-03", "range")
    assert found["during the year"] == ("2003", "year")
    assert found["At year's end"] == ("2003-12", "month")


def test_an_explicit_year_in_the_sentence_wins_over_the_report_period(report_2003: Document) -> None:
    found = [m for m in _dates(report_2003) if m.method == "rules:sentence-year"]
    assert found, "no date took its year from its own sentence"
    for mention in found:
        sentence = report_2003.clean_text[mention.start - 200 : mention.start]
        assert mention.value is not None and mention.value[:4] in sentence


def test_a_letter_without_a_period_takes_the_year_it_names_most(reference_docs: dict[str, Document]) -> None:
    letter = reference_docs[LETTER_2005]
    assert letter.report.period_start is None
    alone = [m for p in letter.passages for m in find_dates(p, letter.report)]
    assert any(m.value is None and m.method == "rules:no-year" for m in alone)
    dates = dates_in(letter.passages, letter.report)
    assert [(m.start, m.text) for m in dates] == [(m.start, m.text) for m in alone]
    # "On September 17, police raided an impromptu public exhibit ... featuring Zhakianov" (the 2005 letter)
    september_17 = next(m for m in dates if m.text == "September 17")
    assert (september_17.value, september_17.method) == ("2005-09-17", "rules:report-year")
    assert all(m.value is not None for m in dates)


def test_may_the_verb_is_no_date(report_2003: Document) -> None:
    for mention in _dates(report_2003):
        if mention.text == "May":
            before = report_2003.clean_text[mention.start - 12 : mention.start].casefold().split()
            assert before and before[-1] in {
                "in",
                "since",
                "until",
                "by",
                "from",
                "during",
                "of",
                "early",
                "late",
                "mid",
                "through",
                "before",
                "after",
            }


HRDSATTACK = SHARED / "bench" / "hrdsattack" / "train.json"


def news_article(tmp_path: Path, article_id: int) -> Document:
    """A HRDsAttack article (train split) saved as a news page carries it: its publication time in a meta tag."""
    if not HRDSATTACK.exists():
        pytest.skip("../shared/bench/hrdsattack is absent")
    sample = next(
        s["sample"]
        for s in json.loads(HRDSATTACK.read_text(encoding="utf-8"))
        if s["sample"]["Input.GLOBALEVENTID"] == article_id
    )
    published = sample["Input.publish_date"].replace(" ", "T")
    page = (
        f'<html><head><title>{html.escape(sample["Input.title"])}</title><meta property="article:published_time" '
        f'content="{published}"></head><body>{sample["Input.article_interface"]}</body></html>'
    )
    path = tmp_path / f"{article_id}.html"
    path.write_text(page, encoding="utf-8")
    return build_document(path)


def test_news_counts_weekdays_and_months_from_its_publication_day(tmp_path: Path) -> None:
    # "MBABANE (Reuters) - Police in eSwatini arrested the head of ... opposition party ... on Friday", published
    # Friday 2019-12-20.
    doc = news_article(tmp_path, 894257592)
    assert reference_date(doc.report) == date(2019, 12, 20)
    dates = dates_in(doc.passages, doc.report)
    friday = next(m for m in dates if m.text == "on Friday")
    assert (friday.value, friday.precision, friday.method) == ("2019-12-20", "day", "rules:publication-date")
    # "MANILA, Philippines — Labor leader Dennise Velasco was finally set free on Tuesday", published Wednesday
    # 2022-03-09; "arrested in December 2020" keeps its own year.
    doc = news_article(tmp_path, 1032633994)
    found = {m.text: m.value for m in dates_in(doc.passages, doc.report)}
    assert found["on Tuesday"] == "2022-03-08" and found["December 2020"] == "2020-12"


def test_reports_read_no_weekday_and_keep_their_period(report_2003: Document) -> None:
    assert reference_date(report_2003.report) is None  # a report of a period is published after it
    assert not [m for m in _dates(report_2003) if m.method == "rules:publication-date"]
