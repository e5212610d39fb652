"""The `covenant` command, run as a real process on real files and a real SQLite library."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import EXTERNAL, KAZAKHSTAN, copies_of_the_shadow_report, needs_corpus, read_jsonl

COVENANT = [sys.executable, "-m", "covenant.cli"]


def run(*args: str, db: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([*COVENANT, "--db", str(db), *args], capture_output=True, text=True, timeout=600)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_help_lists_the_commands(tmp_path: Path) -> None:
    out = run("--help", db=tmp_path / "x.db").stdout
    for command in ("ingest", "reports", "show", "export", "log", "remove", "search", "index", "eval"):
        assert command in out


@needs_corpus
def test_ingest_reports_show_export(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    out = run("ingest", str(KAZAKHSTAN), db=db).stdout
    assert "5 added" in out
    # The full-text index is brought up to date by ingest; the vectors' wait is announced with its duration.
    assert "search: the full-text index is up to date;" in out and "passages wait to be embedded" in out
    assert "5 unchanged" in run("ingest", str(KAZAKHSTAN), db=db).stdout
    listed = json.loads(run("reports", "--json", db=db).stdout)
    assert {r["file_name"] for r in listed} == {p.name for p in KAZAKHSTAN.glob("*.txt")}
    shown = run("show", "000_81691023f15c1c92", db=db).stdout
    assert "Section 1 Respect for the Integrity of the Person" in shown
    assert "[1.a; l.55]" in shown
    detail = json.loads(run("show", "004", "--json", db=db).stdout)
    assert detail["report"]["doc_type"] == "shadow_report" and len(detail["footnotes"]) >= 170

    assert json.loads(run("index", "--no-semantic", "--json", db=db).stdout)["indexed_reports"] == 0
    hits = json.loads(run("search", '"Vienna Convention"', "--mode", "bm25", "--json", db=db).stdout)["hits"]
    assert hits and hits[0]["citation"]["file_name"] == "004_c44e466740d2cce1.txt"
    assert hits[0]["citation"]["formatted"].startswith("Kazakhstani human rights NGOs")
    bare = json.loads(run("search", '"Vienna Convention"', "--mode", "bm25", "--no-facets", "--json", db=db).stdout)
    assert bare["facets"] == {} and [h["passage_id"] for h in bare["hits"]] == [h["passage_id"] for h in hits]
    folded = json.loads(run("search", "Respublika", "--mode", "bm25", "--collapse", "--json", db=db).stdout)
    assert folded["hits"] and all(h["also"] == [] for h in folded["hits"])  # five reports, no repeated text
    bad = run("search", '"unclosed', "--mode", "bm25", db=db, check=False)
    assert bad.returncode == 1 and bad.stderr.startswith("error: cannot understand the query")

    out_dir = tmp_path / "export"
    run("export", "--out", str(out_dir), db=db)
    reports = read_jsonl(out_dir / "reports.jsonl")
    passages = read_jsonl(out_dir / "passages.jsonl")
    sections = read_jsonl(out_dir / "sections.jsonl")
    notes = read_jsonl(out_dir / "footnotes.jsonl")
    assert len(reports) == 5 and len(passages) > 1000 and len(sections) > 60 and len(notes) >= 170
    first = passages[0]
    for field in (
        "report_file",
        "report_id",
        "id",
        "section_path",
        "text",
        "start",
        "end",
        "line_start",
        "line_end",
        "page_start",
        "page_end",
        "kind",
        "language",
    ):
        assert field in first


def test_bad_reference_is_one_clear_line(tmp_path: Path) -> None:
    from conftest import SAMPLES

    db = tmp_path / "x.db"
    run("ingest", str(SAMPLES), db=db)
    proc = run("show", "no-such-report", db=db, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "error: no report 'no-such-report' in the library (see `covenant reports`)"
    ]
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("command", [["show", "x"], ["reports"], ["search", "torture"], ["remove", "x"], ["log"]])
def test_a_mistyped_library_path_is_refused_not_created(tmp_path: Path, command: list[str]) -> None:
    db = tmp_path / "lbi.db"
    proc = run(*command, db=db, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f"error: {db}: no library here (ingest reports to create one, or give the right --db path)"
    ]
    assert not db.exists()


def test_metadata_flags_and_sidecar_override_detection(tmp_path: Path) -> None:
    report = tmp_path / "note.txt"
    report.write_text(
        "Norland\n\nOn 3 May 2023 police detained the editor of the newspaper Free Voice in Norburg "
        "for two days without charge, according to monitors.\n",
        encoding="utf-8",
    )
    (tmp_path / "note.txt.covenant.json").write_text(
        json.dumps({"source_org": "Norland Watch", "publication_date": "2023-06"})
    )
    db = tmp_path / "lib.db"
    run("ingest", str(tmp_path), "--doc-type", "thematic_report", "--country", "NO", db=db)
    [r] = json.loads(run("reports", "--json", db=db).stdout)
    assert r["source_org"] == "Norland Watch" and r["publication_date"] == "2023-06"
    assert r["doc_type"] == "thematic_report" and r["country"] == "NO"
    assert r["metadata_method"]["source_org"] == "user"


@needs_corpus
def test_killed_batch_leaves_a_consistent_store_and_finishes_on_rerun(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    copies_of_the_shadow_report(folder)
    db = tmp_path / "lib.db"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [*COVENANT, "--db", str(db), "ingest", str(folder), "--workers", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    stored = 0
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as con:
                    stored = con.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
            except sqlite3.OperationalError:
                continue
            if stored >= 3:
                break
    if proc.poll() is not None:
        pytest.fail("the batch finished before it could be interrupted")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        reports = con.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
        assert 3 <= reports < 12
        # Every stored report is whole: text, passages and its path.
        whole = con.execute(
            "SELECT COUNT(*) FROM reports r WHERE EXISTS (SELECT 1 FROM report_texts t WHERE t.report_id = r.id)"
            " AND EXISTS (SELECT 1 FROM passages p WHERE p.report_id = r.id)"
            " AND EXISTS (SELECT 1 FROM sources s WHERE s.report_id = r.id)"
        ).fetchone()[0]
        assert whole == reports
    out = run("ingest", str(folder), db=db).stdout
    assert f"{12 - reports} added" in out and f"{reports} unchanged" in out
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == 12
        assert con.execute("SELECT COUNT(DISTINCT sha256) FROM reports").fetchone()[0] == 12


def test_models_lists_and_index_chooses_the_library_model(tmp_path: Path) -> None:
    from covenant.search.embed import DEFAULT_MODEL, E5_SMALL_Q4, MODELS, installed

    db = tmp_path / "lib.db"
    listed = json.loads(run("models", "--json", db=db).stdout)
    assert not db.exists()  # listing creates no library
    default = next(m for m in listed if m["default"])
    assert default["name"] == DEFAULT_MODEL and default["installed"] and default["library"]
    bad = run("index", "--model", "no-such-model", db=db, check=False)
    assert bad.returncode != 0 and "unknown embedding model 'no-such-model'" in bad.stderr
    assert "Traceback" not in bad.stderr
    absent = next((spec for spec in MODELS.values() if not installed(spec)), None)
    if absent is not None:
        missing = run("index", "--model", absent.name, db=db, check=False)
        assert missing.returncode != 0 and absent.install.split("&&")[0].strip() in missing.stderr
    if not installed(E5_SMALL_Q4):
        return

    def library_models() -> list[str]:
        return [m["name"] for m in json.loads(run("models", "--json", db=db).stdout) if m["library"]]

    run("index", "--model", E5_SMALL_Q4.name, "--no-semantic", db=db)
    assert library_models() == [E5_SMALL_Q4.name]
    run("index", "--model", DEFAULT_MODEL, "--model", E5_SMALL_Q4.name, "--no-semantic", db=db)
    assert sorted(library_models()) == sorted([DEFAULT_MODEL, E5_SMALL_Q4.name])
    with sqlite3.connect(db) as con:
        setting = con.execute("SELECT value FROM settings WHERE key = 'semantic_model'").fetchone()[0]
    assert setting == f"{DEFAULT_MODEL},{E5_SMALL_Q4.name}"  # the order given: the first is the main model


def test_search_text_output_names_unknown_facet_values(tmp_path: Path) -> None:
    from conftest import SAMPLES

    db = tmp_path / "samples.db"
    run("ingest", str(SAMPLES), db=db)
    out = run("search", "pretrial detention", "--mode", "bm25", db=db).stdout
    facet_line = out.strip().splitlines()[-1]
    assert facet_line.startswith("[") and "country: unknown" in facet_line  # the samples name no country
    years = [item.split()[0] for item in facet_line.split("year: ")[1].split(";")[0].split(", ")]
    assert years and all(y == "unknown" or (len(y) == 4 and y.isdigit()) for y in years), facet_line
    data = json.loads(run("search", "pretrial detention", "--mode", "bm25", "--json", db=db).stdout)
    assert "" in data["facets"]["country"]  # JSON keeps the raw value


@needs_corpus
def test_a_hit_is_read_in_context_and_filters_take_the_names_users_write(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    run("ingest", str(KAZAKHSTAN), db=db)
    short = {r["file_name"][:3]: r["id"][:8] for r in json.loads(run("reports", "--json", db=db).stdout)}
    # --db after the command, as users type it.
    proc = subprocess.run(
        [*COVENANT, "search", "Respublika", "--mode", "bm25", "--json", "--db", str(db)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    hit = json.loads(proc.stdout)["hits"][0]
    shown = json.loads(run("show", hit["passage_id"], "--context", "1", "--json", db=db).stdout)
    assert shown["passage"]["id"] == hit["passage_id"] and len(shown["before"]) <= 1 and len(shown["after"]) == 1
    assert shown["citation"]["quote"] == hit["text"]
    report_id, ordinal = hit["passage_id"].split(":")
    by_short_id = json.loads(run("show", f"{report_id[:8]}:{ordinal}", "--json", db=db).stdout)
    assert by_short_id["passage"]["id"] == hit["passage_id"]
    text = run("show", hit["passage_id"], db=db).stdout
    assert hit["text"][:60] in text and hit["citation"]["file_name"] in text

    def hits(*filters: str) -> list[str]:
        args = [arg for f in filters for arg in ("--filter", f)]
        return [
            h["passage_id"]
            for h in json.loads(run("search", "torture", "--mode", "bm25", "--json", *args, db=db).stdout)["hits"]
        ]

    assert hits("country=Kazakhstan") == hits("country=KZ") == hits("country=kz")
    assert hits("source=US State Department") == hits("source=U.S. Department of State") != []
    assert hits(f"report={short['003']}") and all(h.startswith(short["003"]) for h in hits(f"report={short['003']}"))
    assert hits("report=003_45cd954fc36bba18.txt") == hits(f"report={short['003']}")
    for bad, named in (("country=UZ", "KZ"), ("source=Freedom House", "Human Rights Watch"), ("report=ffff", "")):
        proc = run("search", "torture", "--filter", bad, db=db, check=False)
        assert proc.returncode == 1 and proc.stderr.startswith(f"error: filter {bad}") and named in proc.stderr


def test_a_query_in_another_script_that_finds_nothing_suggests_semantic_mode(tmp_path: Path) -> None:
    from conftest import SAMPLES

    db = tmp_path / "lib.db"
    run("ingest", str(SAMPLES), db=db)
    proc = run("search", "пытки в тюрьме", "--mode", "bm25", db=db)
    assert "no passages match" in proc.stdout and "--mode semantic" in proc.stderr
    latin = run("search", "xylophone", "--mode", "bm25", db=db)
    assert "no passages match" in latin.stdout and "--mode semantic" not in latin.stderr


@needs_corpus
def test_citation_styles_from_search_and_show(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    run("ingest", str(EXTERNAL / "ai_2006_uzbekistan.pdf"), str(KAZAKHSTAN / "004_c44e466740d2cce1.txt"), db=db)
    coi = run("search", "Akramia trials", "--mode", "bm25", "--limit", "1", "--style", "coi", db=db).stdout
    assert "Amnesty International: Amnesty International Report 2006: Uzbekistan, 2006" in coi and "p. 277" in coi
    csl_line = run("search", "Akramia trials", "--mode", "bm25", "--limit", "1", "--style", "csl", db=db).stdout
    item = json.loads(csl_line.split("\n")[1].split(". ", 1)[1])
    assert (
        item["type"] == "report" and item["page"] == "277" and item["author"] == [{"literal": "Amnesty International"}]
    )
    hit = json.loads(run("search", "presumption of innocence", "--mode", "bm25", "--json", db=db).stdout)["hits"][0]
    shown = run("show", hit["passage_id"], "--context", "0", "--style", "coi", db=db).stdout
    assert shown.splitlines()[0] == hit["citation"]["formatted_coi"]
    plain = run("show", "004", "--style", "plain", db=db).stdout
    assert "para. 30" in plain and "of 004_c44e466740d2cce1.txt" in plain
    # Words only a footnote holds: the search says so, and --footnotes finds the note, cited to it.
    quiet = run("search", '"Endorsed by the Venice"', "--mode", "bm25", db=db)
    assert "no passages match" in quiet.stdout and "1 footnote also matches: add --footnotes" in quiet.stderr
    noted = run("search", '"Endorsed by the Venice"', "--mode", "bm25", "--footnotes", db=db).stdout
    assert "footnote 93, lines 5572-5575 of 004_c44e466740d2cce1.txt" in noted
    refused = run("search", "Venice", "--mode", "semantic", "--footnotes", db=db, check=False)
    assert refused.returncode != 0 and "footnotes are searched by their words" in refused.stderr
