"""Faults around the library itself: a full disk, a damaged or read-only database, exports that must not
half-write, hostile text bound for a terminal, and space given back after a remove. Real files, real SQLite,
the real command in a subprocess."""

from __future__ import annotations

import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import KAZAKHSTAN, SAMPLES, needs_corpus
from covenant.errors import StoreError
from covenant.export import FILES
from covenant.library import Library

COVENANT = [sys.executable, "-m", "covenant.cli"]


def covenant(db: Path, *args: str, file_limit: int | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command; `file_limit` caps the size of any file it writes (RLIMIT_FSIZE), as a full disk would."""

    def limit() -> None:
        if file_limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the cap fails (EFBIG) instead of killing
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    return subprocess.run(
        [*COVENANT, "--db", str(db), *args], capture_output=True, text=True, timeout=300, preexec_fn=limit
    )


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    return lines[0]


@pytest.fixture()
def library(tmp_path: Path) -> Path:
    db = tmp_path / "lib.db"
    assert covenant(db, "ingest", str(SAMPLES)).returncode == 0
    return db


def test_export_refuses_a_folder_that_is_not_empty_and_force_replaces(library: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert covenant(library, "export", "--out", str(out)).returncode == 0
    first = (out / "passages.jsonl").read_text(encoding="utf-8")
    line = one_error_line(covenant(library, "export", "--out", str(out)))
    assert "not empty" in line and "--force" in line
    assert covenant(library, "export", "--out", str(out), "--force").returncode == 0
    assert (out / "passages.jsonl").read_text(encoding="utf-8") == first
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{name}.jsonl" for name in FILES)
    assert {"passages.jsonl", "labels.jsonl", "entities.jsonl", "events.jsonl"} <= {p.name for p in out.iterdir()}


def test_an_export_that_runs_out_of_space_leaves_the_earlier_export_whole(library: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert covenant(library, "export", "--out", str(out)).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    line = one_error_line(covenant(library, "export", "--out", str(out), "--force", file_limit=4096))
    assert "the export could not be written" in line and "no earlier file there was changed" in line
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no .partial file left either


def test_export_to_a_place_that_cannot_be_made(library: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert "cannot create the export folder" in one_error_line(
        covenant(library, "export", "--out", str(blocker / "out"))
    )
    assert "is not a folder" in one_error_line(covenant(library, "export", "--out", str(blocker)))


def test_ingest_on_a_full_disk_is_one_line_per_file_and_the_library_stays_whole(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    assert covenant(db, "ingest", str(SAMPLES / "norland-2023-country-report.txt")).returncode == 0
    size = db.stat().st_size + sum(p.stat().st_size for p in tmp_path.glob("lib.db-*"))
    proc = covenant(db, "ingest", str(SAMPLES), file_limit=size + 8192)
    assert "Traceback" not in proc.stderr + proc.stdout
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT COUNT(*) FROM passages").fetchone()[0] > 0
    assert covenant(db, "ingest", str(SAMPLES)).returncode == 0  # with space again, the rest goes in


def test_a_db_path_in_a_folder_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    line = one_error_line(covenant(blocker / "sub" / "lib.db", "ingest", str(SAMPLES)))
    assert "cannot create or open the library" in line


def test_a_damaged_database_gives_one_line_for_every_command(library: Path, tmp_path: Path) -> None:
    data = bytearray(library.read_bytes())
    page = 4096
    for offset in range(page, len(data), page):  # every page but the header: the schema is still found
        data[offset : offset + 64] = b"\xde\xad\xbe\xef" * 16
    library.write_bytes(bytes(data))
    for stale in library.parent.glob("lib.db-*"):
        stale.unlink()
    for args in (["reports"], ["show", "letter"], ["search", "police"], ["export", "--out", str(tmp_path / "x")]):
        line = one_error_line(covenant(library, *args))
        assert "damaged" in line or "malformed" in line, line


def test_a_read_only_library_is_read_without_writing(library: Path) -> None:
    before = library.read_bytes()
    with Library(library, read_only=True) as lib:
        assert lib.reports()
        results = lib.search("pretrial detention", mode="bm25")  # the full-text index that ingest built
        assert results.hits and results.pending == {"reports": 0, "passages": 0}
        semantic = lib.search("pretrial detention", mode="semantic")  # no vectors yet, and none may be made now
        assert semantic.hits == [] and semantic.pending["unembedded_passages"] > 0
        with pytest.raises(StoreError, match="read-only"):
            lib.ingest([SAMPLES])
        with pytest.raises(StoreError, match="read-only"):
            lib.remove(lib.reports()[0].id)
    assert library.read_bytes() == before


def test_hostile_control_characters_never_reach_the_terminal_raw(tmp_path: Path) -> None:
    hostile = tmp_path / "rep\x1b[31mort.txt"
    hostile.write_text(
        "Norland\n\nOn 3 May 2023 police detained the editor \x1b]0;owned\x07 of the newspaper Free Voice "
        "\x1b[2J in Norburg for two days, according to local monitors.\n",
        encoding="utf-8",
    )
    db = tmp_path / "lib.db"
    ingest = covenant(db, "ingest", str(hostile))
    assert ingest.returncode == 0
    for args in (["show", "rep"], ["search", "editor", "--mode", "bm25"], ["reports"], ["log"]):
        proc = covenant(db, *args)
        assert proc.returncode == 0, proc.stderr
        assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout, (args, proc.stdout)


@needs_corpus
def test_removing_a_report_gives_its_space_back(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    folder = tmp_path / "reports"
    shutil.copytree(KAZAKHSTAN, folder)
    assert covenant(db, "ingest", str(folder)).returncode == 0
    full = db.stat().st_size
    assert covenant(db, "remove", "004").returncode == 0
    assert db.stat().st_size < full * 0.6  # 004 is most of the library
