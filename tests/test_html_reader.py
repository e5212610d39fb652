"""The HTML reader on real State Department pages, a real RSF page and hostile pages written here."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path

import pytest

from covenant.errors import BadInputError
from covenant.ingest import read_report
from covenant.ingest.html import read_html
from covenant.ingest.raw import RawDocument
from covenant.pipeline import build_document

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
STATE_DEPT = CORPUS / "state-dept-html"
RSF = CORPUS / "external" / "rsf_2014_eastern_europe_central_asia.html"

# Every year, the 21 web-archive pages (<h2>Section 1. Title</h2>) represented by five, and the
# pages whose oddities the corpus README lists or that a scan of the corpus turned up.
SAMPLE = [
    "2017/afghanistan",
    "2017/china",  # "READ SECTION: China (below) | Tibet ..." as an h5 inside the body
    "2017/colombia",  # web archive
    "2017/israel",  # "READ A SECTION" paragraphs
    "2017/north-korea",  # endnote as a top-level section
    "2017/thailand",  # a subsection as an unclassed h2
    "2018/cambodia",  # "Section 2." opened twice
    "2018/central-african-republic",
    "2018/china",
    "2018/montenegro",  # "c. Freedom of Religion" as an unclassed h2
    "2018/philippines",  # "g. Abuses in Internal Conflicts" marked up as a section title
    "2018/romania",  # web archive
    "2019/albania",
    "2019/china",  # "Read a Section: China" heading and arrow links before the executive summary
    "2019/cyprus",  # arrow link to the Turkish Cypriot sub-page at the end of Section 7
    "2019/ghana",  # web archive
    "2019/north-korea",  # endnote as a subsection of Section 7
    "2019/ukraine",
    "2020/bulgaria",  # "Executive Summary Title"
    "2020/colombia",  # web archive, paragraphs hard-wrapped over several lines
    "2020/peru",  # web archive
    "2020/thailand",  # <input> inside paragraphs
    "2020/united-kingdom",  # stray empty section "SENSITIVE BUT"
    "2021/israel",
    "2021/kenya",
    "2021/north-korea",
    "2021/samoa",
    "2022/bangladesh",  # "Section 7" as a subheading inside Section 6
    "2022/brazil",
    "2022/china",  # "Read a Section" as an unclassed h3
    "2022/guyana",
    "2022/ukraine",
]
TAGS = {"p", "li", "td", "pre"} | {f"heading:{n}" for n in range(1, 7)}
# Text of the state.gov banner, menus, report navigation and footer: none of it is report text.
CHROME_SNIPPETS = [
    "Skip to content",
    "Official websites use .gov",
    "An official website of the United States Government",
    "Here's how you know",
    "Secure .gov websites use HTTPS",
    "View report by",
    "On This Page",
    "Read a Section",
    "READ A SECTION",
    "READ SECTION",
]
MENU_ITEMS = {
    "Menu",
    "Newsroom",
    "Business",
    "Employees",
    "Job Seekers",
    "Students",
    "Travelers",
    "Visas",
    "Policy Issues",
    "Countries & Areas",
    "Bureaus & Offices",
    "About",
    "State Department Home",
    "Download Report",
    "Translations",
    "Tags",
    "Related Articles",
    "Back",
}
_SECTION = re.compile(r"^Section (\d+)\. \S")

# The line-range invariant, checked independently of the reader: a block's text, with whitespace
# collapsed, lies in the tag-stripped, entity-decoded source lines it names.
_BLOCK_TAG = re.compile(
    r"<\s*/?\s*(?:br|p|h[1-6]|li|dt|dd|td|th|tr|div|section|article|main|header|footer|ul|ol|table|pre|"
    r"blockquote|hr)\b[^>]*>",
    re.IGNORECASE,
)
_ANY_TAG = re.compile(r"<[^>]*>")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad]")


def squash(text: str) -> str:
    return " ".join(_INVISIBLE.sub("", text).split())


def source_text(lines: list[str], start: int, end: int) -> str:
    chunk = "\n".join(lines[start - 1 : end])
    chunk = _ANY_TAG.sub("", _BLOCK_TAG.sub(" ", _COMMENT.sub(" ", chunk)))
    return squash(html.unescape(chunk))


def check_line_ranges(doc: RawDocument) -> None:
    lines = doc.original.split("\n")
    for block in doc.lines:
        assert block.start == -1 and block.page is None
        assert 1 <= block.line_start <= block.line_end <= len(lines), block
        assert block.text == squash(block.text) and block.text, block
        found = source_text(lines, block.line_start, block.line_end)
        assert block.text in found, (block.line_start, block.line_end, block.text[:100], found[:200])


def needs(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"reference corpus is absent ({path})")


@lru_cache(maxsize=64)
def read_page(name: str) -> RawDocument:
    path = STATE_DEPT / f"{name}.html"
    needs(path)
    return read_html(str(path), path.read_text(encoding="utf-8"), "utf-8")


def headings(doc: RawDocument, level: int | None = None) -> list[str]:
    wanted = {f"heading:{level}"} if level else {f"heading:{n}" for n in range(1, 7)}
    return [b.text for b in doc.lines if b.tag in wanted]


def section_numbers(doc: RawDocument) -> list[int]:
    return [int(m.group(1)) for text in headings(doc, 1) if (m := _SECTION.match(text))]


def check_state_page(name: str, doc: RawDocument) -> None:
    year = name.split("/")[0]
    assert section_numbers(doc) == [1, 2, 3, 4, 5, 6, 7], (name, headings(doc, 1))
    # Cyprus and Ukraine open with a note on the areas the report covers, before the summary.
    first = next(b for b in doc.lines if b.tag != "p")
    assert first.tag == "heading:1" and first.text.lower().startswith("executive summary"), first
    assert {b.tag for b in doc.lines} <= TAGS
    for block in doc.lines:
        assert not any(snippet in block.text for snippet in CHROME_SNIPPETS), (name, block.text[:100])
        assert block.text not in MENU_ITEMS, (name, block.text)
        assert not block.text.endswith("→"), (name, block.text)  # links to the report's sub-pages
    hints = doc.hints
    assert hints["report_year"] == year
    assert hints["title"] == f"{year} Country Reports on Human Rights Practices: {hints['country_name']}"
    assert hints["source_org"] == "U.S. Department of State"
    assert hints["doc_type"] == "annual_country_report"
    assert hints["url"].startswith("https://www.state.gov/reports/")
    assert hints["lang"].startswith("en")
    check_line_ranges(doc)


@pytest.mark.parametrize("name", SAMPLE)
def test_state_dept_sample(name: str) -> None:
    doc = read_page(name)
    assert doc.format == "html" and doc.blocks_are_paragraphs
    assert doc.original == (STATE_DEPT / f"{name}.html").read_text(encoding="utf-8")
    check_state_page(name, doc)
    assert sum(1 for b in doc.lines if b.tag == "p") > 40


def test_section_number_and_title_become_one_heading() -> None:
    doc = read_page("2019/albania")
    section_1 = next(b for b in doc.lines if b.text.startswith("Section 1."))
    assert section_1.text == "Section 1. Respect for the Integrity of the Person, Including Freedom from:"
    assert section_1.tag == "heading:1"
    assert section_1.line_start < section_1.line_end  # from the h4 "Section 1." to the end of the h3
    assert "Section 1." not in [b.text for b in doc.lines]
    assert doc.hints["country_name"] == "Albania"


def test_heading_levels_follow_the_report() -> None:
    doc = read_page("2019/albania")
    level = {b.text: b.tag for b in doc.lines if b.tag and b.tag.startswith("heading")}
    assert level["Executive Summary"] == "heading:1"
    assert level["a. Arbitrary Deprivation of Life and Other Unlawful or Politically Motivated Killings"] == "heading:2"
    # marked up like the lettered subsection before it (h3.report__section-subtitle), but it sits under it
    assert level["Prison and Detention Center Conditions"] == "heading:3"
    doc = read_page("2021/israel")
    level = {b.text: b.tag for b in doc.lines if b.tag and b.tag.startswith("heading")}
    assert level["Prison and Detention Center Conditions"] == "heading:3"  # a plain h4 on this page
    assert level["c. Torture and Other Cruel, Inhuman, or Degrading Treatment or Punishment"] == "heading:2"
    doc = read_page("2018/montenegro")
    assert "c. Freedom of Religion" in headings(doc, 2)  # an unclassed h2 in the body


def test_web_archive_pages() -> None:
    doc = read_page("2020/colombia")
    assert headings(doc, 1)[1] == "Section 1. Respect for the Integrity of the Person, Including Freedom from:"
    wrapped = next(b for b in doc.lines if b.text.startswith("Colombia is a constitutional, multiparty republic."))
    assert wrapped.line_end - wrapped.line_start >= 3
    assert "ANNOUNCEMENT: The Department of State will release" in doc.lines[1].text


def test_state_dept_oddities() -> None:
    doc = read_page("2022/bangladesh")
    top = headings(doc, 1)
    assert top[-1] == "Section 7. Worker Rights"  # a subheading of Section 6 in the page's markup

    doc = read_page("2020/united-kingdom")
    assert not any("SENSITIVE BUT" in b.text for b in doc.lines)

    doc = read_page("2019/north-korea")
    assert headings(doc, 1)[-1] == "Endnote: Note on Sourcing"
    assert doc.lines[-1].tag == "p"
    assert "The United States does not have diplomatic relations" in doc.lines[-1].text

    doc = read_page("2018/cambodia")
    assert headings(doc, 1).count("Section 2. Respect for Civil Liberties, Including:") == 1
    assert any(b.text.startswith("The constitution provides for freedom of expression") for b in doc.lines)

    doc = read_page("2018/philippines")  # a lettered subsection marked up as a section title
    texts = [b.text for b in doc.lines]
    g = texts.index("g. Abuses in Internal Conflicts")
    assert doc.lines[g].tag == "heading:2"
    section_1 = next(i for i, text in enumerate(texts) if text.startswith("Section 1."))
    section_2 = next(i for i, text in enumerate(texts) if text.startswith("Section 2."))
    assert section_1 < g < section_2

    doc = read_page("2019/china")
    assert doc.lines[0].text == "Executive Summary"
    assert not any("Hong Kong →" in b.text or "Macau →" in b.text for b in doc.lines)


# ---------------------------------------------------------------------------------------------
# Generic pages
# ---------------------------------------------------------------------------------------------

PARAGRAPH = (
    "The national commission documented {n} cases of arbitrary detention in the northern provinces "
    "during the year, and lawyers said detainees were denied access to counsel for weeks."
)
HOSTILE = f"""<!DOCTYPE html>
<html lang="en">
<head><title>Detention report</title>
<meta property="og:site_name" content="Example Monitor">
<script>var secret = "SCRIPT TEXT";</script>
<style>p {{ color: red }} .x:after {{ content: "STYLE TEXT" }}</style>
</head>
<body onload="alert('ONLOAD TEXT')">
<a class="skip-link" href="#main">Skip to content</a>
<div id="cookie-banner"><p>We use cookies to improve your experience. COOKIE TEXT</p>
<button onclick="accept()">Accept all BUTTON TEXT</button></div>
<header class="site-header"><nav><ul><li><a href="/">Home</a></li><li><a href="/about">About us</a></li>
<li><a href="/news">NAV TEXT</a></li></ul></nav></header>
<div class="menu"><a href="/donate">Donate now MENU TEXT</a></div>
<main id="main">
<article>
<h1>Detention in the northern provinces</h1>
<p onclick="steal('ONCLICK TEXT')" onmouseover="x('HANDLER TEXT')">{PARAGRAPH.format(n=12)}</p>
<!-- COMMENT TEXT -->
<h2>Findings</h2>
<p>{PARAGRAPH.format(n=30)} <a href="javascript:alert('JSURL TEXT')">JSLINK TEXT</a></p>
<iframe src="https://evil.example/">IFRAME TEXT</iframe>
<script>document.write("INLINE SCRIPT TEXT")</script>
<noscript>NOSCRIPT TEXT</noscript>
<div class="share-buttons"><a href="https://facebook.com/share">SHARE TEXT</a></div>
<p>{PARAGRAPH.format(n=7)}<![CDATA[ CDATA TEXT ]]></p>
<div style="display:none">HIDDEN TEXT</div>
<svg><text>SVG TEXT</text></svg>
<template><p>TEMPLATE TEXT</p></template>
<form><input value="FORM TEXT"><label>LABEL TEXT</label></form>
<object data="x.swf">OBJECT TEXT</object><embed src="x">
</article>
</main>
<aside class="sidebar"><p>Related stories SIDEBAR TEXT</p></aside>
<footer><p>Copyright FOOTER TEXT</p></footer>
</body>
</html>
"""


HOSTILE_ARTICLE = [
    ("heading:1", "Detention in the northern provinces"),
    ("p", PARAGRAPH.format(n=12)),
    ("heading:2", "Findings"),
    ("p", PARAGRAPH.format(n=30)),
    ("p", PARAGRAPH.format(n=7)),
]


def check_hostile(doc: RawDocument) -> None:
    assert [(b.tag, b.text) for b in doc.lines] == HOSTILE_ARTICLE
    for block in doc.lines:
        assert "TEXT" not in block.text and "Skip to" not in block.text and "cookies" not in block.text
    assert doc.hints == {"title": "Detention report", "site_name": "Example Monitor", "lang": "en"}
    check_line_ranges(doc)


def test_hostile_page_keeps_only_the_article() -> None:
    check_hostile(read_html("hostile.html", HOSTILE, "utf-8"))


def nest(page: str, opening: str, closing: str, depth: int) -> str:
    """The page with `depth` more levels of <div> just inside `opening`, on the same lines, so that line
    numbers do not move."""
    assert opening in page and closing in page
    return page.replace(opening, opening + "<div>" * depth, 1).replace(closing, "</div>" * depth + closing, 1)


@pytest.mark.parametrize("depth", [300, 1500])
def test_hostile_page_nested_deeper_than_256_keeps_only_the_article(depth: int) -> None:
    """libxml2 stops reading at 256 levels unless told otherwise; the reader lifts that, scripts, handlers and
    frames still give no text, and the last paragraph, deepest in, is read."""
    check_hostile(read_html("deep.html", nest(HOSTILE, '<main id="main">', "</main>", depth), "utf-8"))


def test_deep_page_keeps_its_last_paragraph_as_a_passage(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text(nest(HOSTILE, '<main id="main">', "</main>", 300), encoding="utf-8")
    doc = build_document(path)
    assert [p.text for p in doc.passages] == [PARAGRAPH.format(n=n) for n in (12, 30, 7)]
    assert doc.passages[-1].section_path == ["Detention in the northern provinces", "Findings"]


def test_state_dept_page_nested_300_deeper_reads_the_same() -> None:
    path = STATE_DEPT / "2021/kenya.html"
    needs(path)
    page = path.read_text(encoding="utf-8")
    plain = read_html(str(path), page, "utf-8")
    deep = read_html(str(path), nest(page, "<body>", "</body>", 300), "utf-8")
    assert deep.lines == plain.lines and deep.hints == plain.hints
    check_line_ranges(deep)


def test_page_nested_past_the_parser_limit_is_bad_input(tmp_path: Path) -> None:
    """5,000 levels is past what libxml2 reads at all: a clear error, not a page cut short."""
    page = nest(HOSTILE, '<main id="main">', "</main>", 5000)
    with pytest.raises(BadInputError, match="nested more than 2,048 elements deep"):
        read_html("deeper.html", page, "utf-8")
    path = tmp_path / "deeper.html"
    path.write_text(page, encoding="utf-8")
    with pytest.raises(BadInputError, match="nested more than 2,048 elements deep"):
        build_document(path)


@pytest.mark.parametrize(
    "page",
    [
        "<!DOCTYPE html><html><head><title>Report</title></head><body>\n</body></html>",
        "<html><head><title>Loading...</title><script>load()</script></head><body><div id='root'></div>"
        "<img src='x.png' alt=''><script>window.__STATE__ = {};</script></body></html>",
        "<html><body><nav><a href='/'>Home</a></nav><footer>Copyright</footer></body></html>",
        "   \n  ",
    ],
)
def test_page_without_body_text_is_bad_input(page: str) -> None:
    with pytest.raises(BadInputError, match="no readable text"):
        read_html("empty.html", page, "utf-8")


def test_xml_declaration_and_line_endings() -> None:
    body = "\n".join(f"<p>Paragraph {i} on the situation\nof detainees in region {i}.</p>" for i in range(4))
    page = "<?xml version='1.0' encoding='utf-8'?>\n<html><body><main>\n" + body + "\n</main></body></html>"
    doc = read_html("x.xhtml", page, "utf-8")
    assert [(b.line_start, b.line_end) for b in doc.lines] == [(3, 4), (5, 6), (7, 8), (9, 10)]
    doc = read_html("crlf.html", page.replace("\n", "\r\n"), "utf-8")
    assert [(b.line_start, b.line_end) for b in doc.lines] == [(3, 4), (5, 6), (7, 8), (9, 10)]
    check_line_ranges(doc)
    doc = read_html("cr.html", page.replace("\n", "\r"), "utf-8")  # one line, as Covenant splits on LF
    assert {(b.line_start, b.line_end) for b in doc.lines} == {(1, 1)}


def test_line_numbers_past_65535() -> None:
    """libxml2 stops counting at 65535; the reader counts on from the text."""
    page = "<html><body>\n" + "<p>x</p>\n" * 70_000 + "<div><p>The last\nparagraph.</p></div>\n</body></html>"
    doc = read_html("long.html", page, "utf-8")
    last = doc.lines[-1]
    assert (last.text, last.line_start, last.line_end) == ("The last paragraph.", 70_002, 70_003)


def test_rsf_page() -> None:
    needs(RSF)
    doc = read_report(RSF)
    assert doc.format == "html" and doc.encoding == "utf-8"
    # the <title> is the organisation's name; the publication's name is the banner's h1
    assert doc.hints == {
        "title": "Reporters Without Borders",
        "lang": "en",
        "site_heading": "World press freedom index 2014",
    }
    tags = {b.text: b.tag for b in doc.lines}
    assert tags["Eastern Europe and Central Asia"] == "heading:1"
    assert tags["AUTHORITARIAN REGIONAL MODELS"] == "heading:2"
    assert tags["Turkey at the crossroads"] == "heading:3"
    assert tags["Gezi Park minefield for journalists"] == "heading:3"
    paragraphs = [b.text for b in doc.lines if b.tag == "p"]
    assert len(paragraphs) == 22
    assert paragraphs[0].startswith("More than two decades after the Soviet Union’s implosion")
    assert paragraphs[-1].startswith("In Tajikistan, coverage of the 2013 presidential election")
    for unwanted in ("World press", "Français", "Votre carte", "Download the map", "zoom", "Press contact"):
        assert not any(unwanted in b.text for b in doc.lines), unwanted
    check_line_ranges(doc)


@pytest.mark.slow
def test_every_state_dept_page() -> None:
    needs(STATE_DEPT)
    pages = sorted(STATE_DEPT.glob("*/*.html"))
    assert len(pages) == 1160
    paragraphs = 0
    for path in pages:
        name = f"{path.parent.name}/{path.stem}"
        doc = read_html(str(path), path.read_text(encoding="utf-8"), "utf-8")
        check_state_page(name, doc)
        paragraphs += sum(1 for b in doc.lines if b.tag == "p")
    assert paragraphs > 180_000
