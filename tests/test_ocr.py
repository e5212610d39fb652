"""Scans read by OCR (Tesseract) through the PDF layout reader: columns, running headers, languages, citations."""

from __future__ import annotations

import io
import json
import random
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pypdfium2 as pdfium
import pytest

from citations import check_citations, squeeze
from conftest import EXTERNAL, SHARED
from covenant.errors import BadInputError
from covenant.ingest import read_report
from covenant.model import Document
from covenant.pipeline import build_document

if TYPE_CHECKING:
    from PIL import Image

    from covenant.batch import IngestSummary
    from covenant.model import IngestEvent

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
HURIDOCS = SHARED / "bench" / "huridocs-paragraphs" / "docs"
_WORD = re.compile(r"\w+")


def scanned_pdf(source: Path, pages: list[int], target: Path, dpi: int = 200) -> Path:
    """An image-only copy of some pages of a PDF: each page rendered to a picture and put on a page of its own."""
    from PIL import Image

    pdf = pdfium.PdfDocument(str(source))
    images = [pdf[index].render(scale=dpi / 72).to_pil().convert("L") for index in pages]
    first, *rest = images
    first.save(target, "PDF", resolution=dpi, save_all=True, append_images=rest)
    assert all(isinstance(image, Image.Image) for image in images)
    return target


def text_layer(source: Path, pages: list[int]) -> str:
    pdf = pdfium.PdfDocument(str(source))
    return "\n".join(pdf[index].get_textpage().get_text_bounded() for index in pages)


def recall(read: str, truth: str) -> float:
    """Share of the text layer's words that OCR found (each word counted as often as it occurs)."""
    from collections import Counter

    found, wanted = Counter(_WORD.findall(read.lower())), Counter(_WORD.findall(truth.lower()))
    return sum(min(n, found[w]) for w, n in wanted.items()) / max(1, sum(wanted.values()))


@pytest.fixture(scope="module")
def amnesty_scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Amnesty's 2007 Russia chapter: two columns under a running header on every page.
    return scanned_pdf(EXTERNAL / "ai_2007_russia.pdf", [1, 2, 3], tmp_path_factory.mktemp("ocr") / "russia.pdf")


@pytest.fixture(scope="module")
def amnesty_doc(amnesty_scan: Path) -> Document:
    return build_document(amnesty_scan)


@needs_tesseract
@pytest.mark.slow
def test_a_two_column_amnesty_scan_keeps_its_columns_apart_and_its_running_header_out(amnesty_doc: Document) -> None:
    born_digital = build_document(EXTERNAL / "ai_2007_russia.pdf")
    doc = amnesty_doc
    assert all(p.ocr_confidence is None for p in born_digital.passages)
    assert all(p.ocr_confidence is not None for p in doc.passages)
    assert doc.report.format == "pdf"
    assert doc.report.metadata_method["text"].startswith("ocr:tesseract (eng) 3 pages (1-3), mean word confidence")
    body = " ".join(p.text for p in doc.passages)
    assert recall(body, text_layer(EXTERNAL / "ai_2007_russia.pdf", [1, 2, 3])) >= 0.9
    # Columns apart: paragraphs of the born-digital reading on these pages open the same way in the scan's
    # reading (interleaved columns would break their first words apart).
    openings = [" ".join(p.text.split()[:6]) for p in born_digital.passages if p.page_start in (2, 3, 4)]
    openings = [o for o in openings if len(o.split()) == 6]
    squeezed = squeeze(body)
    kept = sum(squeeze(o) in squeezed for o in openings)
    assert kept >= 0.8 * len(openings), (kept, len(openings))
    # The running header, repeated at the top of every page, is furniture, not text.
    furniture = {f.text for f in doc.furniture}
    assert any("Amnesty International Report 2007" in text or text == "RUS" for text in furniture), furniture
    assert not any(p.text == "RUS" for p in doc.passages)


@needs_tesseract
@pytest.mark.slow
def test_every_ocr_passage_cites_a_page_whose_image_holds_its_words(amnesty_scan: Path, amnesty_doc: Document) -> None:
    raw = read_report(amnesty_scan)
    assert sorted(raw.ocr_pages) == [1, 2, 3] and all(p.confidence > 80 for p in raw.ocr_pages.values())
    # the OCR text of each page, one line a line: each passage is found on the lines (and pages) it cites
    check_citations(amnesty_doc, raw.original.replace("\f", "\n"))
    pages = raw.original.split("\f")
    for passage in amnesty_doc.passages:
        assert passage.page_start is not None and passage.page_end is not None
        first_words = squeeze(" ".join(passage.text.split()[:5]))
        assert first_words in squeeze(pages[passage.page_start - 1]), (passage.id, passage.text[:80])


@needs_tesseract
@pytest.mark.slow
def test_a_russian_scan_reads_in_cyrillic(tmp_path: Path) -> None:
    source = HURIDOCS / "ohchr_1_ru.pdf"
    scan = scanned_pdf(source, [0], tmp_path / "ohchr_ru.pdf")
    raw = read_report(scan)
    assert raw.ocr_pages[1].language == "rus+kaz+eng"
    assert recall(raw.original, text_layer(source, [0])) >= 0.9
    doc = build_document(scan)
    assert doc.report.language == "ru"
    cyrillic = sum(1 for ch in doc.clean_text if "\u0400" <= ch <= "\u04ff")
    assert cyrillic > 0.5 * sum(1 for ch in doc.clean_text if ch.isalpha())


@needs_tesseract
def test_an_image_file_of_a_page_is_read_and_cited_by_page(tmp_path: Path) -> None:
    page = pdfium.PdfDocument(str(EXTERNAL / "ai_2011_kyrgyzstan.pdf"))[0].render(scale=200 / 72).to_pil()
    path = tmp_path / "kyrgyzstan.png"
    page.save(path, dpi=(200, 200))
    doc = build_document(path)
    assert doc.report.format == "image" and doc.report.pages == 1
    assert "ocr:tesseract (eng) page 1" in doc.report.metadata_method["text"]
    assert all(p.page_start == 1 for p in doc.passages)
    # each passage says it was read by OCR, with Tesseract's mean confidence for its words
    assert all(p.ocr_confidence is not None and 60 < p.ocr_confidence <= 100 for p in doc.passages)
    assert recall(" ".join(p.text for p in doc.passages), text_layer(EXTERNAL / "ai_2011_kyrgyzstan.pdf", [0])) > 0.8


@needs_tesseract
def test_a_blank_scan_and_a_photo_are_refused_with_one_line(tmp_path: Path) -> None:
    from PIL import Image, ImageDraw

    blank = tmp_path / "blank.tiff"
    Image.new("L", (1700, 2200), 255).save(blank, dpi=(200, 200))
    photo = tmp_path / "photo.jpg"
    picture = Image.new("RGB", (1200, 900), (90, 140, 200))
    draw = ImageDraw.Draw(picture)
    rng = random.Random(3)
    for _ in range(60):  # hills, trees and a sky: shapes and colours, no writing
        x, y = rng.randint(0, 1200), rng.randint(300, 900)
        draw.ellipse((x, y, x + rng.randint(40, 300), y + rng.randint(40, 200)), fill=(30, rng.randint(90, 160), 40))
    picture.save(photo, quality=85)
    for path in (blank, photo):
        with pytest.raises(BadInputError) as caught:
            build_document(path)
        message = str(caught.value)
        assert "\n" not in message and ("no text found by OCR" in message or "no readable text" in message), message


def test_a_scan_without_tesseract_installed_is_skipped_with_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (850, 1100), 255).save(buffer, "PNG")
    path = tmp_path / "scan.png"
    path.write_bytes(buffer.getvalue())
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine without tesseract
    with pytest.raises(BadInputError) as caught:
        build_document(path)
    assert "the program 'tesseract' is not installed" in str(caught.value)
    assert "apt-get install tesseract-ocr" in str(caught.value)


@needs_tesseract
def test_a_kazakh_page_found_by_its_letters_is_read_again_in_kazakh(tmp_path: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    from covenant.ingest.ocr import installed_languages, read_image

    if "kaz" not in installed_languages():
        pytest.skip("Tesseract's Kazakh data is not installed")
    lines = [
        "Қазақстан Республикасының Конституциясы адамның құқықтары",
        "мен бостандықтарын қорғайды. Әрбір азамат өз құқығын сотта",
        "қорғауға құқылы, ал мемлекет оның өтінішін қарауға міндетті.",
    ]
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", 40)
    page = Image.new("L", (1500, 400), 255)
    draw = ImageDraw.Draw(page)
    for number, line in enumerate(lines):
        draw.text((60, 60 + 90 * number), line, font=font, fill=0)
    read = read_image(str(tmp_path / "kazakh.png"), page, 1, 300)
    # detected as Cyrillic (read with Russian, Kazakh and English), then again with Kazakh first for its letters
    assert read.language == "kaz+rus+eng"
    assert recall(read.text, " ".join(lines)) >= 0.9


def _page_image(lines: list[str], markers: dict[int, str] | None = None, width: int = 1500) -> Image.Image:
    """A white page with lines of 40 px serif type; `markers` puts small raised digits after a line's text."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(_SERIF, 40)
    small = ImageFont.truetype(_SERIF, 24)
    page = Image.new("L", (width, 120 + 70 * len(lines)), 255)
    draw = ImageDraw.Draw(page)
    for number, line in enumerate(lines):
        y = 60 + 70 * number
        draw.text((60, y), line, font=font, fill=0)
        if markers and number in markers:
            end = 60 + draw.textlength(line, font=font) + 1
            draw.text((end, y - 6), markers[number], font=small, fill=0)  # raised, as a note's number is printed
    return page


_SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"


@needs_tesseract
def test_footnote_markers_are_read_again_and_kept_raised_beside_their_word() -> None:
    from covenant.ingest.ocr import read_image

    lines = [
        "The Committee noted the closure of the newspaper",
        "and the arrest of its editor, reported by the union",
        "of journalists, the State’s own l’Observatoire and others.",
    ]
    read = read_image("markers.png", _page_image(lines, {0: "12", 1: "3"}), 1, 300, language="eng")
    texts = [line.text for line in read.lines]
    assert texts[0].endswith("newspaper12"), texts
    assert texts[1].endswith("union3"), texts
    # marked raised, so the layout reader can take a note's marker out of the text
    assert [texts[0][a:b] for a, b in read.lines[0].supers] == ["12"]
    assert [texts[1][a:b] for a, b in read.lines[1].supers] == ["3"]
    # apostrophes are raised too, but inside a word: never taken for markers
    assert read.lines[2].supers == [] and not any(ch.isdigit() for ch in texts[2]), texts[2]


@needs_tesseract
def test_a_spanish_page_is_read_again_in_spanish_and_keeps_its_accents() -> None:
    from covenant.ingest.ocr import installed_languages, read_image

    if "spa" not in installed_languages():
        pytest.skip("Tesseract's Spanish data is not installed")
    lines = [
        "La Comisión Interamericana de Derechos Humanos expresó",
        "su preocupación por la situación de la población indígena",
        "y pidió al Estado una investigación sobre las detenciones.",
    ]
    read = read_image("spanish.png", _page_image(lines), 1, 300)
    # Latin script by OSD, read in English first, then in the language py3langid names from that text
    assert read.language == "spa"
    assert recall(read.text, " ".join(lines)) >= 0.9
    assert "Comisión" in read.text and "población" in read.text


@pytest.fixture(scope="module")
def scan_library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[IngestEvent], IngestSummary]:
    """A library holding a two-page TIFF scan, ingested through the worker pool, and every event heard."""
    from covenant.library import Library

    folder = tmp_path_factory.mktemp("scan_library")
    lines = ["Human rights defenders were detained in Almaty after the", "peaceful assembly, the monitors reported."]
    frames = [_page_image(lines, width=1300) for _ in range(2)]
    scan = folder / "scan.tiff"
    frames[0].save(scan, dpi=(300, 300), save_all=True, append_images=frames[1:])
    heard: list[IngestEvent] = []
    with Library(folder / "lib.db") as lib:
        summary = lib.ingest([scan], workers=1, on_event=heard.append)
    return folder / "lib.db", heard, summary


@needs_tesseract
def test_a_scan_reports_each_page_while_it_is_read(scan_library: tuple[Path, list[IngestEvent], IngestSummary]) -> None:
    _db, heard, summary = scan_library
    reading = [e.reason for e in heard if e.status == "reading"]
    assert reading == ["OCR page 1/2", "OCR page 2/2"]
    assert [e.status for e in heard][-1] == "added"  # the pages came while the file was read, before its result
    assert [e.status for e in summary.events] == ["added"]  # pages are shown, never logged or counted


@needs_tesseract
def test_passages_read_by_ocr_say_so_in_the_store_the_export_the_cli_and_the_reader(
    scan_library: tuple[Path, list[IngestEvent], IngestSummary], tmp_path: Path
) -> None:
    from click.testing import CliRunner
    from fastapi.testclient import TestClient

    from covenant.cli import main
    from covenant.library import Library
    from covenant.web import create_app

    db, _heard, _summary = scan_library
    with Library(db, read_only=True) as lib:
        passages = lib.passages()
        lib.export(tmp_path / "export")
    assert passages and all(p.ocr_confidence is not None and 50 < p.ocr_confidence <= 100 for p in passages)
    exported = [json.loads(line) for line in (tmp_path / "export" / "passages.jsonl").read_text().splitlines()]
    assert [row["ocr_confidence"] for row in exported] == [p.ocr_confidence for p in passages]
    first = passages[0]
    shown = CliRunner().invoke(main, ["--db", str(db), "show", first.id])
    assert shown.exit_code == 0 and f"read by OCR, word confidence {first.ocr_confidence:.0f}" in shown.output
    as_json = CliRunner().invoke(main, ["--db", str(db), "show", first.id, "--json"])
    assert json.loads(as_json.output)["passage"]["ocr_confidence"] == first.ocr_confidence
    with TestClient(create_app(db)) as client:
        reader = client.get(f"/reports/{first.report_id}").text
    assert f"OCR {first.ocr_confidence:.0f}</span>" in reader


@needs_tesseract
def test_a_scan_longer_than_the_time_limit_is_stopped_there_in_one_line(tmp_path: Path) -> None:
    from covenant.library import Library
    from covenant.workers import Limits

    lines = ["Human rights defenders were detained in Almaty after the", "peaceful assembly, the monitors reported."]
    frames = [_page_image(lines, width=1300) for _ in range(80)]  # two pages at a time: far more than 2 s
    long_scan = tmp_path / "long.tiff"
    frames[0].save(long_scan, dpi=(300, 300), save_all=True, append_images=frames[1:])
    with Library(tmp_path / "lib.db") as lib:
        summary = lib.ingest([long_scan], workers=1, limits=Limits(timeout=2.0))
    (event,) = summary.events
    assert event.status == "skipped" and "\n" not in (event.reason or "")
    assert event.reason == "reading took longer than the limit of 2 s and was stopped (--timeout)"


@needs_tesseract
@pytest.mark.slow
def test_apostrophes_of_a_french_page_are_not_taken_for_footnote_markers() -> None:
    from covenant.ingest.ocr import installed_languages, read_image

    if "fra" not in installed_languages():
        pytest.skip("Tesseract's French data is not installed")
    source = HURIDOCS / "ohchr_2_fr.pdf"
    image = pdfium.PdfDocument(str(source))[2].render(scale=200 / 72).to_pil()
    read = read_image(str(source), image, 3, 200)
    assert read.language == "fra"
    # raised like a marker, an apostrophe enlarged reads as "9": "l’homme" once came out as "l9"
    assert not re.findall(r"\b[a-zA-Z]\d{1,3}\b", read.text), read.text
    assert recall(read.text, text_layer(source, [2])) >= 0.95


@needs_tesseract
def test_an_uploaded_scan_shows_the_page_being_read_in_its_job(tmp_path: Path) -> None:
    import time

    from fastapi.testclient import TestClient

    from covenant.library import Library
    from covenant.web import create_app
    from covenant.web.auth import create_token

    pages = [
        ["Human rights defenders were detained in Almaty after the", "peaceful assembly, the monitors reported."],
        ["The court fined two journalists for reporting on the", "strike in Zhanaozen, their lawyer said."],
        ["Police dispersed a rally of opposition supporters and", "held eleven people overnight without charge."],
        ["A blogger who criticised the governor was sentenced to", "three years for spreading false information."],
        ["The independent weekly was closed by court order after", "it published an interview with an exiled banker."],
        ["Relatives of the detained workers said they were beaten", "and denied access to lawyers for a week."],
    ]
    frames = [_page_image(lines, width=1300) for lines in pages]
    scan = tmp_path / "scan.tiff"
    frames[0].save(scan, dpi=(300, 300), save_all=True, append_images=frames[1:])
    with Library(tmp_path / "lib.db") as lib:
        token = create_token(lib, "scanner")[0]
    headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}
    steps: list[str | None] = []
    with TestClient(create_app(tmp_path / "lib.db")) as client:
        answer = client.post("/api/reports", files={"file": ("scan.tiff", scan.read_bytes())}, headers=headers)
        assert answer.status_code == 202, answer.text
        job, deadline = answer.json(), time.monotonic() + 120
        while job["status"] in ("queued", "ingesting", "indexing"):
            assert time.monotonic() < deadline, job
            time.sleep(0.05)
            job = client.get(f"/api/reports/jobs/{job['id']}", headers=headers).json()
            steps.append(job["step"])
    assert job["status"] == "done" and job["step"] is None, job["reason"]
    # the pages read are shown while the scan is read (two at a time: one may show for an instant only), then the
    # index stages' counts
    assert any(s and re.fullmatch(r"OCR page [1-6]/6", s) for s in steps), steps
    assert any(s and re.fullmatch(r"[a-z ]+ \d+/\d+", s) and "OCR" not in s for s in steps), steps
