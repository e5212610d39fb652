"""Tags and notes on passages: the Library calls, the tag filter and facet in search, notes beside hits, the
export, what happens to them when a report is replaced or removed, and the CLI commands, on real SQLite."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import KAZAKHSTAN, SAMPLES, indexed_library, read_jsonl
from covenant.errors import NotFoundError, QueryError, StoreError
from covenant.library import Library

COVENANT = [sys.executable, "-m", "covenant.cli"]
# The reference reports where the corpus is present, else the samples shipped with the project.
ALL_REPORTS = sorted(KAZAKHSTAN.glob("*.txt")) if KAZAKHSTAN.exists() else sorted(SAMPLES.glob("norland-*"))
# A small library for hybrid search, which embeds every passage with the default model.
SMALL = (
    [KAZAKHSTAN / "001_30dfef030156c0a4.txt", KAZAKHSTAN / "002_e77f42745581b012.txt"]
    if KAZAKHSTAN.exists()
    else [SAMPLES / "norland-2023-country-report.txt"]
)


@pytest.fixture()
def lib(tmp_path: Path) -> Iterator[Library]:
    with indexed_library(tmp_path / "lib.db", ALL_REPORTS, semantic=False) as library:
        yield library


def _police(library: Library, n: int) -> list[str]:
    ids = [h.passage_id for h in library.search("police", mode="bm25", limit=n, facets=False).hits]
    assert len(ids) == n
    return ids


def test_a_tag_is_one_label_whatever_its_case(lib: Library) -> None:
    first = lib.passages()[0]
    short = f"{first.report_id[:8]}:{first.id.rpartition(':')[2]}"
    assert lib.tag(short, "  Zhovtis   case ")  # short report id; spaces trimmed and made one
    assert not lib.tag(first.id, "zhovtis CASE")  # the same tag in another case
    assert lib.tag(first.id, "Пытки")
    assert not lib.tag(first.id, "ПЫТКИ")  # case folded beyond ASCII
    counts = {c.tag: (c.passages, c.orphaned) for c in lib.tags()}
    assert counts == {"Zhovtis case": (1, 0), "Пытки": (1, 0)}
    assert [p.id for p in lib.tagged("ZHOVTIS CASE")] == [first.id]
    assert lib.untag(first.id, "zhovtis case") and not lib.untag(first.id, "zhovtis case")
    assert [c.tag for c in lib.tags()] == ["Пытки"]


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ("", "empty tag"),
        ("   ", "empty tag"),
        ("tor\x1b[31mture", "control characters"),
        ("brief\n2024", "control characters"),
        ("x" * 65, "at most 64 characters"),
    ],
)
def test_bad_tags_are_refused_with_one_line(lib: Library, tag: str, message: str) -> None:
    pid = lib.passages()[0].id
    with pytest.raises(QueryError, match=message) as raised:
        lib.tag(pid, tag)
    assert "\n" not in str(raised.value) and "\x1b" not in str(raised.value)
    assert lib.tags() == []


def test_unknown_passages_and_read_only_libraries_are_refused(lib: Library) -> None:
    rid = lib.passages()[0].report_id
    with pytest.raises(NotFoundError, match="no passage"):
        lib.tag(f"{rid}:p99999", "torture")
    with pytest.raises(NotFoundError, match="no report"):
        lib.tag("ffffffff:p00001", "torture")
    with pytest.raises(NotFoundError, match="no passage"):
        lib.note(f"{rid}:p99999", "a note")
    with pytest.raises(QueryError, match="empty note"):
        lib.note(lib.passages()[0].id, "  ")
    with pytest.raises(NotFoundError, match="no note 404"):
        lib.remove_note(404)
    lib.close()
    with Library(lib.path, read_only=True) as reader:
        with pytest.raises(StoreError, match="read-only"):
            reader.tag(reader.passages()[0].id, "torture")
        with pytest.raises(StoreError, match="read-only"):
            reader.note(reader.passages()[0].id, "a note")
        assert reader.tags() == [] and reader.notes() == []


def test_tag_filter_and_facet_in_bm25(lib: Library) -> None:
    police = _police(lib, 4)
    other = next(p.id for p in lib.passages() if "police" not in p.text.lower() and p.id not in police)
    for pid in police[:3]:
        lib.tag(pid, "Torture")
    lib.tag(police[3], "brief-2024-03")
    lib.tag(other, "torture")
    found = lib.search("police", mode="bm25", filters=["tag=TORTURE"], limit=20)
    assert {h.passage_id for h in found.hits} == set(police[:3])  # `other` is tagged but does not match
    assert found.facets["tag"] == {"Torture": 3}
    assert all(h.tags == ["Torture"] for h in found.hits)
    either = lib.search("police", mode="bm25", filters=["tag=torture", "tag=brief-2024-03"], limit=20)
    assert {h.passage_id for h in either.hits} == set(police)
    everything = lib.search("police", mode="bm25", limit=5)
    assert everything.facets["tag"] == {"Torture": 3, "brief-2024-03": 1}  # over every match, not the page
    with pytest.raises(QueryError, match="tags here: Torture, brief-2024-03"):
        lib.search("police", mode="bm25", filters=["tag=tortur"])
    lib.untag(police[3], "brief-2024-03")
    with pytest.raises(QueryError, match="no passage in the library has that tag"):
        lib.search("police", mode="bm25", filters=["tag=brief-2024-03"])


def test_tag_filter_in_hybrid_search(tmp_path: Path) -> None:
    with indexed_library(tmp_path / "small.db", SMALL, semantic=True) as small:
        tagged = [h.passage_id for h in small.search("police", mode="bm25", limit=2, facets=False).hits]
        for pid in tagged:
            small.tag(pid, "torture")
        small.note(tagged[0], "Quoted in the Zhovtis brief")
        results = small.search("arrest of a journalist", mode="hybrid", filters=["tag=torture"], limit=10)
        assert {h.passage_id for h in results.hits} == set(tagged)  # the semantic half keeps to them too
        assert results.facets["tag"] == {"torture": 2}
        first = next(h for h in results.hits if h.passage_id == tagged[0]).to_dict()
        assert first["tags"] == ["torture"] and first["notes"][0]["text"] == "Quoted in the Zhovtis brief"
        plain = small.search("arrest of a journalist", mode="semantic", limit=5)
        assert len(plain.hits) == 5 and set(plain.facets["tag"]) <= {"torture"}


def test_notes_are_found_by_their_words_and_shown_beside_hits(lib: Library) -> None:
    police = _police(lib, 2)
    first = lib.note(police[0], "Zhovtis case: the court ignored the TORTURE claim.\nAsk the lawyer.")
    second = lib.note(police[1], "Приговор по делу Жовтиса")
    assert [n.id for n in lib.notes(search="zhovt torture")] == [first.id]  # parts of words, any case
    assert [n.id for n in lib.notes(search="ЖОВТИСА")] == [second.id]
    assert lib.notes(search="zhovtis appeal") == []  # every word must be there
    assert [n.id for n in lib.notes(police[1])] == [second.id]
    edited = lib.edit_note(first.id, "Zhovtis case: appeal lodged")
    assert edited.id == first.id and edited.created_at == first.created_at and edited.text.endswith("lodged")
    hits = lib.search("police", mode="bm25", limit=10).to_dict()["hits"]
    noted = {h["passage_id"]: [n["text"] for n in h["notes"]] for h in hits if h["notes"]}
    assert noted == {police[0]: ["Zhovtis case: appeal lodged"], police[1]: ["Приговор по делу Жовтиса"]}
    assert all(h["tags"] == [] for h in hits)
    assert lib.remove_note(second.id).text == "Приговор по делу Жовтиса"
    assert [n.id for n in lib.notes()] == [first.id]
    with pytest.raises(QueryError, match="control characters"):
        lib.note(police[0], "bell\x07")


def test_export_writes_tags_and_notes(lib: Library, tmp_path: Path) -> None:
    police = _police(lib, 2)
    lib.tag(police[0], "torture")
    lib.tag(police[1], "Zhovtis case")
    lib.note(police[1], "check the date")
    counts = lib.export(tmp_path / "out")
    assert counts["tags"] == 2 and counts["notes"] == 1
    tags = read_jsonl(tmp_path / "out" / "tags.jsonl")
    assert {(t["passage_id"], t["tag"]) for t in tags} == {(police[0], "torture"), (police[1], "Zhovtis case")}
    assert all(t["report_id"] == t["passage_id"].split(":")[0] and t["report_file"] for t in tags)
    assert all(t["orphaned"] is False and t["created_at"] for t in tags)
    (note,) = read_jsonl(tmp_path / "out" / "notes.jsonl")
    assert note["passage_id"] == police[1] and note["text"] == "check the date" and note["updated_at"]
    other = next(r for r in lib.reports() if r.id != police[0].split(":")[0])
    some = lib.export(tmp_path / "one", [other.id])
    exported = {t["passage_id"] for t in read_jsonl(tmp_path / "one" / "tags.jsonl")}
    assert exported == {pid for pid in police if pid.startswith(other.id)} and some["tags"] == len(exported)


def _letter(path: Path, second: str) -> Path:
    path.write_text(
        "Norland\n\nHarassment of Journalists\n"
        "On 3 May 2023 police in Norburg detained the editor of the newspaper Free Voice for two days.\n\n"
        f"{second}\n\n"
        "Freedom of Assembly\nAuthorities dispersed a peaceful rally in the capital on 12 June 2023 and "
        "arrested fifteen participants, according to local monitors.\n",
        encoding="utf-8",
    )
    return path


def _by_text(library: Library, words: str) -> str:
    return next(p.id for p in library.passages() if words in p.text)


def test_a_replaced_report_carries_tags_and_notes_to_the_same_text(tmp_path: Path) -> None:
    path = _letter(tmp_path / "letter.txt", "The court later fined the newspaper.")
    with Library(tmp_path / "lib.db") as library:
        library.ingest([path], workers=1)
        detained, fined, rally = (_by_text(library, w) for w in ("detained", "fined", "rally"))
        library.tag(detained, "Zhovtis case")
        library.tag(fined, "fines")
        made = library.note(rally, "Ask the monitors for the list of names")
        library.note(fined, "The amount is missing")
        _letter(path, "The court later fined the newspaper and ordered it closed.")
        assert library.ingest([path], workers=1).counts == {"replaced": 1}
        new_detained, new_rally = _by_text(library, "detained"), _by_text(library, "rally")
        assert new_detained != detained
        assert [p.id for p in library.tagged("Zhovtis case")] == [new_detained]
        (moved,) = library.notes(new_rally)
        assert moved.id == made.id and moved.text == made.text and not moved.orphaned
        # The changed paragraph's tag and note stay under the old id, listed as orphaned.
        assert {c.tag: (c.passages, c.orphaned) for c in library.tags()} == {"Zhovtis case": (1, 0), "fines": (1, 1)}
        assert library.tagged("fines") == []
        (orphan,) = [n for n in library.notes() if n.orphaned]
        assert orphan.passage_id == fined and orphan.text == "The amount is missing"
        assert library.untag(fined, "fines")  # an orphaned passage's tag can be taken off by its full id
        assert library.remove_note(orphan.id).id == orphan.id


def test_a_removed_report_leaves_orphans_that_come_back_with_it(tmp_path: Path) -> None:
    path = _letter(tmp_path / "letter.txt", "The court later fined the newspaper.")
    with Library(tmp_path / "lib.db") as library:
        library.ingest([path], workers=1)
        library.index(semantic=False)
        rally = _by_text(library, "rally")
        library.tag(rally, "assembly")
        library.note(rally, "names?")
        library.remove(rally.split(":")[0])
        assert [(c.tag, c.passages, c.orphaned) for c in library.tags()] == [("assembly", 1, 1)]
        assert [n.orphaned for n in library.notes()] == [True]
        assert library.search("rally", mode="bm25", update=True).facets["tag"] == {}
        with pytest.raises(QueryError, match="no passage in the library has that tag"):
            library.search("rally", mode="bm25", filters=["tag=assembly"], update=True)
        library.ingest([path], workers=1)  # the same bytes: the same passage ids
        assert [(c.tag, c.passages, c.orphaned) for c in library.tags()] == [("assembly", 1, 0)]
        hits = library.search("rally", mode="bm25", filters=["tag=assembly"], update=True).hits
        assert [h.passage_id for h in hits] == [rally] and hits[0].notes[0].text == "names?"


def run(*args: str, db: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([*COVENANT, "--db", str(db), *args], capture_output=True, text=True, timeout=600)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_cli_tag_untag_tags_note_notes_search(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    run("ingest", *map(str, SMALL), db=db)
    hits = json.loads(run("search", "police", "--mode", "bm25", "--json", "--limit", "3", db=db).stdout)["hits"]
    first, second = hits[0]["passage_id"], hits[1]["passage_id"]
    short = f"{first[:8]}:{first.rpartition(':')[2]}"
    assert run("tag", short, "torture", "Zhovtis case", db=db).stdout.strip() == (
        f"tagged {first}: torture, Zhovtis case"
    )
    assert "already tagged TORTURE" in run("tag", first, "TORTURE", "brief-2024-03", db=db).stdout
    run("tag", second, "torture", db=db)
    counts = json.loads(run("tags", "--json", db=db).stdout)
    assert counts[0] == {"tag": "torture", "passages": 2, "orphaned": 0} and len(counts) == 3
    assert "     2  torture" in run("tags", db=db).stdout
    listed = run("tags", "zhovtis case", db=db).stdout
    assert listed.startswith(f"[{first}]") and len(listed.splitlines()) == 1
    assert run("note", short, "Cited in brief-2024-03", db=db).stdout.strip() == f"note 1 on {first}"
    found = json.loads(run("notes", "--search", "BRIEF cited", "--json", db=db).stdout)
    assert [(n["id"], n["passage_id"]) for n in found] == [(1, first)]
    assert "no notes match" in run("notes", "--search", "nothing-like-this", db=db).stdout
    tagged = json.loads(run("search", "police", "--mode", "bm25", "--filter", "tag=torture", "--json", db=db).stdout)
    assert {h["passage_id"] for h in tagged["hits"]} == {first, second}
    assert tagged["facets"]["tag"] == {"torture": 2, "Zhovtis case": 1, "brief-2024-03": 1}
    top = next(h for h in tagged["hits"] if h["passage_id"] == first)
    assert top["tags"] == ["torture", "Zhovtis case", "brief-2024-03"] and top["notes"][0]["id"] == 1
    text = run("search", "police", "--mode", "bm25", "--filter", "tag=torture", db=db).stdout
    assert "tags: torture, Zhovtis case, brief-2024-03" in text and "note 1: Cited in brief-2024-03" in text
    assert run("untag", first, "zhovtis CASE", db=db).stdout.strip() == f"untagged {first}: zhovtis CASE"
    assert run("remove-note", "1", db=db).stdout.strip() == f"removed note 1 on {first}"
    run("export", "--out", str(tmp_path / "out"), db=db)
    assert len(read_jsonl(tmp_path / "out" / "tags.jsonl")) == 3
    assert read_jsonl(tmp_path / "out" / "notes.jsonl") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("tag", "PASSAGE", ""), "error: empty tag"),
        (("tag", "PASSAGE", "ok", "bad\x1b[2Jtag"), "error: tag 'bad\\x1b[2Jtag': a tag cannot hold control"),
        (("tag", "UNKNOWN", "torture"), "error: no passage"),
        (("untag", "PASSAGE", "never-given"), "error: PASSAGE does not carry the tag 'never-given'"),
        (("note", "UNKNOWN", "text"), "error: no passage"),
        (("remove-note", "7"), "error: no note 7"),
        (("search", "police", "--mode", "bm25", "--filter", "tag=nothing"), "error: filter tag=nothing"),
        (("search", "police", "--mode", "bm25", "--filter", "tag= "), "error: filter 'tag= ' has no value"),
    ],
)
def test_cli_bad_input_is_one_line(
    tmp_path_factory: pytest.TempPathFactory, args: tuple[str, ...], message: str
) -> None:
    db = tmp_path_factory.getbasetemp() / "bad-input.db"
    if not db.exists():
        run("ingest", str(SMALL[0]), db=db)
    pid = json.loads(run("search", "police", "--mode", "bm25", "--json", db=db).stdout)["hits"][0]["passage_id"]
    unknown = f"{pid.split(':')[0]}:p99999"
    args = tuple(a.replace("PASSAGE", pid).replace("UNKNOWN", unknown) for a in args)
    proc = run(*args, db=db, check=False)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith(message.replace("PASSAGE", pid)) and proc.stderr.count("\n") == 1, proc.stderr
    assert json.loads(run("tags", "--json", db=db).stdout) == []  # nothing was written
