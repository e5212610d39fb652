"""The workbench in a real browser: `covenant serve` as a process, Debian's Chromium driven by Playwright."""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from conftest import KAZAKHSTAN, SAMPLES
from covenant.library import Library
from covenant.web.auth import create_token

CHROMIUM = Path("/usr/bin/chromium")
# Playwright's own browser download is not used: Debian's Chromium, headless, talking to nothing but the server.
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"),
        reason="/usr/bin/chromium is absent (apt-get install chromium; `make test` installs it)",
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("COVENANT_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots of the workbench: {folder}")
    return folder


@pytest.fixture(scope="module")
def library_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("browser") / "library.db"
    with Library(db) as lib:
        lib.ingest([SAMPLES] + ([KAZAKHSTAN] if KAZAKHSTAN.exists() else []), workers=1)
        lib.index(semantic=False)
    return db


@contextmanager
def serving(db: Path, *options: str) -> Iterator[str]:
    """`covenant serve` (with `options`) on a free port of 127.0.0.1 over the library at `db`: its address."""
    port = free_port()
    command = [str(Path(sys.executable).with_name("covenant")), "--db", str(db), "serve", "--port", str(port), *options]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(address + "/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read() if process.stdout else ""
                    pytest.fail(f"covenant serve did not start: {output}")
                time.sleep(0.2)
        yield address
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def server(library_db: Path) -> Iterator[str]:
    """`covenant serve` over the samples and the Kazakhstan reports."""
    with serving(library_db) as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("CI must run the browser tests: /usr/bin/chromium is missing (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture()
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    opened = context.new_page()
    problems: list[str] = []
    # Every console error (a script that failed, a resource refused by the Content-Security-Policy) fails the test.
    opened.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda e: problems.append(str(e)))
    opened.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    yield opened
    context.close()
    assert problems == []


def expect(target: Any) -> Any:
    """Playwright's waiting assertions (they poll without evaluating strings, which the page's policy forbids)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def in_view(page: Any, selector: str) -> bool:
    """Whether the element is inside the visible part of the window (not merely in the document)."""
    box = page.locator(selector).first.bounding_box()
    height = page.evaluate("window.innerHeight")
    return bool(box) and box["y"] >= -1 and box["y"] + min(box["height"], 40) <= height + 1


def reader_name() -> str:
    return "004_c44e466740d2cce1.txt" if KAZAKHSTAN.exists() else "norland-shadow-report.pdf"


def test_library_reader_and_footnotes(page: Any, screenshots: Path) -> None:
    page.goto("/")
    rows = page.locator("table.reports tbody tr")
    assert rows.count() == (8 if KAZAKHSTAN.exists() else 3)
    page.screenshot(path=str(screenshots / "1-library.png"), full_page=True)
    row = page.locator("table.reports tr", has_text=reader_name())
    row.locator("td a").nth(1).click()
    page.wait_for_url("**/reports/**")
    assert page.locator(".outline a").count() > 3
    page.screenshot(path=str(screenshots / "2-reader.png"))

    marker = page.locator("sup.fnref a").first
    note_id = marker.get_attribute("href")[1:]
    marker_id = marker.get_attribute("id")
    marker.click()
    expect(page).to_have_url(re.compile(f"#{note_id}$"))
    assert in_view(page, f"li[id='{note_id}']")
    page.screenshot(path=str(screenshots / "3-footnote.png"))
    page.locator(f"li[id='{note_id}'] a.back").click()
    expect(page).to_have_url(re.compile(f"#{marker_id}$"))
    assert in_view(page, f"a[id='{marker_id}']")


def test_search_open_a_hit_and_copy_its_citation(page: Any, screenshots: Path) -> None:
    phrase, country = ('"freedom of assembly"', "KZ") if KAZAKHSTAN.exists() else ('"peaceful demonstration"', None)
    page.goto("/search")
    page.fill("form.search input[name='q']", phrase)
    page.select_option("form.search select[name='mode']", "bm25")
    if country:
        page.fill("form.search input.filter-input", f"country={country}")
    page.click("form.search button[type='submit']")
    page.wait_for_selector("li.hit")
    if country:
        assert page.locator("span.chip", has_text=f"country={country}").count() == 1
    hits = page.locator("li.hit")
    assert hits.count() > 0
    assert hits.first.locator("p.text mark").count() > 0
    page.screenshot(path=str(screenshots / "4-search.png"), full_page=False)

    passage_id = hits.nth(1 if hits.count() > 1 else 0).locator("code.pid").inner_text()
    hits.nth(1 if hits.count() > 1 else 0).locator("a.open").click()
    page.wait_for_url("**/reports/**")
    highlighted = page.locator(".passage.highlight")
    assert highlighted.count() == 1 and highlighted.get_attribute("data-passage").endswith(passage_id.split(":")[1])
    assert in_view(page, ".passage.highlight")
    page.screenshot(path=str(screenshots / "5-passage.png"))

    button = highlighted.locator("button.copy-citation")
    button.click()
    expect(button).to_have_text("copied")
    assert page.evaluate("navigator.clipboard.readText()") == button.get_attribute("data-coi")
    page.select_option("select.cite-style-select", "plain")
    expect(button).to_have_text("copy citation")  # the label comes back after a moment
    button.click()
    expect(button).to_have_text("copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == button.get_attribute("data-plain") and copied != button.get_attribute("data-coi")


def test_api_docs_render_from_local_assets(page: Any, screenshots: Path, server: str) -> None:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto("/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert {"/", "/reports/{ref}", "/passages/{passage_id}", "/search", "/search.csv"} <= {p.strip() for p in paths}
    assert requested and all(url.startswith(server) for url in requested), requested
    page.screenshot(path=str(screenshots / "6-docs.png"))


@pytest.mark.skipif(not KAZAKHSTAN.exists(), reason="the Kazakhstan reports are absent")
def test_compare_two_editions_and_open_a_side(page: Any, screenshots: Path, library_db: Path) -> None:
    with Library(library_db, read_only=True) as lib:
        ids = {r.file_name[:3]: r.id for r in lib.reports()}
    page.goto("/compare")
    page.select_option("form.compare select[name='a']", ids["000"])
    page.select_option("form.compare select[name='b']", ids["003"])
    page.fill("form.compare input[name='section']", "2.b")
    page.click("form.compare button[type='submit']")
    page.wait_for_selector("table.sides")
    expect(page.locator("p.compare-summary")).to_contain_text("1 changed")
    changed = page.locator("table.sides tr.changed")
    expect(changed).to_have_count(1)
    assert changed.locator("td.a del").count() > 0 and changed.locator("td.b ins").count() > 0
    assert "Constitution" in changed.locator("td.a del").first.inner_text()
    page.screenshot(path=str(screenshots / "7-compare.png"))
    changed.locator("td.b .ref a").click()
    page.wait_for_url(f"**/reports/{ids['003']}**")
    highlighted = page.locator(".passage.highlight")
    expect(highlighted).to_contain_text("limited freedom of assembly")


def test_log_in_tag_a_passage_in_the_reader_and_find_it_by_its_tag(
    page: Any, screenshots: Path, library_db: Path
) -> None:
    with Library(library_db) as lib:
        token = create_token(lib, "browser-test")[0]
        passage = next(p for p in lib.passages() if "detained" in p.text)
    page.goto("/")
    page.click("a.login-link")
    page.fill("form.login input[name='token']", token)
    page.click("form.login button[type='submit']")
    expect(page.locator("header.top .who")).to_have_text("browser-test")

    page.goto(f"/passages/{passage.id}")
    highlighted = page.locator(".passage.highlight")
    highlighted.locator("details.annotate summary").click()
    highlighted.locator("form.add-tag input[name='tag']").fill("Custody review")
    highlighted.locator("form.add-tag button").click()
    page.wait_for_url(re.compile(r"/reports/.*passage="))
    highlighted = page.locator(".passage.highlight")
    expect(highlighted.locator(".chip.tag a")).to_have_text("Custody review")
    page.screenshot(path=str(screenshots / "8-tagged.png"))

    page.goto("/search")
    page.fill("form.search input[name='q']", "detained")
    page.select_option("form.search select[name='mode']", "bm25")
    page.fill("form.search input.filter-input", "tag=custody review")
    page.click("form.search button[type='submit']")
    page.wait_for_selector("li.hit")
    hits = page.locator("li.hit")
    expect(hits).to_have_count(1)
    expect(hits.first.locator("code.pid")).to_have_text(passage.id)
    expect(hits.first.locator(".chip.tag a")).to_have_text("Custody review")
    page.screenshot(path=str(screenshots / "9-search-by-tag.png"))

    # off again from the hit (of the search without the tag's filter, which would name a tag no passage has)
    page.locator("span.chip", has_text="tag=custody review").locator("a").click()
    hit = page.locator("li.hit", has=page.locator("code.pid", has_text=passage.id))
    expect(hit.locator(".chip.tag a")).to_have_text("Custody review")
    hit.locator("form.untag button").click()
    page.wait_for_url("**/search?**")
    expect(page.locator("li.hit").first).to_be_visible()
    expect(page.locator("li.hit .chip.tag")).to_have_count(0)
    with Library(library_db, read_only=True) as lib:
        assert lib.tags() == []


def test_upload_a_report_follow_its_job_and_open_it(browser: Any, screenshots: Path, tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    with Library(db) as lib:
        lib.ingest([SAMPLES / "norland-ngo-letter.html"], workers=1)
        lib.index(semantic=False)
        token = create_token(lib, "uploader")[0]
    # a copy of the sample under a new name and with a line of its own, so that it is new to the library
    upload = tmp_path / "norland-2023-country-report (uploaded).txt"
    upload.write_text(
        (SAMPLES / "norland-2023-country-report.txt").read_text(encoding="utf-8") + "\nUploaded from the workbench.\n",
        encoding="utf-8",
    )
    with serving(db) as address:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=address)
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        refused: list[str] = []
        page.on("response", lambda r: refused.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        polls: list[str] = []
        page.on("request", lambda r: polls.append(r.url) if "/api/reports/jobs/" in r.url else None)

        # without a session: no link in the nav, and the upload page is a 401 with the way to log in
        page.goto("/")
        expect(page.locator("header.top a[href='/uploads']")).to_have_count(0)
        answer = page.goto("/uploads")
        assert answer is not None and answer.status == 401
        expect(page.locator("section.error h1")).to_have_text("Log in to write")
        page.screenshot(path=str(screenshots / "10-upload-needs-login.png"))
        assert refused == [f"401 {address}/uploads"]
        page.locator("section.error a.login-link").click()
        page.wait_for_url("**/login?next=/uploads")
        page.fill("form.login input[name='token']", token)
        page.click("form.login button[type='submit']")
        page.wait_for_url("**/uploads")
        expect(page.locator("header.top .who")).to_have_text("uploader")
        expect(page.locator("header.top a[href='/uploads']")).to_have_text("Upload")
        page.screenshot(path=str(screenshots / "11-upload-form.png"))

        page.set_input_files("form.upload input[type='file']", str(upload))
        with page.expect_navigation(url=re.compile(r"/uploads/[0-9a-f]{32}$")) as navigation:
            page.click("form.upload button[type='submit']")
        first = navigation.value.text()  # the job page as the server first sent it
        status = page.locator(".job-status .status")
        expect(status).to_have_text("stored", timeout=60_000)
        link = page.locator(".job-result a.report-link")
        expect(link).to_have_count(1)
        if 'data-status="done"' not in first:  # the page was sent before the job ended: its script followed it
            assert polls and all(url.startswith(f"{address}/api/reports/jobs/") for url in polls)
        page.screenshot(path=str(screenshots / "12-upload-stored.png"))
        job_id = page.url.rsplit("/", 1)[1]
        with urllib.request.urlopen(f"{address}/api/reports/jobs/{job_id}") as response:
            job = json.load(response)
        assert job["status"] == "done" and job["file_name"] == upload.name
        assert link.get_attribute("href") == f"/reports/{job['report_id']}"
        expect(page.locator(".job-result")).to_contain_text(f"{job['passages']} passages")

        link.click()
        page.wait_for_url(f"**/reports/{job['report_id']}")
        expect(page.locator("main h1").first).to_contain_text("Norland")
        assert page.locator(".passage").count() == job["passages"]
        page.screenshot(path=str(screenshots / "13-uploaded-report.png"))
        context.close()
        # the one failure is the page refused without a session (Chromium logs it as a console error)
        assert problems == ["Failed to load resource: the server responded with a status of 401 (Unauthorized)"]
        assert refused == [f"401 {address}/uploads"]
    with Library(db, read_only=True) as lib:
        assert job["report_id"] in {r.id for r in lib.reports()}


def test_serve_read_only_refuses_writes_and_leaves_the_library_as_it_was(library_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    with Library(db) as lib:
        lib.ingest([SAMPLES], workers=1)
        lib.index(semantic=False)
        token = create_token(lib, "not-here")[0]
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with serving(db, "--read-only") as address:
        posts = [("/login", {"token": token}), ("/passages/x:p00001/tags", {"tag": "x"}), ("/logout", {})]
        for path, body in posts:
            request = urllib.request.Request(
                address + path,
                data=json.dumps(body).encode(),
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
                method="POST",
            )
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request)
            assert refused.value.code == 403, path
            assert json.load(refused.value)["error"]["type"] == "ForbiddenError"
        with urllib.request.urlopen(address + "/login?format=json") as response:
            assert json.load(response) == {"logged_in": False, "name": None, "writable": False}
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    wal = db.with_name(db.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def test_rights_heatmap_drills_down_to_passages_and_the_reader_shows_labels(page: Any, screenshots: Path) -> None:
    page.goto("/rights")
    tables = page.locator("table.heatmap")
    assert tables.count() >= 2  # one per source
    page.screenshot(path=str(screenshots / "rights-heatmap.png"), full_page=True)
    cell = page.locator("table.heatmap td a.cell-link").first
    count = int(cell.inner_text())
    cell.click()
    page.wait_for_url("**/rights/passages?**")
    assert page.locator("ol.hits li.hit").count() == min(count, 200)
    expect(page.locator("h1")).to_contain_text("iccpr")
    page.screenshot(path=str(screenshots / "rights-passages.png"))
    page.locator("ol.hits li.hit p.cite a").first.click()
    page.wait_for_url("**/reports/**")
    assert page.locator(".passage.highlight .passage-rights .label-chip").count() >= 1
    page.goto("/rights?scheme=theme")
    expect(page.locator("a.scheme-link.current")).to_have_text("theme")


def test_recommendations_tracker_filters_and_opens_a_trail(page: Any, screenshots: Path) -> None:
    if not KAZAKHSTAN.exists():
        pytest.skip("reference corpus ../shared is absent")
    page.goto("/")
    page.locator("header nav a", has_text="Recommendations").click()
    page.wait_for_url("**/recommendations")
    everything = page.locator("table.recommendations tbody tr").count()
    assert everything > 100
    page.select_option("form.rec-filters select[name=status]", "not_implemented")
    page.locator("form.rec-filters button").click()
    page.wait_for_url("**/recommendations?**status=not_implemented**")
    rows = page.locator("table.recommendations tbody tr")
    assert 0 < rows.count() < everything
    assert rows.locator(".rec-not_implemented").count() == rows.count()
    page.screenshot(path=str(screenshots / "recommendations.png"))
    rows.first.locator("td.ask a").click()
    page.wait_for_url("**/recommendations/**")
    expect(page.locator("blockquote.rec-quote")).to_be_visible()
    # the quoting report's own assessment is the first, stated, step of the trail, and opens in the reader
    stated = page.locator("ol.trail li.trail-stated")
    expect(stated.first.locator(".rec-status")).to_have_text("not implemented")
    page.screenshot(path=str(screenshots / "recommendation-trail.png"), full_page=True)
    words = stated.first.locator("p.text").inner_text()[:60]
    stated.first.locator("p.cite a").click()
    page.wait_for_url("**/reports/**")
    expect(page.locator(".passage.highlight")).to_contain_text(words)


def test_a_name_in_the_reader_opens_its_dossier_across_spellings(page: Any, screenshots: Path) -> None:
    if not KAZAKHSTAN.exists():
        pytest.skip("reference corpus ../shared is absent")
    page.goto("/")
    page.locator("table.reports tr", has_text="001_30dfef030156c0a4.txt").locator("td a").nth(1).click()
    page.wait_for_url("**/reports/**")
    name = page.locator("a.entity", has_text="Zhakianov").first
    expect(name).to_be_visible()
    name.click()
    page.wait_for_url("**/entities/E*")
    expect(page.locator("h1")).to_contain_text("Galymzhan Zhakiyanov")
    # the dossier holds both spellings and the reports of 2003, 2004 and the letter, each passage cited
    expect(page.locator("ul.spellings")).to_contain_text("Zhakiyanov")
    assert page.locator("section.dossier-report").count() == 3
    page.screenshot(path=str(screenshots / "entity-dossier.png"), full_page=True)
    page.locator("header nav a", has_text="Entities").click()
    page.wait_for_url("**/entities")
    page.select_option("form.entity-filters select[name=type]", "MEDIA")
    page.locator("form.entity-filters button").click()
    page.wait_for_url("**/entities?**type=MEDIA**")
    types = page.locator("table.entities tbody .entity-type")
    assert types.count() > 0 and set(types.all_inner_texts()) == {"MEDIA"}
    expect(page.locator("table.entities")).to_contain_text("Respublica")
    page.screenshot(path=str(screenshots / "entities.png"))
