"""Citations a brief can use: printed pages, paragraph numbers, document symbols, addresses and accessed dates,
in the plain, COI and CSL-JSON styles, on the real documents."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from conftest import EXTERNAL, KAZAKHSTAN, STATE_DEPT
from covenant.batch import load_sidecar
from covenant.citation import cite, cite_passage
from covenant.errors import BadInputError
from covenant.library import Library
from covenant.model import Document, Passage
from covenant.pipeline import build_document
from covenant.store.sqlite import MIGRATIONS, SQLiteStore

pytestmark = pytest.mark.skipif(not EXTERNAL.exists(), reason="external corpus ../shared is absent")

# The numbers printed in each Amnesty extract's running footers (external/SOURCES.md gives the same ranges)
AMNESTY_PAGES = {
    "ai_2006_uzbekistan.pdf": ["276", "277", "278", "279"],
    "ai_2007_russia.pdf": ["216", "217", "218", "219", "220"],
    "ai_2011_kyrgyzstan.pdf": ["201", "202", "203", "204"],
    "ai_2013_tajikistan.pdf": ["263", "264", "265"],
}
UPR = "un_hrc_2010_upr_slovenia.pdf"
NGO_004 = "004_c44e466740d2cce1.txt"
STATE_PAGES = {
    "2017/malaysia.html": "https://www.state.gov/reports/2017-country-reports-on-human-rights-practices/Malaysia/",
    "2022/brazil.html": "https://www.state.gov/reports/2022-country-reports-on-human-rights-practices/brazil/",
}


@pytest.fixture(scope="module")
def docs() -> dict[str, Document]:
    names = [*AMNESTY_PAGES, UPR, "rsf_2014_eastern_europe_central_asia.html"]
    found = {name: build_document(EXTERNAL / name) for name in names}
    if KAZAKHSTAN.exists():
        found[NGO_004] = build_document(KAZAKHSTAN / NGO_004)
    return found


def _starting(doc: Document, prefix: str) -> Passage:
    return next(p for p in doc.passages if p.text.startswith(prefix))


def test_amnesty_file_page_2_is_printed_page_277(docs) -> None:
    doc = docs["ai_2006_uzbekistan.pdf"]
    on_page_2 = [p for p in doc.passages if p.page_start == 2]
    assert on_page_2 and all(p.printed_page_start == "277" for p in on_page_2)
    trials = next(p for p in doc.passages if p.section_path[-1:] == ["‘Akramia’ trials"])
    citation = cite_passage(doc.report, trials)
    assert citation.formatted().startswith(
        "Amnesty International, Amnesty International Report 2006: Uzbekistan, published 2006; "
        "‘Akramia’ trials, p. 277 (file page 2) of ai_2006_uzbekistan.pdf; accessed "
    )
    assert citation.formatted("coi").endswith("; ‘Akramia’ trials, p. 277")


@pytest.mark.parametrize("name", sorted(AMNESTY_PAGES))
def test_amnesty_extracts_cite_the_pages_they_print(docs, name: str) -> None:
    doc = docs[name]
    assert doc.report.printed_pages == AMNESTY_PAGES[name]
    assert doc.report.metadata_method["printed_pages"] == "layout:page-numbers"
    for p in doc.passages:
        assert p.printed_page_start == AMNESTY_PAGES[name][p.page_start - 1]
        assert p.printed_page_end == AMNESTY_PAGES[name][p.page_end - 1]
        assert p.paragraph is None  # the annual report does not number its paragraphs


def test_a_paragraph_over_a_page_break_cites_both_printed_pages(docs) -> None:
    spanning = [p for name in AMNESTY_PAGES for p in docs[name].passages if p.page_start != p.page_end]
    assert spanning
    p = spanning[0]
    report = next(d.report for d in docs.values() if d.report.id == p.report_id)
    text = cite_passage(report, p).formatted()
    assert f"pp. {p.printed_page_start}-{p.printed_page_end} (file pages {p.page_start}-{p.page_end})" in text


def test_upr_report_symbol_in_report_and_citations(docs) -> None:
    doc = docs[UPR]
    assert doc.report.symbol == "A/HRC/14/15"
    assert doc.report.metadata_method["symbol"] == "rules:un-running-header"
    assert doc.report.printed_pages == [str(n) for n in range(1, 23)]
    citation = cite_passage(doc.report, _starting(doc, "12. To move further ahead"))
    plain, coi = citation.formatted(), citation.formatted("coi")
    assert "A/HRC/14/15" in plain and "A/HRC/14/15" in coi
    assert plain.startswith(
        "UN Human Rights Council, Report of the Working Group on the Universal Periodic Review: Slovenia, A/HRC/14/15, "
    )
    assert "para. 111.12, p. 15 of un_hrc_2010_upr_slovenia.pdf" in plain
    assert coi.startswith(
        "UN Human Rights Council: Report of the Working Group on the Universal Periodic Review: Slovenia "
        "(A/HRC/14/15), "
    )
    assert ", un_hrc_2010_upr_slovenia.pdf (accessed " in coi  # no address known: the file itself
    # recommendation 10 is set in bold like a heading; the section cited is the one around it
    assert coi.endswith("; II. Conclusions and/or recommendations, para. 111.12, p. 15")


def test_upr_paragraph_numbers(docs) -> None:
    doc = docs[UPR]
    assert _starting(doc, "2. On 7 September 2009").paragraph == "2"
    # the sub-items of paragraph 3 belong to it
    assert _starting(doc, "(b) A compilation prepared").paragraph == "3"
    assert _starting(doc, "110. In conclusion").paragraph == "110"
    # the recommendations are numbered from 1 under paragraph 111, and cited as 111.N
    assert _starting(doc, "2. To ratify (Spain)").paragraph == "111.2"
    assert _starting(doc, "97. To establish an effective").paragraph == "111.97"
    # recommendation 1 is set as a heading; the rest of it, over the page break, is still 111.1
    assert _starting(doc, "the Convention on Migrant Workers").paragraph == "111.1"
    assert _starting(doc, "112. All conclusions").paragraph == "112"
    assert _starting(doc, "• The ratification of the Optional Protocol").paragraph == "113"
    # the masthead and the annex's delegation list are not numbered paragraphs
    first = _starting(doc, "1. The Working Group on the Universal Periodic Review")
    assert first.paragraph == "1"
    assert all(p.paragraph is None for p in doc.passages[: first.ordinal - 1])
    assert _starting(doc, "• Mr. Andrej Logar").paragraph is None
    numbered = [p for p in doc.passages if p.paragraph]
    assert len(numbered) >= 200


@pytest.mark.skipif(not KAZAKHSTAN.exists(), reason="reference corpus ../shared is absent")
def test_ngo_report_paragraph_numbers(docs) -> None:
    doc = docs[NGO_004]
    assert _starting(doc, "21. Formally, the principle of presumption of innocence").paragraph == "21"
    assert _starting(doc, "19. The following measures are proposed").paragraph == "19"
    assert _starting(doc, "- to set out in the law specific grounds").paragraph == "19"  # its list
    # each part numbers from 1; the Committee's recommendation quoted before it is not a numbered paragraph
    assert _starting(doc, "1. As noted in the 2011 report of Kazakhstani NGOs").paragraph == "1"
    assert _starting(doc, "Recommendation: The State party should strengthen").paragraph is None
    # a list "1)" inside a paragraph is not the paragraph numbering
    assert all(not (p.paragraph or "").startswith("0") for p in doc.passages)
    listed = [p for p in doc.passages if p.text.startswith("1) ")]
    assert listed and all(p.paragraph is None or not p.paragraph.endswith(".1") for p in listed)
    citation = cite_passage(doc.report, _starting(doc, "21. Formally"))
    assert ", para. 21, line" in citation.formatted()


@pytest.mark.skipif(not KAZAKHSTAN.exists(), reason="reference corpus ../shared is absent")
def test_reports_without_numbered_paragraphs_get_none(reference_docs) -> None:
    for rid in ("000_81691023f15c1c92", "001_30dfef030156c0a4", "002_e77f42745581b012", "003_45cd954fc36bba18"):
        assert not any(p.paragraph for p in reference_docs[rid].passages), rid
        assert reference_docs[rid].report.symbol is None


@pytest.mark.skipif(not KAZAKHSTAN.exists(), reason="reference corpus ../shared is absent")
def test_printed_address_of_a_page_printed_from_a_browser(reference_docs) -> None:
    report = reference_docs["000_81691023f15c1c92"].report
    assert report.url == "http://www.state.gov/g/drl/rls/hrrpt/2003/27845pf.htm"  # the print footer's address
    assert report.metadata_method["url"] == "rules:printed-page-address"
    # addresses a report cites in its body or notes are not its own
    assert reference_docs["004_c44e466740d2cce1"].report.url is None
    assert reference_docs["001_30dfef030156c0a4"].report.url is None


@pytest.mark.skipif(not STATE_DEPT.exists(), reason="State Department pages are absent")
@pytest.mark.parametrize("page", sorted(STATE_PAGES))
def test_state_department_page_keeps_its_canonical_address(page: str) -> None:
    doc = build_document(STATE_DEPT / page)
    report = doc.report
    assert report.url == STATE_PAGES[page]
    assert report.metadata_method["url"] == "html:canonical-link"
    assert report.accessed == report.ingested_at[:10]
    citation = cite_passage(report, doc.passages[5], "1.a")
    coi = citation.formatted("coi")
    assert f"{STATE_PAGES[page]} (accessed " in coi
    assert coi.startswith(f"U.S. Department of State: {report.title}, n.d., ")
    csl = citation.csl_json()
    assert csl["type"] == "webpage" and csl["URL"] == STATE_PAGES[page]


def test_pages_without_an_address_get_none(docs) -> None:
    # the RSF page names no address of its own (only the site's and the articles it links to)
    assert docs["rsf_2014_eastern_europe_central_asia.html"].report.url is None
    assert all(docs[name].report.url is None for name in (*AMNESTY_PAGES, UPR))


def test_csl_json_item(docs) -> None:
    doc = docs[UPR]
    passage = _starting(doc, "12. To move further ahead")
    item = cite_passage(doc.report, passage).csl_json()
    assert json.loads(json.dumps(item)) == item
    assert item["id"] == passage.id
    assert item["type"] == "report"
    assert item["title"] == doc.report.title
    assert item["author"] == [{"literal": "UN Human Rights Council"}]
    assert item["publisher"] == "UN Human Rights Council"
    assert item["number"] == "A/HRC/14/15"
    if doc.report.publication_date:
        issued = [int(x) for x in doc.report.publication_date.split("-")]
        assert item["issued"] == {"date-parts": [issued]}
    assert item["accessed"]["date-parts"][0] == [int(x) for x in doc.report.accessed.split("-")]
    assert item["page"] == "15"
    assert (item["locator"], item["label"]) == ("111.12", "paragraph")
    assert "URL" not in item  # none is known
    as_dict = cite_passage(doc.report, passage).to_dict()
    assert {"formatted", "formatted_coi", "csl", "symbol", "url", "accessed", "paragraph"} <= as_dict.keys()
    assert as_dict["printed_page_start"] == "15" and as_dict["csl"] == item


def test_span_citation_carries_printed_pages_and_paragraphs(docs) -> None:
    doc = docs[UPR]
    first, last = _starting(doc, "2. To ratify (Spain)"), _starting(doc, "4. To adjust its legal")
    span = cite(doc.report, doc.clean_text, doc.offset_map, doc.sections, first.start, last.end, doc.passages)
    assert span.paragraph == "111.2-111.4" and "paras. 111.2-111.4" in span.formatted()
    assert span.printed_page_start == "15" and span.symbol == "A/HRC/14/15"
    whole = cite(doc.report, doc.clean_text, doc.offset_map, doc.sections, first.start, first.end, doc.passages)
    assert whole.passage_id == first.id and whole.paragraph == "111.2"


def test_sidecar_url_and_accessed_override_detection(tmp_path: Path) -> None:
    page = STATE_DEPT / "2019/afghanistan.html"
    if not page.exists():
        pytest.skip("State Department pages are absent")
    copy = tmp_path / "afghanistan.html"
    copy.write_bytes(page.read_bytes())
    given = "https://web.archive.org/web/2020/https://www.state.gov/afghanistan-2019/"
    (tmp_path / "afghanistan.html.covenant.json").write_text(
        json.dumps({"url": given, "accessed": "2020-03-12", "symbol": "DOS-HRR-2019-AF"}), encoding="utf-8"
    )
    doc = build_document(copy, load_sidecar(copy))
    assert doc.report.url == given and doc.report.accessed == "2020-03-12" and doc.report.symbol == "DOS-HRR-2019-AF"
    assert {doc.report.metadata_method[k] for k in ("url", "accessed", "symbol")} == {"user"}
    coi = cite_passage(doc.report, doc.passages[0]).formatted("coi")
    assert f"{given} (accessed 12 March 2020)" in coi
    with pytest.raises(BadInputError, match="accessed must be an ISO date"):
        build_document(copy, {"accessed": "12/03/2020"})
    with pytest.raises(BadInputError, match="url must be a web address"):
        build_document(copy, {"url": "state.gov"})


def test_store_round_trips_the_new_fields(tmp_path: Path, docs) -> None:
    with Library(tmp_path / "library.db") as lib:
        summary = lib.ingest([EXTERNAL / UPR, EXTERNAL / "ai_2006_uzbekistan.pdf"], workers=1)
        assert all(e.status == "added" for e in summary.events)
        for name in (UPR, "ai_2006_uzbekistan.pdf"):
            built = docs[name]
            stored = lib.store.find_report(name)
            assert stored.symbol == built.report.symbol
            assert stored.printed_pages == built.report.printed_pages
            assert stored.accessed == stored.ingested_at[:10]
            got = [(p.printed_page_start, p.printed_page_end, p.paragraph) for p in lib.store.passages(stored.id)]
            assert got == [(p.printed_page_start, p.printed_page_end, p.paragraph) for p in built.passages]


def test_a_library_of_the_previous_schema_opens_and_migrates(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:3]:
        db.executescript(script)
    db.execute("PRAGMA user_version=3")
    db.execute(
        "INSERT INTO reports (id, file_name, path, sha256, format, size_bytes, ingested_at, metadata_method) "
        "VALUES ('abc', 'old.txt', '/old.txt', 'abcd', 'text', 10, '2024-05-06T07:08:09+00:00', '{}')"
    )
    db.execute(
        'INSERT INTO passages (id, report_id, ordinal, section_path, text, start, "end", line_start, line_end, '
        "kind) VALUES ('abc:p00001', 'abc', 1, '[]', 'Text.', 0, 5, 1, 1, 'paragraph')"
    )
    db.commit()
    db.close()
    store = SQLiteStore(path)
    try:
        assert store.schema_version == len(MIGRATIONS) >= 4
        report = store.find_report("abc")
        assert (report.symbol, report.url, report.printed_pages) == (None, None, [])
        assert report.accessed == "2024-05-06"  # a stored report was accessed when it was ingested
        passage = store.passage("abc:p00001")
        assert (passage.printed_page_start, passage.paragraph) == (None, None)
    finally:
        store.close()
