"""The store contract: every backend must pass these (SQLite today; PostgreSQL later joins BACKENDS)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import KAZAKHSTAN
from covenant.batch import ingest_files as ingest
from covenant.errors import NotFoundError, QueryError, StoreError
from covenant.model import IngestEvent
from covenant.pipeline import build_document
from covenant.store.base import Store
from covenant.store.sqlite import SQLiteStore


def _sqlite(tmp: Path) -> Store:
    return SQLiteStore(tmp / "contract.db")


BACKENDS: dict[str, Callable[[Path], Store]] = {"sqlite": _sqlite}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    store = BACKENDS[request.param](tmp_path)
    yield store
    store.close()


def _report_file(tmp_path: Path, name: str = "letter.txt", extra: str = "") -> Path:
    path = tmp_path / name
    path.write_text(
        "Norland\n\nHarassment of Journalists\n"
        "On 3 May 2023 police in Norburg detained the editor of the newspaper Free Voice for two days. "
        "The court later fined the newspaper and ordered it closed." + extra + "\n\n"
        "Freedom of Assembly\nAuthorities dispersed a peaceful rally in the capital on 12 June 2023 and "
        "arrested fifteen participants, according to local monitors.\n",
        encoding="utf-8",
    )
    return path


def test_round_trip_of_a_document(backend: Store, tmp_path: Path) -> None:
    path = _report_file(tmp_path)
    doc = build_document(path)
    backend.save_document(doc, str(path), IngestEvent(str(path), "added", report_id=doc.report.id), None)
    assert backend.has_report(doc.report.id)
    assert backend.report_id_for_path(str(path)) == doc.report.id
    stored = backend.find_report(doc.report.id)
    assert stored.to_dict() == doc.report.to_dict()
    assert [s.to_dict() for s in backend.sections(doc.report.id)] == [s.to_dict() for s in doc.sections]
    assert [p.to_dict() for p in backend.passages(doc.report.id)] == [p.to_dict() for p in doc.passages]
    assert backend.passage(doc.passages[0].id).to_dict() == doc.passages[0].to_dict()
    assert backend.clean_text(doc.report.id) == doc.clean_text
    assert backend.offset_map(doc.report.id) == doc.offset_map
    assert backend.passage_counts() == {doc.report.id: len(doc.passages)}
    assert backend.find_report("letter.txt").id == doc.report.id
    assert backend.find_report(doc.report.id[:6]).id == doc.report.id


def test_unknown_references_raise_not_found(backend: Store) -> None:
    with pytest.raises(NotFoundError):
        backend.find_report("nothing-like-this")
    with pytest.raises(NotFoundError):
        backend.passage("nope:p00001")


def test_reingest_unchanged_then_replaced(backend: Store, tmp_path: Path) -> None:
    path = _report_file(tmp_path)
    first = ingest([path], backend)
    assert first.counts == {"added": 1}
    again = ingest([path], backend)
    assert again.counts == {"unchanged": 1}
    old_id = first.events[0].report_id
    _report_file(tmp_path, extra=" The editor was released on 10 May 2023.")
    changed = ingest([path], backend)
    assert changed.counts == {"replaced": 1}
    new_id = changed.events[0].report_id
    assert new_id != old_id
    assert not backend.has_report(old_id)
    assert [r.id for r in backend.reports()] == [new_id]
    assert all(p.report_id == new_id for p in backend.passages())
    statuses = [e.status for e in backend.ingest_log()]
    assert statuses == ["replaced", "unchanged", "added"]


def test_same_content_under_two_names_is_one_report(backend: Store, tmp_path: Path) -> None:
    a = _report_file(tmp_path, "a.txt")
    b = tmp_path / "b.txt"
    b.write_bytes(a.read_bytes())
    summary = ingest([a, b], backend)
    assert summary.counts == {"added": 1, "unchanged": 1}
    assert len(backend.reports()) == 1


def test_a_failed_write_stores_nothing_of_that_report(backend: Store, tmp_path: Path) -> None:
    good = _report_file(tmp_path, "good.txt")
    ingest([good], backend)
    before = backend.stats()
    bad_path = _report_file(tmp_path, "bad.txt", extra=" Different text.")
    doc = build_document(bad_path)
    doc.passages.append(doc.passages[0])  # a duplicate id makes the write fail half-way
    with pytest.raises(StoreError):
        backend.save_document(doc, str(bad_path), IngestEvent(str(bad_path), "added"), None)
    assert backend.stats() == before
    assert not backend.has_report(doc.report.id)


def test_remove_report_removes_everything_derived(backend: Store, tmp_path: Path) -> None:
    path = _report_file(tmp_path)
    summary = ingest([path], backend)
    rid = summary.events[0].report_id
    assert backend.remove_report(rid)
    assert backend.reports() == [] and backend.passages() == [] and backend.sections(rid) == []
    assert backend.report_id_for_path(str(path.resolve())) is None
    assert ingest([path], backend).counts == {"added": 1}


@pytest.mark.skipif(not KAZAKHSTAN.exists(), reason="reference corpus ../shared is absent")
def test_reference_reports_store_with_footnotes(backend: Store) -> None:
    summary = ingest([KAZAKHSTAN], backend, workers=1)
    assert summary.counts == {"added": 5}
    shadow = backend.find_report("004_c44e466740d2cce1.txt")
    notes = backend.footnotes(shadow.id)
    assert len(notes) >= 170
    text = backend.clean_text(shadow.id)
    assert all(text[n.start : n.end] == n.text for n in notes)
    # By id, as search finds them: ids of passages or of nothing are left out.
    wanted = [notes[0].id, notes[-1].id, backend.passages(shadow.id)[0].id, f"{shadow.id}:n9999"]
    assert backend.footnotes_by_ids(wanted) == {notes[0].id: notes[0], notes[-1].id: notes[-1]}


def test_settings_round_trip(backend: Store) -> None:
    assert backend.setting("semantic_model") is None
    backend.set_setting("semantic_model", "a")
    backend.set_setting("semantic_model", "b")
    assert backend.setting("semantic_model") == "b"


def _stored(backend: Store, tmp_path: Path) -> list[str]:
    path = _report_file(tmp_path)
    ingest([path], backend)
    return [p.id for p in backend.passages()]


def test_tags_match_in_any_case_and_need_a_stored_passage(backend: Store, tmp_path: Path) -> None:
    first, second = _stored(backend, tmp_path)[:2]
    assert backend.add_tag(first, "Torture") and not backend.add_tag(first, "TORTURE")
    assert backend.add_tag(second, "torture") and backend.add_tag(second, "Zhovtis case")
    assert [c.to_dict() for c in backend.tag_counts()] == [
        {"tag": "Torture", "passages": 2, "orphaned": 0},
        {"tag": "Zhovtis case", "passages": 1, "orphaned": 0},
    ]
    assert backend.tagged_ids(["tORTURE"]) == {first, second}
    assert backend.tagged_ids(["zhovtis case", "nothing"]) == {second}
    assert [(t.passage_id, t.tag) for t in backend.tags("torture")] == [(first, "Torture"), (second, "torture")]
    assert backend.annotations([second, "x:p00001"]) == {second: (["torture", "Zhovtis case"], [])}
    assert backend.remove_tag(second, "ZHOVTIS CASE") and not backend.remove_tag(second, "Zhovtis case")
    with pytest.raises(NotFoundError):
        backend.add_tag("nope:p00001", "torture")
    with pytest.raises(QueryError):
        backend.add_tag(first, " ")


def test_notes_round_trip_and_search(backend: Store, tmp_path: Path) -> None:
    first, second = _stored(backend, tmp_path)[:2]
    made = backend.add_note(first, "Zhovtis appeal: ask the lawyer")
    other = backend.add_note(second, "Дело Жовтиса")
    assert backend.note(made.id).to_dict() == made.to_dict()
    assert [n.id for n in backend.notes()] == [made.id, other.id]
    assert [n.id for n in backend.notes(second)] == [other.id]
    assert [n.id for n in backend.notes(search="LAWYER zhovt")] == [made.id]
    assert [n.id for n in backend.notes(search="жовтиса")] == [other.id]
    edited = backend.edit_note(made.id, "appeal lodged")
    assert (edited.id, edited.text, edited.created_at) == (made.id, "appeal lodged", made.created_at)
    assert backend.annotations([first])[first][1][0].text == "appeal lodged"
    assert backend.remove_note(other.id) and not backend.remove_note(other.id)
    with pytest.raises(NotFoundError):
        backend.add_note("nope:p00001", "text")
    with pytest.raises(NotFoundError):
        backend.edit_note(other.id, "text")


def test_tags_and_notes_follow_their_text_into_a_replacing_version(backend: Store, tmp_path: Path) -> None:
    path = _report_file(tmp_path)
    ingest([path], backend)
    changed, kept = backend.passages()[0].id, backend.passages()[-1].id
    backend.add_tag(changed, "detention")
    backend.add_tag(kept, "assembly")
    note = backend.add_note(kept, "fifteen names")
    _report_file(tmp_path, extra=" The editor was released on 10 May 2023.")
    assert ingest([path], backend).counts == {"replaced": 1}
    new_kept = next(p.id for p in backend.passages() if "dispersed" in p.text)
    assert new_kept != kept and backend.tagged_ids(["assembly"]) == {new_kept}
    assert backend.notes(new_kept)[0].id == note.id
    counts = {c.tag: (c.passages, c.orphaned) for c in backend.tag_counts()}
    assert counts == {"assembly": (1, 0), "detention": (1, 1)}  # its text changed: orphaned, kept
    assert backend.tagged_ids(["detention"]) == set()


def test_a_removed_report_leaves_its_tags_and_notes_orphaned(backend: Store, tmp_path: Path) -> None:
    first = _stored(backend, tmp_path)[0]
    backend.add_tag(first, "torture")
    backend.add_note(first, "names")
    assert backend.remove_report(first.split(":")[0])
    assert [t.orphaned for t in backend.tags()] == [True] and [n.orphaned for n in backend.notes()] == [True]
    assert backend.tagged_ids(["torture"]) == set()
    ingest([tmp_path / "letter.txt"], backend)  # the same file again: the same passage ids
    assert [t.orphaned for t in backend.tags()] == [False] and backend.tagged_ids(["torture"]) == {first}
