"""Full-text search on the real reference reports: phrases, operators, filters, stale hits, citations."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import KAZAKHSTAN, indexed_library, needs_corpus
from covenant.errors import QueryError
from covenant.library import Library
from covenant.search.filters import parse_filters

pytestmark = needs_corpus


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    with indexed_library(tmp_path_factory.mktemp("search") / "lib.db", [KAZAKHSTAN], semantic=False) as lib:
        yield lib


def test_exact_phrase_from_the_shadow_report(lib: Library) -> None:
    results = lib.search('"Vienna Convention on the Law of Treaties"', mode="bm25", limit=5)
    assert results.hits
    for hit in results.hits:
        assert "vienna convention on the law of treaties" in " ".join(hit.text.lower().split())
        assert hit.citation.file_name == "004_c44e466740d2cce1.txt"
    assert "[[Vienna]]" in results.hits[0].highlighted


def test_boolean_and_prefix(lib: Library) -> None:
    # A passage is searched with its section's heading path, so a term may match there.
    def where(h) -> str:
        return (h.text + " " + " ".join(h.citation.section_path)).lower()

    both = lib.search("torture AND police", mode="bm25", limit=20).hits
    assert both and all("tortur" in where(h) and "police" in where(h) for h in both)
    negated = lib.search("torture NOT police", mode="bm25", limit=20).hits
    assert negated and all("police" not in where(h) for h in negated)
    prefix = lib.search("Respub*", mode="bm25", limit=20).hits
    assert prefix and all("respub" in h.text.lower() for h in prefix)


def test_filters_exclude_what_they_must(lib: Library) -> None:
    only_hrw = lib.search("newspaper", mode="bm25", limit=50, filters=["source=Human Rights Watch"])
    assert only_hrw.hits and {h.citation.source_org for h in only_hrw.hits} == {"Human Rights Watch"}
    assert set(only_hrw.facets["source_org"]) == {"Human Rights Watch"}
    years = lib.search("newspaper", mode="bm25", limit=50, filters=["year=2004..2005"])

    # The year is the publication year, or the period's last year when the publication date is unknown.
    def year(h) -> str:
        report = lib.report(h.citation.report_id)
        return (report.publication_date or report.period_end)[:4]

    assert years.hits and {year(h) for h in years.hits} <= {"2004", "2005"}
    section = lib.search("newspaper", mode="bm25", limit=50, filters=["section=2.a"])
    assert section.hits and all(h.citation.section_code == "2.a" for h in section.hits)
    letters = lib.search("newspaper", mode="bm25", limit=50, filters=["type=letter"])
    assert {h.citation.file_name for h in letters.hits} == {"002_e77f42745581b012.txt"}


def test_footnotes_are_searched_when_asked(lib: Library) -> None:
    # Words only note 93 of the shadow report holds ("Endorsed by the Venice's Commission").
    plain = lib.search('"Endorsed by the Venice"', mode="bm25", limit=5)
    assert plain.hits == [] and plain.footnotes_matching == 1
    found = lib.search('"Endorsed by the Venice"', mode="bm25", limit=5, footnotes=True)
    [hit] = found.hits
    assert hit.kind == "footnote" and hit.passage_id.endswith(":n0097") and hit.citation.footnote == "93"
    assert "footnote 93, lines 5572-5575 of 004_c44e466740d2cce1.txt" in hit.citation.formatted()
    assert "Endorsed by the Venice" in hit.text and found.footnotes_matching == 0 and found.candidates == 1
    assert found.to_dict()["hits"][0]["kind"] == "footnote"
    # Filters hold for footnotes as for passages; a passage search never returns one.
    assert lib.search('"Endorsed by the Venice"', mode="bm25", footnotes=True, filters=["type=letter"]).hits == []
    both = lib.search("Venice Commission", mode="bm25", limit=100, footnotes=True)
    notes = [h for h in both.hits if h.kind == "footnote"]
    assert notes and both.candidates == len(both.hits) == sum(both.facets["source_org"].values())
    passages = lib.search("Venice Commission", mode="bm25", limit=100)
    assert {h.kind for h in passages.hits} == {"passage"} and passages.footnotes_matching == len(notes)
    assert len(passages.hits) + len(notes) == len(both.hits)
    with pytest.raises(QueryError, match="footnotes are searched by their words"):
        lib.search("Venice Commission", mode="semantic", footnotes=True)


def test_facets_count_the_candidates(lib: Library) -> None:
    results = lib.search("election", mode="bm25", limit=5)
    assert sum(results.facets["source_org"].values()) == results.candidates
    assert results.facets["country"] == {"KZ": results.candidates}
    # The count is every passage the query matches, not only the hits shown.
    assert results.candidates == len(lib.engine.fulltext.matching_query_ids("election")) > 5


def test_facets_can_be_skipped_without_changing_the_hits(lib: Library) -> None:
    for mode in ("bm25", "hybrid"):
        full = lib.search("election observers", mode=mode, limit=5)
        bare = lib.search("election observers", mode=mode, limit=5, facets=False)
        assert [h.passage_id for h in bare.hits] == [h.passage_id for h in full.hits]
        assert full.facets["country"] and bare.facets == {}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "empty query"),
        ('"unclosed phrase', "not closed"),
        ("AND OR", "only operators"),
        ("NOT police", "only excludes words"),
        ("-police -court", "only excludes words"),
        ("torture AND", "cannot understand"),
    ],
)
def test_malformed_queries_get_a_clear_message(lib: Library, query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        lib.search(query, mode="bm25")


@pytest.mark.parametrize("bad", ["year=20x4", "colour=red", "type=novel", "section=Z", "nokey"])
def test_malformed_filters_get_a_clear_message(lib: Library, bad: str) -> None:
    with pytest.raises(QueryError):
        parse_filters([bad])
    with pytest.raises(QueryError):
        lib.search("newspaper", mode="bm25", filters=[bad])


def test_filters_as_strings_a_dict_or_parsed_are_the_same(lib: Library) -> None:
    as_strings = lib.search("newspaper", mode="bm25", limit=50, filters=["type=letter", "year=2004..2006"])
    as_dict = lib.search("newspaper", mode="bm25", limit=50, filters={"type": "letter", "year": "2004..2006"})
    parsed = lib.search("newspaper", mode="bm25", limit=50, filters=parse_filters(["type=letter", "year=2004..2006"]))
    assert as_strings.hits and as_strings.to_dict() == as_dict.to_dict() == parsed.to_dict()
    assert as_strings.candidates < lib.search("newspaper", mode="bm25", limit=50).candidates
    with pytest.raises(QueryError, match="list"):
        lib.search("newspaper", mode="bm25", filters="type=letter")


def test_cyrillic_and_very_long_queries(lib: Library) -> None:
    assert lib.search("задержание журналистов в Алматы", mode="bm25").hits == []
    long_query = " ".join(["detention torture police court newspaper election"] * 300)
    assert lib.search(long_query, mode="bm25", limit=5).hits
    odd = lib.search("law: (article) [19] {x} ~y ^z !w 'q' /s", mode="bm25")
    assert odd.mode == "bm25"


def test_every_hit_citation_holds_the_invariant(lib: Library) -> None:
    for query in ("Zhakiyanov", "registration of religious groups", "trafficking"):
        for hit in lib.search(query, mode="bm25", limit=10).hits:
            c = hit.citation
            assert lib.clean_text(c.report_id)[c.start : c.end] == hit.text == c.quote
            lines = (KAZAKHSTAN / c.file_name).read_text(encoding="utf-8").split("\n")
            source = "".join("".join(lines[c.line_start - 1 : c.line_end]).split())
            assert "".join(hit.text.split())[:40].replace("-", "") in source.replace("-", "")


def test_reingesting_a_changed_report_leaves_no_stale_hits(library: Library, tmp_path: Path) -> None:
    report = tmp_path / "letter.txt"
    shutil.copy(KAZAKHSTAN / "002_e77f42745581b012.txt", report)
    library.ingest([report])
    old = library.search("Respublika", mode="bm25", update=True).hits
    assert old
    old_ids = {h.passage_id for h in old}
    text = report.read_text(encoding="utf-8").replace("Respublika", "Novaya Gazeta")
    report.write_text(text, encoding="utf-8")
    assert library.ingest([report]).counts == {"replaced": 1}
    # Not brought up to date, the search shows no passage of the replaced text and says what it cannot see.
    stale = library.search("Respublika", mode="bm25")
    assert stale.hits == [] and stale.pending == {"reports": 1, "passages": len(library.passages())}
    assert library.search("Respublika", mode="bm25", update=True).hits == []
    fresh = library.search('"Novaya Gazeta"', mode="bm25", update=True)
    assert fresh.hits and not old_ids & {h.passage_id for h in fresh.hits} and fresh.pending == {}
    library.remove(library.reports()[0])
    assert library.search("Gazeta", mode="bm25", update=True).hits == []


def _words_in(lib: Library, passage_id: str, words: list[str]) -> int:
    """How many of the words a passage holds, by its stemmed text and headings (apart from the index)."""
    import re

    import snowballstemmer

    stem = snowballstemmer.stemmer("english").stemWord
    passage = lib.passage(passage_id)
    held = {stem(w) for w in re.findall(r"\w+", (passage.text + " " + " ".join(passage.section_path)).lower())}
    return sum(stem(w) in held for w in words)


def test_coordination_ranks_passages_holding_more_of_the_words_first(lib: Library) -> None:
    query = "prison conditions overcrowding tuberculosis"
    words = ["prison", "conditions", "overcrowding", "tuberculosis"]
    plain = dict(lib.engine.fulltext.search(query, 200))
    coordinated = lib.engine.fulltext.search(query, 200, coordinate=True)
    assert {pid for pid, _ in coordinated} == set(plain)
    for pid, score in coordinated:
        assert score == pytest.approx(plain[pid] * _words_in(lib, pid, words) / len(words), rel=1e-6)
    assert [s for _, s in coordinated] == sorted((s for _, s in coordinated), reverse=True)
    # Some passage holding more of the words overtakes one that BM25 alone scored higher.
    held = {pid: _words_in(lib, pid, words) for pid in plain}
    order = [pid for pid, _ in coordinated]
    assert any(held[a] > held[b] and plain[a] < plain[b] for i, a in enumerate(order[:20]) for b in order[i + 1 :])


def test_coordination_leaves_operator_queries_alone(lib: Library) -> None:
    for query in ('"honor and dignity" president', "torture AND police", "Respub* closure", "newspaper"):
        assert lib.engine.fulltext.search(query, 50, coordinate=True) == lib.engine.fulltext.search(query, 50)


def test_a_prefix_matches_the_whole_word_whose_stem_is_shorter(lib: Library) -> None:
    import re

    import snowballstemmer

    stem = snowballstemmer.stemmer("english").stemWord
    hits = lib.search("police*", mode="bm25", limit=100).hits
    assert len(hits) > 50  # "police" is stemmed to "polic" in the index: the prefix must still find it
    for h in hits:
        words = re.findall(r"\w+", (h.text + " " + " ".join(h.citation.section_path)).lower())
        assert any(w.startswith("police") or stem(w) == "polic" for w in words), h.text[:100]


def test_brackets_in_a_plain_query_are_prose(lib: Library) -> None:
    prose = lib.search("the KNB (security service) detained journalists", mode="bm25", limit=10).hits
    words = lib.search("the KNB security service detained journalists", mode="bm25", limit=10).hits
    assert prose and [h.passage_id for h in prose] == [h.passage_id for h in words]
    assert lib.search("<script>alert(1)</script> police", mode="bm25", limit=3).hits
    # With an operator, brackets group as before.
    grouped = lib.search("(torture OR beating) AND police", mode="bm25", limit=20).hits
    assert grouped and all("police" in (h.text + " ".join(h.citation.section_path)).lower() for h in grouped)


def test_an_index_fed_report_by_report_merges_its_segments(lib: Library, tmp_path: Path) -> None:
    from dataclasses import replace

    from covenant.search.fulltext import FullTextIndex
    from covenant.search.sync import indexed_passages

    report = lib.report("002")
    base = indexed_passages(report, lib.sections(report), lib.passages(report))
    index = FullTextIndex(tmp_path / "index")
    for n in range(12):  # twelve syncs of one report each, as a library grows
        copy = [replace(p, passage_id=f"{p.passage_id}~{n}", report_id=f"r{n}") for p in base]
        index.update({f"r{n}": copy}, [])
    assert index.size == 12 * len(base)
    assert index.index.searcher().num_segments < 12  # the merges each commit starts are allowed to finish
    assert len(index.search("Respublika", 100)) == 12 * sum("respublika" in p.text.lower() for p in base)
