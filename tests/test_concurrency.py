"""Two ingests and several searches at once on one library, as real processes: the same library as one at a time."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import EXTERNAL, KAZAKHSTAN, SAMPLES, needs_corpus

COVENANT = [sys.executable, "-m", "covenant.cli"]


def _start(db: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*COVENANT, "--db", str(db), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _contents(db: Path) -> tuple[list[tuple[str, int]], int]:
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        reports = con.execute(
            "SELECT r.sha256, COUNT(p.id) FROM reports r JOIN passages p ON p.report_id = r.id "
            "GROUP BY r.id ORDER BY r.sha256"
        ).fetchall()
        sources = con.execute("SELECT COUNT(*) FROM sources").fetchone()[0]
    return reports, sources


@needs_corpus
def test_two_ingests_and_searches_at_once_give_the_library_of_one_at_a_time(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    shutil.copytree(KAZAKHSTAN, first)
    shutil.copytree(SAMPLES, second, ignore=shutil.ignore_patterns("*.md"))
    for pdf in sorted(EXTERNAL.glob("*.pdf"))[:2]:
        shutil.copy(pdf, second)
    shutil.copy(KAZAKHSTAN / "002_e77f42745581b012.txt", second / "same-as-002.txt")  # in both batches

    def ingest(db: Path, folder: Path) -> None:
        assert subprocess.run([*COVENANT, "--db", str(db), "ingest", str(folder)], capture_output=True).returncode == 0

    alone, shared = tmp_path / "alone.db", tmp_path / "shared.db"
    for db in (alone, shared):  # the same start: a library to search while the batches go in
        ingest(db, SAMPLES)
    for folder in (first, second):
        ingest(alone, folder)
    ingests = [_start(shared, "ingest", str(first), "--json"), _start(shared, "ingest", str(second), "--json")]
    searches = [_start(shared, "search", query, "--mode", "bm25", "--json") for query in ("police", "torture", "court")]
    for proc in ingests + searches:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        assert "Traceback" not in err
        json.loads(out)
    assert _contents(shared) == _contents(alone)
    final = subprocess.run(
        [*COVENANT, "--db", str(shared), "search", "Respublika", "--mode", "bm25", "--json"],
        capture_output=True,
        text=True,
    )
    assert json.loads(final.stdout)["hits"]
