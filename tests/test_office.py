"""Word, OpenDocument, RTF and Word 97-2003 files: words, headings, lists, tables and notes kept, cited by paragraph."""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from citations import check_citations
from conftest import REFERENCE_IDS, needs_corpus
from covenant.citation import cite_passage
from covenant.errors import BadInputError
from covenant.ingest import read_report
from covenant.ingest.sniff import sniff_format
from covenant.model import Document
from covenant.pipeline import build_document
from fixtures.office.make import word_file

OFFICE = Path(__file__).resolve().parent / "fixtures" / "office"
_SPACES = re.compile(r"\s+")


def words(doc: Document) -> list[str]:
    return " ".join(p.text for p in doc.passages).split()


def outline(doc: Document) -> list[tuple[int, str]]:
    return [(s.level, s.title) for s in doc.sections]


def notes_at_markers(doc: Document) -> list[tuple[str, str]]:
    """Each footnote with a marker: its text and the words of the body just before its marker."""
    return [
        (_SPACES.sub(" ", n.text).strip(), doc.clean_text[max(0, n.marker_offset - 40) : n.marker_offset].split()[-1])
        for n in doc.footnotes
        if n.marker_offset is not None
    ]


@needs_corpus
def test_a_word_file_made_from_each_reference_report_keeps_its_words_headings_and_notes(
    reference_docs: dict[str, Document], tmp_path: Path
) -> None:
    for rid in REFERENCE_IDS:
        source = reference_docs[rid]
        path = tmp_path / f"{rid}.docx"
        word_file(source, path)
        doc = build_document(path)
        assert doc.report.format == "docx"
        assert words(doc) == words(source), rid
        assert outline(doc) == outline(source), rid
        assert [p.kind for p in doc.passages] == [p.kind for p in source.passages], rid
        # every footnote the text reader joined to a marker comes back as a Footnote joined to the same place
        assert notes_at_markers(doc) == notes_at_markers(source), rid
        check_citations(doc, read_report(path).original)


@needs_corpus
def test_footnotes_of_a_docx_are_records_joined_to_their_markers() -> None:
    doc = build_document(OFFICE / "extract.docx")
    assert len(doc.footnotes) == 9
    assert [n.number for n in doc.footnotes] == [str(k) for k in range(1, 10)]
    first = doc.footnotes[0]
    assert first.marker_offset is not None and first.marker_offset <= doc.footnotes[1].marker_offset  # type: ignore[operator]
    assert doc.clean_text[: first.marker_offset].rstrip().endswith("Law of Treaties of 1969,")
    assert first.text.startswith("See: Conventions. The Resolution of the Supreme Council")
    assert "See: Conventions" not in doc.clean_text[: doc.passages[-1].end]  # notes stay out of the body


@pytest.mark.parametrize("fmt", ["odt", "rtf", "doc"])
def test_odt_rtf_and_doc_made_by_libreoffice_read_as_the_docx_does(fmt: str) -> None:
    docx = build_document(OFFICE / "extract.docx")
    doc = build_document(OFFICE / f"extract.{fmt}")
    assert doc.report.format == fmt
    assert words(doc) == words(docx)
    assert [p.kind for p in doc.passages] == [p.kind for p in docx.passages]
    assert notes_at_markers(doc) == notes_at_markers(docx)
    if fmt == "doc":  # antiword's DocBook keeps the top level of the outline and only some headings below it
        assert [h for h in outline(doc) if h[0] == 1] == [h for h in outline(docx) if h[0] == 1]
        assert set(outline(doc)) <= set(outline(docx))
    else:
        assert outline(doc) == outline(docx)
    check_citations(doc, read_report(OFFICE / f"extract.{fmt}").original)


def test_passages_cite_their_body_paragraph() -> None:
    doc = build_document(OFFICE / "extract.odt")
    original = read_report(OFFICE / "extract.odt").original.split("\n")
    passage = doc.passages[10]
    assert passage.line_start == passage.line_end and passage.page_start is None
    assert original[passage.line_start - 1] == passage.text  # line N of the original is body paragraph N
    citation = cite_passage(doc.report, passage).formatted()
    assert f"body paragraph {passage.line_start} of extract.odt;" in citation


def test_headings_lists_tables_kept_and_comments_left_out(tmp_path: Path) -> None:
    import docx

    word = docx.Document()
    word.add_heading("Report on detention conditions", 0)
    word.add_heading("Findings", 1)
    paragraph = word.add_paragraph("Visits to the pre-trial detention centre were refused three times in 2019.")
    word.add_comment(paragraph.runs, text="Check this date with the lawyer", author="Editor")
    word.add_paragraph("Access to a lawyer within 24 hours", style="List Number")
    word.add_paragraph("Medical examination on arrival", style="List Bullet")
    table = word.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, (("Region", "Complaints"), ("Almaty", "41")), strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    word.add_heading("Recommendations", 2)
    word.add_paragraph("Open every place of detention to independent monitors.")
    path = tmp_path / "monitoring.docx"
    word.save(str(path))
    doc = build_document(path)
    assert outline(doc) == [(1, "Report on detention conditions"), (2, "Findings"), (3, "Recommendations")]
    kinds = {p.text: p.kind for p in doc.passages}
    assert kinds["Access to a lawyer within 24 hours"] == "list_item"
    assert kinds["Medical examination on arrival"] == "list_item"
    assert "Almaty" in doc.clean_text and "Complaints" in doc.clean_text
    assert "Check this date" not in doc.clean_text and "lawyer\n" not in doc.clean_text
    assert doc.passages[-1].section_path == ["Report on detention conditions", "Findings", "Recommendations"]


def test_the_format_is_told_by_the_bytes() -> None:
    for fmt in ("docx", "odt", "rtf", "doc"):
        assert sniff_format((OFFICE / f"extract.{fmt}").read_bytes()) == fmt


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as package:
        for name, text in members.items():
            package.writestr(name, text)
    return path


def test_files_that_are_not_readable_documents_get_one_clear_line(tmp_path: Path) -> None:
    cases = {
        OFFICE / "encrypted.docx": "password-protected (encrypted) Word or Office document: remove the password",
        _zip(tmp_path / "photos.docx", {"holiday/beach.jpg": "jpeg"}): "named .docx but a ZIP archive of other files",
        _zip(tmp_path / "bundle.zip", {"a.txt": "text"}): "a ZIP archive, not a report: unpack it",
        _zip(tmp_path / "table.xlsx", {"xl/workbook.xml": "<workbook/>"}): "an Excel workbook (.xlsx): not supported",
        _zip(tmp_path / "broken.docx", {"word/document.xml": "<w:document><w:body>"}): "broken Word document",
    }
    damaged = tmp_path / "damaged.docx"
    damaged.write_bytes((OFFICE / "extract.docx").read_bytes()[:20000])
    cases[damaged] = "a damaged ZIP archive or Word/OpenDocument file"
    for path, reason in cases.items():
        with pytest.raises(BadInputError) as caught:
            build_document(path)
        message = str(caught.value)
        assert message.startswith(f"{path}: ") and reason in message and "\n" not in message, message


def test_a_doc_without_antiword_installed_is_skipped_with_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine without antiword
    with pytest.raises(BadInputError) as caught:
        build_document(OFFICE / "extract.doc")
    assert "needs the program 'antiword', which is not installed" in str(caught.value)
    assert "apt-get install antiword" in str(caught.value)


def test_uploads_are_stored_under_the_suffix_of_what_their_bytes_are(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from covenant.library import Library
    from covenant.web import create_app
    from covenant.web.auth import create_token
    from covenant.web.views.uploads import stored_name

    db = tmp_path / "library.db"
    with Library(db) as lib:
        token = create_token(lib, "uploader")[0]
    bearer = {"Accept": "application/json", "Authorization": f"Bearer {token}"}
    with TestClient(create_app(db)) as client:
        for fmt in ("docx", "odt", "rtf"):
            data = (OFFICE / f"extract.{fmt}").read_bytes()
            # sent under a .txt name, stored and read as what it is
            job = client.post("/api/reports", files={"file": ("shadow report.txt", data)}, headers=bearer).json()
            deadline = time.monotonic() + 60
            while job["status"] in ("queued", "ingesting", "indexing"):
                assert time.monotonic() < deadline, job
                time.sleep(0.1)
                job = client.get(f"/api/reports/jobs/{job['id']}", headers=bearer).json()
            assert job["status"] == "done" and job["passages"], job
            assert Path(job["stored"]).name == f"shadow report.{fmt}"
            assert Path(job["stored"]).read_bytes() == data
    # Word 97-2003 and scans (read by antiword and Tesseract, whose runs are tested elsewhere) get their names too
    assert stored_name("letter.txt", (OFFICE / "extract.doc").read_bytes()) == "letter.doc"
    image = io.BytesIO()
    Image.new("L", (40, 40), 255).save(image, "PNG")
    assert stored_name("scan", image.getvalue()) == "scan.png"
    image = io.BytesIO()
    Image.new("L", (40, 40), 255).save(image, "TIFF")
    assert stored_name("scan.pdf", image.getvalue()) == "scan.tif"
    image = io.BytesIO()
    Image.new("L", (40, 40), 255).save(image, "JPEG")
    assert stored_name("scan.jpeg", image.getvalue()) == "scan.jpg"
    assert stored_name("notes.docx", b"plain words") == "notes.txt"
