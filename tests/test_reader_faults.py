"""Reader faults on files made for real: line endings, special and oversized files, PDF decompression bombs."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from citations import check_citations, check_exact_map
from conftest import KAZAKHSTAN, REFERENCE_IDS, needs_corpus
from covenant.errors import BadInputError
from covenant.ingest import MAX_FILE_BYTES, RawDocument, read_report, read_report_bytes
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


def _in_time(call: Callable[[], object], fifo: Path | None = None, seconds: float = 10.0) -> BaseException | None:
    """Run `call` in a thread and return what it raised; fail if it is still running after `seconds`."""
    raised: list[BaseException] = []

    def run() -> None:
        try:
            call()
        except BaseException as exc:  # handed back to the test, which asserts on it
            raised.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        if fifo is not None:  # a writer end that opens and closes lets a blocked reader see end of file
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail(f"still reading after {seconds} s")
    return raised[0] if raised else None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)
    started = time.perf_counter()
    error = _in_time(lambda: read_report(fifo), fifo)
    assert isinstance(error, BadInputError)
    assert error.reason.startswith("not a regular file (a FIFO)")
    assert time.perf_counter() - started < 1.0
    error = _in_time(lambda: build_document(fifo), fifo)
    assert isinstance(error, BadInputError) and "(a FIFO)" in error.reason


def test_a_folder_and_a_device_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match=r"not a regular file \(a folder\)"):
        read_report(tmp_path)
    if Path(os.devnull).exists() and os.devnull == "/dev/null":
        with pytest.raises(BadInputError, match=r"not a regular file \(a character device\)"):
            read_report(Path(os.devnull))


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    sparse = tmp_path / "huge.txt"
    with sparse.open("wb") as out:
        out.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk is used, but reading it would cost 200 MB
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    error = _in_time(lambda: read_report(sparse))
    assert isinstance(error, BadInputError) and error.reason.startswith("too large (200.0 MB; the limit is 200 MB)")
    assert time.perf_counter() - started < 1.0
    # ru_maxrss is in KiB on Linux: reading the file would have raised the peak by 200 MB.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="no /proc")
def test_a_file_larger_than_its_size_says_is_read_only_to_the_limit() -> None:
    # /proc files are regular files that say they hold 0 bytes, like a file that grows after its size is checked.
    maps = Path("/proc/self/maps")
    assert maps.stat().st_size == 0
    with pytest.raises(BadInputError, match=r"too large"):
        read_report_bytes(maps, limit=100)
    assert len(read_report_bytes(maps, limit=10**7)) > 100


def zeros_deflated(size: int, chunk: int = 2**24) -> bytes:
    """`size` zero bytes (a multiple of `chunk`) as a zlib stream, made in a fraction of a second.

    After a full flush deflate forgets what came before, so every further chunk of zeros compresses to the
    same bytes: compress two, repeat the second, then end with an empty final block and the Adler-32 of
    `size` zeros.
    """
    assert size % chunk == 0 and size >= 2 * chunk
    deflater = zlib.compressobj(9)
    zeros = bytes(chunk)
    first = deflater.compress(zeros) + deflater.flush(zlib.Z_FULL_FLUSH)
    repeated = deflater.compress(zeros) + deflater.flush(zlib.Z_FULL_FLUSH)
    adler32 = ((size % 65521) << 16) | 1
    return first + repeated * (size // chunk - 1) + b"\x03\x00" + adler32.to_bytes(4, "big")


def one_page_pdf(extra_stream: bytes, extra_dict: bytes = b"") -> bytes:
    """A one-page PDF whose page content is `extra_stream` (FlateDecode) followed by a line of real text."""
    text = b"BT /F1 12 Tf 72 720 Td (On 14 March 2023 the police in Halvik detained twelve protesters.) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 6 0 R >> >> "
        b"/Contents [4 0 R 5 0 R] >>",
        b"<< %s/Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream"
        % (extra_dict, len(extra_stream), extra_stream),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


_MEASURE = """
import json, sys, time
from pathlib import Path
from covenant.errors import BadInputError
from covenant.ingest import read_report
started = time.perf_counter()
try:
    read_report(Path(sys.argv[1]))
    reason = None
except BadInputError as exc:
    reason = exc.reason
# VmHWM is this process's own peak: ru_maxrss would also count the test process it was forked from.
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"reason": reason, "peak_mb": peak / 1024, "seconds": time.perf_counter() - started}))
"""


def test_a_pdf_decompression_bomb_is_refused_early_and_small(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(one_page_pdf(zeros_deflated(2 * 2**30)))  # 2 GB of page content
    assert bomb.stat().st_size < 3_000_000
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(bomb)], capture_output=True, text=True, timeout=120, check=True
    )
    result = json.loads(proc.stdout)
    print(f"\nPDF bomb: peak RSS {result['peak_mb']:.0f} MB, refused in {result['seconds']:.2f} s")
    assert result["reason"] is not None and "(a decompression bomb?)" in result["reason"]
    assert "expands to more than 64 MB" in result["reason"]
    # Reading it whole took 3 GB; the interpreter, pdfium and the file take well under 200 MB.
    assert result["peak_mb"] < 200


def test_page_content_dressed_as_an_image_is_still_bounded(tmp_path: Path) -> None:
    # pdfium draws a stream named in /Contents whatever its dictionary says, so the image bound applies.
    bomb = tmp_path / "dressed.pdf"
    bomb.write_bytes(one_page_pdf(zeros_deflated(512 * 2**20), b"/Subtype /Image /Width 1 /Height 1 "))
    with pytest.raises(BadInputError, match=r"expands to more than 256 MB: not report content"):
        read_report(bomb)


def test_a_pdf_with_a_large_but_plausible_content_stream_is_read(tmp_path: Path) -> None:
    path = tmp_path / "plausible.pdf"
    path.write_bytes(one_page_pdf(zeros_deflated(32 * 2**20)))
    doc = read_report(path)
    assert doc.format == "pdf" and "police in Halvik detained twelve protesters" in doc.original


REPORT = (
    "Norland: seized laptops\n\n"
    "Investigators said the files began with the header %PDF-1.7 but held plain text reports of detentions "
    "in Halvik, written by the monitors over two years and seized at the border.\n"
)


def test_text_that_mentions_a_pdf_header_is_text(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(REPORT.encode("utf-8"))
    doc = read_report(path)
    assert doc.format == "text" and doc.original == REPORT


def test_a_pdf_after_a_download_tools_prefix_is_a_pdf(tmp_path: Path) -> None:
    pdf = one_page_pdf(zlib.compress(b"q Q\n"))
    for prefix in (b"\x00\x05\x16\x07" * 16, b"\r\n"):
        path = tmp_path / "report.txt"
        path.write_bytes(prefix + pdf)
        doc = read_report(path)
        assert doc.format == "pdf" and "police in Halvik detained twelve protesters" in doc.original


def test_html_named_txt_is_read_as_html(tmp_path: Path) -> None:
    page = (
        "<!-- saved from the web -->\n<HTML lang='en'><head><title>Norland</title></head><body>\n"
        "<h1>Norland</h1>\n<p>On 3 May 2023 police detained the editor of the newspaper Free Voice in Norburg "
        "for two days, according to local monitors.</p>\n</body></HTML>\n"
    )
    path = tmp_path / "report.txt"
    path.write_bytes(page.encode("utf-16-le"))
    doc = build_document(path)
    assert doc.report.format == "html"
    assert doc.passages[-1].text.startswith("On 3 May 2023 police detained the editor")
    assert "<p>" not in doc.clean_text


@pytest.mark.parametrize("line_end", ["\r", "\r\n"], ids=["cr", "crlf"])
def test_pages_of_a_converted_pdf_keep_their_lines_whatever_the_line_ends(tmp_path: Path, line_end: str) -> None:
    unix = "Page one heading\nfirst line\n\fPage two\nsecond line\n\fthird page\n"
    path = tmp_path / "paged.txt"
    path.write_bytes(unix.replace("\n", line_end).encode("utf-8"))
    doc = read_report(path)
    expected = [(ln.text, ln.line_start, ln.page) for ln in _read_as_file(tmp_path, unix).lines]
    assert [(ln.text, ln.line_start, ln.page) for ln in doc.lines] == expected
    assert doc.pages == 3
    for ln in doc.lines:
        assert doc.original[ln.start : ln.start + len(ln.text)] == ln.text


def _read_as_file(folder: Path, text: str) -> RawDocument:
    path = folder / "unix.txt"
    path.write_bytes(text.encode("utf-8"))
    return read_report(path)
