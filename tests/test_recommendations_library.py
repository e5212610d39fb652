"""Recommendations in the library, on the real corpus: stored per report, filters, the follow-up trail of the shadow
report's quoted Committee asks into the 2019 State Department report, groups across reports, export, the CLI, the
workbench's JSON twins, and no stale rows when a report is replaced or removed."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from conftest import EVAL_DEV, KAZAKHSTAN, indexed_library, read_jsonl
from covenant.cli import main
from covenant.errors import NotFoundError, QueryError
from covenant.eval.matching import normalise
from covenant.library import Library
from covenant.pipeline import build_document
from covenant.recommendations import extract_recommendations
from covenant.recommendations.followup import report_date
from covenant.web.app import create_app

JSON = {"Accept": "application/json"}
DEFAMATION = "the State party should review its legislation on defamation and insults"


@pytest.fixture(scope="module")
def kz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """The five reference reports, indexed with vectors: rights labels, recommendations and follow-up links."""
    if not KAZAKHSTAN.exists():
        pytest.skip("reference corpus ../shared is absent")
    lib = indexed_library(tmp_path_factory.mktemp("recs") / "kz.db", sorted(KAZAKHSTAN.glob("*.txt")), semantic=True)
    yield lib
    lib.close()


def _ask(lib: Library, words: str, report: str = "004") -> str:
    found = [r for r in lib.recommendations.list(report=report) if normalise(words) in normalise(r.quote)]
    assert len(found) == 1, [r.quote for r in found]
    return found[0].id


def _part_one(lib: Library) -> list[str]:
    """The asks under 004's first part (the Committee's 2011 recommendations and what the NGOs say of them)."""
    passages = {p.id: p for p in lib.passages("004")}
    return [
        r.id
        for r in lib.recommendations.list(report="004")
        if r.passage_id and passages[r.passage_id].section_path[0].startswith("I. IMPLEMENTATION OF RECOMMENDATIONS")
    ]


@pytest.mark.slow
def test_every_report_is_read_once_and_stored_as_extracted(kz: Library) -> None:
    assert kz.recommendations.pending() == []
    for report in kz.reports():
        stored = kz.recommendations.list(report=report.id)
        fresh = extract_recommendations(build_document(KAZAKHSTAN / report.file_name))
        assert [(r.id, r.quote, r.issuer, r.status_claimed) for r in stored] == [
            (r.id, r.quote, r.issuer, r.status_claimed) for r in fresh
        ]
        text = kz.clean_text(report)
        assert all(text[r.start : r.end] == r.quote for r in stored)
    # nothing changed: a second index() reads no report again and keeps the links
    links = len(kz.store.recommendation_links())
    assert kz.index(semantic=True)["recommendation_reports"] == 0
    assert len(kz.store.recommendation_links()) == links > 0


@pytest.mark.slow
def test_filters_by_issuer_right_status_and_report(kz: Library) -> None:
    everything = kz.recommendations.list()
    committee = kz.recommendations.list(issuer="human rights committee")
    assert committee and all("Human Rights Committee" in (r.issuer or "") for r in committee)
    assert len(committee) < len(everything)
    on_19 = kz.recommendations.list(right="19")
    assert on_19 and all(19 in r.iccpr for r in on_19)
    # the articles are the rights labels in effect of each ask's passage
    for rec in on_19[:10]:
        assert "19" in {lab.code for lab in kz.rights.of(rec.passage_id or "") if lab.scheme == "iccpr"}
    assert kz.recommendations.list(right="iccpr:19") == on_19
    failed = kz.recommendations.list(status="not_implemented")
    assert failed and all(r.status_claimed == "not_implemented" for r in failed)
    unassessed = kz.recommendations.list(status="none")
    assert len(unassessed) + sum(
        len(kz.recommendations.list(status=s))
        for s in (
            "implemented",
            "partially_implemented",
            "not_implemented",
        )
    ) == len(everything)
    letter = kz.recommendations.list(report="002")
    assert letter and {r.report_id for r in letter} == {kz.report("002").id}
    both = kz.recommendations.list(report="004", issuer="Committee", right="19", status="not_implemented")
    assert both and all(r.report_id == kz.report("004").id for r in both)
    with pytest.raises(QueryError, match="unknown status"):
        kz.recommendations.list(status="done")
    with pytest.raises(QueryError, match="ICCPR"):
        kz.recommendations.list(right="media")


@pytest.mark.slow
def test_a_committee_ask_quoted_in_the_shadow_report_has_its_trail_into_2019(kz: Library) -> None:
    ask = kz.recommendations.get(_ask(kz, DEFAMATION))
    assert ask.issuer == "UN Human Rights Committee" and ask.status_claimed == "not_implemented"
    assert kz.recommendations.get(ask.id.replace(ask.report_id, ask.report_id[:8])) == ask  # a short id too
    trail = kz.recommendations.follow_up(ask)
    stated = [k for k in trail if k.kind == "stated"]
    # the NGOs' own assessment, in the passage the status comes from, is stated in words
    assert [k.passage_id for k in stated] == [ask.status_passage_id]
    assert "not been implemented" in stated[0].evidence["cue"]
    later = kz.report("003")
    reaching = [k for k in trail if k.kind == "inferred" and k.passage_id.startswith(later.id)]
    assert reaching, trail
    assert reaching[0].date == report_date(later) == "2019"
    assert "defamat" in kz.passage(reaching[0].passage_id).text
    assert 0 < reaching[0].score <= 1 and "19" in reaching[0].evidence["rights"]
    assert [k.date for k in trail] == sorted(k.date or "" for k in trail)
    # links go only to reports written after the ask, about the same country
    years = {r.id: int((report_date(r) or "0")[:4]) for r in kz.reports()}
    for rec in kz.recommendations.list():
        for link in kz.recommendations.follow_up(rec):
            if link.kind == "inferred":
                assert link.passage_id.split(":")[0] != rec.report_id
                assert years[link.passage_id.split(":")[0]] > years[rec.report_id] or rec.date


@pytest.mark.slow
def test_part_one_asks_have_stated_and_inferred_follow_up(kz: Library) -> None:
    part_one = _part_one(kz)
    assert len(part_one) >= 60
    links = {rid: kz.recommendations.follow_up(rid) for rid in part_one}
    stated = [rid for rid, found in links.items() if any(k.kind == "stated" for k in found)]
    inferred = [rid for rid, found in links.items() if any(k.kind == "inferred" for k in found)]
    assessed = [rid for rid in part_one if kz.recommendations.get(rid).status_claimed]
    # every ask the NGOs assess has its stated link, and the 2019 report follows some of them up
    assert set(stated) == {
        rid for rid in assessed if kz.recommendations.get(rid).issuer != "Kazakhstani human rights NGOs"
    }
    assert inferred


@pytest.mark.slow
def test_export_writes_each_ask_with_citation_and_follow_up(kz: Library, tmp_path: Path) -> None:
    counts = kz.export(tmp_path / "out")
    records = read_jsonl(tmp_path / "out" / "recommendations.jsonl")
    assert counts["recommendations"] == len(records) == len(kz.recommendations.list())
    by_id = {r["id"]: r for r in records}
    ask = by_id[_ask(kz, DEFAMATION)]
    for name in ("quote", "issuer", "addressee", "iccpr", "status_claimed", "cited_from", "passage_id", "response"):
        assert name in ask
    assert ask["group"] == ask["id"] and ask["iccpr"] == [19]
    assert "004_c44e466740d2cce1.txt" in ask["citation"]["formatted"]
    assert {k["kind"] for k in ask["follow_up"]} == {"stated", "inferred"}
    assert all(0 < k["score"] <= 1 and "evidence" in k for k in ask["follow_up"])


@pytest.mark.slow
def test_cli_lists_shows_a_trail_and_writes_csv(kz: Library) -> None:
    runner = CliRunner()
    db = str(kz.path)
    listed = runner.invoke(
        main, ["--db", db, "recommendations", "--report", "004", "--status", "not_implemented", "--json"]
    )
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert len(rows) == len(kz.recommendations.list(report="004", status="not_implemented"))
    assert all(r["follow_up"]["stated"] >= 1 for r in rows if r["issuer"] == "UN Human Rights Committee")
    table = runner.invoke(main, ["--db", db, "recommendations", "--issuer", "Human Rights Watch"])
    assert table.exit_code == 0 and "Human Rights Watch" in table.output
    as_csv = runner.invoke(main, ["--db", db, "recommendations", "--right", "19", "--csv"])
    header, *lines = as_csv.output.splitlines()
    assert header.startswith("id,report_id,issuer") and len(lines) >= len(kz.recommendations.list(right="19"))
    ask = _ask(kz, DEFAMATION)
    shown = runner.invoke(main, ["--db", db, "recommendation", ask])
    assert shown.exit_code == 0, shown.output
    assert "UN Human Rights Committee" in shown.output and "stated" in shown.output and "inferred" in shown.output
    data = json.loads(runner.invoke(main, ["--db", db, "recommendation", ask, "--json"]).output)
    assert data["id"] == ask and data["citation"]["formatted"] and data["follow_up"]
    missing = runner.invoke(main, ["--db", db, "recommendation", f"{ask[:-5]}99999"])
    assert missing.exit_code == 1 and "no recommendation" in missing.output


def test_cli_eval_recommendations_on_the_letter(tmp_path: Path) -> None:
    if not EVAL_DEV.exists():
        pytest.skip("dev annotations absent")
    # one annotated report (the HRW letter) keeps the run short: its passages are embedded for the rights model
    gold = tmp_path / "gold"
    shutil.copytree(EVAL_DEV / "002_e77f42745581b012", gold / "002_e77f42745581b012")
    rows = [r for r in read_jsonl(EVAL_DEV / "reports.jsonl") if r["report"] == "002_e77f42745581b012"]
    for row in rows:
        row["file"] = str(KAZAKHSTAN / Path(row["file"]).name)  # FORMAT's paths are relative to the shared folder
    (gold / "reports.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "eval.json"
    result = CliRunner().invoke(main, ["eval", "recommendations", "--gold", str(gold), "--out", str(out)])
    assert result.exit_code == 0, result.output
    scores = json.loads(out.read_text())
    assert scores["recall"] >= 0.9 and scores["issuer_accuracy"] >= 0.9
    assert scores["rights_pairs"] > 0 and scores["rights_overlap"] is not None
    assert "rights_accuracy" in result.output


@pytest.mark.slow
def test_workbench_json_twins(kz: Library) -> None:
    with TestClient(create_app(kz.path)) as client:
        listing = client.get("/recommendations", params={"report": "004", "right": "19"}, headers=JSON).json()
        assert (
            listing["total"]
            == len(listing["recommendations"])
            == len(kz.recommendations.list(report="004", right="19"))
        )
        assert listing["filters"]["right"] == "19"
        ask = _ask(kz, DEFAMATION)
        trail = client.get(f"/recommendations/{ask}", headers=JSON).json()
        assert trail["id"] == ask and trail["follow_up"][0]["kind"] == "stated"
        assert all(k["text"] and k["citation"]["formatted"] for k in trail["follow_up"])
        html = client.get(f"/recommendations/{ask}")
        assert html.headers["content-type"].startswith("text/html") and "What happened after" in html.text
        assert client.get("/recommendations?status=done", headers=JSON).status_code == 400
        assert client.get("/recommendations/9d977a4b:r99999", headers=JSON).status_code == 404


def test_a_replaced_or_removed_report_leaves_no_stale_rows(tmp_path: Path) -> None:
    if not KAZAKHSTAN.exists():
        pytest.skip("reference corpus ../shared is absent")
    folder = tmp_path / "reports"
    folder.mkdir()
    letter = folder / "letter.txt"
    shutil.copy(KAZAKHSTAN / "002_e77f42745581b012.txt", letter)
    # the same letter sent again later with a line of its own: its asks repeat, grouped across the two reports
    again = folder / "letter-again.txt"
    again.write_text(letter.read_text(encoding="utf-8") + "\nSent again.\n", encoding="utf-8")
    with Library(tmp_path / "lib.db") as lib:
        lib.ingest([letter, again], workers=1)
        lib.index(semantic=False)
        first, second = (lib.report(name) for name in ("letter.txt", "letter-again.txt"))
        asks = lib.recommendations.list(report=first.id)
        assert asks and len(lib.recommendations.list(report=second.id)) == len(asks)
        ask = asks[0]
        members = lib.recommendations.group(ask)
        assert {r.report_id for r in members} == {first.id, second.id}
        assert len({r.group for r in members}) == 1
        # replacing the second file: its old asks and their links go, the new version is read on index()
        again.write_text(again.read_text(encoding="utf-8") + "\nAnd once more.\n", encoding="utf-8")
        lib.ingest([again], workers=1)
        assert lib.store.recommendations(second.id) == []
        lib.index(semantic=False)
        third = lib.report("letter-again.txt")
        assert third.id != second.id and len(lib.recommendations.list(report=third.id)) == len(asks)
        assert {r.report_id for r in lib.recommendations.group(ask)} == {first.id, third.id}
        lib.remove(first)
        assert lib.store.recommendations(first.id) == []
        assert all(not k.recommendation_id.startswith(first.id) for k in lib.store.recommendation_links())
        with pytest.raises(NotFoundError):
            lib.recommendations.get(ask.id)
        lib.index(semantic=False)
        assert {r.group for r in lib.recommendations.list()} <= {r.id for r in lib.recommendations.list()}
        assert set(lib.store.recommendation_runs()) == {third.id}
