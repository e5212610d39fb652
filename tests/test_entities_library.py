"""Entities in the library, on the real corpus: recognised by `index()`, resolved library-wide (the alias sets, the two
Abishevs), found by any spelling, a dossier across reports, search by either spelling, overrides that outlive
re-resolving, export, the CLI, the workbench's JSON twins, and no stale mentions after a report is removed."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from conftest import EVAL_DEV, KAZAKHSTAN, indexed_library, read_jsonl
from covenant.cli import main
from covenant.errors import NotFoundError
from covenant.library import Library
from covenant.store.sqlite import MIGRATIONS
from covenant.web.app import create_app

JSON = {"Accept": "application/json"}
# The ticket's alias sets: each must be one entity in a library of the five reference reports.
ALIAS_SETS = [
    ["Nazarbayev", "Nazarbaev"],
    ["Zhakiyanov", "Zhakianov"],
    ["Respublika", "Respublica"],
    ["DVK", "DCK", "Democratic Choice of Kazakhstan"],
    ["KNB", "National Security Committee"],
    ["Astana", "Nur-Sultan"],
]


@pytest.fixture(scope="module")
def kz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """The five reference reports, indexed once (no vectors): the entity stage runs inside `index()`."""
    if not KAZAKHSTAN.exists():
        pytest.skip("reference corpus ../shared is absent")
    db = tmp_path_factory.mktemp("entities") / "kz.db"
    lib = indexed_library(db, sorted(KAZAKHSTAN.glob("*.txt")), semantic=False)
    yield lib
    lib.close()


def _report_prefixes(lib: Library, report_ids: list[str]) -> set[str]:
    return {lib.report(r).file_name[:3] for r in report_ids}


def test_index_reads_every_report_once_and_offsets_hold(kz: Library) -> None:
    assert kz.entities.pending() == []
    assert kz.entities.recognise() == {"reports": 0, "mentions": 0, "entities": 0}  # nothing new: nothing redone
    stored = {e.id for e in kz.entities.all()}
    for report in kz.reports():
        text = kz.clean_text(report)
        mentions = kz.entities.of_report(report)
        assert mentions, report.file_name
        assert all(text[m.start : m.end] == m.text for m in mentions)
        # a title alone ("Akim") names nobody: resolution leaves it without an entity
        assert all(m.entity_id in stored for m in mentions if m.entity_id)
        assert sum(1 for m in mentions if m.entity_id) > 0.95 * len(mentions)


@pytest.mark.parametrize("spellings", ALIAS_SETS, ids=lambda s: "/".join(s))
def test_alias_sets_resolve_to_one_entity(kz: Library, spellings: list[str]) -> None:
    found = {kz.entities.find(s).id for s in spellings}
    assert len(found) == 1, [(s, kz.entities.find(s).canonical) for s in spellings]
    entity = kz.entities.entity(found.pop())
    assert {s.casefold() for s in spellings} <= {a.casefold() for a in entity.aliases}


def test_the_two_abishevs_in_003_stay_apart(kz: Library) -> None:
    kenzhebek, aset = kz.entities.find("Kenzhebek Abishev"), kz.entities.find("Aset Abishev")
    assert kenzhebek.id != aset.id
    assert _report_prefixes(kz, list(kenzhebek.reports)) == {"003"}
    # the bare surname names either: both are candidates, neither swallowed the other
    assert {kenzhebek.id, aset.id} <= {e.id for e in kz.entities.candidates("Abishev")}


def test_a_spelling_no_report_uses_is_found_by_its_sound(kz: Library) -> None:
    assert kz.entities.find("Galimzhan Zhakiyanov").id == kz.entities.find("Zhakianov").id
    with pytest.raises(NotFoundError):
        kz.entities.find("Quetzalcoatl Smithers")


def test_dossier_of_zhakiyanov_spans_000_001_002_with_citations(kz: Library) -> None:
    dossier = kz.entities.dossier("Zhakiyanov")
    assert dossier.entity.type == "PERSON"
    assert {"Zhakiyanov", "Zhakianov"} <= set(dossier.spellings)
    prefixes = [group.report.file_name[:3] for group in dossier.reports]
    assert set(prefixes) == {"000", "001", "002"}
    assert prefixes.index("000") < prefixes.index("001")  # in the order of the years the reports cover
    for group in dossier.reports:
        text = kz.clean_text(group.report)
        for passage in group.passages:
            assert passage.citation.file_name == group.report.file_name
            assert any(s in text[passage.citation.start : passage.citation.end] for s in passage.spellings)
    named_with = {e.canonical for e, _ in dossier.co_occurring}
    assert "Mukhtar Ablyazov" in named_with
    assert dossier.entity.id not in {e.id for e, _ in dossier.co_occurring}


def test_search_by_either_spelling_finds_the_same_reports(kz: Library) -> None:
    one = kz.search("Zhakiyanov", mode="bm25", limit=100)
    other = kz.search("Zhakianov", mode="bm25", limit=100)
    reports = {h.citation.report_id for h in one.hits}
    assert reports == {h.citation.report_id for h in other.hits}
    assert _report_prefixes(kz, list(reports)) == {"000", "001", "002"}
    assert [(s.written, s.others) for s in one.spellings] == [("Zhakiyanov", ("Zhakianov",))]
    assert json.loads(json.dumps(one.to_dict()))["spellings"][0]["others"] == ["Zhakianov"]
    # a phrase is a demand on the words as written: it is not widened
    assert kz.search('"Zhakiyanov"', mode="bm25", limit=100).spellings == []


def test_override_merge_and_split_survive_resolving_again(kz: Library, tmp_path: Path) -> None:
    lib = Library(kz.path)
    try:
        before = lib.entities.find("Kenzhebek Abishev")
        merged = lib.entities.merge("Kenzhebek Abishev", "Aset Abishev")
        assert merged.method == "override" and lib.entities.find("Aset Abishev").id == merged.id
        assert json.loads(lib.entities.overrides_path.read_text().splitlines()[-1]) == {
            "merge": ["Kenzhebek Abishev", "Aset Abishev"]
        }
        lib.entities.resolve(force=True)
        assert lib.entities.find("Aset Abishev").id == lib.entities.find("Kenzhebek Abishev").id
    finally:
        lib.entities.overrides_path.unlink()
        lib.entities.resolve()
        lib.close()
    assert kz.entities.find("Kenzhebek Abishev").id == before.id != kz.entities.find("Aset Abishev").id


def test_footnotes_name_entities_too(kz: Library) -> None:
    # 004 (the NGOs' shadow report) cites its sources in 184 footnotes; the other four have none.
    report = kz.report("004")
    notes = {f.id: f for f in kz.store.footnotes(report.id)}
    in_notes = [m for m in kz.entities.of_report(report, footnotes=True) if m.footnote]
    assert len(in_notes) > 300 and not any(m.footnote for m in kz.entities.of_report(report))
    text = kz.clean_text(report)
    for m in in_notes:  # clean offsets, within the note (the notes follow the body in the clean text)
        note = notes[m.passage_id]
        assert text[m.start : m.end] == m.text and note.start <= m.start < m.end <= note.end
    # A spelling only a footnote uses joins the entity the body names ("Endorsed by the Venice's Commission").
    venice = kz.entities.find("Venice's Commission")
    assert venice.canonical == "Venice Commission" and "Venice's Commission" in venice.aliases  # the body's
    dossier = kz.entities.dossier("Venice Commission")
    (group,) = dossier.reports
    (note,) = group.footnotes
    assert note.spellings == ["Venice's Commission"] and note.citation.footnote == "93"
    assert "footnote 93, lines 5572-5575 of 004_" in note.citation.formatted()
    assert dossier.to_dict()["reports"][0]["footnotes"][0]["passage_id"] == note.passage_id
    # The body's spelling, the footnote's long name and its letters are one committee.
    committee = kz.entities.find("UN Human Rights Committee")
    assert {"Committee on Human Rights", "HRC"} <= set(committee.aliases)


def test_a_library_read_before_footnotes_were_reads_them_on_its_next_index(kz: Library, tmp_path: Path) -> None:
    db = tmp_path / "before.db"
    with closing(sqlite3.connect(kz.path)) as source, closing(sqlite3.connect(db)) as copy:
        source.backup(copy)
    with closing(sqlite3.connect(db)) as con, con:  # back to the schema and the recogniser before footnotes
        con.execute("DROP TABLE footnote_mentions")
        con.execute("UPDATE entity_runs SET recogniser = 'spacy:en_core_web_sm+natasha:news+rules/3'")
        con.execute(f"PRAGMA user_version={len(MIGRATIONS) - 1}")
    with Library(db) as lib:
        assert lib.store.entity_mentions(footnotes=True) == lib.store.entity_mentions()  # the table is back, empty
        assert len(lib.entities.pending()) == 5
        lib.entities.recognise()
        assert lib.entities.find("Venice's Commission").id == lib.entities.find("Venice Commission").id


def test_export_writes_entities_and_mentions(kz: Library, tmp_path: Path) -> None:
    counts = kz.export(tmp_path / "out")
    entities = read_jsonl(tmp_path / "out" / "entities.jsonl")
    mentions = read_jsonl(tmp_path / "out" / "mentions.jsonl")
    assert counts["entities"] == len(entities) == len(kz.entities.all())
    assert counts["mentions"] == len(mentions) == len(kz.store.entity_mentions(footnotes=True))
    assert sum(e["mentions"] for e in entities) == sum(1 for m in mentions if m["entity_id"])
    in_notes = [m for m in mentions if m["footnote"]]
    assert in_notes and {m["report_file"][:3] for m in in_notes} == {"004"}
    assert all("footnote " in m["citation"]["formatted"] for m in in_notes)
    zhak = next(e for e in entities if "Zhakianov" in e["aliases"])
    assert {"Zhakiyanov", "Zhakianov"} <= set(zhak["aliases"]) and len(zhak["reports"]) == 3
    ids = {e["id"] for e in entities}
    assert all(m["entity_id"] in ids for m in mentions if m["entity_id"])
    assert all(m["citation"]["formatted"] for m in mentions)


def test_cli_entities_and_dossier(kz: Library) -> None:
    runner = CliRunner()
    listed = runner.invoke(main, ["--db", str(kz.path), "entities", "--type", "MEDIA", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert rows and {r["type"] for r in rows} == {"MEDIA"}
    assert any({"Respublika", "Respublica"} <= set(r["aliases"]) for r in rows)
    as_csv = runner.invoke(main, ["--db", str(kz.path), "entities", "--report", "003", "--csv"])
    assert as_csv.exit_code == 0 and as_csv.output.splitlines()[0].startswith("id,canonical,type")
    dossier = runner.invoke(main, ["--db", str(kz.path), "dossier", "Zhakianov"])
    assert dossier.exit_code == 0, dossier.output
    assert "Galymzhan Zhakiyanov" in dossier.output and "Mukhtar Ablyazov" in dossier.output
    missing = runner.invoke(main, ["--db", str(kz.path), "dossier", "Quetzalcoatl Smithers"])
    assert missing.exit_code != 0 and "no entity named" in missing.output
    search = runner.invoke(main, ["--db", str(kz.path), "search", "--mode", "bm25", "Zhakiyanov"])
    assert search.exit_code == 0 and "searched Zhakiyanov also as: Zhakianov" in search.output


def test_workbench_json_twins(kz: Library) -> None:
    with TestClient(create_app(kz.path)) as client:
        listing = client.get("/entities", params={"type": "PERSON"}, headers=JSON).json()
        assert listing["entities"] and {e["type"] for e in listing["entities"]} == {"PERSON"}
        zhak = kz.entities.find("Zhakiyanov")
        page = client.get(f"/entities/{zhak.id}", headers=JSON).json()
        assert page["entity"]["id"] == zhak.id and len(page["reports"]) == 3
        assert client.get("/entities/Enothere00000", headers=JSON).status_code == 404
        html = client.get(f"/entities/{zhak.id}").text
        assert "Galymzhan Zhakiyanov" in html and "Zhakianov" in html
        reader = client.get(f"/reports/{kz.report('001').id}").text
        assert f'href="/entities/{zhak.id}"' in reader
        # a footnote naming an entity links to the note on its report's page
        venice = client.get(f"/entities/{kz.entities.find('Venice Commission').id}").text
        assert f'href="/reports/{kz.report("004").id}#n0097"' in venice and "footnote 93" in venice
        # ... and on that page the note's name links back to the dossier, as a passage's names do
        shadow = client.get(f"/reports/{kz.report('004').id}").text
        note = shadow[shadow.index('<li id="n0097">') :]
        entity = kz.entities.find("Venice Commission").id
        assert f'<a class="entity entity-ORG" href="/entities/{entity}">Venice&#39;s Commission</a>' in note[:1500]


def test_removing_a_report_leaves_no_stale_mentions(kz: Library, tmp_path: Path) -> None:
    db = tmp_path / "copy.db"
    with closing(sqlite3.connect(kz.path)) as source, closing(sqlite3.connect(db)) as copy:
        source.backup(copy)  # the whole library, what is still in its write-ahead log too
    with Library(db) as lib:
        letter = lib.report("002")
        lib.remove(letter)
        assert lib.store.entity_mentions(report_id=letter.id) == []
        zhak = lib.entities.find("Zhakiyanov")
        assert letter.id not in zhak.reports and _report_prefixes(lib, list(zhak.reports)) == {"000", "001"}
        assert all(letter.id not in e.reports for e in lib.entities.all())
        shadow = lib.report("004")  # its mentions in footnotes go with it too
        lib.remove(shadow)
        assert lib.store.entity_mentions(report_id=shadow.id, footnotes=True) == []
        assert all(shadow.id not in e.reports for e in lib.entities.all())


@pytest.mark.slow
def test_cli_eval_entities_on_the_dev_set(tmp_path: Path) -> None:
    if not EVAL_DEV.exists():
        pytest.skip("dev annotations absent")
    gold = tmp_path / "gold"
    gold.mkdir()
    rows = read_jsonl(EVAL_DEV / "reports.jsonl")
    for row in rows:
        row["file"] = str(KAZAKHSTAN / Path(row["file"]).name)  # FORMAT's paths are relative to the shared folder
    (gold / "reports.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    shutil.copy(EVAL_DEV / "aliases.jsonl", gold / "aliases.jsonl")
    out = tmp_path / "eval.json"
    result = CliRunner().invoke(main, ["eval", "entities", "--gold", str(gold), "--out", str(out)])
    assert result.exit_code == 0, result.output
    scores = json.loads(out.read_text())
    assert scores["aliases"]["precision"] >= 0.95 and scores["aliases"]["f1"] >= 0.85
    assert "alias pairs" in result.output
