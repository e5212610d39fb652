"""`collapse`: a paragraph repeated in several reports is one hit, cited from the newest, with the others listed."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from conftest import KAZAKHSTAN, indexed_library, needs_corpus
from covenant.library import Library

pytestmark = needs_corpus
LETTER = "002_e77f42745581b012.txt"


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """The letter, and a later copy of it (as a yearly report repeats last year's paragraphs)."""
    folder = tmp_path_factory.mktemp("collapse")
    original = (KAZAKHSTAN / LETTER).read_bytes()
    (folder / "letter-2005.txt").write_bytes(original)
    (folder / "letter-2006.txt").write_bytes(original + b"\nA closing line that only the later copy has.\n")
    (folder / "letter-2006.txt.covenant.json").write_text(json.dumps({"publication_date": "2006-03-01"}))
    copies = [folder / "letter-2005.txt", folder / "letter-2006.txt"]
    with indexed_library(folder / "lib.db", copies, semantic=True) as lib:
        yield lib


@pytest.mark.parametrize("mode", ["bm25", "semantic", "hybrid"])
def test_repeated_text_is_one_hit_cited_from_the_newest_report(lib: Library, mode: str) -> None:
    plain = lib.search("Respublika newspaper closed", mode=mode, limit=10)
    assert not any(plain.pending.values())  # the fixture indexed everything: nothing is left unseen
    texts = [h.text for h in plain.hits]
    assert len(set(texts)) < len(texts)  # without collapse each paragraph comes twice

    folded = lib.search("Respublika newspaper closed", mode=mode, limit=10, collapse=True)
    assert len(folded.hits) == 10 and len({h.text for h in folded.hits}) == 10
    for hit in folded.hits:
        assert hit.citation.file_name == "letter-2006.txt" and hit.citation.publication_date == "2006-03-01"
        assert [c.file_name for c in hit.also] == ["letter-2005.txt"]
        other = hit.also[0]
        assert lib.clean_text(other.report_id)[other.start : other.end] == hit.text
    # The same texts lead, in the same order, as their first appearance without collapse.
    first_seen = list(dict.fromkeys(texts))
    assert [h.text for h in folded.hits][: len(first_seen)] == first_seen[: len(folded.hits)]


def test_collapse_in_json(lib: Library) -> None:
    data = lib.search("harassment of the opposition", mode="bm25", limit=3, collapse=True).to_dict()
    also = data["hits"][0]["also"]
    assert also and also[0]["file_name"] == "letter-2005.txt" and "letter-2005.txt" in also[0]["formatted"]
    assert json.loads(json.dumps(data)) == data
