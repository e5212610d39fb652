"""A batch survives any file: errors through a real process pool, a killed worker, a hung file, a memory
blow-up and Ctrl-C each cost only the file concerned (or stop cleanly), with one line and nothing lost."""

from __future__ import annotations

import json
import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from badfiles import READABLE, make_all
from conftest import KAZAKHSTAN, copies_of_the_shadow_report, needs_corpus
from covenant.errors import BadInputError
from covenant.library import Library
from covenant.workers import Limits

COVENANT = [sys.executable, "-m", "covenant.cli"]
GOOD_TEXT = (
    "Norland\n\nOn 3 May 2023 police detained the editor of the newspaper Free Voice in Norburg "
    "for two days, according to local monitors. Copy {n}.\n"
)


def _good_files(folder: Path, count: int) -> list[Path]:
    files = []
    for n in range(count):
        path = folder / f"good{n:02d}.txt"
        path.write_text(GOOD_TEXT.format(n=n), encoding="utf-8")
        files.append(path)
    return files


def _slow_file(folder: Path, copies: int = 25) -> Path:
    """A real report repeated until reading it takes seconds (about 4 s and 300 MB for 25 copies)."""
    text = (KAZAKHSTAN / "004_c44e466740d2cce1.txt").read_text(encoding="utf-8")
    path = folder / "000_slow.txt"  # sorts first: the first job a worker takes
    path.write_text(text * copies, encoding="utf-8")
    return path


def _whole_reports(db: Path) -> tuple[int, int]:
    """(reports, reports stored whole: text, passages and path) after an integrity check."""
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        reports = con.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
        whole = con.execute(
            "SELECT COUNT(*) FROM reports r WHERE EXISTS (SELECT 1 FROM report_texts t WHERE t.report_id = r.id)"
            " AND EXISTS (SELECT 1 FROM passages p WHERE p.report_id = r.id)"
            " AND EXISTS (SELECT 1 FROM sources s WHERE s.report_id = r.id)"
        ).fetchone()[0]
    return reports, whole


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


def test_a_reader_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(BadInputError("a.pdf", "encrypted PDF")))
    assert (error.path, error.reason, str(error)) == ("a.pdf", "encrypted PDF", "a.pdf: encrypted PDF")


def test_every_bad_file_comes_back_through_a_real_pool_as_its_own_line(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    bad = make_all(folder)
    good = _good_files(folder, 4)
    with Library(tmp_path / "lib.db") as lib:
        summary = lib.ingest(sorted(folder.iterdir()), workers=2)  # named one by one: .bin files too
        by_name = {Path(e.path).name: e for e in summary.events}
        for key, path in bad.items():
            event = by_name[path.name]
            expected = "added" if key in READABLE else "skipped"
            assert event.status == expected, (key, event.reason)
            if expected == "skipped":
                assert event.reason and "\n" not in event.reason and "Traceback" not in event.reason
        assert all(by_name[p.name].status == "added" for p in good)
        assert len(lib.reports()) == len(good) + len(READABLE)


def test_the_cli_names_each_bad_file_and_stores_the_good_ones(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    bad = make_all(folder)
    _good_files(folder, 3)
    db = tmp_path / "lib.db"
    files = [str(p) for p in sorted(folder.iterdir())]
    proc = subprocess.run(
        [*COVENANT, "--db", str(db), "ingest", *files, "--workers", "2"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    skipped_lines = [line for line in proc.stderr.splitlines() if line.startswith("skipped ")]
    assert len(skipped_lines) == len(set(bad) - READABLE), proc.stderr
    assert f"{3 + len(READABLE)} added" in proc.stdout


@needs_corpus
def test_a_worker_killed_mid_file_costs_only_that_file(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    slow = _slow_file(folder)
    _good_files(folder, 5)
    db = tmp_path / "lib.db"
    proc = subprocess.Popen(
        [*COVENANT, "--db", str(db), "ingest", str(folder), "--workers", "1", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # The one worker takes the slow file first; kill it once it has been at it for a moment.
    killed = False
    deadline = time.time() + 60
    while time.time() < deadline and not killed:
        time.sleep(0.5)
        for child in _children(proc.pid):  # the pool's one worker process
            os.kill(child, signal.SIGKILL)
            killed = True
    out, err = proc.communicate(timeout=120)
    assert killed and proc.returncode == 0, err
    events = {Path(e["path"]).name: e for e in json.loads(out)["events"]}
    assert events[slow.name]["status"] == "skipped"
    assert "the reader crashed on it (SIGKILL" in events[slow.name]["reason"]
    assert sum(e["status"] == "added" for e in events.values()) == 5
    assert _whole_reports(db) == (5, 5)


@needs_corpus
def test_a_file_over_the_time_limit_is_stopped_and_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    slow = _slow_file(folder)
    _good_files(folder, 2)
    with Library(tmp_path / "lib.db") as lib:
        started = time.time()
        summary = lib.ingest([folder], workers=1, limits=Limits(timeout=1.0))
        elapsed = time.time() - started
    events = {Path(e.path).name: e for e in summary.events}
    assert events[slow.name].status == "skipped"
    assert "took longer than the limit of 1 s" in (events[slow.name].reason or "")
    assert [e.status for name, e in events.items() if name != slow.name] == ["added", "added"]
    assert elapsed < 30  # the slow file was not read to its end


@needs_corpus
def test_a_file_over_the_memory_ceiling_is_skipped_and_the_batch_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    slow = _slow_file(folder, copies=60)  # about 700 MB to read whole; the ceiling stops it far earlier
    _good_files(folder, 2)
    with Library(tmp_path / "lib.db") as lib:
        summary = lib.ingest([folder], workers=1, limits=Limits(memory_mb=100))
    events = {Path(e.path).name: e for e in summary.events}
    assert events[slow.name].status == "skipped"
    reason = events[slow.name].reason or ""
    assert "memory" in reason, reason
    assert [e.status for name, e in events.items() if name != slow.name] == ["added", "added"]


@needs_corpus
def test_ctrl_c_stops_the_batch_keeps_what_is_stored_and_a_rerun_finishes(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    copies_of_the_shadow_report(folder)
    db = tmp_path / "lib.db"
    proc = subprocess.Popen(
        [*COVENANT, "--db", str(db), "ingest", str(folder), "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stored = 0
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None and stored < 2:
        time.sleep(0.2)
        try:
            with sqlite3.connect(db, timeout=1) as con:
                stored = con.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
        except sqlite3.OperationalError:
            continue
    if proc.poll() is not None:
        pytest.fail("the batch finished before it could be interrupted")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "ingest interrupted:" in out and "run the same command again" in out
    reports, whole = _whole_reports(db)
    assert 2 <= reports < 12 and whole == reports
    assert f"{reports} added" in out
    again = subprocess.run(
        [*COVENANT, "--db", str(db), "ingest", str(folder)], capture_output=True, text=True, timeout=300
    )
    assert f"{12 - reports} added" in again.stdout and f"{reports} unchanged" in again.stdout
    assert _whole_reports(db) == (12, 12)


def test_missing_paths_special_files_and_empty_folders_are_named(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    _good_files(folder, 1)
    os.mkfifo(folder / "pipe.txt")
    with zipfile.ZipFile(folder / "notes.xlsx", "w") as workbook:  # the parts an Excel workbook begins with
        workbook.writestr("[Content_Types].xml", "<Types/>")
        workbook.writestr("xl/workbook.xml", "<workbook><sheets/></workbook>")
    db = tmp_path / "lib.db"
    proc = subprocess.run(
        [*COVENANT, "--db", str(db), "ingest", str(folder), str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "nowhere: no such file or folder" in proc.stderr
    assert "1 added" in proc.stdout and "pipe.txt" in proc.stdout and "notes.xlsx" in proc.stdout
    word = subprocess.run(
        [*COVENANT, "--db", str(db), "ingest", str(folder / "notes.xlsx")], capture_output=True, text=True, timeout=60
    )
    assert "not supported yet" in word.stderr and "Excel" in word.stderr
    log = subprocess.run([*COVENANT, "--db", str(db), "log", "--json"], capture_output=True, text=True, timeout=60)
    ignored = {Path(e["path"]).name: e["reason"] for e in json.loads(log.stdout) if e["status"] == "ignored"}
    assert "not a report file (.xlsx" in ignored["notes.xlsx"] and "a FIFO" in ignored["pipe.txt"]
    fifo = subprocess.run(
        [*COVENANT, "--db", str(db), "ingest", str(folder / "pipe.txt")], capture_output=True, text=True, timeout=60
    )
    assert "not a regular file (a FIFO)" in fifo.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    for args in ([str(empty)], ["--strict", str(empty)]):
        proc = subprocess.run([*COVENANT, "--db", str(db), "ingest", *args], capture_output=True, text=True)
        assert proc.returncode == 1 and "no report files" in proc.stderr
