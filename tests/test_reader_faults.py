"""Reader faults on files made for real: line endings, special and oversized files, PDF decompression bombs."""

from __future__ import annotations

from pathlib import Path

import pytest

from citations import check_citations, check_exact_map
from conftest import KAZAKHSTAN, REFERENCE_IDS, needs_corpus
from covenant.ingest.text import decode_text, split_lines
from covenant.model import Document
from covenant.pipeline import build_document

HRW_2005 = KAZAKHSTAN / "001_30dfef030156c0a4.txt"


def _titles(doc: Document) -> list[str]:
    return [section.title for section in doc.sections]


def _texts(doc: Document) -> list[str]:
    return [passage.text for passage in doc.passages]


def test_split_lines_takes_each_line_end_alone() -> None:
    text = "a\r\nbb\rc\n\rd"
    lines = split_lines(text)
    assert [(ln.text, ln.start, ln.line_start) for ln in lines] == [
        ("a", 0, 1),
        ("bb", 3, 2),
        ("c", 6, 3),
        ("", 8, 4),
        ("d", 9, 5),
    ]
    for ln in lines:
        assert text[ln.start : ln.start + len(ln.text)] == ln.text


@needs_corpus
@pytest.mark.parametrize("report", REFERENCE_IDS)
@pytest.mark.parametrize("line_end", [b"\r", b"\r\n"], ids=["cr", "crlf"])
def test_a_report_reads_the_same_whatever_its_line_ends(tmp_path: Path, report: str, line_end: bytes) -> None:
    source = KAZAKHSTAN / f"{report}.txt"
    data = source.read_bytes()
    assert b"\r" not in data
    unix = build_document(source)
    path = tmp_path / source.name
    path.write_bytes(data.replace(b"\n", line_end))
    doc = build_document(path)
    assert len(unix.sections) > 5
    assert _titles(doc) == _titles(unix)
    assert _texts(doc) == _texts(unix)
    assert [(p.line_start, p.line_end) for p in doc.passages] == [(p.line_start, p.line_end) for p in unix.passages]
    if line_end == b"\r":
        original, _ = decode_text(str(path), path.read_bytes())
        # The checker splits on "\n"; a lone "\r" in its place keeps every offset and line number.
        check_citations(doc, original.replace("\r", "\n"))
        check_exact_map(doc, original)


@needs_corpus
def test_a_few_stray_carriage_returns_keep_the_headings(tmp_path: Path) -> None:
    data = HRW_2005.read_bytes()
    unix = build_document(HRW_2005)
    # A conversion that left a lone "\r" where the section titles end (each followed at once by its first
    # paragraph), "\n" everywhere else.
    heading_ends = {section.line_end for section in unix.sections[1:]}
    lines = data.split(b"\n")
    stray = b"".join(line + (b"\r" if number in heading_ends else b"\n") for number, line in enumerate(lines, 1))
    stray = stray[:-1]
    assert stray.count(b"\r") == len(heading_ends) >= 6 and len(stray) == len(data)
    path = tmp_path / "stray-cr.txt"
    path.write_bytes(stray)
    doc = build_document(path)
    assert _titles(doc) == _titles(unix)
    assert _texts(doc) == _texts(unix)
