"""Real malformed and mislabelled files for reader tests, written on demand into a given folder."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

# Files here that are odd but readable: a reader must take them by content, whatever their extension.
READABLE = frozenset({"pdf_named_txt", "text_named_pdf", "utf16_text", "cp1251_text", "restricted_pdf"})

HUGE_LINE_BYTES = 50 * 1024 * 1024
_CREATED = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)

REPORT_TEXT = (
    "Norland: Detention of Protesters\n\n"
    "On 14 March 2023 the police in Halvik detained twelve people who had taken part in a peaceful "
    "demonstration against the new law on associations. Their lawyers were not allowed to see them for "
    "two days. The Committee recommends that the State party release everyone held for exercising the "
    "right to peaceful assembly and investigate every complaint of ill-treatment in custody.\n"
)

RUSSIAN_TEXT = (
    "Права человека в Норландии: краткий обзор за 2023 год.\n\n"
    "В марте 2023 года полиция задержала двенадцать участников мирной демонстрации в столице. "
    "Задержанных удерживали без доступа к адвокату более двух суток.\n"
    "Правозащитные организации сообщают о давлении на независимых журналистов и о закрытии "
    "газеты «Северный вестник».\n"
    "Конституция гарантирует свободу слова и собраний, однако на практике власти часто "
    "ограничивают эти права.\n"
    "Комитет ООН по правам человека рекомендовал правительству расследовать все жалобы на пытки "
    "и привлечь виновных к ответственности.\n"
)


def report_pdf_bytes(pages: int = 2) -> bytes:
    """A small, real, text-bearing PDF made with fpdf2."""
    pdf = FPDF()
    pdf.set_creation_date(_CREATED)
    pdf.set_title("Norland: Detention of Protesters")
    pdf.set_font("Helvetica", size=11)
    for _ in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 6, REPORT_TEXT * 3)
    return bytes(pdf.output())


def make_empty(dirpath: Path) -> Path:
    return _write(dirpath / "empty.txt", b"")


def make_garbage(dirpath: Path) -> Path:
    return _write(dirpath / "garbage.bin", random.Random(7).randbytes(64 * 1024))


def make_truncated_pdf(dirpath: Path) -> Path:
    data = report_pdf_bytes(pages=3)
    return _write(dirpath / "truncated.pdf", data[: len(data) // 2])


def make_encrypted_pdf(dirpath: Path) -> Path:
    pdf = FPDF()
    pdf.set_creation_date(_CREATED)
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, REPORT_TEXT)
    pdf.set_encryption(owner_password="owner-secret", user_password="reader-secret")
    return _write(dirpath / "encrypted.pdf", bytes(pdf.output()))


def make_restricted_pdf(dirpath: Path) -> Path:
    """Encrypted with an owner password only (no copying/printing flags): opens without a password."""
    pdf = FPDF()
    pdf.set_creation_date(_CREATED)
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, REPORT_TEXT)
    pdf.set_encryption(owner_password="owner-secret")
    return _write(dirpath / "restricted.pdf", bytes(pdf.output()))


def make_scanned_pdf(dirpath: Path) -> Path:
    """Two pages that look like a scan: a picture of text lines and a drawn frame, no text layer."""
    from PIL import Image, ImageDraw

    rng = random.Random(7)
    pdf = FPDF()
    pdf.set_creation_date(_CREATED)
    for _ in range(2):
        scan = Image.new("L", (850, 1100), 250)
        draw = ImageDraw.Draw(scan)
        for row in range(90, 1000, 24):
            draw.rectangle((80, row, 80 + rng.randint(400, 690), row + 9), fill=40)
        pdf.add_page()
        pdf.image(scan, x=0, y=0, w=210, h=297)
        pdf.rect(10, 10, 190, 277)
    return _write(dirpath / "scanned.pdf", bytes(pdf.output()))


def make_no_pages_pdf(dirpath: Path) -> Path:
    """A well-formed PDF whose page tree is empty."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return _write(dirpath / "no-pages.pdf", bytes(out))


def make_html_without_text(dirpath: Path) -> Path:
    """A page whose body is filled in by JavaScript: markup, scripts and an image, no words."""
    html = (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n<title>Loading...</title>\n"
        "<script src='/static/app.js'></script>\n<style>body { margin: 0 }</style>\n</head>\n"
        "<body>\n<div id='root'></div>\n<noscript></noscript>\n<img src='/static/logo.png' alt=''>\n"
        "<script>window.__STATE__ = {};</script>\n</body>\n</html>\n"
    )
    return _write(dirpath / "no-text.html", html.encode("utf-8"))


def make_huge_single_line(dirpath: Path) -> Path:
    """50 MB without a line break, as minified data or a broken conversion gives."""
    path = dirpath / "one-line.txt"
    chunk = b"rights,detention,assembly,expression," * 28_000  # about 1 MB
    with path.open("wb") as out:
        written = 0
        while written < HUGE_LINE_BYTES:
            piece = chunk[: HUGE_LINE_BYTES - written]
            out.write(piece)
            written += len(piece)
    return path


def make_pdf_named_txt(dirpath: Path) -> Path:
    return _write(dirpath / "report-really-pdf.txt", report_pdf_bytes())


def make_text_named_pdf(dirpath: Path) -> Path:
    return _write(dirpath / "report-really-text.pdf", REPORT_TEXT.encode("utf-8"))


def make_utf16_text(dirpath: Path) -> Path:
    text = REPORT_TEXT + "Le Comité recommande à l'État partie de libérer les manifestants détenus.\n"
    return _write(dirpath / "utf16.txt", text.encode("utf-16"))  # with a BOM, as Windows tools write it


def make_cp1251_text(dirpath: Path) -> Path:
    return _write(dirpath / "russian-cp1251.txt", RUSSIAN_TEXT.encode("cp1251"))


MAKERS = {
    "empty": make_empty,
    "garbage": make_garbage,
    "truncated_pdf": make_truncated_pdf,
    "encrypted_pdf": make_encrypted_pdf,
    "restricted_pdf": make_restricted_pdf,
    "scanned_pdf": make_scanned_pdf,
    "no_pages_pdf": make_no_pages_pdf,
    "html_without_text": make_html_without_text,
    "huge_single_line": make_huge_single_line,
    "pdf_named_txt": make_pdf_named_txt,
    "text_named_pdf": make_text_named_pdf,
    "utf16_text": make_utf16_text,
    "cp1251_text": make_cp1251_text,
}


def make_all(dirpath: Path) -> dict[str, Path]:
    """Write every file into `dirpath` (created if needed) and return their paths by name."""
    dirpath = Path(dirpath)
    dirpath.mkdir(parents=True, exist_ok=True)
    return {name: maker(dirpath) for name, maker in MAKERS.items()}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
