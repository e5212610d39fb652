"""Bad input, made for real by the tests: one clear line per file, the batch goes on, nothing stored is lost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from badfiles import READABLE, make_all
from covenant.library import Library

EXPECTED_REASON = {
    "empty": "empty file",
    "garbage": "binary data, not text",
    "truncated_pdf": "broken PDF",
    "encrypted_pdf": "encrypted PDF: a password is needed to read it",
    "scanned_pdf": "no text found by OCR on any of its 2 pages: a blank page or a picture, not a document",
    "no_pages_pdf": "PDF with no pages",
    "html_without_text": "no readable text",
    "huge_single_line": "a single line of",
}


@pytest.fixture(scope="module")
def bad_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    folder = tmp_path_factory.mktemp("bad")
    return folder, make_all(folder)


def test_each_bad_file_is_skipped_with_its_reason_and_good_ones_read(bad_dir, library: Library, tmp_path: Path) -> None:
    _folder, files = bad_dir
    good = tmp_path / "good.txt"
    good.write_text(
        "Norland\n\nOn 3 May 2023 police detained the editor of the newspaper Free Voice in Norburg "
        "for two days, according to local monitors.\n",
        encoding="utf-8",
    )
    first = library.ingest([good])
    assert first.counts == {"added": 1}
    before = {p.id: p.text for p in library.passages()}

    summary = library.ingest(sorted(files.values()), workers=1)
    # Every file was named explicitly: none is left out as not a report file, none is missing.
    assert summary.ignored == [] and summary.missing == [] and not summary.interrupted
    by_name = {Path(e.path).name: e for e in summary.events}
    for key, path in files.items():
        event = by_name[path.name]
        if key in READABLE:
            assert event.status == "added", (key, event.reason)
        else:
            assert event.status == "skipped", key
            assert EXPECTED_REASON[key] in (event.reason or ""), (key, event.reason)
            assert "\n" not in event.reason and "Traceback" not in event.reason
    # Everything stored before is intact.
    after = {p.id: p.text for p in library.passages()}
    assert all(after[k] == v for k, v in before.items())
    logged = {e.path for e in library.log(limit=100) if e.status == "skipped"}
    assert {str(files[k]) for k in EXPECTED_REASON} <= logged


def test_wrong_extensions_are_read_by_content(bad_dir, library: Library) -> None:
    _folder, files = bad_dir
    library.ingest([files["pdf_named_txt"], files["text_named_pdf"]], workers=1)
    formats = {r.file_name: r.format for r in library.reports()}
    assert formats[files["pdf_named_txt"].name] == "pdf"
    assert formats[files["text_named_pdf"].name] == "text"


def test_cli_prints_one_line_per_bad_file_and_strict_stops(bad_dir, tmp_path: Path) -> None:
    _folder, files = bad_dir
    db = tmp_path / "lib.db"
    cmd = [sys.executable, "-m", "covenant.cli", "--db", str(db), "ingest"]
    proc = subprocess.run(
        [*cmd, str(files["empty"]), str(files["encrypted_pdf"]), str(files["utf16_text"])],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0
    assert f"{files['empty']}: empty file" in proc.stderr
    assert f"{files['encrypted_pdf']}: encrypted PDF: a password is needed to read it" in proc.stderr
    assert "1 added" in proc.stdout and "2 skipped" in proc.stdout
    assert "Traceback" not in proc.stderr

    strict = subprocess.run(
        [*cmd, "--strict", str(files["garbage"]), str(files["cp1251_text"])],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert strict.returncode == 1
    assert strict.stderr.strip().splitlines()[-1].startswith(f"error: {files['garbage']}: binary data")

    as_json = subprocess.run([*cmd, "--json", str(files["scanned_pdf"])], capture_output=True, text=True, timeout=300)
    data = json.loads(as_json.stdout)
    assert data["counts"] == {"skipped": 1}
    assert data["events"][0]["reason"].startswith("no text found by OCR on any of its 2 pages")
