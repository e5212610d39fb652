"""BM25 full-text index of passages (and footnotes) on tantivy, kept beside the library and reconciled with the
store."""

from __future__ import annotations

import json
import re
import shutil
import stat
import struct
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from covenant.errors import IndexBusyError, IndexDamagedError, QueryError

# Function words dropped from OR queries: they match most passages and only slow ranking down.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "there",
        "these",
        "this",
        "to",
        "was",
        "were",
        "which",
        "with",
    ]
)
_OPERATORS = {"AND", "OR", "NOT"}
COORDINATED_WORDS = 24  # a longer query is coordinated on its first 24 distinct words (bits of a float score)
_TOKEN = re.compile(r'"[^"]*"|\S+')
_PREFIX = re.compile(r"\+?[^\W\d_][\w-]{1,}\*")
MANIFEST = "covenant-index.json"
# 3: a passage's country is its own (country-by-country documents), not its report's; 4: footnotes are indexed too
SCHEMA_VERSION = 4
PASSAGE, FOOTNOTE = "passage", "footnote"  # the kinds of text the index holds
FACET_FIELDS = {
    "country": "country",
    "source_org": "source_org",
    "doc_type": "doc_type",
    "year": "year",
    "section": "section_top",
}
_MATCHED = "_matched"  # the aggregation that counts matching passages beside the facets
WRITER_LOCK = ".tantivy-writer.lock"  # tantivy's own lock (an flock) while an IndexWriter lives
LOCK_WAIT = 30.0  # seconds to wait for another process that holds the writer lock
_SEGMENT_FILE = re.compile(r"[0-9a-f]{32}\.")
_T = TypeVar("_T")


class _Damage(Exception):
    """A derived file of the index cannot be trusted (the message names it and says why)."""


class _Outdated(Exception):
    """An index written with another schema: rebuilt without a warning."""


@dataclass(slots=True)
class IndexedPassage:
    passage_id: str
    report_id: str
    text: str
    section: str
    country: str
    source_org: str
    doc_type: str
    section_code: str
    year: int  # publication year, else the last year of the period covered, else 0
    period_start: int
    period_end: int
    kind: str = PASSAGE  # or FOOTNOTE: a report's note, its id in passage_id


@dataclass(frozen=True, slots=True)
class Filters:
    countries: tuple[str, ...] = ()
    source_orgs: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()  # State Department codes; "2" matches "2", "2.a", ...
    year_from: int | None = None
    year_to: int | None = None
    period_from: int | None = None  # the period covered overlaps [period_from, period_to]
    period_to: int | None = None
    report_ids: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # a passage carrying any of them passes (tags live in the store, not the index)
    rights: tuple[str, ...] = ()  # "iccpr:19", "dos_section:1.c", "theme:media": a passage with any of them passes
    # The passage ids the tags and rights stand for, looked up in the store just before a search (None: not restricted).
    passage_ids: tuple[str, ...] | None = None
    footnotes: bool = False  # footnotes match too (BM25 only: they have no vectors)

    def is_empty(self) -> bool:
        """No filter restricts the passages (whether footnotes match too restricts nothing)."""
        return replace(self, footnotes=False) == Filters()


def _schema() -> Any:
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("passage_id", stored=True, tokenizer_name="raw")
    sb.add_text_field("report_id", stored=False, tokenizer_name="raw")
    sb.add_text_field("kind", stored=False, tokenizer_name="raw")
    sb.add_text_field("text", stored=False, tokenizer_name="en_stem")
    sb.add_text_field("section", stored=False, tokenizer_name="en_stem")
    for facet in ("country", "source_org", "doc_type", "section_code", "section_top"):
        sb.add_text_field(facet, stored=False, tokenizer_name="raw", fast=True)
    for number in ("year", "period_start", "period_end"):
        sb.add_integer_field(number, stored=False, indexed=True, fast=True)
    return sb.build()


class FullTextIndex:
    """A tantivy index in a folder; `manifest` records which reports it holds and the files of its segments.

    The folder is derived data. Damaged files found on opening (or by a read that fails on them) are removed and
    the index starts empty, to be filled again from the store; `repaired` then says what was found.
    """

    def __init__(self, path: Path, lock_wait: float = LOCK_WAIT) -> None:
        self.path = path
        self.schema = _schema()
        self.lock_wait = lock_wait
        self.index: Any = None
        self.reports: set[str] = set()
        self.repaired: str | None = None  # one line for the user when damaged files were found and removed
        # How to fill the index again from the library; sync_fulltext sets it, so that a read that finds the
        # index damaged can rebuild it and answer.
        self.refill: Callable[[], object] | None = None
        try:
            self._open()
        except _Outdated:
            with _writer_lock(path, lock_wait):
                self._reset()
        except _Damage:
            # A writer in another process may have been between its commit and its manifest, or collecting
            # merged segments: look again while holding its lock before removing anything.
            with _writer_lock(path, lock_wait):
                try:
                    self._open()
                except _Outdated:
                    self._reset()
                except _Damage as damage:
                    self._reset()
                    self.repaired = damage_message(path, str(damage))

    def _open(self) -> None:
        """Open the index and check it against the manifest; raise _Damage or _Outdated when it cannot be used."""
        import tantivy

        path = self.path
        if path.exists() and not path.is_dir():
            raise _Damage(f"{path.name} is a file, not a folder")
        manifest = self._read_manifest()
        if not manifest:
            if (path / "meta.json").exists():
                raise _Outdated  # written before manifests, or torn before its first one: rebuilt
        elif manifest.get("schema") != SCHEMA_VERSION:
            raise _Outdated
        elif not (path / "meta.json").is_file():
            raise _Damage("meta.json is missing" if not (path / "meta.json").exists() else "meta.json is a folder")
        path.mkdir(parents=True, exist_ok=True)
        try:
            self.index = tantivy.Index(self.schema, path=str(path))
        except BaseException as exc:
            if not _is_damage(exc):
                raise
            raise _Damage(_describe(exc)) from None
        _check_files(path, manifest.get("files") or {})
        self.reports = set(manifest.get("reports", []))

    def _reset(self) -> None:
        """Remove the full-text files (not the vector files beside them, nor the lock files) and start empty."""
        import tantivy

        path = self.path
        if path.exists() and not path.is_dir():
            path.unlink()
        path.mkdir(parents=True, exist_ok=True)
        self.index = None
        for entry in path.iterdir():
            if entry.name.startswith(("vectors-", ".tantivy-")) and not entry.is_dir():
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink(missing_ok=True)
        self.index = tantivy.Index(self.schema, path=str(path))
        self.reports = set()

    def _read_manifest(self) -> dict[str, Any]:
        file = self.path / MANIFEST
        if not file.exists():
            return {}
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise _Damage(f"{MANIFEST}: {_first_line(exc)}") from None
        if not isinstance(data, dict) or not isinstance(data.get("reports", []), list):
            raise _Damage(f"{MANIFEST} does not hold a manifest")
        return data

    def _write_manifest(self) -> None:
        data = {"schema": SCHEMA_VERSION, "reports": sorted(self.reports), "files": _segment_files(self.path)}
        tmp = self.path / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(self.path / MANIFEST)

    def _repair(self, what: str) -> None:
        with _writer_lock(self.path, self.lock_wait):
            self._reset()
        self.repaired = damage_message(self.path, what)

    def _read(self, action: Callable[[], _T]) -> _T:
        """Run a read; one that fails on damaged files resets the index, fills it again and is run once more."""
        try:
            return action()
        except BaseException as exc:
            if not _is_damage(exc):
                raise
            what = _describe(exc)
        self._repair(what)
        if self.refill is None:
            raise IndexDamagedError(
                f"the search index in {self.path.name} was damaged ({what}) and has been emptied;"
                " search again to rebuild it from the library"
            )
        self.refill()
        try:
            return action()
        except BaseException as exc:
            if not _is_damage(exc):
                raise
            raise IndexDamagedError(
                f"the search index in {self.path.name} is damaged again after a rebuild ({_describe(exc)});"
                f" delete {self.path} and search again"
            ) from None

    def _writer(self) -> Any:
        """tantivy's writer; while another process holds it, wait up to `lock_wait` seconds."""
        deadline = time.monotonic() + self.lock_wait
        while True:
            try:
                return self.index.writer(heap_size=128_000_000, num_threads=1)
            except ValueError as exc:
                if "LockBusy" not in str(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise IndexBusyError(_busy_message(self.path)) from None
            time.sleep(0.05)

    def update(self, add: dict[str, list[IndexedPassage]], remove: Iterable[str]) -> None:
        """Add whole reports and remove others in one commit; re-adding a report first deletes it."""
        import tantivy

        remove = set(remove)
        if not add and not remove:
            return
        writer = self._writer()
        try:
            for report_id in remove | set(add):
                writer.delete_documents_by_term("report_id", report_id)
            for passages in add.values():
                for p in passages:
                    writer.add_document(
                        tantivy.Document(
                            passage_id=p.passage_id,
                            report_id=p.report_id,
                            kind=p.kind,
                            text=p.text,
                            section=p.section,
                            country=p.country,
                            source_org=p.source_org,
                            doc_type=p.doc_type,
                            section_code=p.section_code,
                            section_top=p.section_code.split(".")[0] or "none",
                            year=p.year,
                            period_start=p.period_start,
                            period_end=p.period_end,
                        )
                    )
            writer.commit()
            # Let the merges the commit started finish: dropping the writer cancels them, and a library
            # synced report by report then keeps dozens of small segments that every query visits.
            writer.wait_merging_threads()
        finally:
            del writer
        self.reports = (self.reports - remove) | set(add)
        self.index.reload()
        self._write_manifest()

    def search(
        self, query: str, limit: int, filters: Filters | None = None, coordinate: bool = False
    ) -> list[tuple[str, float]]:
        """(passage id, BM25 score) best first.

        `coordinate`: each score is multiplied by the share of the query's words the passage holds (the
        coordination factor of Lucene's classic similarity), and the hits are ranked again. BM25 alone lets a
        passage that repeats one rare word of the query outrank one that holds all of them.
        """
        final = self._query(query, filters)
        words = _plain_terms(query)[:COORDINATED_WORDS] if coordinate else []

        def ranking() -> list[tuple[str, float]]:
            searcher = self.index.searcher()
            hits = searcher.search(final, limit).hits
            ranked = [(searcher.doc(address)["passage_id"][0], float(score)) for score, address in hits]
            if len(words) < 2 or len(ranked) < 2:
                return ranked
            held = self._words_held(words, [pid for pid, _ in ranked], [address for _, address in hits])
            coordinated = [(pid, score * held[i] / len(words)) for i, (pid, score) in enumerate(ranked)]
            return sorted(coordinated, key=lambda kv: -kv[1])

        return self._read(ranking)

    def _words_held(self, words: list[str], ids: list[str], addresses: list[Any]) -> list[int]:
        """For each hit, how many of the words match its text or section headings.

        One search over the hits: word i adds 2**i to a passage's score, so the score's bits say which words
        the passage holds.
        """
        import tantivy

        searcher = self.index.searcher()
        where = {(a.segment_ord, a.doc): i for i, a in enumerate(addresses)}
        candidates = tantivy.Query.term_set_query(self.schema, "passage_id", ids)
        clauses = [(tantivy.Occur.Must, tantivy.Query.const_score_query(candidates, 0.0))]
        for bit, word in enumerate(words):
            try:
                parsed = self.index.parse_query(word, ["text", "section"])
            except ValueError:
                continue
            clauses.append((tantivy.Occur.Should, tantivy.Query.const_score_query(parsed, float(2**bit))))
        held = [0] * len(ids)
        for score, address in searcher.search(tantivy.Query.boolean_query(clauses), len(ids)).hits:
            i = where.get((address.segment_ord, address.doc))
            if i is not None:
                held[i] = round(score).bit_count()
        return held

    def facets(self, query: str, filters: Filters | None = None) -> tuple[int, dict[str, dict[str, int]]]:
        """How many passages match, and their counts by country, source, type, year and section."""
        final = self._query(query, filters)
        return self._read(lambda: self._counts(final))

    def footnotes_matching(self, query: str, filters: Filters | None = None) -> int:
        """How many footnotes the query matches with these filters (when a search left them out)."""
        import tantivy

        final = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, self._query(query, replace(filters or Filters(), footnotes=True))),
                (tantivy.Occur.Must, tantivy.Query.term_query(self.schema, "kind", FOOTNOTE)),
            ]
        )
        return self._read(lambda: int(self.index.searcher().search(final, 1, count=True).count))

    def facets_of(self, passage_ids: Iterable[str]) -> dict[str, dict[str, int]]:
        """Counts by facet over these passages (the fused candidates of a semantic or hybrid search)."""
        import tantivy

        ids = list(passage_ids)
        if not ids:
            return {name: {} for name in FACET_FIELDS}
        final = tantivy.Query.term_set_query(self.schema, "passage_id", ids)
        return self._read(lambda: self._counts(final))[1]

    def _counts(self, final: Any) -> tuple[int, dict[str, dict[str, int]]]:
        """Matches of a query and their counts by facet, from the fast fields in one pass."""
        searcher = self.index.searcher()
        aggs: dict[str, Any] = {name: {"terms": {"field": field, "size": 100}} for name, field in FACET_FIELDS.items()}
        # Every passage has a year (0 when unknown), so counting its values counts the matches in the same pass.
        aggs[_MATCHED] = {"value_count": {"field": "year"}}
        result = searcher.aggregate(final, aggs)
        total = int(result.get(_MATCHED, {}).get("value") or 0)
        facets = {
            name: {str(b["key"]): int(b["doc_count"]) for b in result.get(name, {}).get("buckets", [])}
            for name in FACET_FIELDS
        }
        return total, facets

    def _query(self, query: str, filters: Filters | None) -> Any:
        import tantivy

        parsed = self.parse(query)
        clauses = [(tantivy.Occur.Must, parsed)]
        clauses.extend((tantivy.Occur.Must, q) for q in self._filter_queries(filters or Filters()))
        return parsed if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)

    def matching_ids(self, filters: Filters) -> set[str]:
        """Every passage id (and footnote id, with `filters.footnotes`) that passes the filters (for filtering
        other rankers)."""
        import tantivy

        clauses = [(tantivy.Occur.Must, q) for q in self._filter_queries(filters)]
        query = tantivy.Query.boolean_query(clauses) if clauses else tantivy.Query.all_query()
        return self._read(lambda: self._ids(query))

    def matching_query_ids(self, query: str, filters: Filters | None = None) -> set[str]:
        """Every passage id the query (with the filters) matches."""
        final = self._query(query, filters)
        return self._read(lambda: self._ids(final))

    def _ids(self, query: Any) -> set[str]:
        searcher = self.index.searcher()
        total = max(1, int(searcher.num_docs))
        return {searcher.doc(address)["passage_id"][0] for _score, address in searcher.search(query, total).hits}

    def parse(self, query: str) -> Any:
        import tantivy

        text = prepare_query(query)
        # tantivy's parser drops the star of `term*`; a prefix becomes a regex query on the indexed terms.
        prefixes = [t for t in text.split() if _PREFIX.fullmatch(t)]
        rest = " ".join(t for t in text.split() if not _PREFIX.fullmatch(t)).strip()
        if rest in ("", "AND", "OR", "NOT"):
            rest = ""
        clauses = []
        try:
            if rest:
                parsed = self.index.parse_query(rest, ["text", "section"], field_boosts={"text": 1.0, "section": 0.3})
                if not prefixes:
                    return parsed
                clauses.append((tantivy.Occur.Should, parsed))
        except ValueError as exc:
            if "Only excluding terms" in str(exc):
                raise QueryError(
                    f"the query {query!r} only excludes words (NOT, -word): add a word to search for"
                ) from exc
            raise QueryError(f"cannot understand the query {query!r}: {exc}") from exc
        occur = tantivy.Occur.Must if " AND " in f" {text} " or "+" in text else tantivy.Occur.Should
        for token in prefixes:
            pattern = _prefix_pattern(token.lstrip("+").rstrip("*"))
            clauses.append(
                (occur, _any_of([tantivy.Query.regex_query(self.schema, f, pattern) for f in ("text", "section")]))
            )
        return tantivy.Query.boolean_query(clauses)

    def _filter_queries(self, f: Filters) -> list[Any]:
        import tantivy

        out = []
        if not f.footnotes:
            out.append(tantivy.Query.term_query(self.schema, "kind", PASSAGE))
        for field, values in (
            ("country", f.countries),
            ("source_org", f.source_orgs),
            ("doc_type", f.doc_types),
            ("report_id", f.report_ids),
        ):
            if values:
                out.append(_any_of([tantivy.Query.term_query(self.schema, field, v) for v in values]))
        if f.passage_ids is not None:
            # Tags change too often to be written into the index (a tag would re-index its report): the
            # tagged passages' ids restrict the query instead, as one term-set clause.
            out.append(tantivy.Query.term_set_query(self.schema, "passage_id", list(f.passage_ids)))
        if f.sections:
            out.append(_any_of([self._section_query(code) for code in f.sections]))
        if f.year_from is not None or f.year_to is not None:
            out.append(
                tantivy.Query.range_query(
                    self.schema, "year", tantivy.FieldType.Integer, f.year_from or 0, f.year_to or 9999
                )
            )
        if f.period_from is not None:
            out.append(
                tantivy.Query.range_query(self.schema, "period_end", tantivy.FieldType.Integer, f.period_from, 9999)
            )
        if f.period_to is not None:
            out.append(
                tantivy.Query.range_query(self.schema, "period_start", tantivy.FieldType.Integer, 1, f.period_to)
            )
        return out

    def _section_query(self, code: str) -> Any:
        import tantivy

        exact = tantivy.Query.term_query(self.schema, "section_code", code)
        if "." in code:
            return exact
        # "2" also means every lettered subsection of Section 2.
        subs = [tantivy.Query.term_query(self.schema, "section_code", f"{code}.{c}") for c in "abcdefgh"]
        return _any_of([exact, *subs])

    @property
    def size(self) -> int:
        return self._read(lambda: int(self.index.searcher().num_docs))


def damage_message(folder: Path, what: str) -> str:
    """The one line a user sees when derived files were damaged and the index was rebuilt."""
    return f"the search index in {folder.name} was damaged ({what}); rebuilt it from the library"


def _busy_message(folder: Path) -> str:
    return f"another process is updating the search index in {folder}; search again when it has finished"


def _is_damage(exc: BaseException) -> bool:
    """Whether an error raised while opening or reading the index means its files are damaged.

    tantivy reports unreadable files as ValueError or OSError and panics (pyo3's PanicException, a
    BaseException) on some inconsistent ones; a malformed query is a QueryError and a lock held by another
    process is not damage.
    """
    if type(exc).__name__ == "PanicException":
        return True
    if isinstance(exc, QueryError) or not isinstance(exc, ValueError | OSError):
        return False
    return "LockBusy" not in str(exc)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _describe(exc: BaseException) -> str:
    """A short account of a tantivy error: the file it names and what was wrong with it."""
    if type(exc).__name__ == "PanicException":
        return f"tantivy panicked: {_first_line(exc)}"
    text = str(exc)
    name = re.search(r'(?:filepath: |FileDoesNotExist\(|in file `)"([^"]+)"', text)
    reason = re.search(r'error: "([^"]+)"|message: "([^"]+)"|Data corruption[^:]*: (.+?)(?:: Error\(|\.?\'|$)', text)
    if name is None and reason is None:
        return _first_line(exc)
    what = Path(name.group(1)).name if name else ""
    why = next((g for g in reason.groups() if g), "") if reason else ""
    if "FileDoesNotExist" in text:
        why = "missing"
    why = why.split(". ")[0].strip().rstrip(".")
    return f"{what}: {why}" if what and why else what or why


@contextmanager
def _writer_lock(folder: Path, wait: float) -> Iterator[None]:
    """Hold tantivy's writer lock, so that no other process writes the index while it is checked and reset."""
    try:
        import fcntl
    except ImportError:  # no flock on this platform: tantivy's lock cannot be shared
        yield
        return
    if not folder.is_dir():  # no index yet, or a file stands where the folder should be: nobody writes it
        yield
        return
    with open(folder / WRITER_LOCK, "a") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusyError(_busy_message(folder)) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _live_segments(folder: Path) -> set[str]:
    """Ids (32 hex digits) of the segments meta.json names."""
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return {str(s["segment_id"]).replace("-", "") for s in meta["segments"]}


def _segment_files(folder: Path) -> dict[str, list[int]]:
    """Size and modification time of every file of the segments meta.json names (tantivy never rewrites one)."""
    try:
        live = _live_segments(folder)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
    files: dict[str, list[int]] = {}
    for entry in folder.iterdir():
        if _SEGMENT_FILE.match(entry.name) and entry.name[:32] in live:
            try:
                info = entry.stat()
            except OSError:
                continue  # collected by a merge since meta.json was read
            files[entry.name] = [info.st_size, info.st_mtime_ns]
    return files


def _check_files(folder: Path, recorded: dict[str, Any]) -> None:
    """Raise _Damage when a file of a live segment is missing, resized, or changed since it was written.

    Only segments that the current meta.json still names are checked: another process may have merged the
    others away since the manifest was written. A changed modification time alone (a copied folder) is
    settled by the file's own CRC-32, which tantivy keeps in its footer.
    """
    try:
        live = _live_segments(folder)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _Damage(f"meta.json: {_first_line(exc)}") from None
    for name, record in recorded.items():
        if name[:32] not in live:
            continue
        file = folder / name
        try:
            info = file.stat()
        except FileNotFoundError:
            raise _Damage(f"{name} is missing") from None
        if not stat.S_ISREG(info.st_mode):
            raise _Damage(f"{name} is not a file")
        size, mtime = int(record[0]), int(record[1])
        if info.st_size != size:
            raise _Damage(f"{name} has {info.st_size} bytes, not {size}")
        if info.st_mtime_ns != mtime and not _checksum_ok(file):
            raise _Damage(f"{name} fails its checksum")


def _checksum_ok(file: Path) -> bool:
    """Whether a tantivy file matches the CRC-32 in its footer (body, JSON footer, its length, magic number)."""
    try:
        with file.open("rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(size - 8)
            length = struct.unpack("<I", handle.read(4))[0]
            body = size - 8 - length
            handle.seek(body)
            footer = json.loads(handle.read(length))
            handle.seek(0)
            crc, left = 0, body
            while left > 0:
                block = handle.read(min(left, 1 << 22))
                if not block:
                    return False
                crc, left = zlib.crc32(block, crc), left - len(block)
        return bool(crc == int(footer["crc"]))
    except (OSError, ValueError, KeyError, TypeError, struct.error):
        return False


def _any_of(queries: list[Any]) -> Any:
    import tantivy

    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


def prepare_query(query: str) -> str:
    """Lower-case terms (so prefixes match the lower-cased index), keep operators and phrases, drop stopwords."""
    query = query.strip()
    if not query:
        raise QueryError('empty query: give one or more words, a "phrase", or terms joined by AND / OR / NOT')
    if query.count('"') % 2:
        raise QueryError(f"cannot understand the query {query!r}: a quotation mark is not closed")
    if len(query) > 2000:
        query = query[:2000]
    tokens = _TOKEN.findall(query)
    if not any(t in _OPERATORS for t in tokens):
        # Without AND / OR / NOT, brackets are prose ("the KNB (security service)", "alert(1)"), not grouping.
        tokens = [piece for t in tokens for piece in ([t] if t.startswith('"') else re.split(r"[()]+", t)) if piece]
    out: list[str] = []
    plain = [t for t in tokens if t not in _OPERATORS and not t.startswith('"')]
    drop_stopwords = len([t for t in plain if t.lower() not in STOPWORDS]) > 0
    for token in tokens:
        if token in _OPERATORS or token.startswith('"'):
            out.append(token if token in _OPERATORS else token.lower())
            continue
        word = token.lower()
        if drop_stopwords and word.strip("+-()") in STOPWORDS:
            continue
        out.append(_escape(word))
    if all(t in _OPERATORS for t in out):
        raise QueryError(f"the query {query!r} has only operators or stopwords")
    return " ".join(out)


def _prefix_pattern(prefix: str) -> str:
    """A regex over indexed (stemmed) terms for the words that begin with `prefix`.

    The index holds stems, so "police*" must also match the stem "polic" of "police" itself (and of
    "policing"), beside the terms that begin with the whole prefix ("policeman", "policemen").
    """
    import snowballstemmer

    stem = snowballstemmer.stemmer("english").stemWord(prefix)
    alternatives = [re.escape(prefix) + ".*"]
    if stem != prefix:
        alternatives.append(re.escape(stem))
    return "|".join(alternatives)


def _plain_terms(query: str) -> list[str]:
    """The distinct words of a plain query, as the parser gets them; none when the query has operators,
    phrases, required or excluded terms or prefixes (their own logic decides what matches)."""
    text = prepare_query(query)
    words = text.split()
    if any(w in _OPERATORS or w[:1] in '"+-(' or w.endswith(("*", ")")) for w in words):
        return []
    return list(dict.fromkeys(words))


def _escape(word: str) -> str:
    """Quote characters the tantivy query language gives a meaning they do not have in prose."""
    lead = ""
    while word[:1] in "+-(" and len(word) > 1:
        lead, word = lead + word[0], word[1:]
    trail = ""
    while word[-1:] in ")" and len(word) > 1:
        word, trail = word[:-1], word[-1] + trail
    word = re.sub(r"([:\\^\[\]{}~!<>=\'/])", r"\\\1", word)
    return lead + word + trail
