"""Rights labels on the real corpus: the taxonomy's crosswalk, the shipped model on reports it never saw, the
library's labels, counts, filters and a user's corrections, and real training on a small slice."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from conftest import KAZAKHSTAN, STATE_DEPT, indexed_library, needs_corpus
from covenant.cli import main
from covenant.errors import QueryError
from covenant.library import Library
from covenant.rights.classifier import load_model
from covenant.rights.crosswalk import (
    SCHEMES,
    labels,
    new_section,
    old_section,
    parse_right,
    units_in_section,
)
from covenant.rights.labeller import LabelOptions, label_report
from covenant.rights.taxonomy import ICCPR, ICESCR, SECTIONS_2003, SECTIONS_2017, THEMES, UNITS
from covenant.rights.train import TrainingPlan, train_rights


# -- the taxonomy ---------------------------------------------------------------------------------------
def test_the_crosswalk_is_total() -> None:
    # Every section of either numbering has its counterpart in the other and at least one unit with labels.
    for code in SECTIONS_2017:
        assert old_section(code) in SECTIONS_2003, code
        assert units_in_section(code), code
    for code in SECTIONS_2003:
        assert new_section(code) in SECTIONS_2017, code
        assert units_in_section(code, old_scheme=True), code
    for unit in UNITS:
        found = labels(unit)
        assert found["dos_section"][0] in SECTIONS_2017
        assert found["iccpr"] or found["icescr"] or found["theme"], unit
        assert all(int(a) in ICCPR for a in found["iccpr"])
        assert all(int(a) in ICESCR for a in found["icescr"])
        assert all(t in THEMES for t in found["theme"])
    assert sorted(ICCPR) == list(range(1, 28))


def test_the_shipped_word_features_are_those_of_training() -> None:
    # Labelling computes TF-IDF with numpy; it must equal scikit-learn's transform that training used.
    from sklearn.feature_extraction.text import TfidfVectorizer

    from covenant.rights.classifier import TFIDF

    model = load_model()
    vectorizer = TfidfVectorizer(vocabulary=model.vocabulary, **TFIDF)
    vectorizer.idf_ = model.idf
    texts = [
        "Police beat detainees in pretrial detention; the court refused bail.",
        "The newspaper's website was blocked, and its editor fined under the law on mass media.",
        "",
        "Ещё один текст без английских слов",
    ]
    expected = np.asarray(vectorizer.transform(texts) @ model.text_coef.T) + model.text_intercept
    assert np.allclose(model.text_logits(texts), expected, atol=1e-4)


def test_rights_as_users_write_them() -> None:
    assert parse_right("19") == ("iccpr", "19")
    assert parse_right("iccpr:7") == ("iccpr", "7")
    assert parse_right("1.c") == ("dos_section", "1.c")
    assert parse_right("dos:6.f") == ("dos_section", "6.f")
    assert parse_right("Prison conditions") == ("theme", "prison_conditions")
    assert parse_right("icescr:8") == ("icescr", "8")
    for bad in ("99", "iccpr:0", "1.z", "no-such-theme", "bogus:1"):
        with pytest.raises(QueryError, match="unknown right"):
            parse_right(bad)


# -- the shipped model on reports it never saw ----------------------------------------------------------
@pytest.fixture(scope="module")
def kz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    if not KAZAKHSTAN.exists():
        pytest.skip("reference corpus ../shared is absent")
    db = tmp_path_factory.mktemp("rights") / "kz.db"
    lib = indexed_library(db, sorted(KAZAKHSTAN.glob("*.txt")), semantic=True)
    yield lib
    lib.close()


@needs_corpus
def test_article_19_passages_of_the_shadow_report_are_19_with_their_headings_removed(kz: Library) -> None:
    report = kz.report("004")
    passages = kz.passages(report)
    under_19 = [
        p
        for p in passages
        if any(h.strip().lower().startswith("article 19") for h in p.section_path) and len(p.text) > 200
    ]
    assert len(under_19) >= 10
    model = load_model()
    vectors = kz.rights.vectors(under_19, model)  # the library's stored vectors
    assert len(vectors) == len(under_19)
    found = label_report(model, kz.sections(report), under_19, vectors, LabelOptions(use_headings=False))
    with_19 = {lab.passage_id for lab in found if lab.scheme == "iccpr" and lab.code == "19" and lab.assigned}
    assert all("heading" not in lab.method for lab in found)
    assert len(with_19) >= 0.8 * len(under_19), (len(with_19), len(under_19))


def _iccpr(lib: Library, passage_id: str) -> set[str]:
    return {lab.code for lab in lib.rights.of(passage_id) if lab.scheme == "iccpr"}


def _find(lib: Library, report: str, words: str) -> str:
    matches = [p.id for p in lib.passages(lib.report(report)) if words in p.text]
    assert len(matches) == 1, (words, matches)
    return matches[0]


@needs_corpus
def test_prison_conditions_are_10_and_7_only_where_ill_treatment_is_told(kz: Library) -> None:
    conditions = _find(kz, "000", "Prisoners were held in close proximity, barracks-style facilities")
    beaten = _find(kz, "000", "scores of MVD officers entered the facility to restore order and severely beat")
    assert _iccpr(kz, conditions) == {"10"}
    assert {"7", "10"} <= _iccpr(kz, beaten)


@needs_corpus
def test_a_russian_passage_about_a_blocked_website_is_19(kz: Library, tmp_path: Path) -> None:
    text = (
        "Блокировка сайтов\n\n"
        "В марте власти заблокировали доступ к независимому новостному сайту и к нескольким блогам, которые "
        "критиковали правительство. Пользователи не могли открыть сайт без VPN, а владельцу сайта отказали в "
        "объяснении причин блокировки. Журналисты назвали это цензурой в интернете.\n"
    )
    path = tmp_path / "ru_blocked_site.txt"
    path.write_text(text, encoding="utf-8")
    with Library(tmp_path / "ru.db") as lib:
        lib.ingest([path], workers=1)
        lib.index(semantic=True)
        passage = next(p for p in lib.passages() if "заблокировали" in p.text)
        labels_ = lib.rights.of(passage)
        assert "19" in {lab.code for lab in labels_ if lab.scheme == "iccpr"}, lib.rights.of(passage, all_scores=True)
        assert all(lab.method.startswith("model:rights-v1:vector") for lab in labels_ if lab.scheme == "iccpr")


@needs_corpus
def test_the_matrix_adds_up_to_the_labels_in_effect(kz: Library) -> None:
    cells = kz.rights.matrix("iccpr")
    stored = sum(
        1
        for report in kz.reports()
        for labs in kz.rights.report_labels(report).values()
        for lab in labs
        if lab.scheme == "iccpr"
    )
    assert stored > 500
    assert sum(c.passages for c in cells) == stored
    per_report = {r.id: sum(row["passages"] for row in kz.rights.summary(r, "iccpr")) for r in kz.reports()}
    assert sum(per_report.values()) == stored


@needs_corpus
def test_search_filters_and_counts_by_right(kz: Library) -> None:
    results = kz.search("newspaper closed", mode="bm25", filters=["right=19"], limit=20)
    assert results.hits
    for hit in results.hits:
        assert "19" in _iccpr(kz, hit.passage_id)
    assert results.facets["right"].get("19", 0) >= len(results.hits)
    assert kz.search("newspaper closed", mode="bm25", filters=["right=27"], limit=20).hits != results.hits
    with pytest.raises(QueryError, match="unknown right"):
        kz.search("newspaper", filters=["right=42"])


# -- a user's corrections -------------------------------------------------------------------------------
@needs_corpus
def test_a_correction_wins_and_survives_relabelling_reingest_and_export(tmp_path: Path) -> None:
    report = tmp_path / "000.txt"
    shutil.copy(KAZAKHSTAN / "000_81691023f15c1c92.txt", report)
    with indexed_library(tmp_path / "c.db", [report], semantic=False) as lib:
        pid = _find(lib, "000", "Prisoners were held in close proximity, barracks-style facilities")
        lib.rights.set(pid, "iccpr:7")
        lib.rights.remove(pid, "10")
        assert _iccpr(lib, pid) == {"7"}
        assert pid in lib.rights.passages_with("7") and pid not in lib.rights.passages_with("10")
        lib.rights.label(relabel=True)
        lib.ingest([report])  # unchanged: nothing moves
        assert _iccpr(lib, pid) == {"7"}
        user = [lab for lab in lib.rights.of(pid) if lab.method == "user"]
        assert [(lab.code, lab.score) for lab in user] == [("7", 1.0)]
        counts = lib.export(tmp_path / "out")
        assert counts["label_corrections"] == 2
        rows = [json.loads(line) for line in (tmp_path / "out" / "labels.jsonl").read_text().splitlines()]
        mine = {(r["scheme"], r["code"]) for r in rows if r["passage_id"] == pid}
        assert ("iccpr", "7") in mine and ("iccpr", "10") not in mine
        assert counts["labels"] == len(rows)
        fixes = [json.loads(line) for line in (tmp_path / "out" / "label_corrections.jsonl").read_text().splitlines()]
        assert {(f["code"], f["present"]) for f in fixes} == {("7", True), ("10", False)}
        assert all(f["text"].startswith("Prisoners were held") for f in fixes)
        assert lib.rights.forget(pid, "10")
        assert "10" in _iccpr(lib, pid)


# -- real training on a small real slice ----------------------------------------------------------------
def _slice(folder: Path) -> list[Path]:
    picked = []
    for year in range(2017, 2023):
        for name in ("armenia.html", "kenya.html", "peru.html"):
            source = STATE_DEPT / str(year) / name
            if source.exists():
                target = folder / str(year) / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(source, target)
                picked.append(target)
    return picked


@pytest.mark.slow
@pytest.mark.skipif(not STATE_DEPT.exists(), reason="State Department pages are absent")
def test_training_on_a_small_slice_and_a_correction_surviving_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _slice(tmp_path / "pages")
    assert len(files) == 18
    with Library(tmp_path / "train.db") as lib:
        lib.ingest(files, workers=1)
        model, report = train_rights(lib.store, TrainingPlan(vector_every=3, max_words=20000, min_df=2))
        assert report["passages"]["fit"] > 1000 and report["passages"]["test"] > 500
        assert report["vector_passages"] > 300
        test = report["test"]["words"]
        # Far above chance over ~45 units; the shipped model, trained on every page, does much better.
        assert test["dos_section"]["accuracy"] > 0.6
        assert test["iccpr"]["macro_f1"] > 0.4
        for part in report["test"].values():
            assert 0 <= part["iccpr"]["ece"] <= 0.2
        out = tmp_path / "rights-small.npz"
        model.save(out)
        assert out.stat().st_size < 8_000_000
        again = load_model(out)
        assert again.units == model.units and again.threshold == model.threshold

        pid = lib.passages(lib.reports()[0])[30].id
        lib.rights.set(pid, "27")
        monkeypatch.setenv("COVENANT_RIGHTS_MODEL", str(out))
        retrained = Library(tmp_path / "train.db")
        done = retrained.rights.label(reports=[lib.reports()[0].id], relabel=True)
        assert done["passages"] == len(lib.passages(lib.reports()[0]))
        assert "27" in _iccpr(retrained, pid)
        assert retrained.rights.model.info["vector_every"] == 3
        retrained.close()


# -- the commands ---------------------------------------------------------------------------------------
@needs_corpus
def test_rights_commands(kz: Library, tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(kz.path)
    shown = runner.invoke(main, ["--db", db, "rights", "000", "--scheme", "iccpr", "--json"])
    assert shown.exit_code == 0, shown.output
    rows = json.loads(shown.output)["rights"]
    assert {"19", "9", "7", "10"} <= {r["code"] for r in rows}
    matrix = runner.invoke(main, ["--db", db, "rights", "--matrix", "--csv"])
    assert matrix.exit_code == 0
    lines = matrix.output.splitlines()
    assert lines[0] == "scheme,code,name,year,source,passages"
    assert any(",2003,U.S. Department of State," in line for line in lines)
    table = runner.invoke(main, ["--db", db, "rights", "--matrix"])
    assert table.exit_code == 0 and "19 Expression" in table.output
    both = runner.invoke(main, ["--db", db, "rights", "000", "--matrix"])
    assert both.exit_code != 0 and "REPORT, or --matrix" in both.output
    pid = _find(kz, "000", "Prisoners were held in close proximity, barracks-style facilities")
    shown = runner.invoke(main, ["--db", db, "label", pid, "--json"])
    assert shown.exit_code == 0
    assert any(lab["code"] == "10" for lab in json.loads(shown.output)["labels"])
    bad = runner.invoke(main, ["--db", db, "label", pid, "99"])
    assert bad.exit_code == 1 and "unknown right '99'" in bad.output
    unknown = runner.invoke(main, ["--db", db, "label", "nosuch:p00001", "19"])
    assert unknown.exit_code == 1
    assert set(SCHEMES) == {"iccpr", "dos_section", "theme", "icescr"}


# -- the workbench --------------------------------------------------------------------------------------
@needs_corpus
def test_the_workbench_heatmap_passages_and_a_users_label(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from covenant.web import create_app
    from covenant.web.auth import create_token

    report = tmp_path / "000.txt"
    shutil.copy(KAZAKHSTAN / "000_81691023f15c1c92.txt", report)
    with indexed_library(tmp_path / "w.db", [report], semantic=False) as lib:
        token = create_token(lib, "tester")[0]
        pid = _find(lib, "000", "Prisoners were held in close proximity, barracks-style facilities")
        cells = [c.to_dict() for c in lib.rights.matrix("iccpr")]
    json_headers = {"Accept": "application/json"}
    with TestClient(create_app(tmp_path / "w.db")) as client:
        heat = client.get("/rights", headers=json_headers).json()
        assert heat == {"scheme": "iccpr", "cells": cells}
        cell = next(c for c in cells if c["code"] == "10")
        listed = client.get(
            "/rights/passages",
            params={"right": "10", "year": cell["year"], "source": cell["source"]},
            headers=json_headers,
        ).json()
        assert listed["total"] == cell["passages"] == len(listed["passages"])
        assert pid in {item["passage"]["id"] for item in listed["passages"]}
        assert client.get("/rights/passages", params={"right": "42"}, headers=json_headers).status_code == 400
        refused = client.post(f"/passages/{pid}/rights", json={"right": "7"})
        assert refused.status_code == 401
        auth = {"Authorization": f"Bearer {token}"}
        done = client.post(f"/passages/{pid}/rights", json={"right": "iccpr:7"}, headers=auth).json()
        assert {(lab["code"], lab["method"]) for lab in done["labels"]} >= {("7", "user")}
        off = client.post(f"/passages/{pid}/rights", json={"right": "10", "present": "false"}, headers=auth).json()
        assert "10" not in {lab["code"] for lab in off["labels"] if lab["scheme"] == "iccpr"}
        back = client.delete(f"/passages/{pid}/rights/10", headers=auth).json()
        assert "10" in {lab["code"] for lab in back["labels"] if lab["scheme"] == "iccpr"}
        assert client.delete(f"/passages/{pid}/rights/10", headers=auth).status_code == 404
        reader = client.get(f"/reports/{pid.split(':')[0]}", headers=json_headers).json()
        mine = next(p for p in reader["passages"] if p["id"] == pid)
        assert ("7", "user") in {(lab["code"], lab["method"]) for lab in mine["rights"]}
