"""Country-by-country documents: each passage knows the country of the entry it stands in, and search filters,
facets and citations use it (an Amnesty extract for Uzbekistan also prints the end of Uruguay's entry)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import EXTERNAL, KAZAKHSTAN, needs_corpus
from covenant import Library

pytestmark = needs_corpus


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Library:
    folder = tmp_path_factory.mktemp("entries")
    library = Library(folder / "lib.db")
    files = [
        EXTERNAL / "ai_2006_uzbekistan.pdf",
        EXTERNAL / "ai_2011_kyrgyzstan.pdf",
        KAZAKHSTAN / "003_45cd954fc36bba18.txt",
    ]
    library.ingest(files)
    library.index(semantic=False)
    yield library
    library.close()


def _by_country(lib: Library, ref: str) -> dict[str | None, list[str]]:
    out: dict[str | None, list[str]] = {}
    for p in lib.passages(lib.report(ref)):
        out.setdefault(p.country, []).append(p.text)
    return out


def test_each_entry_of_an_extract_has_its_own_country(lib: Library) -> None:
    uzbekistan = _by_country(lib, "ai_2006_uzbekistan.pdf")
    assert set(uzbekistan) == {"UY", "UZ", "VE"}
    assert any("Expiry Law" in t for t in uzbekistan["UY"]) and any("Akramia" in t for t in uzbekistan["UZ"])
    kyrgyzstan = _by_country(lib, "ai_2011_kyrgyzstan.pdf")
    # The extract opens on the end of the previous entry (Kuwait), whose heading is on an earlier page: no country.
    assert set(kyrgyzstan) == {None, "KG", "LA"} and len(kyrgyzstan[None]) >= 1
    assert set(_by_country(lib, "003")) == {"KZ"}  # a State Department page is one country


def test_a_country_filter_keeps_to_that_countrys_entry(lib: Library) -> None:
    for country, report in (("UZ", "ai_2006_uzbekistan.pdf"), ("KG", "ai_2011_kyrgyzstan.pdf")):
        hits = lib.search("police", mode="bm25", filters=[f"country={country}"], limit=100).hits
        assert hits
        for hit in hits:
            assert lib.passage(hit.passage_id).country == country
            assert hit.citation.entry is None and hit.citation.country == country
        whole = lib.search("government", mode="bm25", filters=[f"report={report}"], limit=100)
        assert set(whole.facets["country"]) - {country}, whole.facets  # the neighbouring entries are counted apart
    assert lib.search("Expiry Law", mode="bm25", filters=["country=Uruguay"]).hits


def test_a_neighbouring_entry_is_named_in_the_citation(lib: Library) -> None:
    hit = lib.search('"Expiry Law"', mode="bm25", limit=1).hits[0]
    assert hit.citation.country == "UY" and hit.citation.entry == "Uruguay"
    assert "Uruguay entry: " in hit.citation.formatted() and "Uruguay entry: " in hit.citation.formatted("coi")
    kuwait_tail = next(p for p in lib.passages(lib.report("ai_2011_kyrgyzstan.pdf")) if p.country is None)
    cited = lib.cite(kuwait_tail.id)
    assert "text outside the report's country entry" in cited.formatted()
    span = lib.cite(kuwait_tail, kuwait_tail.start, kuwait_tail.start + 10)
    assert span.entry == "" and span.country is None


def test_a_library_of_the_previous_schema_gives_passages_their_reports_country(tmp_path: Path) -> None:
    import sqlite3

    from covenant.store.sqlite import MIGRATIONS

    # Migration 5 gave passages their country; later migrations run again on top of it.
    country_migration = next(i for i, m in enumerate(MIGRATIONS, 1) if "ADD COLUMN country" in m)
    db = tmp_path / "old.db"
    with Library(db) as fresh:
        fresh.ingest([KAZAKHSTAN / "001_30dfef030156c0a4.txt"])
    later_columns = [
        found.groups()
        for m in MIGRATIONS[country_migration:]
        for found in re.finditer(r"ALTER TABLE (\w+) ADD COLUMN (\w+)", m)
    ]
    with sqlite3.connect(db) as con:  # back to the schema before passages had a country
        con.execute("ALTER TABLE passages DROP COLUMN country")
        for table, column in later_columns:  # and before the columns later migrations add
            con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        con.execute(f"PRAGMA user_version={country_migration - 1}")
    with Library(db) as migrated:
        assert {p.country for p in migrated.passages()} == {"KZ"}
