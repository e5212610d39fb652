"""The workbench on a real library: every page and its JSON twin, the error shape, hostile text inert, the API docs."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from lxml import html as lxml_html

from badfiles import make_encrypted_pdf
from conftest import KAZAKHSTAN, SAMPLES, needs_corpus
from covenant.compare import compare
from covenant.library import Library
from covenant.model import Citation, Passage, Report
from covenant.web import create_app
from covenant.web.app import CONTENT_SECURITY_POLICY
from covenant.web.auth import create_token, list_tokens, revoke_token
from covenant.web.views import ROUTERS

JSON = {"Accept": "application/json"}
HOSTILE_TEXT = """Norland: a report with hostile text

Section 1. Statements quoted

The site printed <script>alert(1)</script> beside the statement of the ministry, and a link
javascript:alert(2) that readers were asked to open.

An image tag <img src=x onerror=alert(3)> and a frame <iframe src="https://evil.example/"></iframe> were
quoted by the complainants in full.
"""
# A second edition of the hostile text: the comparison's word diff must show its new markup as words.
EDITED_HOSTILE_TEXT = HOSTILE_TEXT.replace(
    "The site printed <script>alert(1)</script> beside",
    "The site printed <script>alert(7)</script><img src=x onerror=alert(8)> beside",
).replace("readers were asked to open", "readers were told to open")
HOSTILE_HTML = """<!doctype html>
<html><head><title>Norland: hostile page &lt;img src=x onerror=alert(6)&gt;</title>
<script>document.title = "owned"</script></head>
<body onload="alert('body')">
<main><article>
<h1>Norland: a hostile page about the assembly law</h1>
<p>The ministry statement quoted &lt;script&gt;alert(1)&lt;/script&gt; in its text, and a reader was sent
to <a href="javascript:alert(2)" onclick="alert(3)">javascript:alert(2)</a> to see the leaked draft of the assembly
law.</p>
<p onmouseover="alert(4)">Peaceful assemblies were dispersed by police in Halvik in March 2023, and organisers were
fined for holding them without permission from the city authorities.</p>
<iframe src="https://evil.example/frame"></iframe>
<p>=HYPERLINK("https://evil.example/","calculator") was the cell the spreadsheet of the complainants began with,
as the ministry itself admitted in a later statement about the assembly law.</p>
<p>The organisers said <b>style</b> and <span style="color:red">colour</span> were not the point of the protest against
the assembly law.</p>
</article></main></body></html>
"""


@pytest.fixture(scope="module")
def library_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples, the Kazakhstan reports when present, two hostile reports and one file that is skipped."""
    folder = tmp_path_factory.mktemp("web")
    extra = folder / "extra"
    extra.mkdir()
    (extra / "hostile-text.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    (extra / "hostile-page.html").write_text(HOSTILE_HTML, encoding="utf-8")
    (extra / "edited-hostile.txt").write_text(EDITED_HOSTILE_TEXT, encoding="utf-8")
    make_encrypted_pdf(extra)
    db = folder / "library.db"
    with Library(db) as lib:
        paths = [SAMPLES, extra] + ([KAZAKHSTAN] if KAZAKHSTAN.exists() else [])
        summary = lib.ingest(paths, workers=1)
        assert [e.path for e in summary.events if e.status == "skipped"] == [str(extra / "encrypted.pdf")]
        lib.index(semantic=False)
    return db


@pytest.fixture(scope="module")
def app(library_path: Path) -> FastAPI:
    return create_app(library_path)


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def lib(library_path: Path) -> Iterator[Library]:
    with Library(library_path, read_only=True) as opened:
        yield opened


def page(response: Any) -> Any:
    assert response.headers["content-type"].startswith("text/html"), response.headers["content-type"]
    return lxml_html.fromstring(response.text)


def report_named(lib: Library, prefix: str) -> Report:
    return next(r for r in lib.reports() if r.file_name.startswith(prefix))


def anchors_resolve(tree: Any) -> list[str]:
    """In-page links (#id) whose target is missing."""
    ids = set(tree.xpath("//@id"))
    return [h for h in tree.xpath("//a/@href") if h.startswith("#") and h[1:] not in ids]


# -- the library ------------------------------------------------------------------------------------


def test_library_page_lists_reports_facets_and_skipped_files(client: TestClient, lib: Library) -> None:
    tree = page(client.get("/"))
    reports = lib.reports()
    links = set(tree.xpath("//table[@class='reports']//a/@href"))
    assert {f"/reports/{r.id}" for r in reports} <= links
    facet_titles = [t.strip() for t in tree.xpath("//aside[@class='facets']//h2/text()")]
    assert facet_titles == ["source", "type", "country", "year"]
    skipped = tree.xpath("//section[@class='skipped']//li")
    assert len(skipped) == 1 and "encrypted.pdf" in skipped[0].text_content()
    assert "password" in skipped[0].text_content()


def test_library_json_twin_is_the_report_list_with_export_field_names(client: TestClient, lib: Library) -> None:
    data = client.get("/", headers=JSON).json()
    assert data == client.get("/?format=json").json()
    counts = lib.passage_counts()
    assert [d["id"] for d in data] == [r.id for r in lib.reports()]
    for record, report in zip(data, lib.reports(), strict=True):
        assert record == {**report.to_dict(), "passages": counts[report.id]}


def test_library_facets_narrow_the_table_and_csv_follows(client: TestClient, lib: Library) -> None:
    tree = page(client.get("/"))
    link = tree.xpath("//aside//h2[text()='type']/following-sibling::ul//a[text()='shadow_report']/@href")[0]
    narrowed = client.get(link, headers=JSON).json()
    expected = [r.id for r in lib.reports() if r.doc_type == "shadow_report"]
    assert [r["id"] for r in narrowed] == expected and 0 < len(expected) < len(lib.reports())
    rows = list(csv.DictReader(io.StringIO(client.get(link + "&format=csv").text)))
    assert [row["id"] for row in rows] == expected
    assert rows[0]["passages"] == str(lib.passage_counts()[expected[0]])


# -- the reader -------------------------------------------------------------------------------------


def test_reader_json_twin_carries_passages_with_citations(client: TestClient, lib: Library) -> None:
    report = report_named(lib, "norland-shadow-report")
    data = client.get(f"/reports/{report.file_name}", headers=JSON).json()
    assert data["report"] == report.to_dict()
    assert [s["id"] for s in data["sections"]] == [s.id for s in lib.sections(report)]
    assert [n["id"] for n in data["footnotes"]] == [n.id for n in lib.footnotes(report)]
    passages = lib.passages(report)
    assert len(data["passages"]) == len(passages)
    for record, passage in zip(data["passages"], passages, strict=True):
        citation = lib.cite(passage)
        assert record == {
            **passage.to_dict(),
            "formatted": citation.formatted(),
            "formatted_coi": citation.formatted("coi"),
            "tags": [],
            "notes": [],
            "rights": [lab.to_dict() for lab in lib.rights.of(passage)],
        }


def test_reader_shows_outline_pages_paragraphs_and_copy_buttons(client: TestClient, lib: Library) -> None:
    report = report_named(lib, "norland-shadow-report")
    tree = page(client.get(f"/reports/{report.id[:8]}"))
    assert tree.xpath("//h1")[0].text_content() == report.title
    outline = tree.xpath("//nav[@class='outline']//a/@href")
    assert len(outline) == len(lib.sections(report)) and not anchors_resolve(tree)
    divs = tree.xpath("//div[contains(@class, 'passage')]")
    passages = lib.passages(report)
    assert [d.get("data-passage") for d in divs] == [p.id for p in passages]
    first = passages[0]
    ref = divs[0].xpath(".//div[@class='ref']/a")[0].text_content()
    page_number = first.printed_page_start or first.page_start
    assert ref.startswith(f"p. {page_number}")
    numbered = next(p for p in passages if p.paragraph)
    div = divs[passages.index(numbered)]
    assert f"para. {numbered.paragraph}" in div.xpath(".//div[@class='ref']/a")[0].text_content()
    button = div.xpath(".//button[@class='copy-citation']")[0]
    assert button.get("data-coi") == lib.cite(numbered).formatted("coi")
    assert button.get("data-plain") == lib.cite(numbered).formatted()


@pytest.mark.skipif(not KAZAKHSTAN.exists(), reason="reference corpus ../shared is absent")
def test_reader_links_footnote_markers_and_notes_both_ways(client: TestClient, lib: Library) -> None:
    report = report_named(lib, "004_")
    tree = page(client.get("/reports/004"))
    notes = lib.footnotes(report)
    placed = [n for n in notes if n.marker_offset is not None]
    assert len(placed) > 100
    markers = tree.xpath("//sup[@class='fnref']/a")
    assert len(markers) == len(placed)
    for marker in markers:
        target = tree.get_element_by_id(marker.get("href")[1:])
        back = target.xpath(".//a[@class='back']/@href")[0]
        assert back == f"#{marker.get('id')}"
    first = placed[0]
    marker = tree.get_element_by_id(f"ref-{first.id.rpartition(':')[2]}")
    holder = marker.getparent().getparent().getparent()  # sup -> p -> div.passage
    passage = next(p for p in lib.passages(report) if p.start <= (first.marker_offset or 0) <= p.end)
    assert holder.get("data-passage") == passage.id and marker.text == first.number
    # the marker stands where it stood in the text: the passage's words before it are the text before it
    before = (marker.getparent().getprevious().tail if marker.getparent().getprevious() is not None else None) or ""
    text_before = holder.xpath(".//p")[0].text or ""
    assert passage.text[: (first.marker_offset or 0) - passage.start].endswith((before or text_before).strip()[-20:])
    assert not anchors_resolve(tree)


def test_passage_opens_the_reader_highlighted_and_json_is_its_context(client: TestClient, lib: Library) -> None:
    report = report_named(lib, "norland-shadow-report")
    passage = lib.passages(report)[5]
    short = f"{report.id[:8]}:{passage.id.rpartition(':')[2]}"
    response = client.get(f"/passages/{short}", follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(f"/reports/{report.id}?") and location.endswith(f"#{passage.id.rpartition(':')[2]}")
    tree = page(client.get(location))
    highlighted = tree.xpath("//div[contains(@class, 'highlight')]")
    assert [d.get("data-passage") for d in highlighted] == [passage.id]
    data = client.get(f"/passages/{short}?context=1", headers=JSON).json()
    assert data == lib.context(passage.id, 1).to_dict()
    assert data["passage"]["id"] == passage.id and len(data["before"]) == 1


# -- search -----------------------------------------------------------------------------------------


def test_search_page_highlights_hits_with_citations_and_links(client: TestClient, lib: Library) -> None:
    tree = page(client.get("/search", params={"q": "detained demonstration", "mode": "bm25"}))
    results = lib.search("detained demonstration", mode="bm25", limit=20)
    hits = tree.xpath("//li[@class='hit']")
    assert len(hits) == len(results.hits) > 0
    for li, hit in zip(hits, results.hits, strict=True):
        assert li.xpath(".//div[@class='citation']")[0].text_content() == hit.citation.formatted()
        assert li.xpath(".//a[@class='open']/@href") == [f"/passages/{hit.passage_id}"]
        marks = [m.text_content().lower() for m in li.xpath(".//p[@class='text']/mark")]
        assert marks and all(m.startswith(("detain", "demonstr")) for m in marks), marks
        assert li.xpath(".//p[@class='text']")[0].text_content() == hit.highlighted.replace("[[", "").replace("]]", "")
        assert li.xpath(".//button/@data-coi") == [hit.citation.formatted("coi")]


def test_search_json_twin_is_the_cli_object(client: TestClient, lib: Library) -> None:
    params = {"q": '"peaceful demonstration"', "mode": "bm25", "limit": "5"}
    data = client.get("/search", params=params, headers=JSON).json()
    expected = lib.search('"peaceful demonstration"', mode="bm25", limit=5).to_dict()
    assert data == expected
    assert set(data) == {"query", "mode", "spellings", "candidates", "footnotes_matching", "pending", "facets", "hits"}
    assert data["pending"] == {"reports": 0, "passages": 0}
    assert set(data["hits"][0]["citation"]) == set(Citation.__dataclass_fields__) | {
        "formatted",
        "formatted_coi",
        "csl",
    }


def test_search_facets_add_filters(client: TestClient, lib: Library) -> None:
    tree = page(client.get("/search", params={"q": "detention", "mode": "bm25"}))
    link = tree.xpath("//aside//h2[text()='doc type']/following-sibling::ul//a[text()='shadow_report']/@href")[0]
    assert "filter=type%3Dshadow_report" in link
    narrowed = page(client.get(link))
    assert narrowed.xpath("//span[@class='chip']")[0].text.strip() == "type=shadow_report"
    data = client.get(link, headers=JSON).json()
    assert data["facets"]["doc_type"] == {"shadow_report": data["candidates"]}
    assert data == lib.search("detention", mode="bm25", filters=["type=shadow_report"], limit=20).to_dict()
    # the country facet's values are links too, and a second filter keeps the first
    twice = client.get(link + "&filter=year=2000..2030", headers=JSON).json()
    assert twice["candidates"] <= data["candidates"]


def test_search_csv_download(client: TestClient, lib: Library) -> None:
    params = {"q": "demonstration", "mode": "bm25", "limit": "7"}
    first = client.get("/search.csv", params=params)
    assert first.headers["content-type"].startswith("text/csv")
    assert "attachment" in first.headers["content-disposition"]
    assert first.text == client.get("/search", params={**params, "format": "csv"}).text
    rows = list(csv.DictReader(io.StringIO(first.text)))
    results = lib.search("demonstration", mode="bm25", limit=7)
    assert [r["passage_id"] for r in rows] == [h.passage_id for h in results.hits]
    assert rows[0]["formatted_coi"] == results.hits[0].citation.formatted("coi")
    assert rows[0]["text"] == results.hits[0].text


@needs_corpus
def test_search_finds_footnotes_when_asked(client: TestClient, lib: Library) -> None:
    params = {"q": '"Endorsed by the Venice"', "mode": "bm25"}
    hint = page(client.get("/search", params=params)).xpath("//p[@class='pending']/a/@href")
    assert hint == ["/search?" + urlencode({**params, "footnotes": "true"})]
    tree = page(client.get(hint[0]))
    assert tree.xpath("//input[@name='footnotes']/@checked")
    [li] = tree.xpath("//li[@class='hit hit-footnote']")
    report = lib.report("004").id
    assert li.xpath(".//a[@class='open']/@href") == [f"/reports/{report}#n0097"]
    assert "footnote 93, lines 5572-5575" in li.xpath(".//div[@class='citation']")[0].text_content()
    assert not li.xpath(".//form")  # a footnote takes no tags or notes
    rows = list(csv.DictReader(io.StringIO(client.get("/search.csv", params={**params, "footnotes": "true"}).text)))
    assert [(r["kind"], r["footnote"]) for r in rows] == [("footnote", "93")]


def test_csv_cells_never_start_a_formula(client: TestClient) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get("/search.csv", params={"q": "HYPERLINK", "mode": "bm25"}).text)))
    texts = [r["text"] for r in rows]
    assert texts and all(t.startswith("'=HYPERLINK") for t in texts), texts


def test_search_tells_what_is_still_waiting_to_be_indexed(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    with Library(db) as writer:
        writer.ingest([SAMPLES / "norland-2023-country-report.txt"], workers=1)
        writer.index(semantic=False)
        with TestClient(create_app(db)) as client:
            before = client.get("/search", params={"q": "detained", "mode": "bm25"}, headers=JSON).json()
            assert before["pending"] == {"reports": 0, "passages": 0}
            # Another process ingests while the workbench runs: the next request sees the new report, unindexed.
            writer.ingest([SAMPLES / "norland-shadow-report.pdf"], workers=1)
            after = client.get("/search", params={"q": "detained", "mode": "bm25"}, headers=JSON).json()
            assert after["pending"]["reports"] == 1 and after["pending"]["passages"] > 0
            tree = page(client.get("/search", params={"q": "detained", "mode": "bm25"}))
            assert "1 reports" in tree.xpath("//p[@class='pending']")[0].text_content()
            assert len(client.get("/", headers=JSON).json()) == 2


# -- compare ----------------------------------------------------------------------------------------


@needs_corpus
def test_compare_shows_two_editions_side_by_side_with_a_word_diff(client: TestClient, lib: Library) -> None:
    a, b = report_named(lib, "000_"), report_named(lib, "003_")
    response = client.get("/compare", params={"a": a.file_name, "b": b.id[:8], "section": "2.b"})
    tree = page(response)
    assert tree.xpath("//select[@name='a']/option[@selected]/@value") == [a.id]
    assert tree.xpath("//select[@name='b']/option[@selected]/@value") == [b.id]
    summary = " ".join(tree.xpath("//p[contains(@class, 'compare-summary')]")[0].text_content().split())
    assert summary.startswith("0 unchanged · 1 changed · 2 moved · 34 added · 11 dropped"), summary
    changed = tree.xpath("//table[@class='sides']//tr[@class='changed']")
    assert len(changed) == 1
    assert changed[0].xpath("td[@class='a']//del") and changed[0].xpath("td[@class='b']//ins")
    assert not changed[0].xpath("td[@class='a']//ins") and not changed[0].xpath("td[@class='b']//del")
    older = " ".join(changed[0].xpath("td[@class='a']/p")[0].text_content().split())
    assert older.startswith("The Constitution provides for freedom of assembly")
    links = changed[0].xpath(".//div[@class='ref']/a/@href")
    assert len(links) == 2 and links[0].startswith(f"/passages/{a.id}:") and links[1].startswith(f"/passages/{b.id}:")
    # each side cites its own report and can be copied
    assert "2003" in changed[0].xpath("td[@class='a']//button/@data-plain")[0]
    assert len(tree.xpath("//tr[@class='added']")) == 34 and len(tree.xpath("//tr[@class='dropped']")) == 11
    assert not tree.xpath("//tr[@class='unchanged']")


@needs_corpus
def test_compare_json_twin_is_the_cli_object(client: TestClient, lib: Library) -> None:
    a, b = report_named(lib, "000_"), report_named(lib, "003_")
    params = {"a": a.id, "b": b.id, "section": "2.b", "only": "changed,added"}
    data = client.get("/compare", params=params, headers=JSON).json()
    assert data == compare(lib, a.id, b.id, section="2.b").to_dict(["changed", "added"])
    assert set(data["sections"][0]) >= {"changed", "added"} and "dropped" not in data["sections"][0]
    # the page's check boxes send the statuses one by one: the same comparison
    repeated = client.get(f"/compare?a={a.id}&b={b.id}&section=2.b&only=changed&only=added&format=json").json()
    assert repeated == data
    shown = page(client.get("/compare", params=params))
    assert not shown.xpath("//tr[@class='dropped']") and shown.xpath("//tr[@class='added']")


def test_compare_page_without_reports_is_the_form(client: TestClient, lib: Library) -> None:
    tree = page(client.get("/compare"))
    options = tree.xpath("//form[@class='compare']/label/select[@name='a']/option/@value")
    assert sorted(options) == sorted(r.id for r in lib.reports())
    assert not tree.xpath("//table[@class='sides']")


def test_hostile_text_in_a_diff_renders_inert(client: TestClient, lib: Library) -> None:
    a, b = report_named(lib, "hostile-text"), report_named(lib, "edited-hostile")
    response = client.get("/compare", params={"a": a.id, "b": b.id})
    tree = page(response)
    assert inert_problems(tree) == []
    inserted = " ".join(tree.xpath("//tr[@class='changed']/td[@class='b']//ins/text()"))
    assert "<script>alert(7)</script><img" in inserted and "onerror=alert(8)>" in inserted
    assert "<script>alert(7)" not in response.text and "<img src=x" not in response.text
    deleted = tree.xpath("//tr[@class='changed']/td[@class='a']//del/text()")
    assert "<script>alert(1)</script>" in deleted and "asked" in deleted


# -- errors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "status", "kind", "words"),
    [
        ("/search?q=%22unclosed&mode=bm25", 400, "QueryError", "quotation mark"),
        ("/search?q=torture&filter=country=UZ", 400, "QueryError", "country=UZ"),
        ("/search?q=torture&filter=colour=red", 400, "QueryError", "unknown filter"),
        ("/search?q=torture&mode=magic", 400, "QueryError", "mode"),
        ("/search?q=torture&limit=0", 400, "QueryError", "limit"),
        ("/?filter=country=UZ", 400, "QueryError", "country=UZ"),
        ("/reports/no-such-report", 404, "NotFoundError", "no-such-report"),
        ("/passages/0123456789abcdef:p00001", 404, "NotFoundError", "0123456789abcdef"),
        ("/nowhere", 404, "NotFoundError", "/nowhere"),
        ("/compare?a=norland-2023-country-report.txt", 400, "QueryError", "two reports"),
        ("/compare?a=norland-2023-country-report.txt&b=no-such-report", 404, "NotFoundError", "no-such-report"),
        ("/compare?a=hostile-text.txt&b=edited-hostile.txt&only=changed,renamed", 400, "QueryError", "renamed"),
        ("/compare?a=hostile-text.txt&b=edited-hostile.txt&section=9.z", 400, "QueryError", "9.z"),
    ],
)
def test_errors_have_one_json_shape_and_a_page(
    client: TestClient, url: str, status: int, kind: str, words: str
) -> None:
    response = client.get(url, headers=JSON)
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"type", "message"}
    assert body["error"]["type"] == kind and words in body["error"]["message"], body
    shown = client.get(url)
    assert shown.status_code == status
    text = page(shown).text_content()
    assert body["error"]["message"] in " ".join(text.split()) or words in text
    assert "Traceback" not in shown.text and 'File "' not in shown.text


def test_an_empty_query_is_the_search_form_or_an_error(client: TestClient) -> None:
    tree = page(client.get("/search?q="))
    assert tree.xpath("//form[@class='search']") and not tree.xpath("//li[@class='hit']")
    response = client.get("/search?q=", headers=JSON)
    assert response.status_code == 400 and response.json()["error"]["type"] == "QueryError"


def test_a_malformed_query_keeps_the_search_box(client: TestClient) -> None:
    tree = page(client.get("/search", params={"q": '"unclosed', "mode": "bm25"}))
    assert tree.xpath("//form[@class='search']//input[@name='q']/@value") == ['"unclosed']
    assert "quotation mark" in tree.xpath("//p[contains(@class, 'error')]")[0].text_content()


# -- security ---------------------------------------------------------------------------------------


def every_page(client: TestClient, lib: Library) -> list[str]:
    urls = [
        "/",
        "/search",
        "/search?q=alert&mode=bm25",
        "/search?q=%22unclosed",
        "/nowhere",
        "/docs",
        "/tags",
        "/login",
    ]
    urls += ["/compare", "/compare?a=hostile-text.txt&b=edited-hostile.txt&only=changed,unchanged,added,dropped"]
    urls += [f"/reports/{r.id}" for r in lib.reports()]
    return urls


def inert_problems(tree: Any) -> list[str]:
    """What in a page could run or load from elsewhere: inline scripts, on* handlers, javascript: links, frames,
    plugins, style attributes (the policy forbids them too)."""
    problems = []
    for script in tree.xpath("//script"):
        src = script.get("src") or ""
        if not src.startswith("/static/") or (script.text or "").strip():
            problems.append(f"script {src!r} {(script.text or '')[:40]!r}")
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            if name.lower().startswith("on") or name.lower() == "style":
                problems.append(f"<{element.tag} {name}=...>")
            if name in ("href", "src", "action") and value.strip().lower().startswith(("javascript:", "data:")):
                problems.append(f"<{element.tag} {name}={value!r}>")
    problems += [f"<{e.tag}>" for e in tree.xpath("//iframe | //object | //embed | //frame | //base")]
    return problems


def test_every_page_has_the_security_headers_and_no_inline_script(client: TestClient, lib: Library) -> None:
    for url in [*every_page(client, lib), "/static/covenant.js", "/openapi.json"]:
        response = client.get(url)
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, url
        assert response.headers["x-content-type-options"] == "nosniff", url
        if response.headers["content-type"].startswith("text/html"):
            assert inert_problems(page(response)) == [], url
    for part in ("script-src 'self'", "frame-ancestors 'none'", "default-src 'none'"):
        assert part in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY and "unsafe-eval" not in CONTENT_SECURITY_POLICY


def test_hostile_report_text_renders_inert(client: TestClient, lib: Library) -> None:
    for name in ("hostile-text", "hostile-page", "norland-ngo-letter"):
        report = report_named(lib, name)
        response = client.get(f"/reports/{report.id}")
        tree = page(response)
        assert inert_problems(tree) == [], name
        text = tree.text_content()
        if name != "norland-ngo-letter":
            # the hostile strings are shown as the report's words, escaped, not run
            assert "<script>alert(1)</script>" in text
            assert "<script>alert(1)" not in response.text
    hostile = client.get("/search", params={"q": "alert", "mode": "bm25"})
    tree = page(hostile)
    assert inert_problems(tree) == []
    assert any("<script>alert(1)</script>" in p.text_content() for p in tree.xpath("//p[@class='text']"))
    text_report = report_named(lib, "hostile-text")
    assert "javascript:alert(2)" in page(client.get(f"/reports/{text_report.id}")).text_content()
    texts = [p["text"] for p in client.get(f"/reports/{text_report.id}", headers=JSON).json()["passages"]]
    assert any("<iframe" in t for t in texts)


# -- the API description ----------------------------------------------------------------------------


def test_every_route_is_in_openapi(app: FastAPI, client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    # The views' routers (FastAPI keeps included routers as wrappers in app.routes) and the app's own routes.
    found = [*app.routes, *(route for router in ROUTERS for route in router.routes)]
    routes = [r for r in found if isinstance(r, APIRoute) and r.path != "/docs"]  # /docs is the description's page
    assert {r.path for r in routes} >= {
        "/",
        "/reports/{ref}",
        "/passages/{passage_id}",
        "/search",
        "/search.csv",
        "/compare",
    }
    for route in routes:
        documented = re.sub(r":\w+}", "}", route.path)  # /tags/{tag:path} is documented as /tags/{tag}
        assert route.include_in_schema and documented in spec["paths"], f"{route.path} is missing from /openapi.json"
        for method in route.methods - {"HEAD"}:
            entry = spec["paths"][documented][method.lower()]
            assert entry.get("description") and entry.get("summary"), f"{method} {route.path} is not described"
    search = {p["name"] for p in spec["paths"]["/search"]["get"]["parameters"]}
    assert search == {"q", "mode", "filter", "limit", "footnotes"}


def test_api_docs_page_loads_its_assets_from_the_app(client: TestClient) -> None:
    response = client.get("/docs")
    tree = page(response)
    assert "http://" not in response.text and "https://" not in response.text
    assets = tree.xpath("//script/@src") + tree.xpath("//link[@rel='stylesheet']/@href")
    assert "/static/swagger-ui/swagger-ui-bundle.js" in assets and "/static/swagger-ui/swagger-ui.css" in assets
    for asset in assets:
        assert asset.startswith("/static/"), asset
        loaded = client.get(asset)
        assert loaded.status_code == 200 and len(loaded.content) > 500, asset
    assert tree.xpath("//div[@id='swagger-ui']/@data-openapi") == ["/openapi.json"]
    assert client.get("/static/swagger-ui/LICENSE").status_code == 200


def test_passage_field_names_are_the_data_models(client: TestClient, lib: Library) -> None:
    report = report_named(lib, "norland-2023")
    data = client.get(f"/reports/{report.id}", headers=JSON).json()
    assert set(data) == {"report", "sections", "passages", "footnotes"}
    extra = {"formatted", "formatted_coi", "tags", "notes", "rights"}
    assert set(data["passages"][0]) == set(Passage.__dataclass_fields__) | extra
    assert data["passages"][0]["rights"], "the library's index labelled every passage"


@pytest.mark.skipif(not KAZAKHSTAN.exists(), reason="the Kazakhstan reports are absent")
def test_dossier_shows_the_entitys_timeline_as_the_timeline_page_does(client: TestClient, lib: Library) -> None:
    zhak = lib.entities.find("Zhakiyanov")
    dossier = client.get(f"/entities/{zhak.id}", headers=JSON).json()["timeline"]
    timeline = client.get("/timeline", params={"entity": zhak.id}, headers=JSON).json()
    assert dossier["lines"] and dossier == {"years": timeline["years"], "lines": timeline["lines"]}
    tree = page(client.get(f"/entities/{zhak.id}"))
    assert len(tree.xpath("//svg[@class='timeline-chart']//rect")) == len(dossier["years"])
    first = dossier["years"][0]["year"]
    assert f"/timeline?entity={zhak.id}&from={first}&to={first}" in tree.xpath("//svg//a/@href")
    rows = tree.xpath("//table[contains(@class, 'timeline')]/tbody/tr")
    assert [r.xpath("string(td[1])") for r in rows] == [line["date"] for line in dossier["lines"]]
    assert rows[0].xpath("td[4]/a/@href") == [f"/passages/{dossier['lines'][0]['passage_id'].replace(':', '%3A')}"]


# -- tags, notes and writing with a token ---------------------------------------------------------


@pytest.fixture(scope="module")
def writable_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library of its own for the tests that write (the shared one above stays as ingested)."""
    db = tmp_path_factory.mktemp("web-writes") / "library.db"
    with Library(db) as lib:
        lib.ingest([SAMPLES], workers=1)
        lib.index(semantic=False)
    return db


@pytest.fixture(scope="module")
def writing(writable_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(writable_path)) as test_client:
        yield test_client


def new_token(path: Path, name: str) -> str:
    with Library(path) as lib:
        return create_token(lib, name)[0]


def passage_of(path: Path, file_prefix: str, words: str) -> str:
    with Library(path, read_only=True) as lib:
        report = report_named(lib, file_prefix)
        return next(p.id for p in lib.passages(report) if words in p.text)


def login_form_csrf(client: TestClient) -> str:
    """The login page's CSRF token (its form's field; the page sets the same value as a cookie)."""
    found = page(client.get("/login")).xpath("//form[@class='login']/input[@name='csrf']/@value")
    assert len(found) == 1 and len(found[0]) > 40
    return str(found[0])


def log_in(client: TestClient, token: str) -> str:
    """Log the client in through the form; the CSRF token its pages then carry."""
    data = {"token": token, "next": "/tags", "csrf": login_form_csrf(client)}
    response = client.post("/login", data=data, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/tags"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie, cookie
    csrf = page(client.get("/tags")).xpath("//form[@class='logout']/input[@name='csrf']/@value")
    assert len(csrf) == 1 and len(csrf[0]) > 20
    return str(csrf[0])


def test_a_write_without_a_token_is_refused_in_the_error_shape(writing: TestClient, writable_path: Path) -> None:
    pid = passage_of(writable_path, "norland-2023", "detained")
    for headers in ({}, {"Authorization": "Bearer cov_not-a-token"}, {"Authorization": "Basic abc"}):
        response = writing.post(f"/passages/{pid}/tags", json={"tag": "torture"}, headers={**JSON, **headers})
        assert response.status_code == 401, headers
        assert response.json()["error"]["type"] == "AuthError" and response.headers["www-authenticate"].startswith(
            "Bearer"
        )
    assert writing.delete("/notes/1", headers=JSON).status_code == 401
    shown = writing.post(f"/passages/{pid}/tags", data={"tag": "torture"})
    assert shown.status_code == 401 and page(shown).xpath("//a[@href='/login']")
    # nothing was written, and a page without a session shows no write form
    with Library(writable_path, read_only=True) as lib:
        assert lib.tags() == []
    tree = page(writing.get(f"/reports/{pid.split(':')[0]}"))
    assert not tree.xpath("//form[@method='post']") and tree.xpath("//a[@class='login-link']")


def test_a_token_writes_tags_and_notes_that_readers_then_see(writing: TestClient, writable_path: Path) -> None:
    token = new_token(writable_path, "api-writer")
    bearer = {**JSON, "Authorization": f"Bearer {token}"}
    pid = passage_of(writable_path, "norland-2023", "detained")
    short = pid.split(":")[0][:8] + ":" + pid.split(":")[1]
    made = writing.post(f"/passages/{short}/tags", json={"tag": "Detention  review"}, headers=bearer)
    assert made.status_code == 201
    assert made.json() == {"passage_id": pid, "tag": "Detention review", "added": True, "tags": ["Detention review"]}
    again = writing.post(f"/passages/{pid}/tags", json={"tag": "detention REVIEW"}, headers=bearer).json()
    assert again["added"] is False
    note = writing.post(f"/passages/{pid}/notes", json={"text": "Check <b>the</b> date\nwith the NGO"}, headers=bearer)
    assert note.status_code == 201 and note.json()["passage_id"] == pid
    # the readers' Libraries see the writes: the reader, the tag pages, search by the tag and its facet
    record = next(
        p for p in writing.get(f"/reports/{pid.split(':')[0]}", headers=JSON).json()["passages"] if p["id"] == pid
    )
    assert (
        record["tags"] == ["Detention review"] and record["notes"][0]["text"] == "Check <b>the</b> date\nwith the NGO"
    )
    assert writing.get("/tags", headers=JSON).json() == [{"tag": "Detention review", "passages": 1, "orphaned": 0}]
    [row] = list(csv.DictReader(io.StringIO(writing.get("/tags", params={"format": "csv"}).text)))
    assert (row["tag"], row["passage_id"], row["orphaned"]) == ("Detention review", pid, "False")
    assert "detained" in row["text"] and row["citation_coi"] and "norland-2023" in row["citation"]
    tagged = writing.get("/tags/detention review", headers=JSON).json()
    assert [(t["passage_id"], t["citation"]["passage_id"]) for t in tagged] == [(pid, pid)]
    hits = writing.get(
        "/search", params={"q": "detained", "mode": "bm25", "filter": "tag=detention review"}, headers=JSON
    ).json()["hits"]
    assert [h["passage_id"] for h in hits] == [pid] and hits[0]["tags"] == ["Detention review"]
    tree = page(writing.get("/search", params={"q": "detained", "mode": "bm25"}))
    facet = tree.xpath("//aside[@class='facets']//section[h2='tag']//a")
    assert [a.text for a in facet] == ["Detention review"] and "filter=tag%3DDetention+review" in facet[0].get("href")
    hit = next(h for h in tree.xpath("//li[@class='hit']") if h.xpath(f".//code[@class='pid' and text()='{pid}']"))
    assert hit.xpath(".//span[@class='chip tag']/a/text()") == ["Detention review"]
    assert "<b>the</b>" in hit.xpath(".//span[@class='note-text']/text()")[0]  # the note's text, escaped
    tags_page = page(writing.get("/tags"))
    assert tags_page.xpath("//a[@class='tag-link']/@href") == ["/tags/Detention%20review"]
    assert tags_page.xpath("//a[@class='search-link']/@href") == ["/search?filter=tag%3DDetention%20review"]
    # and take them off again
    removed = writing.delete(f"/passages/{pid}/tags/DETENTION review", headers=bearer)
    assert removed.status_code == 200 and removed.json()["tags"] == []
    assert writing.delete(f"/passages/{pid}/tags/DETENTION review", headers=bearer).status_code == 404
    assert writing.delete(f"/notes/{note.json()['id']}", headers=bearer).json()["text"].startswith("Check")
    assert writing.get("/tags", headers=JSON).json() == []
    bad = writing.post(f"/passages/{pid}/tags", json={"tag": "a\nb"}, headers=bearer)
    assert bad.status_code == 400 and bad.json()["error"]["type"] == "QueryError"


def test_a_browser_logs_in_once_and_its_forms_carry_a_csrf_token(writable_path: Path) -> None:
    token = new_token(writable_path, "browser")
    pid = passage_of(writable_path, "norland-2023", "detained")
    report_id = pid.split(":")[0]
    with TestClient(create_app(writable_path)) as browser:
        wrong_token = browser.post("/login", data={"token": "cov_wrong", "csrf": login_form_csrf(browser)})
        assert wrong_token.status_code == 401
        assert page(wrong_token).xpath("//form[@class='login']/input[@name='csrf']/@value")  # to try again
        csrf = log_in(browser, token)
        form = page(browser.get(f"/reports/{report_id}")).xpath(f"//form[@action='/passages/{pid}/tags']")[0]
        assert form.xpath("input[@name='csrf']/@value") == [csrf]
        back = form.xpath("input[@name='next']/@value")[0]
        # without the CSRF field (what another site's form would send with the cookie): refused, nothing written
        refused = browser.post(f"/passages/{pid}/tags", data={"tag": "forged", "next": back}, headers=JSON)
        assert refused.status_code == 403 and refused.json()["error"]["type"] == "ForbiddenError"
        wrong = browser.post(f"/passages/{pid}/tags", data={"tag": "forged", "csrf": csrf[:-2] + "xx"})
        assert wrong.status_code == 403
        done = browser.post(
            f"/passages/{pid}/tags", data={"tag": "assembly", "csrf": csrf, "next": back}, follow_redirects=False
        )
        assert done.status_code == 303 and done.headers["location"] == back
        assert back.startswith(f"/reports/{report_id}?passage=")
        tree = page(browser.get(back))
        assert inert_problems(tree) == []  # the write forms too: no inline script or handler
        assert tree.xpath(f"//div[@data-passage='{pid}']//span[@class='chip tag']/a/text()") == ["assembly"]
        # a form post is sent back only to this server
        elsewhere = browser.post(
            f"/passages/{pid}/tags/delete",
            data={"tag": "assembly", "csrf": csrf, "next": "//evil.example/"},
            follow_redirects=False,
        )
        assert elsewhere.status_code == 303 and elsewhere.headers["location"] == back
        # a forged cookie is no session
        browser.cookies.clear()
        browser.cookies.set("covenant_session", "eyJuYW1lIjoieCJ9.AAAA")
        assert browser.post(f"/passages/{pid}/tags", data={"tag": "x", "csrf": csrf}).status_code == 401


def test_a_revoked_token_and_its_sessions_are_refused(writable_path: Path) -> None:
    token = new_token(writable_path, "to-revoke")
    pid = passage_of(writable_path, "norland-2023", "detained")
    bearer = {**JSON, "Authorization": f"Bearer {token}"}
    with TestClient(create_app(writable_path)) as browser:
        csrf = log_in(browser, token)
        assert browser.post(f"/passages/{pid}/notes", json={"text": "first"}, headers=bearer).status_code == 201
        with Library(writable_path) as lib:  # `covenant token revoke`, from another process
            revoke_token(lib, "to-revoke")
        refused = browser.post(f"/passages/{pid}/notes", json={"text": "second"}, headers=bearer)
        assert refused.status_code == 401 and "revoked" in refused.json()["error"]["message"]
        assert browser.post(f"/passages/{pid}/notes", data={"text": "third", "csrf": csrf}).status_code == 401
        assert not page(browser.get("/")).xpath("//form[@class='logout']")
        with Library(writable_path, read_only=True) as lib:
            assert [n.text for n in lib.notes(pid)] == ["first"]
            lib_tokens = [r.name for r in list_tokens(lib)]
        assert "to-revoke" not in lib_tokens
    with Library(writable_path) as lib:
        for gone in lib.notes(pid):
            lib.remove_note(gone.id)


def test_the_library_keeps_only_token_hashes(writable_path: Path) -> None:
    token = new_token(writable_path, "hashed")
    with Library(writable_path, read_only=True) as lib:
        stored = lib.store.setting("web.tokens") or ""
    assert token not in stored and hashlib.sha256(token.encode()).hexdigest() in stored
    assert writable_path.read_bytes().find(token.encode()) == -1


def test_a_read_only_workbench_has_no_login_and_refuses_writes(writable_path: Path) -> None:
    token = new_token(writable_path, "read-only")
    pid = passage_of(writable_path, "norland-2023", "detained")
    with TestClient(create_app(writable_path, writable=False)) as reader:
        response = reader.post(f"/passages/{pid}/tags", json={"tag": "x"}, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 403 and response.json()["error"]["type"] == "ForbiddenError"
        assert not page(reader.get("/")).xpath("//a[@class='login-link']")


# -- uploads ------------------------------------------------------------------------------------------


def wait_for_job(client: TestClient, job: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while job["status"] in ("queued", "ingesting", "indexing"):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
        job = client.get(f"/api/reports/jobs/{job['id']}", headers=headers).json()
    return job


def test_an_uploaded_report_is_stored_in_its_folder_ingested_and_searchable(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    with Library(db) as lib:
        lib.ingest([SAMPLES / "norland-ngo-letter.html"], workers=1)
        lib.index(semantic=False)
        token = create_token(lib, "uploader")[0]
    bearer = {**JSON, "Authorization": f"Bearer {token}"}
    report = (SAMPLES / "norland-2023-country-report.txt").read_bytes()
    with TestClient(create_app(db)) as client:
        refused = client.post("/api/reports", files={"file": ("a.txt", report)}, headers=JSON)
        assert refused.status_code == 401 and refused.json()["error"]["type"] == "AuthError"
        # a name that tries to leave the uploads folder is stored inside it all the same
        answer = client.post("/api/reports", files={"file": ("../../../etc/evil..txt", report)}, headers=bearer)
        assert answer.status_code == 202, answer.text
        job = wait_for_job(client, answer.json(), bearer)
        assert job["status"] == "done" and job["passages"] and job["file_name"] == "../../../etc/evil..txt"
        stored = Path(job["stored"])
        assert stored.resolve().parent.parent == (tmp_path / "library.db.uploads").resolve()
        assert stored.name == "evil.txt" and stored.read_bytes() == report
        assert job["report_id"] in {r["id"] for r in client.get("/", headers=JSON).json()}
        hits = client.get("/search", params={"q": "detained", "mode": "bm25"}, headers=JSON).json()["hits"]
        assert job["report_id"] in {h["citation"]["report_id"] for h in hits}
        # a PDF sent under a .txt name is stored as what its bytes are
        pdf = (SAMPLES / "norland-shadow-report.pdf").read_bytes()
        as_pdf = wait_for_job(
            client, client.post("/api/reports", files={"file": ("notes.txt", pdf)}, headers=bearer).json(), bearer
        )
        assert as_pdf["status"] == "done" and Path(as_pdf["stored"]).name == "notes.pdf"
        # what the reader cannot use ends the job with its reason; a format not read at all is refused at once
        garbage = wait_for_job(
            client,
            client.post("/api/reports", files={"file": ("x.txt", bytes(range(256)) * 40)}, headers=bearer).json(),
            bearer,
        )
        assert garbage["status"] == "skipped" and "binary" in garbage["reason"]
        docx = b"PK\x03\x04" + b"\x00" * 30 + b"word/document.xml" + b"\x00" * 200
        unsupported = client.post("/api/reports", files={"file": ("a.docx", docx)}, headers=bearer)
        assert unsupported.status_code == 415 and "Word" in unsupported.json()["error"]["message"]
        client.app.state.uploads.limit = 4096  # type: ignore[attr-defined]
        large = client.post("/api/reports", files={"file": ("big.txt", report)}, headers=bearer)
        assert large.status_code == 413 and large.json()["error"]["type"] == "TooLargeError"
        assert client.get("/api/reports/jobs/nope", headers=JSON).status_code == 404


# -- the upload page and its job pages ------------------------------------------------------------------


def test_the_upload_page_needs_a_session_and_its_form_leads_to_the_job_page(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    with Library(db) as lib:
        lib.ingest([SAMPLES / "norland-ngo-letter.html"], workers=1)
        lib.index(semantic=False)
        token = create_token(lib, "page-uploader")[0]
    report = (SAMPLES / "norland-2023-country-report.txt").read_bytes()
    with TestClient(create_app(db)) as browser:
        # without a session: no link in the nav, and the page and the form's route are a 401 with the login link
        assert not page(browser.get("/")).xpath("//header//a[@href='/uploads']")
        refused = browser.get("/uploads")
        assert refused.status_code == 401
        assert page(refused).xpath("//section[@class='error']//a[@href='/login?next=/uploads']/text()") == ["Log in"]
        assert browser.get("/uploads", headers=JSON).json()["error"]["type"] == "AuthError"
        posted = browser.post("/uploads", files={"file": ("a.txt", report)}, follow_redirects=False)
        assert posted.status_code == 401 and page(posted).xpath("//a[@href='/login']")
        assert not (tmp_path / "library.db.uploads").exists()

        csrf = log_in(browser, token)
        assert page(browser.get("/")).xpath("//header//a[@href='/uploads']/text()") == ["Upload"]
        tree = page(browser.get("/uploads"))
        form = tree.xpath("//form[@class='upload']")[0]
        assert (form.get("method"), form.get("action"), form.get("enctype")) == (
            "post",
            "/uploads",
            "multipart/form-data",
        )
        assert form.xpath("input[@name='csrf']/@value") == [csrf]
        assert form.xpath(".//input[@type='file']/@name") == ["file"]
        assert inert_problems(tree) == []
        # the form without its CSRF token (another site's form, sent with the cookie) is refused, nothing stored
        forged = browser.post("/uploads", files={"file": ("a.txt", report)}, follow_redirects=False)
        assert forged.status_code == 403 and not (tmp_path / "library.db.uploads").exists()

        sent = browser.post(
            "/uploads", files={"file": ("country report.txt", report)}, data={"csrf": csrf}, follow_redirects=False
        )
        assert sent.status_code == 303 and re.fullmatch(r"/uploads/[0-9a-f]{32}", sent.headers["location"])
        job_id = sent.headers["location"].rsplit("/", 1)[1]
        job = wait_for_job(browser, {"id": job_id, "status": "queued"}, JSON)
        assert job["status"] == "done" and job["file_name"] == "country report.txt"
        assert job["uploaded_by"] == "page-uploader"
        assert browser.get(f"/uploads/{job_id}", headers=JSON).json() == job
        job_page = page(browser.get(f"/uploads/{job_id}"))
        assert "/static/upload.js" in job_page.xpath("//script/@src") and inert_problems(job_page) == []
        section = job_page.xpath("//section[@class='job']")[0]
        assert section.get("data-progress") == f"/api/reports/jobs/{job_id}" and section.get("data-status") == "done"
        assert job_page.xpath("//strong[contains(@class, 'status')]/text()") == ["stored"]
        link = job_page.xpath("//a[@class='report-link']/@href")
        assert link == [f"/reports/{job['report_id']}"] and browser.get(link[0]).status_code == 200
        assert browser.get("/static/upload.js").status_code == 200

        # a file the reader cannot use: the job page gives the reader's reason
        garbage = browser.post(
            "/uploads", files={"file": ("x.txt", bytes(range(256)) * 40)}, data={"csrf": csrf}, follow_redirects=False
        )
        garbage_id = garbage.headers["location"].rsplit("/", 1)[1]
        skipped = wait_for_job(browser, {"id": garbage_id, "status": "queued"}, JSON)
        assert skipped["status"] == "skipped"
        shown = page(browser.get(f"/uploads/{garbage_id}"))
        assert shown.xpath("//span[@class='reason']/text()") == [skipped["reason"]] and "binary" in skipped["reason"]
        assert not shown.xpath("//a[@class='report-link']")

        # the upload page lists this app's jobs, newest first; its JSON twin too
        listed = browser.get("/uploads", headers=JSON).json()
        assert [j["id"] for j in listed["jobs"]] == [garbage_id, job_id] and listed["limit"] == 50 * 2**20
        assert page(browser.get("/uploads")).xpath("//ul[@class='jobs']//a/@href") == [
            f"/uploads/{garbage_id}",
            f"/uploads/{job_id}",
        ]
        assert browser.get("/uploads/nope", headers=JSON).status_code == 404
    # a token uploads through the form's route too, answered in JSON
    with TestClient(create_app(db)) as client:
        bearer = {**JSON, "Authorization": f"Bearer {token}"}
        answer = client.post("/uploads", files={"file": ("again.txt", report)}, headers=bearer)
        assert answer.status_code == 202 and answer.json()["progress"] == f"/api/reports/jobs/{answer.json()['id']}"
        assert wait_for_job(client, answer.json(), bearer)["status"] == "done"
        assert client.get("/uploads", headers=bearer).json()["jobs"][0]["id"] == answer.json()["id"]


# -- CSRF on the login form ----------------------------------------------------------------------------


def test_the_login_form_needs_its_own_csrf_token(writable_path: Path) -> None:
    token = new_token(writable_path, "login-csrf")
    with TestClient(create_app(writable_path)) as browser:
        shown = browser.get("/login")
        cookie = shown.headers["set-cookie"]
        assert cookie.startswith("covenant_login=") and "HttpOnly" in cookie and "SameSite=strict" in cookie, cookie
        assert "Path=/login" in cookie
        field = login_form_csrf(browser)
        assert browser.cookies.get("covenant_login") == field
        assert login_form_csrf(browser) == field  # the page keeps a valid token rather than making another
        # another site's form: the browser does not send the SameSite cookie, and the site cannot know the field
        with TestClient(create_app(writable_path)) as elsewhere:
            forged = elsewhere.post("/login", data={"token": token}, follow_redirects=False)
            assert forged.status_code == 403 and "set-cookie" not in forged.headers
            assert page(forged).xpath("//p[@class='message']/text()")[0].startswith("this login form has no valid")
            forged_json = elsewhere.post("/login", data={"token": token, "csrf": field}, headers=JSON)
            assert forged_json.status_code == 403 and forged_json.json()["error"]["type"] == "ForbiddenError"
            # a cookie planted without the library's key is not taken, even with a field to match
            elsewhere.cookies.set("covenant_login", "planted.value", path="/login")
            planted = elsewhere.post("/login", data={"token": token, "csrf": "planted.value"}, follow_redirects=False)
            assert planted.status_code == 403
            assert elsewhere.get("/login", headers=JSON).json()["logged_in"] is False
        # the cookie with another field is refused too; the pair logs in, and the login cookie is cleared
        mismatched = browser.post("/login", data={"token": token, "csrf": field[:-2] + "xx"}, follow_redirects=False)
        assert mismatched.status_code == 403 and browser.get("/login", headers=JSON).json()["logged_in"] is False
        done = browser.post("/login", data={"token": token, "csrf": field}, follow_redirects=False)
        assert done.status_code == 303 and browser.get("/login", headers=JSON).json()["name"] == "login-csrf"
        assert "covenant_login" not in browser.cookies
    # JSON needs no CSRF token: a browser sends JSON to another site only with that site's consent (CORS)
    with TestClient(create_app(writable_path)) as api:
        assert api.post("/login", json={"token": token}).json() == {"name": "login-csrf"}


# -- a workbench that only reads ------------------------------------------------------------------------


def library_files(db: Path) -> dict[str, tuple[int, str]]:
    """Every file of the library (the database, its index, an uploads folder) with its size and digest; the
    write-ahead log only when it holds something (SQLite may make an empty one for a reader)."""
    found = {}
    for file in sorted(db.parent.rglob("*")):
        if (
            file.is_file()
            and not file.name.endswith("-shm")
            and not (file.name.endswith("-wal") and not file.stat().st_size)
        ):
            found[str(file.relative_to(db.parent))] = (
                file.stat().st_size,
                hashlib.sha256(file.read_bytes()).hexdigest(),
            )
    return found


def test_a_read_only_workbench_never_writes_and_refuses_every_write_route(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    with Library(db) as lib:
        lib.ingest([SAMPLES], workers=1)
        lib.index(semantic=False)
        token = create_token(lib, "not-here")[0]
        pid = next(p.id for p in lib.passages() if "detained" in p.text)
    before = library_files(db)
    app = create_app(db, writable=False)
    assert app.state.writer is None and app.state.secret is None and app.state.uploads is None
    writes = [
        (method, route.path)
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in sorted(route.methods - {"GET", "HEAD"})
    ]
    assert ("POST", "/api/reports") in writes and ("POST", "/uploads") in writes and ("POST", "/login") in writes
    assert len(writes) >= 10
    report = (SAMPLES / "norland-2023-country-report.txt").read_bytes()
    with TestClient(app) as reader:
        for method, path in writes:
            url = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: pid if m.group(1) == "passage_id" else "1", path)
            for headers in ({}, {"Authorization": f"Bearer {token}"}):
                for body in (
                    {"json": {"tag": "x", "text": "x", "token": token}},
                    {"files": {"file": ("a.txt", report)}},
                    {"content": b"{not json"},  # refused before the body is read, not a 400
                ):
                    response = reader.request(method, url, headers={**JSON, **headers}, **body)  # type: ignore[arg-type]
                    assert response.status_code == 403, (method, url, headers, response.text)
                    assert response.json() == {
                        "error": {
                            "type": "ForbiddenError",
                            "message": "this workbench cannot write to its library (it is read-only here)",
                        }
                    }
        assert reader.get("/uploads").status_code == 403 and reader.get("/uploads/x", headers=JSON).status_code == 404
        # it reads as before, shows no login, no upload link and no write form, and never sets a cookie
        assert reader.get("/login", headers=JSON).json() == {"logged_in": False, "name": None, "writable": False}
        login_page = page(reader.get("/login"))
        assert not login_page.xpath("//form[@class='login']") and not login_page.xpath("//a[@class='login-link']")
        tree = page(reader.get(f"/passages/{pid}", follow_redirects=True))
        assert not tree.xpath("//form[@method='post']") and not tree.xpath("//a[@href='/uploads']")
        hits = reader.get("/search", params={"q": "detained", "mode": "bm25"}, headers=JSON).json()["hits"]
        assert pid in {h["passage_id"] for h in hits}
        assert "set-cookie" not in reader.get("/login").headers and not reader.cookies
    assert library_files(db) == before and not (tmp_path / "library.db.uploads").exists()
    # the check can fail: a workbench that writes keeps its session key in the library at its first start
    with TestClient(create_app(db)):
        pass
    assert library_files(db) != before
