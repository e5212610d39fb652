"""PDF paragraph segmentation on the HURIDOCS set (16 PDFs, 279 pages), beside two real peers.

usage: python benchmarks/pdf_paragraphs.py [--bench DIR] [--out benchmarks/results]

Each run is written as an export and scored by the shared scorer (../shared/bench/pdf_paragraphs.py):
- covenant: `covenant ingest` + `covenant export`, the pipeline as shipped (whatever read_report does);
- covenant layout: read_pdf_layout -> clean -> outline -> segment, the layout reader through the same stages;
- peer pdfminer.six: its layout analysis with default LAParams, one passage per text box (pdfminer's paragraph);
- peer pdftotext (poppler-utils): the text in reading order (no -layout), pages on form feeds, passages on
  blank lines.
A peer that is not installed is left out and named in the results. Seconds per page are wall time over all pages
(covenant: the whole ingest, storing included; pdftotext: the processes it takes). The published figures of other
tools (HURIDOCS, 2025-03-10, from SOURCES.md) are printed beside ours. Results go to <out>/pdf_paragraphs.json
and <out>/pdf_paragraphs.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from covenant.clean import clean  # noqa: E402
from covenant.ingest.pdf_layout import read_pdf_layout  # noqa: E402
from covenant.structure.outline import build_outline  # noqa: E402
from covenant.structure.segment import segment  # noqa: E402

BENCH = ROOT.parent / "shared" / "bench" / "huridocs-paragraphs"
SCORER = ROOT.parent / "shared" / "bench" / "pdf_paragraphs.py"
COVENANT = Path(sys.executable).parent / "covenant"
# HURIDOCS' published pair F1 (macro over 16 rows), ML-Benchmarks paragraph_alignment/2025_03_10_Comparison.md
PUBLISHED = {
    "vgt (GPU)": 96.75,
    "deepdoc": 87.11,
    "docling": 85.65,
    "marker": 82.01,
    "lightgbm": 78.39,
    "pymupdf": 35.37,
}


def score(export: Path, bench: Path) -> dict:
    out = subprocess.run(
        [sys.executable, str(SCORER), str(export), str(bench)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    summary = json.loads(out[-1])
    per_doc = {}
    for line in out[1:-1]:
        cells = line.split()
        per_doc[cells[0]] = {"f1": float(cells[3]), "pair_f1": float(cells[7]) if len(cells) > 7 else None}
    summary["per_document"] = per_doc
    return summary


def write_export(export: Path, passages: list[dict]) -> None:
    export.mkdir(parents=True, exist_ok=True)
    (export / "reports.jsonl").write_text("", encoding="utf-8")
    with (export / "passages.jsonl").open("w", encoding="utf-8") as f:
        for p in passages:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")


def run_covenant(pdfs: list[Path], work: Path, options: tuple[str, ...] = ()) -> float:
    """`covenant ingest [options] PDFS` into a new library, then its export; the seconds the ingest took."""
    start = time.perf_counter()
    db = work / "lib.db"
    subprocess.run(
        [str(COVENANT), "--db", str(db), "ingest", *options, *map(str, pdfs)], check=True, capture_output=True
    )
    elapsed = time.perf_counter() - start
    subprocess.run(
        [str(COVENANT), "--db", str(db), "export", "--out", str(work / "export")], check=True, capture_output=True
    )
    return elapsed


def run_layout(pdfs: list[Path], work: Path) -> float:
    passages: list[dict] = []
    start = time.perf_counter()
    for path in pdfs:
        raw = read_pdf_layout(str(path), path.read_bytes())
        cleaned = clean(raw)
        outline = build_outline(cleaned, path.stem)
        for p in segment(cleaned, outline, path.stem, path.name):
            passages.append({"report_file": path.name, "text": p.text, "page": p.page_start, "page_end": p.page_end})
    elapsed = time.perf_counter() - start
    write_export(work / "export", passages)
    return elapsed


def run_pdfminer(pdfs: list[Path], work: Path) -> float:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    passages: list[dict] = []
    start = time.perf_counter()
    for path in pdfs:
        for number, page in enumerate(extract_pages(str(path)), start=1):
            for element in page:
                if isinstance(element, LTTextContainer) and element.get_text().strip():
                    text = " ".join(element.get_text().split())
                    passages.append({"report_file": path.name, "text": text, "page": number})
    elapsed = time.perf_counter() - start
    write_export(work / "export", passages)
    return elapsed


def run_pdftotext(pdfs: list[Path], work: Path) -> float:
    passages: list[dict] = []
    start = time.perf_counter()
    for path in pdfs:
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        for number, page in enumerate(text.split("\f"), start=1):
            for part in re.split(r"\n\s*\n", page):
                if part.strip():
                    passages.append({"report_file": path.name, "text": " ".join(part.split()), "page": number})
    elapsed = time.perf_counter() - start
    write_export(work / "export", passages)
    return elapsed


def peer_versions() -> dict[str, str | None]:
    """The peers' versions, None for one that is not installed."""
    versions: dict[str, str | None] = {"pdfminer.six": None, "pdftotext": None}
    try:
        import pdfminer

        versions["pdfminer.six"] = str(pdfminer.__version__)
    except ImportError:
        pass
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-v"], capture_output=True, text=True)
        versions["pdftotext"] = (out.stderr or out.stdout).split("\n")[0].split()[-1]
    return versions


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bench", type=Path, default=BENCH)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    a = ap.parse_args()
    pdfs = sorted((a.bench / "docs").glob("*.pdf"))
    if not pdfs:
        sys.exit(f"no PDFs in {a.bench / 'docs'}")
    pages = sum(json.loads(line)["pages"] for line in (a.bench / "documents.jsonl").read_text().splitlines() if line)
    versions = peer_versions()
    runs = {"covenant (pipeline as shipped)": run_covenant, "covenant read_pdf_layout": run_layout}
    if versions["pdfminer.six"]:
        runs[f"peer: pdfminer.six {versions['pdfminer.six']}, one passage per text box"] = run_pdfminer
    if versions["pdftotext"]:
        runs[f"peer: pdftotext {versions['pdftotext']}, blank-line paragraphs"] = run_pdftotext
    missing = [name for name, version in versions.items() if not version]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, run) in enumerate(runs.items()):
            work = Path(tmp) / str(i)
            work.mkdir()
            elapsed = run(pdfs, work)
            results[name] = {"s_per_page": round(elapsed / pages, 4), **score(work / "export", a.bench)}
    report = {
        "set": "huridocs-paragraphs",
        "pages": pages,
        "documents": len(pdfs),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.processor() or ''} python {platform.python_version()}".strip(),
        "runs": results,
        "peers_missing": missing,
        "published_pair_f1": PUBLISHED,
    }
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "pdf_paragraphs.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    keys = ("precision", "recall", "f1", "pair_precision", "pair_recall", "pair_f1", "mistakes")
    lines = [
        f"# PDF paragraphs: HURIDOCS set ({len(pdfs)} PDFs, {pages} pages), {report['date'][:10]}",
        "",
        "| run | P | R | F1 | pair P | pair R | pair F1 | mistakes | s/page |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(f"| {name} | " + " | ".join(str(r[k]) for k in keys) + f" | {r['s_per_page']} |")
    for name, f1 in PUBLISHED.items():
        lines.append(f"| published: {name} | | | | | | {f1} | | |")
    if missing:
        lines += ["", f"Not installed, so not run: {', '.join(missing)}."]
    docs = sorted(next(iter(results.values()))["per_document"])
    lines += [
        "",
        "Pair F1 per document:",
        "",
        "| document | " + " | ".join(results) + " |",
        "|---|" + "---|" * len(results),
    ]
    for d in docs:
        lines.append(f"| {d} | " + " | ".join(str(r["per_document"][d]["pair_f1"]) for r in results.values()) + " |")
    (a.out / "pdf_paragraphs.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
