"""Comparing two editions of a report, on real State Department pages and the Kazakhstan reports of 2003 and 2019."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import KAZAKHSTAN, STATE_DEPT, needs_corpus
from covenant.compare import Comparison, compare, normalise, word_diff
from covenant.errors import NotFoundError, QueryError
from covenant.library import Library

pytestmark = needs_corpus

KYRGYZ_2021 = STATE_DEPT / "2021" / "kyrgyz-republic.html"
KYRGYZ_2022 = STATE_DEPT / "2022" / "kyrgyz-republic.html"
KAZAKHSTAN_2003 = KAZAKHSTAN / "000_81691023f15c1c92.txt"
KAZAKHSTAN_2019 = KAZAKHSTAN / "003_45cd954fc36bba18.txt"


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    db = tmp_path_factory.mktemp("compare") / "lib.db"
    with Library(db) as lib:
        summary = lib.ingest([KYRGYZ_2021, KYRGYZ_2022, KAZAKHSTAN_2003, KAZAKHSTAN_2019], workers=1)
        assert summary.counts.get("added") == 4, summary.to_dict()
    with Library(db, read_only=True) as lib:
        yield lib


def report_id(lib: Library, path: Path) -> str:
    # Both Kyrgyz pages are named kyrgyz-republic.html: the ids tell them apart.
    return next(r.id for r in lib.reports() if Path(r.path).resolve() == path.resolve())


@pytest.fixture(scope="module")
def kyrgyz(library: Library) -> Comparison:
    return compare(library, report_id(library, KYRGYZ_2021), report_id(library, KYRGYZ_2022))


@pytest.fixture(scope="module")
def kazakhstan(library: Library) -> Comparison:
    return compare(library, KAZAKHSTAN_2003.name, KAZAKHSTAN_2019.name)


def test_a_report_compared_with_itself_is_all_unchanged(library: Library) -> None:
    ref = report_id(library, KYRGYZ_2021)
    summary = compare(library, ref, ref).summary()
    assert summary["unchanged"] == summary["passages_a"] == summary["passages_b"] == len(library.passages(ref))
    assert summary["changed"] == summary["added"] == summary["dropped"] == summary["moved"] == 0
    assert summary["new_text_share"] == 0.0


def test_kyrgyz_2021_and_2022_share_a_fifth_word_for_word_and_change_much_of_the_rest(kyrgyz: Comparison) -> None:
    summary = kyrgyz.summary()
    # Measured: 28 of 149 passages of 2022 repeat 2021 word for word, 83 are 2021's paragraphs edited.
    assert 0.15 <= summary["unchanged"] / summary["passages_b"] <= 0.3
    assert summary["changed"] >= summary["passages_b"] / 3
    assert 0 < summary["added"] < summary["passages_b"] / 2 and 0 < summary["dropped"] < summary["passages_a"] / 2
    assert 0.2 < summary["new_text_share"] < 0.6
    # every passage of either side is accounted for in some section
    seen_a = {p.a.id for s in kyrgyz.sections for p in s.passages if p.a is not None}
    seen_b = {p.b.id for s in kyrgyz.sections for p in s.passages if p.b is not None}
    assert len(seen_a) == summary["passages_a"] and len(seen_b) == summary["passages_b"]


def test_kyrgyz_sections_are_matched_by_code_and_a_relettered_one_by_title(kyrgyz: Comparison) -> None:
    matched = {s.section: s for s in kyrgyz.sections if s.status == "matched"}
    for code in ("1.a", "1.c", "1.e", "2.a", "2.b", "3", "4", "5", "7.a", "7.e"):
        assert matched[code].code_a == matched[code].code_b == code
    assert matched["EXECUTIVE SUMMARY"].matched_by == "code and title"
    assert matched["6 > Women"].matched_by == "code and title"
    # "f. Protection of Refugees" in 2021 is "e. Protection of Refugees" in 2022: the same section, relettered
    refugees = matched["2.e"]
    assert (refugees.code_a, refugees.code_b, refugees.matched_by) == ("2.f", "2.e", "title")
    assert "2.e" in kyrgyz.only_in_a  # 2021's "e. Status and Treatment of Internally Displaced Persons"


def test_a_changed_passage_has_a_word_diff_that_gives_back_both_texts(kyrgyz: Comparison) -> None:
    changed = [p for s in kyrgyz.sections for p in s.of("changed")]
    assert changed
    # A paragraph rewritten around what it keeps; the one exception is 2022's link that stood at the end of a
    # 2021 paragraph, now a passage of its own (its address no longer ends with the sentence's full stop).
    assert sum(not any(run.op == "equal" for run in p.diff) for p in changed) <= 1
    for passage in changed:
        assert passage.a is not None and passage.b is not None
        assert {run.op for run in passage.diff} & {"insert", "delete"}
        old = " ".join(run.text for run in passage.diff if run.op in ("equal", "delete"))
        new = " ".join(run.text for run in passage.diff if run.op in ("equal", "insert"))
        assert old == " ".join(passage.a.text.split()) and new == " ".join(passage.b.text.split())
        assert passage.a_citation is not None and passage.a_citation.quote == passage.a.text
        assert passage.b_citation is not None and passage.b_citation.quote == passage.b.text


def test_unchanged_passages_are_identical_once_normalised_and_cited_on_both_sides(
    library: Library, kyrgyz: Comparison
) -> None:
    unchanged = [p for s in kyrgyz.sections for p in s.of("unchanged")]
    assert unchanged
    for passage in unchanged:
        assert passage.a is not None and passage.b is not None and not passage.diff
        assert normalise(passage.a.text) == normalise(passage.b.text)
    first = unchanged[0]
    assert first.b is not None and first.b_citation is not None
    assert first.b_citation.to_dict() == library.cite(first.b).to_dict()


def test_a_renamed_subsection_keeps_its_paragraph_as_moved(kyrgyz: Comparison) -> None:
    # 2021's "HIV and AIDS Social Stigma" paragraph stands in 2022 under "Other Societal Violence or Discrimination"
    moved = [(s.section, p) for s in kyrgyz.sections for p in s.of("moved")]
    assert any(
        p.from_section == "6 > HIV and AIDS Social Stigma" and where.startswith("6 > Other Societal")
        for where, p in moved
    )
    left = next(s for s in kyrgyz.sections if s.section == "6 > HIV and AIDS Social Stigma")
    assert left.status == "only_in_a" and left.counts()["dropped"] == 0 and left.counts()["moved_out"] == 1


def test_kazakhstan_2003_and_2019_match_sections_by_code(kazakhstan: Comparison) -> None:
    matched = {s.section: s for s in kazakhstan.sections if s.status == "matched"}
    for code in ("2.a", "2.b", "5"):
        assert matched[code].code_a == matched[code].code_b == code
    # The headings were reworded between the editions; the code is what they share.
    assert matched["2.a"].matched_by == "code"
    assert matched["2.a"].title_a == "a. Freedom of Speech and Press"
    # The 2019 copy has no Section 1: every subsection of it is reported as only in 2003, its text as dropped.
    for code in ("1", "1.a", "1.c", "1.e", "6.f"):
        assert code in kazakhstan.only_in_a
    section_1 = [s for s in kazakhstan.sections if s.code_a and s.code_a.split(".")[0] == "1"]
    assert all(s.status == "only_in_a" and s.counts()["added"] == 0 for s in section_1)
    assert sum(s.counts()["dropped"] for s in section_1) > 40
    # 16 years apart, almost all of 2019 is new
    assert kazakhstan.summary()["new_text_share"] > 0.9


def test_section_filter_and_statuses(library: Library, kyrgyz: Comparison) -> None:
    only_2a = kyrgyz.restricted("2.a")
    assert {s.section for s in only_2a.sections} >= {"2.a", "2.a > Internet Freedom"}
    assert all("2.a" in (s.code_a, s.code_b) for s in only_2a.sections)
    assert {s.section for s in kyrgyz.restricted("women").sections} == {"6 > Women"}
    data = only_2a.to_dict(["changed"])
    assert all("changed" in s and "added" not in s for s in data["sections"])
    assert data["summary"]["passages_b"] < kyrgyz.summary()["passages_b"]
    with pytest.raises(QueryError, match=r"no section '9\.z'"):
        kyrgyz.restricted("9.z")


def test_unknown_report_is_one_clear_error(library: Library) -> None:
    with pytest.raises(NotFoundError, match="no report 'no-such-report'"):
        compare(library, "no-such-report", KAZAKHSTAN_2019.name)
    # both Kyrgyz pages have the same file name: the name alone is refused and the ids are offered
    with pytest.raises(NotFoundError, match="matches 2 reports"):
        compare(library, "kyrgyz-republic.html", KAZAKHSTAN_2019.name)


def test_word_diff_runs() -> None:
    runs = word_diff("In 2021 the UN estimated 12.7 percent", "In 2022 the UN estimated 13 percent of girls")
    assert [(r.op, r.text) for r in runs] == [
        ("equal", "In"),
        ("delete", "2021"),
        ("insert", "2022"),
        ("equal", "the UN estimated"),
        ("delete", "12.7"),
        ("insert", "13"),
        ("equal", "percent"),
        ("insert", "of girls"),
    ]


def covenant(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "covenant.cli", "--db", str(db), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def test_cli_text_and_json(library: Library) -> None:
    old, new = report_id(library, KYRGYZ_2021)[:8], report_id(library, KYRGYZ_2022)[:8]
    text = covenant(library.path, "compare", old, new, "--section", "1.e")
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].startswith("a: 2021 Country Reports on Human Rights Practices: Kyrgyzstan")
    assert "== 1.e > Trial Procedures" in lines
    assert "   2 unchanged, 3 changed, 0 moved, 0 added, 0 dropped" in lines
    diffs = [line for line in lines if "[-" in line and "{+" in line]
    assert diffs and any("{+support+}" in line for line in diffs)
    assert any(line.startswith("~ changed (similarity ") and "§ 1.e" in line for line in lines)
    assert any(line.startswith("    was: U.S. Department of State, 2021") for line in lines)

    raw = covenant(library.path, "compare", KAZAKHSTAN_2003.name, "003", "--json", "--only", "changed,added,dropped")
    assert raw.returncode == 0, raw.stderr
    data = json.loads(raw.stdout)
    assert data["a"]["file_name"] == KAZAKHSTAN_2003.name and data["b"]["file_name"] == KAZAKHSTAN_2019.name
    assert "1" in data["only_in_a"]
    section = next(s for s in data["sections"] if s["section"] == "2.a")
    assert set(section) >= {"section", "counts", "changed", "added", "dropped"} and "unchanged" not in section
    added = section["added"][0]
    assert added["a"] is None and added["b"]["citation"]["file_name"] == KAZAKHSTAN_2019.name
    assert added["b"]["citation"]["formatted"]


def test_cli_errors_are_one_line(library: Library) -> None:
    missing = covenant(library.path, "compare", "no-such-report", "003")
    assert missing.returncode == 1
    assert missing.stderr == "error: no report 'no-such-report' in the library (see `covenant reports`)\n"
    misspelt = covenant(library.path, "compare", "000", "003", "--only", "chnged")
    assert misspelt.returncode == 1 and misspelt.stderr.startswith("error: --only takes unchanged, changed")
