"""The front door: one Library object ingests, lists, cites, indexes and searches, on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from citations import squeeze
from conftest import KAZAKHSTAN, needs_corpus
from covenant import Library
from covenant.errors import NotFoundError, QueryError


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Library:
    if not KAZAKHSTAN.exists():
        pytest.skip("reference corpus ../shared is absent")
    folder = tmp_path_factory.mktemp("library")
    library = Library(folder / "lib.db")
    library.ingest([KAZAKHSTAN / "002_e77f42745581b012.txt", KAZAKHSTAN / "004_c44e466740d2cce1.txt"])
    yield library
    library.close()


@needs_corpus
def test_a_search_sees_what_is_indexed_and_says_what_is_pending(lib: Library) -> None:
    before = lib.search("Respublika", mode="bm25")
    assert before.hits == [] and before.pending["reports"] == 2 and before.pending["passages"] > 700
    lib.index(semantic=False)
    after = lib.search("Respublika", mode="bm25")
    assert after.hits and after.pending == {"reports": 0, "passages": 0}
    assert lib.pending(semantic=True)["unembedded_passages"] > 0  # vectors were not asked for


@needs_corpus
def test_filters_as_strings_or_a_dict_agree(lib: Library) -> None:
    lib.index(semantic=False)
    as_list = lib.search("election", mode="bm25", filters=["type=letter"], limit=50)
    as_dict = lib.search("election", mode="bm25", filters={"type": "letter"}, limit=50)
    assert [h.passage_id for h in as_list.hits] == [h.passage_id for h in as_dict.hits]
    assert as_list.hits and all(h.citation.file_name.startswith("002") for h in as_list.hits)
    with pytest.raises(QueryError):
        lib.search("election", filters="type=letter")  # type: ignore[arg-type]


@needs_corpus
def test_cite_a_passage_and_a_span_inside_it(lib: Library) -> None:
    report = lib.report("004")
    passage = next(p for p in lib.passages(report) if "Respublika" in p.text)
    whole = lib.cite(passage.id)
    assert whole.quote == passage.text and (whole.line_start, whole.line_end) == (passage.line_start, passage.line_end)
    assert whole.section_path == passage.section_path and whole.source_org == report.source_org
    at = passage.text.index("Respublika")
    span = lib.cite(passage, passage.start + at, passage.start + at + len("Respublika"))
    assert span.quote == "Respublika"
    assert passage.line_start <= span.line_start <= span.line_end <= passage.line_end
    original = (KAZAKHSTAN / "004_c44e466740d2cce1.txt").read_text(encoding="utf-8").splitlines()
    cited = squeeze(" ".join(original[span.line_start - 1 : span.line_end]))
    assert "Respublika" in cited
    assert span.section_path == passage.section_path
    assert "004_c44e466740d2cce1.txt" in span.formatted()
    with pytest.raises(ValueError):
        lib.cite(passage, 0, 10**9)


@needs_corpus
def test_lookups_name_what_is_missing(lib: Library) -> None:
    with pytest.raises(NotFoundError, match="no report 'nothing-like-this'"):
        lib.report("nothing-like-this")
    with pytest.raises(NotFoundError, match="no passage"):
        lib.passage("0000000000000000:p00001")


def test_a_library_that_does_not_exist_is_not_made_by_reading(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no library here"):
        Library(tmp_path / "typo.db", read_only=True)
    with pytest.raises(NotFoundError, match="no library here"):
        Library(tmp_path / "typo.db", create=False)
    assert not (tmp_path / "typo.db").exists()
