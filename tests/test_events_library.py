"""Events in the library, on the real corpus: extracted by `index()` once per report and stored with their quotes,
the Krykbayev killing in the timeline with its citation, Zhakiyanov's history across three reports in date order,
the filters, the export, the CLI, the dossier, and no stale events after a report is removed."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from conftest import EVAL_DEV, KAZAKHSTAN, indexed_library, read_jsonl
from covenant.cli import main
from covenant.errors import QueryError
from covenant.events.timeline import sort_key
from covenant.export import export_library
from covenant.library import Library
from covenant.web.app import create_app

JSON = {"Accept": "application/json"}
KILLING = "On July 1, off-duty Almaty police officer Bakhyt Krykbayev shot and killed 17-year-old Daniyar Beysov"


@pytest.fixture(scope="module")
def kz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """The five reference reports, indexed once (no vectors): entities, then events, inside `index()`."""
    if not KAZAKHSTAN.exists():
        pytest.skip("reference corpus ../shared is absent")
    db = tmp_path_factory.mktemp("events") / "kz.db"
    lib = indexed_library(db, sorted(KAZAKHSTAN.glob("*.txt")), semantic=False)
    yield lib
    lib.close()


def _prefix(lib: Library, report_id: str) -> str:
    return lib.report(report_id).file_name[:3]


def test_events_stored_per_report_at_their_offsets_and_read_once(kz: Library) -> None:
    assert kz.events.pending() == []
    assert kz.events.extract() == {"reports": 0, "events": 0, "groups": 0}  # nothing new: nothing redone
    for report in kz.reports():
        text = kz.clean_text(report)
        events = kz.events.of_report(report)
        assert events, report.file_name
        assert all(text[e.start : e.end] == e.quote and e.report_id == report.id for e in events)
        assert all(e.event_group and e.method == "rules:cues" for e in events)


def test_the_krykbayev_killing_in_the_timeline_with_its_citation(kz: Library) -> None:
    killings = [t for t in kz.events.timeline(type="killing") if t.quote.startswith(KILLING)]
    assert len(killings) == 1
    line = killings[0]
    assert line.date == "2003-07-01" and line.event is not None and line.event.victims == ["Daniyar Beysov"]
    assert line.citation.file_name.startswith("000") and line.citation.section_code == "1.a"
    assert line.citation.line_start is not None and "lines" in line.citation.formatted()
    assert line.to_dict()["formatted"] == line.citation.formatted()


def test_zhakiyanov_timeline_spans_three_reports_in_date_order(kz: Library) -> None:
    for spelling in ("Zhakiyanov", "Zhakianov"):
        lines = kz.events.timeline(entity=spelling)
        assert {_prefix(kz, t.citation.report_id) for t in lines} == {"000", "001", "002"}
        keys = [sort_key(t.date) for t in lines]
        assert keys == sorted(keys)
        assert any(t.type == "conviction_sentence" and t.date == "2002" for t in lines)
        assert all(t.citation.quote == t.quote for t in lines)


def test_a_sentence_that_refers_back_joins_the_timeline(kz: Library) -> None:
    # 001: "... Galimzhan Zhakianov ... In August 2004, authorities transferred him to a low-security settlement".
    lines = kz.events.timeline(entity="Zhakiyanov")
    transfer = [t for t in lines if "transferred him to a low-security" in t.quote]
    assert [t.date for t in transfer] == ["2004-08"] and _prefix(kz, transfer[0].citation.report_id) == "001"
    # Respublika's history goes on with "the paper" ("In August, the paper regrouped ...", 001).
    paper = [t for t in kz.events.timeline(entity="Respublika") if "the paper regrouped" in t.quote]
    assert [t.date for t in paper] == ["2004-08"]


def test_an_outlet_s_timeline_holds_its_former_title(kz: Library) -> None:
    # 002: "Respublika formerly published under the banner The Assandi Times": the fake Assandi Times of 2004 (001)
    # is in Respublika's history, and a dossier of either name is the same.
    lines = kz.events.timeline(entity="Respublika")
    fake = [t for t in lines if "a fake version of the Assandi Times" in t.quote]
    assert [(t.date, _prefix(kz, t.citation.report_id)) for t in fake] == [("2004-06-02", "001")]
    assert kz.entities.find("Assandi Times").id == kz.entities.find("Respublika").id


def test_filters(kz: Library) -> None:
    everything = kz.events.list()
    dated = [e for e in everything if e.date]
    assert [sort_key(e.date or "") for e in dated] == sorted(sort_key(e.date or "") for e in dated)
    speech = kz.events.list(right="19")
    assert speech and all(19 in e.iccpr for e in speech) and len(speech) < len(everything)
    arrests = kz.events.list(type="arrest_detention")
    assert arrests and {e.type for e in arrests} == {"arrest_detention"}
    summer = kz.events.list(date_from="2003-07", date_to="2003-09")
    assert summer and all(e.date and "2003-07" <= e.date[:7] <= "2003-09" for e in summer if len(e.date) >= 7)
    assert any(e.quote.startswith(KILLING) for e in summer)
    assert len(kz.events.list(country="Kazakhstan")) == len(kz.events.list(country="KZ")) == len(everything)
    assert kz.events.list(country="Uzbekistan") == []
    zhak = kz.events.list(entity="Zhakianov")
    assert zhak and all("Zhak" in e.quote for e in zhak)
    for bad in ({"type": "picnic"}, {"date_from": "July 2003"}, {"country": "Atlantis"}):
        with pytest.raises(QueryError):
            kz.events.list(**bad)  # type: ignore[arg-type]


def test_dossier_gives_the_entity_events_in_date_order(kz: Library) -> None:
    dossier = kz.entities.dossier("Zhakiyanov").to_dict()
    assert dossier["events"] and all("Zhak" in e["quote"] for e in dossier["events"])
    dates = [sort_key(e["date"]) for e in dossier["events"] if e["date"]]
    assert dates == sorted(dates)


def test_export_writes_events_with_citations(kz: Library, tmp_path: Path) -> None:
    counts = export_library(kz.store, tmp_path / "out")
    rows = read_jsonl(tmp_path / "out" / "events.jsonl")
    assert counts["events"] == len(rows) == len(kz.events.list())
    killing = next(r for r in rows if r["quote"].startswith(KILLING))
    assert killing["type"] == "killing" and killing["date"] == "2003-07-01" and killing["iccpr"]
    assert killing["passage_id"] and killing["event_group"] and killing["citation"]["line_start"] == 61
    assert "000_81691023f15c1c92.txt" in killing["citation"]["formatted"]


def test_cli(kz: Library) -> None:
    runner = CliRunner()
    db = ["--db", str(kz.path)]
    text = runner.invoke(main, [*db, "timeline", "--type", "killing", "--from", "2003-07", "--to", "2003-07"])
    assert text.exit_code == 0, text.output
    assert "2003-07-01  killing  " + KILLING in text.output and "lines 61-62 of 000_" in text.output
    as_json = runner.invoke(main, [*db, "timeline", "--entity", "Zhakianov", "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert {r["citation"]["file_name"][:3] for r in json.loads(as_json.output)} == {"000", "001", "002"}
    as_csv = runner.invoke(main, [*db, "timeline", "--right", "19", "--country", "KZ", "--csv"])
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert rows and all(r["citation"] and r["date"] for r in rows)
    report = runner.invoke(main, [*db, "events", "001", "--json"])
    assert report.exit_code == 0 and {e["report_id"] for e in json.loads(report.output)} == {kz.report("001").id}
    dossier = runner.invoke(main, [*db, "dossier", "Zhakiyanov", "--json"])
    assert dossier.exit_code == 0 and json.loads(dossier.output)["events"]
    bad = runner.invoke(main, [*db, "timeline", "--from", "last year"])
    assert bad.exit_code != 0 and "YYYY" in bad.output


def test_removing_a_report_leaves_no_events(kz: Library, tmp_path: Path) -> None:
    db = tmp_path / "copy.db"
    with closing(sqlite3.connect(kz.path)) as source, closing(sqlite3.connect(db)) as copy:
        source.backup(copy)
    with Library(db) as lib:
        letter = lib.report("002")
        lib.remove(letter)
        assert lib.store.events(report_id=letter.id) == []
        assert all(e.report_id != letter.id for e in lib.events.list())
        lines = lib.events.timeline(entity="Zhakiyanov")
        assert {_prefix(lib, t.citation.report_id) for t in lines} == {"000", "001"}
        assert lib.events.extract()["reports"] == 0


@pytest.mark.slow
def test_cli_eval_events_and_timelines_on_the_dev_set(tmp_path: Path) -> None:
    if not EVAL_DEV.exists():
        pytest.skip("dev annotations absent")
    runner = CliRunner()
    events_out, timelines_out = tmp_path / "events.json", tmp_path / "timelines.json"
    events = runner.invoke(main, ["eval", "events", "--gold", str(EVAL_DEV), "--out", str(events_out)])
    assert events.exit_code == 0, events.output
    scores = json.loads(events_out.read_text())
    assert scores["gold"] > 100 and scores["recall"] >= 0.75 and scores["annotated_sections"]["f1"] >= 0.75
    assert "in annotated sections" in events.output
    timelines = runner.invoke(
        main, ["eval", "timelines", "--gold", str(EVAL_DEV), "--out", str(timelines_out), "--json"]
    )
    assert timelines.exit_code == 0, timelines.output
    assert (
        json.loads(timelines.output)["timelines"] == 6 and json.loads(timelines_out.read_text())["fact_recall"] >= 0.8
    )


def test_workbench_timeline_and_its_json_twin(kz: Library) -> None:
    with TestClient(create_app(kz.path)) as client:
        found = client.get("/timeline", params={"entity": "Zhakianov"}, headers=JSON).json()
        assert found["total"] == len(found["lines"]) == len(kz.events.timeline(entity="Zhakianov"))
        assert {line["citation"]["file_name"][:3] for line in found["lines"]} == {"000", "001", "002"}
        assert sum(y["events"] for y in found["years"]) == found["total"]
        html = client.get("/timeline", params={"type": "killing", "from": "2003-07", "to": "2003-07"}).text
        assert KILLING in html and "lines 61-62 of 000_" in html and "<svg" in html
        assert 'href="/passages/8dba4a1cd8a5fbcd%3Ap00007"' in html  # the line links to its passage
        assert client.get("/timeline", params={"from": "last year"}, headers=JSON).status_code == 400
