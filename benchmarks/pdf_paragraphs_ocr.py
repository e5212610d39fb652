"""PDF paragraph segmentation through OCR: the HURIDOCS PDFs rendered to image-only PDFs, beside the born-digital run.

usage: python benchmarks/pdf_paragraphs_ocr.py [--bench DIR] [--out benchmarks/results] [--documents a.pdf,b.pdf]
       [--skip-languages-set]

Every page of each PDF is rendered with pypdfium2 at 200 dpi into a grey image, and the images are written as an
image-only PDF of the same name in a temporary folder (no text layer: Covenant reads every page by OCR, Tesseract
through the same layout reader as born-digital PDFs). Both copies go through `covenant ingest` + `covenant export`
(two workers, the default; a per-file limit of 1800 s) and the shared scorer (../shared/bench/pdf_paragraphs.py),
which needs a paragraph's letters to be exactly those of the label: one OCR slip in a paragraph makes it a miss.
As shipped, each page's language is detected: the script by Tesseract's OSD, then a Latin page read in English is
read again in the language py3langid names from that text when its Tesseract data is installed (`make readers`
installs Spanish, Portuguese and French), and later pages are read first in the page before's languages. A third
run sets each document's language (COVENANT_OCR_LANGUAGE: spa, por, fra, eng, rus+eng): what detection could
reach at best. Results go to <out>/pdf_paragraphs_ocr.json and .md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pypdfium2 as pdfium

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pdf_paragraphs import BENCH, ROOT, run_covenant, score, write_export

from covenant.ingest.ocr import LANGUAGE_ENV, installed_languages

DPI = 200
# A 42-page scan takes 2-3 minutes to read here, near the default per-file limit of 300 s on busy cores.
INGEST = ("--timeout", "1800")
TESSERACT = {"en": "eng", "es": "spa", "pt": "por", "fr": "fra", "ru": "rus+eng"}


def image_only_copy(source: Path, folder: Path) -> Path:
    """The PDF's pages as 200 dpi grey images in a PDF of the same name, with no text layer."""
    pdf = pdfium.PdfDocument(str(source))
    try:
        images = [pdf[index].render(scale=DPI / 72).to_pil().convert("L") for index in range(len(pdf))]
    finally:
        pdf.close()
    target = folder / source.name
    images[0].save(target, "PDF", resolution=DPI, save_all=True, append_images=images[1:])
    return target


def run_with_languages(copies: list[Path], languages: dict[str, str], work: Path) -> float:
    """`covenant ingest` once per language, with COVENANT_OCR_LANGUAGE set; the exports joined into one."""
    elapsed = 0.0
    passages: list[dict] = []
    for language in sorted(set(languages.values())):
        group = work / language
        group.mkdir()
        os.environ[LANGUAGE_ENV] = language  # the ingest subprocess inherits it
        try:
            elapsed += run_covenant([c for c in copies if languages[c.name] == language], group, INGEST)
        finally:
            del os.environ[LANGUAGE_ENV]
        lines = (group / "export" / "passages.jsonl").read_text(encoding="utf-8").splitlines()
        passages.extend(json.loads(line) for line in lines if line)
    write_export(work / "export", passages)
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bench", type=Path, default=BENCH)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    ap.add_argument("--documents", default="", help="comma-separated PDF names (default: all 16)")
    ap.add_argument(
        "--skip-languages-set", action="store_true", help="leave out the run with each document's language set"
    )
    a = ap.parse_args()
    pdfs = sorted((a.bench / "docs").glob("*.pdf"))
    if a.documents:
        wanted = set(a.documents.split(","))
        pdfs = [pdf for pdf in pdfs if pdf.name in wanted]
    if not pdfs:
        sys.exit(f"no PDFs to read in {a.bench / 'docs'}")
    names = {pdf.name for pdf in pdfs}
    documents = [json.loads(line) for line in (a.bench / "documents.jsonl").read_text().splitlines() if line]
    pages = sum(d["pages"] for d in documents if d["document"] in names)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        gold = Path(tmp) / "gold"  # the scorer scores every gold document: give it only the ones read
        (gold / "labels").mkdir(parents=True)
        (gold / "documents.jsonl").write_text(
            "".join(json.dumps(d) + "\n" for d in documents if d["document"] in names), encoding="utf-8"
        )
        for d in documents:
            if d["document"] in names:
                (gold / d["labels"]).write_bytes((a.bench / d["labels"]).read_bytes())
        scans = Path(tmp) / "scans"
        scans.mkdir()
        start = time.perf_counter()
        copies = [image_only_copy(pdf, scans) for pdf in pdfs]
        render_s = time.perf_counter() - start
        languages = {d["document"]: TESSERACT[d["language"]] for d in documents if d["document"] in names}
        installed = installed_languages()
        runs = {
            "born-digital (text layer)": lambda work: run_covenant(pdfs, work),
            "image-only through OCR (language detected, as shipped)": lambda work: run_covenant(copies, work, INGEST),
        }
        if not a.skip_languages_set and all(
            code in installed for value in languages.values() for code in value.split("+")
        ):
            runs["image-only through OCR (document's language set)"] = lambda work: run_with_languages(
                copies, languages, work
            )
        for number, (name, run) in enumerate(runs.items()):
            work = Path(tmp) / str(number)
            work.mkdir()
            elapsed = run(work)
            results[name] = {"s_per_page": round(elapsed / pages, 3), **score(work / "export", gold)}
            print(name, {k: v for k, v in results[name].items() if k != "per_document"}, flush=True)
    report = {
        "set": "huridocs-paragraphs",
        "documents": sorted(names),
        "pages": pages,
        "dpi": DPI,
        "render_s_per_page": round(render_s / pages, 3),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} python {platform.python_version()}",
        "runs": results,
    }
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "pdf_paragraphs_ocr.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    keys = ("precision", "recall", "f1", "pair_precision", "pair_recall", "pair_f1", "mistakes")
    subset = "all 16 PDFs" if len(pdfs) == 16 else f"{len(pdfs)} of the 16 PDFs"
    lines = [
        f"# PDF paragraphs through OCR: HURIDOCS set, {subset} ({pages} pages), {report['date'][:10]}",
        "",
        f"Image-only copies rendered at {DPI} dpi, read by `covenant ingest` (Tesseract, two workers); the same "
        "PDFs with their text layer beside them. Scored by ../shared/bench/pdf_paragraphs.py (a paragraph is found "
        "only when its letters are exactly the label's).",
        "",
        "| run | P | R | F1 | pair P | pair R | pair F1 | mistakes | s/page |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(f"| {name} | " + " | ".join(str(r[k]) for k in keys) + f" | {r['s_per_page']} |")
    lines += [
        "",
        "F1 per document (pair F1 needs the document's translation in the run too):",
        "",
        "| document | " + " | ".join(f"{name} F1 | pair F1" for name in results) + " |",
        "|---|" + "---|---|" * len(results),
    ]
    for d in sorted(next(iter(results.values()))["per_document"]):
        cells = [f"{r['per_document'][d]['f1']} | {r['per_document'][d]['pair_f1']}" for r in results.values()]
        lines.append(f"| {d} | " + " | ".join(cells) + " |")
    (a.out / "pdf_paragraphs_ocr.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
