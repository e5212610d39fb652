"""OCR word recall and speed: PDF pages with a text layer rendered to images at 200 dpi and read back by OCR.

For each language, a few pages of PDFs with a text layer (Amnesty chapters in English, HURIDOCS' Russian and
French documents) are rendered to grey images at 200 dpi and read by Covenant's OCR (Tesseract, one process a
page, OMP_THREAD_LIMIT=1, the language detected as ingest detects it, footnote markers read again on their own)
and, beside it, by `ocrmypdf` (the peer) when it is installed. Word recall: the share of the words of the page's
text layer that the OCR text holds (counted with repeats). Writes
benchmarks/results/ocr.json and ocr.md. Run: `.venv/bin/python benchmarks/ocr.py [--pages N]`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium

from covenant.ingest.ocr import read_image

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
RESULTS = ROOT / "benchmarks" / "results"
DPI = 200
SOURCES = {
    "eng": [
        SHARED / "corpus" / "external" / "ai_2007_russia.pdf",
        SHARED / "corpus" / "external" / "ai_2011_kyrgyzstan.pdf",
    ],
    "rus": [SHARED / "bench" / "huridocs-paragraphs" / "docs" / "ohchr_1_ru.pdf"],
    "fra": [SHARED / "bench" / "huridocs-paragraphs" / "docs" / "ihrda_2_fr.pdf"],
}
_WORD = re.compile(r"\w+")


def recall(read: str, truth: str) -> float:
    found, wanted = Counter(_WORD.findall(read.lower())), Counter(_WORD.findall(truth.lower()))
    return sum(min(n, found[w]) for w, n in wanted.items()) / max(1, sum(wanted.values()))


_MARKED = re.compile(r"^(\D+?)\d{1,3}$")


def marker_misses(read: str, truth: str) -> int:
    """Missed words of the text layer that are a word with a footnote marker glued on ("материалов1") whose bare
    word OCR did read: the superscript marker was dropped, not the word (a diagnostic beside recall)."""
    found, wanted = Counter(_WORD.findall(read.lower())), Counter(_WORD.findall(truth.lower()))
    count = 0
    for word, n in wanted.items():
        bare = _MARKED.match(word)
        if n > found[word] and bare and found[bare.group(1)] > wanted[bare.group(1)]:
            count += n - found[word]
    return count


def pages_of(language: str, count: int) -> list[tuple[Path, int]]:
    chosen: list[tuple[Path, int]] = []
    for source in SOURCES[language]:
        pdf = pdfium.PdfDocument(str(source))
        chosen.extend((source, index) for index in range(len(pdf)))
        if len(chosen) >= count:
            break
    return chosen[:count]


def ocrmypdf_text(image_pdf: Path, language: str) -> tuple[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out.pdf"
        sidecar = Path(folder) / "out.txt"
        start = time.perf_counter()
        subprocess.run(
            ["ocrmypdf", "-q", "-l", language, "--jobs", "1", "--sidecar", str(sidecar), str(image_pdf), str(out)],
            check=True,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )
        return sidecar.read_text(encoding="utf-8"), time.perf_counter() - start


def _peer_version() -> str:
    version = subprocess.run(["ocrmypdf", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return f"ocrmypdf {version} (--jobs 1, OMP_THREAD_LIMIT=1, one page per run)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=3, help="pages per language")
    args = parser.parse_args()
    peer = shutil.which("ocrmypdf")
    rows = []
    for language in SOURCES:
        ours: list[float] = []
        theirs: list[float] = []
        markers = words = 0
        seconds: list[float] = []
        peer_seconds: list[float] = []
        hint: tuple[Path, str] | None = None  # the languages the page before of the same PDF was read in
        for source, index in pages_of(language, args.pages):
            page = pdfium.PdfDocument(str(source))[index]
            truth = page.get_textpage().get_text_bounded()
            image = page.render(scale=DPI / 72).to_pil().convert("L")
            start = time.perf_counter()
            # the language as ingest detects it: by script, then Kazakh letters or a Latin page's language (py3langid);
            # later pages of a PDF are read first in the page before's languages, as the PDF reader does
            before = hint[1] if hint is not None and hint[0] == source else None
            read = read_image(str(source), image, index + 1, DPI, hint=before)
            hint = (source, read.language)
            seconds.append(time.perf_counter() - start)
            ours.append(recall(read.text, truth))
            markers += marker_misses(read.text, truth)
            words += len(_WORD.findall(truth))
            if peer:
                with tempfile.TemporaryDirectory() as folder:
                    image_pdf = Path(folder) / "page.pdf"
                    image.save(image_pdf, "PDF", resolution=DPI)
                    # the peer gets the languages our reader chose for the page: the same Tesseract models
                    text, took = ocrmypdf_text(image_pdf, read.language)
                theirs.append(recall(text, truth))
                peer_seconds.append(took)
        rows.append(
            {
                "language": language,
                "pages": len(ours),
                "recall": round(sum(ours) / len(ours), 4),
                "s_per_page": round(sum(seconds) / len(seconds), 2),
                "marker_misses": round(markers / max(1, words), 4),
                "peer_recall": round(sum(theirs) / len(theirs), 4) if theirs else None,
                "peer_s_per_page": round(sum(peer_seconds) / len(peer_seconds), 2) if peer_seconds else None,
            }
        )
        print(rows[-1], flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {"dpi": DPI, "peer": _peer_version() if peer else None, "cores": os.cpu_count(), "rows": rows}
    (RESULTS / "ocr.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    lines = [
        f"# OCR word recall against the text layer ({DPI} dpi renders, {os.cpu_count()} cores)",
        "",
        "| language | pages | recall | s/page | misses that are a dropped footnote marker | ocrmypdf recall | "
        "ocrmypdf s/page |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        peer_recall = "-" if row["peer_recall"] is None else f"{row['peer_recall']:.3f}"
        peer_speed = "-" if row["peer_s_per_page"] is None else f"{row['peer_s_per_page']:.2f}"
        lines.append(
            f"| {row['language']} | {row['pages']} | {row['recall']:.3f} | {row['s_per_page']:.2f} | "
            f"{row['marker_misses']:.3f} | "
            f"{peer_recall} | {peer_speed} |"
        )
    lines += [
        "",
        "Recall counts the text layer's words with repeats; a word with a footnote marker glued on in the text layer "
        '("материалов1") is missed when OCR drops the small superscript, and the fifth column is that share of '
        "all words.",
    ]
    if peer:
        lines += ["", f"Peer: {_peer_version()} on the same page images, given the languages Covenant chose."]
    else:
        lines += ["", "ocrmypdf was not installed (Debian: apt-get install ocrmypdf): no peer figures."]
    (RESULTS / "ocr.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
