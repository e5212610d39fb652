"""Passages are text a reader would quote: no interface strings, no lone words or labels, no site notices in
another language; what is set aside is kept as furniture with its reason and lines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from conftest import EXTERNAL, KAZAKHSTAN, REFERENCE_IDS, SAMPLES
from covenant.clean import clean
from covenant.ingest.raw import RawDocument
from covenant.model import Document, Passage, SourceLine
from covenant.pipeline import build_document

pytestmark = pytest.mark.skipif(not EXTERNAL.exists(), reason="reference corpus ../shared is absent")

RSF = "rsf_2014_eastern_europe_central_asia.html"
EXTERNAL_FILES = [
    "ai_2006_uzbekistan.pdf",
    "ai_2007_russia.pdf",
    "ai_2011_kyrgyzstan.pdf",
    "ai_2013_tajikistan.pdf",
    RSF,
    "un_hrc_2010_upr_slovenia.pdf",
]
# The reasons of what the cleaner sets aside beyond page furniture and the known site chrome.
SET_ASIDE = ("interface text", "label", "menu", "no words", "other language")
# Every passage each document lost to them, read and judged one by one: subheadings printed as paragraphs
# ("Reports" over a list of reports), a masthead's date, language and agenda lines, a contents column head,
# an entry's name over its fact box, a title page's place and date. Nothing else may go.
EXPECTED_SET_ASIDE: dict[str, list[tuple[str, str]]] = {
    "ai_2006_uzbekistan.pdf": [("label", "Statements"), ("label", "Reports")],
    "ai_2007_russia.pdf": [("label", "Report"), ("label", "Reports")],
    "ai_2011_kyrgyzstan.pdf": [("label", "KYRGYZ REPUBLIC")],
    "ai_2013_tajikistan.pdf": [],
    RSF: [],  # its reader keeps only the main text; the unfiltered page is tested below
    "un_hrc_2010_upr_slovenia.pdf": [
        ("label", "Agenda item 6"),
        ("label", "15 March 2010"),
        ("label", "Original: English"),
        ("label", "Paragraphs Page"),
    ],
    "000_81691023f15c1c92.txt": [],
    "001_30dfef030156c0a4.txt": [],
    "002_e77f42745581b012.txt": [],
    "003_45cd954fc36bba18.txt": [],
    "004_c44e466740d2cce1.txt": [("label", "Almaty, May 2016")],
}
# What the RSF page's interface says: a ranking table's column heads and reset button, a WebGL warning served
# in French, download links, the press contact and the credits of the data visualisation.
RSF_INTERFACE = {
    "country": "label",
    "diff": "label",
    "note": "label",
    "reset": "label",
    "Votre carte graphique ou votre navigateur ne supporte pas webgl.": "interface text",
    "Download the map": "interface text",
    "Download pdf (450Kb)": "interface text",
    "Press contact : presse [a] rsf.org": "interface text",
    "Data visualisation by Pierre-Alain Leboucher": "interface text",
    "Français": "menu",
    "North Africa and Middle-East": "menu",
}
_WORD = re.compile(r"[^\W\d_]+")
_LIST_END = re.compile(r"[.;,:!?][\"”’)\]]*$")


@pytest.fixture(scope="module")
def documents() -> dict[str, Document]:
    docs = {name: build_document(EXTERNAL / name) for name in EXTERNAL_FILES}
    docs.update({f"{rid}.txt": build_document(KAZAKHSTAN / f"{rid}.txt") for rid in REFERENCE_IDS})
    return docs


def _is_single_word(passage: Passage) -> bool:
    return len(passage.text.split()) == 1 and len(_WORD.findall(passage.text)) <= 1


def _real_list_item(passages: list[Passage], k: int) -> bool:
    """A one-word list item is real content when it ends as a list item does ("Kazakhstan;") or stands in a
    list with a sentence in it; a list of lone words is a menu."""
    if passages[k].kind != "list_item":
        return False
    if _LIST_END.search(passages[k].text):
        return True
    first = last = k
    while first > 0 and passages[first - 1].kind == "list_item":
        first -= 1
    while last + 1 < len(passages) and passages[last + 1].kind == "list_item":
        last += 1
    return any(len(p.text.split()) >= 4 for p in passages[first : last + 1])


def test_rsf_passages_are_not_interface_strings(documents) -> None:
    doc = documents[RSF]
    assert len(doc.passages) >= 20
    for passage in doc.passages:
        assert not _is_single_word(passage), passage.text
        for interface in RSF_INTERFACE:
            assert not passage.text.startswith(interface), passage.text


def test_rsf_page_read_whole_keeps_only_the_report(documents) -> None:
    """Every text element of the page, as a reader that cannot tell the main content would hand them over:
    the cleaner keeps exactly the report's paragraphs and sets the interface aside with its reasons."""
    path = EXTERNAL / RSF
    source = path.read_text(encoding="utf-8")
    units = []
    for el in lxml_html.document_fromstring(source).body.iter("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "th"):
        text = " ".join(el.text_content().split())
        if text:
            tag = f"heading:{el.tag[1]}" if el.tag[0] == "h" and el.tag[1:].isdigit() else str(el.tag)
            units.append(SourceLine(text, -1, el.sourceline, el.sourceline, None, tag))
    raw = RawDocument(str(path), "html", "utf-8", source, units, blocks_are_paragraphs=True)
    cleaned = clean(raw)
    paragraphs = [cleaned.text[b.start : b.end] for b in cleaned.blocks if b.kind != "heading"]
    assert paragraphs == [p.text for p in documents[RSF].passages]
    for interface, reason in RSF_INTERFACE.items():
        matches = [f for f in cleaned.furniture if f.text.startswith(interface)]
        assert matches and all(f.reason == reason for f in matches), (interface, matches)
        assert all(f.line_start > 0 for f in matches)


@pytest.mark.parametrize("name", sorted(EXPECTED_SET_ASIDE))
def test_only_junk_is_set_aside(documents, name: str) -> None:
    doc = documents[name]
    set_aside = sorted((f.reason, f.text) for f in doc.furniture if f.reason in SET_ASIDE)
    assert set_aside == sorted(EXPECTED_SET_ASIDE[name])
    texts = {p.text for p in doc.passages}
    assert not texts & {text for _, text in set_aside}


@pytest.mark.parametrize("name", sorted(EXPECTED_SET_ASIDE))
def test_no_single_word_passages(documents, name: str) -> None:
    passages = documents[name].passages
    lone = [p.text for k, p in enumerate(passages) if _is_single_word(p) and not _real_list_item(passages, k)]
    assert lone == []


def test_short_real_passages_stay(documents) -> None:
    """A bare "Not applicable." answers a report's heading; "- The CEC ;" is an item of a recommendation list;
    a letter's salutation, closing and signature are the letter's."""
    assert "Not applicable." in {p.text for p in documents["003_45cd954fc36bba18.txt"].passages}
    assert "- The CEC ;" in {p.text for p in documents["004_c44e466740d2cce1.txt"].passages}
    letter = {p.text for p in build_document(SAMPLES / "norland-ngo-letter.html").passages}
    assert {"Dear Prime Minister,", "Yours sincerely,"} <= letter
    hrw = documents["002_e77f42745581b012.txt"]
    assert any(p.text.startswith("Holly Cartner") for p in hrw.passages)


PARAGRAPH = (
    "On 3 March 2023 police in Norland detained three journalists of the weekly Free Voice after they reported "
    "on the trial of an opposition leader; two of them were held for ten days without access to a lawyer, and "
    "the newspaper's offices were searched without a warrant."
)
PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Detention of journalists in Norland</title></head>
<body>
<div>
<p>We use cookies to improve your experience on our website. By continuing to browse, you agree to our use of
cookies.</p>
<p>Accept all cookies</p>
</div>
<div><p>Votre navigateur ne supporte pas JavaScript. Veuillez l'activer pour afficher la carte.</p></div>
<div><span>Share</span> <span>Print</span></div>
<div><p>Share</p><p>Print</p></div>
<h1>Detention of journalists in Norland</h1>
<p>{PARAGRAPH}</p>
</body>
</html>
"""


def test_page_with_interface_keeps_only_the_paragraph(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    doc = build_document(path)
    assert [p.text for p in doc.passages] == [PARAGRAPH]
    reasons = {f.text.split()[0]: f.reason for f in doc.furniture}
    assert reasons.get("We") == "interface text"  # the cookie notice
    assert reasons.get("Votre") == "interface text"
    assert reasons.get("Share") in ("interface text", "label")


def test_notice_in_another_language_than_the_page(tmp_path: Path) -> None:
    """A short block in another language than the page's is the site speaking to the visitor's locale."""
    notice = "Cette page est aussi disponible dans une autre langue : choisissez la vôtre dans la liste."
    path = tmp_path / "page.html"
    path.write_text(PAGE.replace("<h1>", f"<p>{notice}</p>\n<h1>"), encoding="utf-8")
    doc = build_document(path)
    assert [p.text for p in doc.passages] == [PARAGRAPH]
    assert [f.reason for f in doc.furniture if f.text == notice] == ["other language"]
