"""The embedded default store: one SQLite file, schema migrations by PRAGMA user_version."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from covenant.annotations import Note, Tag, TagCount, clean_note, clean_tag, note_words
from covenant.errors import CovenantError, NotFoundError, StoreError
from covenant.model import (
    Document,
    Entity,
    EntityMention,
    Event,
    Footnote,
    IngestEvent,
    MapRun,
    Passage,
    Recommendation,
    Report,
    RightCorrection,
    RightLabel,
    Section,
)
from covenant.store.ocr_confidence import MIGRATION as OCR_CONFIDENCE_MIGRATION

if TYPE_CHECKING:
    from covenant.recommendations.links import FollowUp

# Each entry upgrades the schema by one version; never edit a released entry, append a new one.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE reports (
        id TEXT PRIMARY KEY, file_name TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE,
        format TEXT NOT NULL, size_bytes INTEGER NOT NULL, encoding TEXT, title TEXT, source_org TEXT,
        doc_type TEXT, country TEXT, period_start TEXT, period_end TEXT, publication_date TEXT,
        language TEXT, pages INTEGER, ingested_at TEXT, metadata_method TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE report_texts (
        report_id TEXT PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
        clean_text TEXT NOT NULL,
        offset_map TEXT NOT NULL
    );
    CREATE TABLE sources (
        path TEXT PRIMARY KEY,
        report_id TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE
    );
    CREATE TABLE sections (
        id TEXT PRIMARY KEY, report_id TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL, level INTEGER NOT NULL, title TEXT NOT NULL, code TEXT, parent_id TEXT,
        start INTEGER NOT NULL, "end" INTEGER NOT NULL, line_start INTEGER NOT NULL, line_end INTEGER NOT NULL,
        page INTEGER
    );
    CREATE INDEX sections_report ON sections(report_id, ordinal);
    CREATE TABLE passages (
        id TEXT PRIMARY KEY, report_id TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL, section_id TEXT, section_path TEXT NOT NULL, text TEXT NOT NULL,
        start INTEGER NOT NULL, "end" INTEGER NOT NULL, line_start INTEGER NOT NULL, line_end INTEGER NOT NULL,
        page_start INTEGER, page_end INTEGER, kind TEXT NOT NULL, language TEXT
    );
    CREATE INDEX passages_report ON passages(report_id, ordinal);
    CREATE TABLE footnotes (
        id TEXT PRIMARY KEY, report_id TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        number TEXT NOT NULL, text TEXT NOT NULL, marker_offset INTEGER, start INTEGER NOT NULL,
        "end" INTEGER NOT NULL, line_start INTEGER NOT NULL, line_end INTEGER NOT NULL, page INTEGER
    );
    CREATE INDEX footnotes_report ON footnotes(report_id);
    CREATE TABLE furniture (
        report_id TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        reason TEXT NOT NULL, text TEXT NOT NULL, line_start INTEGER NOT NULL, line_end INTEGER NOT NULL,
        page INTEGER
    );
    CREATE INDEX furniture_report ON furniture(report_id);
    CREATE TABLE ingest_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, path TEXT NOT NULL, status TEXT NOT NULL,
        reason TEXT, report_id TEXT, passages INTEGER
    );
    """,
    """
    CREATE TABLE embeddings (
        text_hash TEXT NOT NULL, model TEXT NOT NULL, vector BLOB NOT NULL,
        PRIMARY KEY (text_hash, model)
    ) WITHOUT ROWID;
    """,
    """
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # What a brief cites: the report's symbol, address, accessed date and printed page numbers; a passage's
    # printed pages and paragraph number. A report stored before was accessed when it was ingested.
    """
    ALTER TABLE reports ADD COLUMN symbol TEXT;
    ALTER TABLE reports ADD COLUMN url TEXT;
    ALTER TABLE reports ADD COLUMN accessed TEXT;
    ALTER TABLE reports ADD COLUMN printed_pages TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE passages ADD COLUMN printed_page_start TEXT;
    ALTER TABLE passages ADD COLUMN printed_page_end TEXT;
    ALTER TABLE passages ADD COLUMN paragraph TEXT;
    UPDATE reports SET accessed = substr(ingested_at, 1, 10) WHERE ingested_at IS NOT NULL;
    """,
    # The country each passage is about (an extract of a country-by-country report holds its neighbours'
    # entries too). Passages stored before take their report's country until the report is ingested again.
    """
    ALTER TABLE passages ADD COLUMN country TEXT;
    UPDATE passages SET country = (SELECT country FROM reports WHERE reports.id = passages.report_id);
    """,
    # A researcher's tags and notes on passages. They are keyed to passage ids without a foreign key: what a
    # researcher wrote is never deleted by a cascade. A replaced report's tags and notes move to the passage
    # with the same text in the new version (save_document); the others, and those of a removed report, stay
    # orphaned and listed until the same passage comes back (re-ingesting the same file) or they are removed.
    # `tag_key` is the tag case-folded (Unicode, not only ASCII): one tag per passage however it is spelled.
    # IF NOT EXISTS: a library whose user_version was set back runs the migrations after it again.
    """
    CREATE TABLE IF NOT EXISTS tags (
        passage_id TEXT NOT NULL, tag TEXT NOT NULL, tag_key TEXT NOT NULL, created_at TEXT NOT NULL,
        PRIMARY KEY (passage_id, tag_key)
    );
    CREATE INDEX IF NOT EXISTS tags_key ON tags(tag_key);
    CREATE TABLE IF NOT EXISTS notes (
        id INTEGER PRIMARY KEY AUTOINCREMENT, passage_id TEXT NOT NULL, text TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS notes_passage ON notes(passage_id);
    """,
    # Rights labels: the model's (derived, replaced whenever passages are labelled again; gone with their
    # passage) and a user's corrections (kept like tags: no foreign key, carried into a new version of the
    # report). `right_runs` says which model labelled a passage and whether it had the passage's vector.
    # `right_labels_effective` is what every reader counts: assigned model labels a user did not remove, and
    # the labels a user set.
    """
    CREATE TABLE IF NOT EXISTS right_labels (
        passage_id TEXT NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
        scheme TEXT NOT NULL, code TEXT NOT NULL, score REAL NOT NULL, method TEXT NOT NULL,
        assigned INTEGER NOT NULL,
        PRIMARY KEY (passage_id, scheme, code)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS right_labels_code ON right_labels(scheme, code, passage_id) WHERE assigned = 1;
    CREATE TABLE IF NOT EXISTS right_runs (
        passage_id TEXT PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
        model TEXT NOT NULL, with_vector INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS right_corrections (
        passage_id TEXT NOT NULL, scheme TEXT NOT NULL, code TEXT NOT NULL, present INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (passage_id, scheme, code)
    );
    CREATE VIEW IF NOT EXISTS right_labels_effective AS
        SELECT l.passage_id, l.scheme, l.code FROM right_labels l
        WHERE l.assigned = 1 AND NOT EXISTS (
            SELECT 1 FROM right_corrections c
            WHERE c.passage_id = l.passage_id AND c.scheme = l.scheme AND c.code = l.code AND c.present = 0)
        UNION
        SELECT c.passage_id, c.scheme, c.code FROM right_corrections c
        JOIN passages p ON p.id = c.passage_id WHERE c.present = 1;
    """,
    # Recommendations (derived: gone with their report and passage, extracted again from a new version) and their
    # follow-up links to later passages (stated by the text, or inferred with a score). `recommendation_runs` says
    # which extractor read a report, so a report with no recommendation is not read again. Lists are JSON.
    """
    CREATE TABLE IF NOT EXISTS recommendations (
        id TEXT PRIMARY KEY, report_id TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        passage_id TEXT REFERENCES passages(id) ON DELETE CASCADE,
        quote TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, issuer TEXT, addressee TEXT,
        method TEXT NOT NULL, issuers TEXT NOT NULL DEFAULT '[]', iccpr TEXT NOT NULL DEFAULT '[]',
        status_claimed TEXT, status_passage_id TEXT, cited_from TEXT, date TEXT, response TEXT, "group" TEXT
    );
    CREATE INDEX IF NOT EXISTS recommendations_report ON recommendations(report_id, start);
    CREATE INDEX IF NOT EXISTS recommendations_group ON recommendations("group");
    CREATE TABLE IF NOT EXISTS recommendation_runs (
        report_id TEXT PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
        extractor TEXT NOT NULL, recommendations INTEGER NOT NULL, at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS recommendation_links (
        recommendation_id TEXT NOT NULL REFERENCES recommendations(id) ON DELETE CASCADE,
        passage_id TEXT NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('stated', 'inferred')), score REAL NOT NULL, date TEXT,
        evidence TEXT NOT NULL DEFAULT '{}', method TEXT NOT NULL,
        PRIMARY KEY (recommendation_id, passage_id)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS recommendation_links_passage ON recommendation_links(passage_id);
    """,
    # Entity mentions (derived: gone with their passage, recognised again in a new version of the report) and the
    # library's entities, replaced whole whenever resolution runs again (the set of reports changed).
    # `entity_runs` says which recogniser read a report, so a report with no mention is not read again.
    """
    CREATE TABLE IF NOT EXISTS entity_mentions (
        passage_id TEXT NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
        report_id TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL,
        type TEXT NOT NULL, method TEXT NOT NULL, entity_id TEXT,
        PRIMARY KEY (passage_id, start, "end")
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS entity_mentions_report ON entity_mentions(report_id, start);
    CREATE INDEX IF NOT EXISTS entity_mentions_entity ON entity_mentions(entity_id);
    CREATE TABLE IF NOT EXISTS entities (
        id TEXT PRIMARY KEY, canonical TEXT NOT NULL, type TEXT NOT NULL, aliases TEXT NOT NULL DEFAULT '[]',
        mentions INTEGER NOT NULL, reports TEXT NOT NULL DEFAULT '{}', method TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS entity_runs (
        report_id TEXT PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
        recogniser TEXT NOT NULL, mentions INTEGER NOT NULL, at TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # Events (derived: gone with their passage, extracted again from a new version of the report); `event_group`
    # is set across the library whenever the set of reports read changes. `event_runs` says which extractor read a
    # report, so a report with no event is not read again. Lists are JSON.
    """
    CREATE TABLE IF NOT EXISTS events (
        id TEXT PRIMARY KEY, report_id TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        passage_id TEXT NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
        start INTEGER NOT NULL, "end" INTEGER NOT NULL, quote TEXT NOT NULL, type TEXT NOT NULL, method TEXT NOT NULL,
        date TEXT, date_precision TEXT, perpetrators TEXT NOT NULL DEFAULT '[]', victims TEXT NOT NULL DEFAULT '[]',
        place TEXT, iccpr TEXT NOT NULL DEFAULT '[]', event_group TEXT
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS events_report ON events(report_id, start);
    CREATE INDEX IF NOT EXISTS events_passage ON events(passage_id);
    CREATE INDEX IF NOT EXISTS events_date ON events(date);
    CREATE TABLE IF NOT EXISTS event_runs (
        report_id TEXT PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
        extractor TEXT NOT NULL, events INTEGER NOT NULL, at TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    OCR_CONFIDENCE_MIGRATION,
    # Entity mentions in footnotes (derived: gone with their footnote), with clean offsets. A library read
    # before by an older recogniser is read again (entities.component.RECOGNISER), footnotes included.
    """
    CREATE TABLE IF NOT EXISTS footnote_mentions (
        footnote_id TEXT NOT NULL REFERENCES footnotes(id) ON DELETE CASCADE,
        report_id TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL,
        type TEXT NOT NULL, method TEXT NOT NULL, entity_id TEXT,
        PRIMARY KEY (footnote_id, start, "end")
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS footnote_mentions_report ON footnote_mentions(report_id, start);
    CREATE INDEX IF NOT EXISTS footnote_mentions_entity ON footnote_mentions(entity_id);
    """,
]
# Where entity mentions are stored: (table, the column of the passage's or footnote's id, mentions in footnotes).
_MENTION_TABLES = (("entity_mentions", "passage_id", False), ("footnote_mentions", "footnote_id", True))
_JSON_REPORT_COLS = ("metadata_method", "printed_pages")

_REPORT_COLS = [f.name for f in fields(Report)]
_SECTION_COLS = [f.name for f in fields(Section)]
_PASSAGE_COLS = [f.name for f in fields(Passage)]
_FOOTNOTE_COLS = [f.name for f in fields(Footnote)]
# attrgetter rows: dataclasses.astuple deep-copies every field and dominated the cost of a write.
_section_row = attrgetter(*_SECTION_COLS)
_passage_row = attrgetter(*_PASSAGE_COLS)
_footnote_row = attrgetter(*_FOOTNOTE_COLS)
_run_row = attrgetter("clean_start", "clean_end", "orig_start", "line_start", "line_end", "page")
_PATH_AT = _PASSAGE_COLS.index("section_path")


def _passage_rows(passages: list[Passage]) -> list[list[Any]]:
    # A report has a few dozen section paths and thousands of passages: encode each path once.
    paths: dict[tuple[str, ...], str] = {}
    rows = []
    for p in passages:
        row = list(_passage_row(p))
        key = tuple(row[_PATH_AT])
        encoded = paths.get(key)
        if encoded is None:
            encoded = paths[key] = json.dumps(row[_PATH_AT], ensure_ascii=False)
        row[_PATH_AT] = encoded
        rows.append(row)
    return rows


_RECOMMENDATION_COLS = [f.name for f in fields(Recommendation)]
_JSON_RECOMMENDATION_COLS = ("issuers", "iccpr")


def _recommendation_row(rec: Recommendation) -> list[Any]:
    return [
        json.dumps(getattr(rec, c), ensure_ascii=False) if c in _JSON_RECOMMENDATION_COLS else getattr(rec, c)
        for c in _RECOMMENDATION_COLS
    ]


def _recommendation(row: tuple[Any, ...]) -> Recommendation:
    data = dict(zip(_RECOMMENDATION_COLS, row, strict=True))
    for name in _JSON_RECOMMENDATION_COLS:
        data[name] = json.loads(data[name] or "[]")
    return Recommendation(**data)


_EVENT_COLS = [f.name for f in fields(Event)]
_EVENT_JSON = ("perpetrators", "victims", "iccpr")


def _event_row(event: Event) -> list[Any]:
    return [
        json.dumps(getattr(event, c), ensure_ascii=False) if c in _EVENT_JSON else getattr(event, c)
        for c in _EVENT_COLS
    ]


def _event(row: tuple[Any, ...]) -> Event:
    values = {c: json.loads(v) if c in _EVENT_JSON else v for c, v in zip(_EVENT_COLS, row, strict=True)}
    return Event(**values)


def _cols(names: list[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def _marks(names: list[str]) -> str:
    return ", ".join("?" for _ in names)


class SQLiteStore:
    """`Store` on one SQLite file; every report is written in one transaction.

    `read_only`: open without writing (a library on read-only media, or a reader that must not change it).
    Every database fault (a damaged file, a read-only file, a full disk, a lock held too long) comes out as
    one StoreError naming the file and what to do, never as a raw sqlite3 error.
    """

    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        try:
            if read_only:
                self.db = self._connect_read_only(path)
            else:
                if path.parent and not path.parent.exists():
                    path.parent.mkdir(parents=True, exist_ok=True)
                if path.exists() and not os.access(path, os.W_OK):
                    raise StoreError(f"{path}: the library database is read-only (check its permissions)")
                self.db = sqlite3.connect(str(path), isolation_level=None, timeout=30)
                if self.db.execute("PRAGMA page_count").fetchone()[0] == 0:
                    # New libraries give back a removed report's pages (PRAGMA incremental_vacuum on remove).
                    self.db.execute("PRAGMA auto_vacuum=INCREMENTAL")
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            # Note search folds case in every script, as Python does (SQLite's lower() folds only ASCII).
            self.db.create_function("casefold", 1, _casefold, deterministic=True)
            self._migrate()
        except OSError as exc:
            raise StoreError(f"{path}: cannot create or open the library ({exc.strerror or exc})") from exc
        except sqlite3.DatabaseError as exc:
            raise _store_error(path, exc) from exc

    @staticmethod
    def _connect_read_only(path: Path) -> sqlite3.Connection:
        uri = path.resolve().as_uri()
        db = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, timeout=30)
        try:
            db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            # On read-only media the WAL index (-shm) cannot be made: read the file as it stands.
            db.close()
            db = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
        return db

    # -- schema ---------------------------------------------------------------------------------
    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StoreError(f"{self.path}: made by a newer Covenant (schema {version}); upgrade Covenant to open it")
        if self.read_only:
            if version < len(MIGRATIONS):
                raise StoreError(f"{self.path}: made by an older Covenant; open it once for writing to upgrade it")
            return
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            self.db.execute("BEGIN")
            try:
                for statement in script.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version={number}")
                self.db.execute("COMMIT")
            except Exception:
                self.db.execute("ROLLBACK")
                raise

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    # -- writing --------------------------------------------------------------------------------
    def report_id_for_path(self, path: str) -> str | None:
        row = self.db.execute("SELECT report_id FROM sources WHERE path = ?", (path,)).fetchone()
        return row[0] if row else None

    def has_report(self, report_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM reports WHERE id = ?", (report_id,)).fetchone() is not None

    def save_document(self, doc: Document, path: str, event: IngestEvent, replaces: str | None) -> None:
        r = doc.report
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            if replaces and replaces != r.id:
                held_elsewhere = self._held_elsewhere(replaces, path)
                # Before the old passages go: their tags and notes follow their text into the new version.
                self._carry_annotations(replaces, doc.passages, move=not held_elsewhere)
                self._delete_if_orphaned(replaces, path, held_elsewhere)
            values = [json.dumps(getattr(r, c)) if c in _JSON_REPORT_COLS else getattr(r, c) for c in _REPORT_COLS]
            db.execute(f"INSERT INTO reports ({_cols(_REPORT_COLS)}) VALUES ({_marks(_REPORT_COLS)})", values)
            runs = [_run_row(run) for run in doc.offset_map]
            db.execute(
                "INSERT INTO report_texts (report_id, clean_text, offset_map) VALUES (?, ?, ?)",
                (r.id, doc.clean_text, json.dumps(runs, separators=(",", ":"))),
            )
            db.executemany(
                f"INSERT INTO sections ({_cols(_SECTION_COLS)}) VALUES ({_marks(_SECTION_COLS)})",
                [_section_row(s) for s in doc.sections],
            )
            db.executemany(
                f"INSERT INTO passages ({_cols(_PASSAGE_COLS)}) VALUES ({_marks(_PASSAGE_COLS)})",
                _passage_rows(doc.passages),
            )
            db.executemany(
                f"INSERT INTO footnotes ({_cols(_FOOTNOTE_COLS)}) VALUES ({_marks(_FOOTNOTE_COLS)})",
                [_footnote_row(n) for n in doc.footnotes],
            )
            db.executemany(
                "INSERT INTO furniture (report_id, reason, text, line_start, line_end, page) VALUES (?,?,?,?,?,?)",
                [(r.id, f.reason, f.text, f.line_start, f.line_end, f.page) for f in doc.furniture],
            )
            db.execute("INSERT OR REPLACE INTO sources (path, report_id) VALUES (?, ?)", (path, r.id))
            self._log(event)
            db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            db.execute("ROLLBACK")
            raise StoreError(f"{path}: could not be stored ({exc}); nothing of it was written") from exc
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _held_elsewhere(self, report_id: str, path: str) -> bool:
        """Whether another path still holds this report's content (then the old version stays stored)."""
        others = self.db.execute(
            "SELECT 1 FROM sources WHERE report_id = ? AND path != ?", (report_id, path)
        ).fetchone()
        return others is not None

    def _delete_if_orphaned(self, report_id: str, path: str, held_elsewhere: bool) -> None:
        """Remove an old version unless another path still holds the same content."""
        if not held_elsewhere:
            self.db.execute("DELETE FROM reports WHERE id = ?", (report_id,))
        else:
            self.db.execute("DELETE FROM sources WHERE path = ?", (path,))

    def _carry_annotations(self, old_report: str, new_passages: list[Passage], move: bool) -> None:
        """Give each tagged or annotated passage of the old version's tags and notes to the new version's
        passage with the same text (whitespace aside; of several, the one nearest its old place).

        `move`: the old version is being removed, so its tags and notes move (a note keeps its id); else the
        old version stays in the library and the new one gets copies. A passage whose text is gone keeps
        them under its old id, orphaned.
        """
        old = self.db.execute(
            "SELECT id, ordinal, text FROM passages WHERE report_id = ? AND ("
            "id IN (SELECT passage_id FROM tags) OR id IN (SELECT passage_id FROM notes) "
            "OR id IN (SELECT passage_id FROM right_corrections))",
            (old_report,),
        ).fetchall()
        if not old:
            return
        by_text: dict[str, list[Passage]] = {}
        for p in new_passages:
            by_text.setdefault(" ".join(p.text.split()), []).append(p)
        db = self.db
        for old_id, ordinal, text in old:
            same = by_text.get(" ".join(text.split()))
            if not same:
                continue
            new_id = min(same, key=lambda p: (abs(p.ordinal - ordinal), p.ordinal)).id
            db.execute(
                "INSERT OR IGNORE INTO tags (passage_id, tag, tag_key, created_at) "
                "SELECT ?, tag, tag_key, created_at FROM tags WHERE passage_id = ?",
                (new_id, old_id),
            )
            db.execute(
                "INSERT OR IGNORE INTO right_corrections (passage_id, scheme, code, present, created_at) "
                "SELECT ?, scheme, code, present, created_at FROM right_corrections WHERE passage_id = ?",
                (new_id, old_id),
            )
            if move:
                db.execute("DELETE FROM tags WHERE passage_id = ?", (old_id,))
                db.execute("DELETE FROM right_corrections WHERE passage_id = ?", (old_id,))
                db.execute("UPDATE notes SET passage_id = ? WHERE passage_id = ?", (new_id, old_id))
            else:
                db.execute(
                    "INSERT INTO notes (passage_id, text, created_at, updated_at) "
                    "SELECT ?, text, created_at, updated_at FROM notes WHERE passage_id = ? ORDER BY id",
                    (new_id, old_id),
                )

    def link_path(self, path: str, report_id: str) -> None:
        """Point a path at a report already stored (the same content under another name)."""
        self.db.execute("INSERT OR REPLACE INTO sources (path, report_id) VALUES (?, ?)", (path, report_id))

    def remove_report(self, report_id: str) -> bool:
        cur = self.db.execute("DELETE FROM reports WHERE id = ?", (report_id,))
        if cur.rowcount > 0:
            self.reclaim_space()
        return cur.rowcount > 0

    def reclaim_space(self) -> None:
        """Give the pages of removed rows back to the file system (the file shrinks)."""
        if self.db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2:
            # executescript steps the pragma to its end; execute() would free one page per step taken.
            self.db.executescript("PRAGMA incremental_vacuum;")
        else:
            # A library made before incremental vacuum: switch it over, which takes one full VACUUM.
            self.db.execute("PRAGMA auto_vacuum=INCREMENTAL")
            self.db.execute("VACUUM")
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def log(self, event: IngestEvent) -> None:
        self._log(event)

    def _log(self, event: IngestEvent) -> None:
        at = event.at or datetime.now(UTC).isoformat(timespec="seconds")
        self.db.execute(
            "INSERT INTO ingest_log (at, path, status, reason, report_id, passages) VALUES (?,?,?,?,?,?)",
            (at, event.path, event.status, event.reason, event.report_id, event.passages),
        )

    # -- reading --------------------------------------------------------------------------------
    def ingest_log(self, limit: int = 100) -> list[IngestEvent]:
        rows = self.db.execute(
            "SELECT path, status, reason, report_id, at, passages FROM ingest_log ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [IngestEvent(path=p, status=s, reason=r, report_id=i, at=a, passages=n) for p, s, r, i, a, n in rows]

    def reports(self) -> list[Report]:
        rows = self.db.execute(f"SELECT {_cols(_REPORT_COLS)} FROM reports ORDER BY file_name, id").fetchall()
        return [self._report(row) for row in rows]

    def _report(self, row: tuple[Any, ...]) -> Report:
        data = dict(zip(_REPORT_COLS, row, strict=True))
        data["metadata_method"] = json.loads(data["metadata_method"] or "{}")
        data["printed_pages"] = json.loads(data["printed_pages"] or "[]")
        return Report(**data)

    def find_report(self, ref: str) -> Report:
        prefix = ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.db.execute(
            f"SELECT {_cols(_REPORT_COLS)} FROM reports WHERE id = ? OR file_name = ? "
            "OR id LIKE ? ESCAPE '\\' OR file_name LIKE ? ESCAPE '\\' ORDER BY id",
            (ref, ref, prefix, prefix),
        ).fetchall()
        exact = [row for row in rows if ref in (row[0], row[1])]
        if exact:
            rows = exact
        if not rows:
            raise NotFoundError(f"no report {ref!r} in the library (see `covenant reports`)")
        if len(rows) > 1:
            names = ", ".join(f"{row[0]} ({row[1]})" for row in rows[:5])
            raise NotFoundError(f"{ref!r} matches {len(rows)} reports: {names}; give more of the id")
        return self._report(rows[0])

    def sections(self, report_id: str) -> list[Section]:
        rows = self.db.execute(
            f"SELECT {_cols(_SECTION_COLS)} FROM sections WHERE report_id = ? ORDER BY ordinal", (report_id,)
        ).fetchall()
        return [Section(*row) for row in rows]

    def passages(self, report_id: str | None = None) -> list[Passage]:
        sql = f"SELECT {_cols(_PASSAGE_COLS)} FROM passages"
        args: tuple[Any, ...] = ()
        if report_id is not None:
            sql += " WHERE report_id = ?"
            args = (report_id,)
        sql += " ORDER BY report_id, ordinal"
        return [self._passage(row) for row in self.db.execute(sql, args)]

    def passage(self, passage_id: str) -> Passage:
        row = self.db.execute(f"SELECT {_cols(_PASSAGE_COLS)} FROM passages WHERE id = ?", (passage_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no passage {passage_id!r} in the library")
        return self._passage(row)

    def _passage(self, row: tuple[Any, ...]) -> Passage:
        data = dict(zip(_PASSAGE_COLS, row, strict=True))
        data["section_path"] = json.loads(data["section_path"])
        return Passage(**data)

    def footnotes(self, report_id: str) -> list[Footnote]:
        rows = self.db.execute(
            f"SELECT {_cols(_FOOTNOTE_COLS)} FROM footnotes WHERE report_id = ? ORDER BY start", (report_id,)
        ).fetchall()
        return [Footnote(*row) for row in rows]

    def clean_text(self, report_id: str) -> str:
        row = self.db.execute("SELECT clean_text FROM report_texts WHERE report_id = ?", (report_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no report {report_id!r} in the library")
        return str(row[0])

    def offset_map(self, report_id: str) -> list[MapRun]:
        row = self.db.execute("SELECT offset_map FROM report_texts WHERE report_id = ?", (report_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no report {report_id!r} in the library")
        return [MapRun(*run) for run in json.loads(row[0])]

    def countries(self) -> list[str]:
        rows = self.db.execute("SELECT DISTINCT country FROM passages WHERE country IS NOT NULL").fetchall()
        return sorted(str(row[0]) for row in rows)

    def passage_counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT report_id, COUNT(*) FROM passages GROUP BY report_id").fetchall()
        return {rid: int(n) for rid, n in rows}

    def passages_by_ids(self, ids: list[str]) -> dict[str, Passage]:
        return {p.id: p for p in map(self._passage, self._rows_by_ids("passages", _PASSAGE_COLS, ids))}

    def footnotes_by_ids(self, ids: list[str]) -> dict[str, Footnote]:
        return {row[0]: Footnote(*row) for row in self._rows_by_ids("footnotes", _FOOTNOTE_COLS, ids)}

    def _rows_by_ids(self, table: str, columns: list[str], ids: list[str]) -> list[tuple[Any, ...]]:
        """The rows of `table` with these ids (asked 500 at a time: SQLite caps a statement's parameters)."""
        rows: list[tuple[Any, ...]] = []
        for chunk in range(0, len(ids), 500):
            part = ids[chunk : chunk + 500]
            rows += self.db.execute(f"SELECT {_cols(columns)} FROM {table} WHERE id IN ({_marks(part)})", part)
        return rows

    def embeddings(self, model: str, text_hashes: list[str]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for chunk in range(0, len(text_hashes), 500):
            part = text_hashes[chunk : chunk + 500]
            rows = self.db.execute(
                f"SELECT text_hash, vector FROM embeddings WHERE model = ? AND text_hash IN ({_marks(part)})",
                [model, *part],
            ).fetchall()
            out.update({h: bytes(v) for h, v in rows})
        return out

    def save_embeddings(self, model: str, vectors: dict[str, bytes]) -> None:
        self.db.execute("BEGIN")
        try:
            self.db.executemany(
                "INSERT OR REPLACE INTO embeddings (text_hash, model, vector) VALUES (?, ?, ?)",
                [(h, model, v) for h, v in vectors.items()],
            )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def setting(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value))

    # -- tags and notes -------------------------------------------------------------------------
    def add_tag(self, passage_id: str, tag: str) -> bool:
        """Tag a stored passage; False when it already carries the tag (in any spelling)."""
        tag = clean_tag(tag)
        cur = self.db.execute(
            "INSERT OR IGNORE INTO tags (passage_id, tag, tag_key, created_at) "
            "SELECT id, ?, ?, ? FROM passages WHERE id = ?",
            (tag, tag.casefold(), _now(), passage_id),
        )
        if cur.rowcount == 0 and not self.db.execute("SELECT 1 FROM passages WHERE id = ?", (passage_id,)).fetchone():
            raise NotFoundError(f"no passage {passage_id!r} in the library")
        return cur.rowcount > 0

    def remove_tag(self, passage_id: str, tag: str) -> bool:
        """Take a tag (in any spelling) off a passage, stored or orphaned; False when it did not carry it."""
        cur = self.db.execute(
            "DELETE FROM tags WHERE passage_id = ? AND tag_key = ?", (passage_id, clean_tag(tag).casefold())
        )
        return cur.rowcount > 0

    def tag_counts(self) -> list[TagCount]:
        """Every tag with its passages, most used first; a tag is named as it was first written."""
        rows = self.db.execute(
            "SELECT t.tag_key, t.tag, p.id IS NULL FROM tags t LEFT JOIN passages p ON p.id = t.passage_id "
            "ORDER BY t.created_at, t.rowid"
        ).fetchall()
        counts: dict[str, TagCount] = {}
        for key, tag, orphaned in rows:
            found = counts.setdefault(key, TagCount(tag, 0, 0))
            found.passages += 1
            found.orphaned += int(orphaned)
        return sorted(counts.values(), key=lambda c: (-c.passages, c.tag.casefold()))

    def tags(self, tag: str | None = None) -> list[Tag]:
        """Tags on passages (of one tag, in any spelling), in passage order; orphaned ones included."""
        sql = (
            "SELECT t.passage_id, t.tag, t.created_at, p.id IS NULL FROM tags t "
            "LEFT JOIN passages p ON p.id = t.passage_id"
        )
        args: tuple[Any, ...] = ()
        if tag is not None:
            sql += " WHERE t.tag_key = ?"
            args = (clean_tag(tag).casefold(),)
        rows = self.db.execute(sql + " ORDER BY t.passage_id, t.created_at, t.rowid", args).fetchall()
        return [Tag(pid, name, at, bool(orphaned)) for pid, name, at, orphaned in rows]

    def tagged_ids(self, tags: list[str]) -> set[str]:
        """Ids of the stored passages that carry any of these tags (in any spelling)."""
        keys = sorted({clean_tag(t).casefold() for t in tags})
        if not keys:
            return set()
        rows = self.db.execute(
            f"SELECT DISTINCT t.passage_id FROM tags t JOIN passages p ON p.id = t.passage_id "
            f"WHERE t.tag_key IN ({_marks(keys)})",
            keys,
        ).fetchall()
        return {str(row[0]) for row in rows}

    def add_note(self, passage_id: str, text: str) -> Note:
        text = clean_note(text)
        now = _now()
        cur = self.db.execute(
            "INSERT INTO notes (passage_id, text, created_at, updated_at) "
            "SELECT id, ?, ?, ? FROM passages WHERE id = ?",
            (text, now, now, passage_id),
        )
        if cur.rowcount == 0:
            raise NotFoundError(f"no passage {passage_id!r} in the library")
        return Note(int(cur.lastrowid or 0), passage_id, text, now, now)

    def edit_note(self, note_id: int, text: str) -> Note:
        text = clean_note(text)
        cur = self.db.execute("UPDATE notes SET text = ?, updated_at = ? WHERE id = ?", (text, _now(), note_id))
        if cur.rowcount == 0:
            raise NotFoundError(f"no note {note_id} in the library (see `covenant notes`)")
        return self.note(note_id)

    def note(self, note_id: int) -> Note:
        found = self._notes("WHERE n.id = ?", (note_id,))
        if not found:
            raise NotFoundError(f"no note {note_id} in the library (see `covenant notes`)")
        return found[0]

    def remove_note(self, note_id: int) -> bool:
        return self.db.execute("DELETE FROM notes WHERE id = ?", (note_id,)).rowcount > 0

    def notes(self, passage_id: str | None = None, search: str | None = None) -> list[Note]:
        """Notes (on one passage), oldest first; `search`: only notes holding every one of its words.

        Notes are written by hand, so a library holds thousands at most: a scan that folds case in every
        script (SQLite's LIKE folds only ASCII) and matches parts of words ("Zhovt") is quick enough, and no
        second index has to be kept in step with them.
        """
        where, args = [], []
        if passage_id is not None:
            where.append("n.passage_id = ?")
            args.append(passage_id)
        for word in note_words(search) if search is not None else []:
            where.append("instr(casefold(n.text), ?) > 0")
            args.append(word)
        return self._notes(("WHERE " + " AND ".join(where)) if where else "", tuple(args))

    def _notes(self, where: str, args: tuple[Any, ...]) -> list[Note]:
        rows = self.db.execute(
            "SELECT n.id, n.passage_id, n.text, n.created_at, n.updated_at, p.id IS NULL FROM notes n "
            f"LEFT JOIN passages p ON p.id = n.passage_id {where} ORDER BY n.id",
            args,
        ).fetchall()
        return [Note(i, pid, text, c, u, bool(o)) for i, pid, text, c, u, o in rows]

    def annotations(self, passage_ids: list[str]) -> dict[str, tuple[list[str], list[Note]]]:
        """The tags and notes of these passages (a page of search hits) in one query: id -> (tags, notes)."""
        out: dict[str, tuple[list[str], list[Note]]] = {}
        for chunk in range(0, len(passage_ids), 400):
            part = passage_ids[chunk : chunk + 400]
            rows = self.db.execute(
                "SELECT passage_id, NULL, tag, created_at, NULL, rowid FROM tags "
                f"WHERE passage_id IN ({_marks(part)}) UNION ALL "
                "SELECT passage_id, id, text, created_at, updated_at, id FROM notes "
                f"WHERE passage_id IN ({_marks(part)}) "
                "ORDER BY 1, 4, 6",
                [*part, *part],
            ).fetchall()
            for pid, note_id, text, created, updated, _order in rows:
                tags, notes = out.setdefault(pid, ([], []))
                if note_id is None:
                    tags.append(text)
                else:
                    notes.append(Note(int(note_id), pid, text, created, updated))
        return out

    # -- rights labels ----------------------------------------------------------------------------
    def save_right_labels(
        self, passage_ids: list[str], labels: list[RightLabel], model: str, with_vector: set[str]
    ) -> None:
        """Replace these passages' model labels in one transaction (a user's corrections are not touched)."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            for chunk in range(0, len(passage_ids), 500):
                part = passage_ids[chunk : chunk + 500]
                db.execute(f"DELETE FROM right_labels WHERE passage_id IN ({_marks(part)})", part)
            db.executemany(
                "INSERT OR REPLACE INTO right_labels (passage_id, scheme, code, score, method, assigned) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(lab.passage_id, lab.scheme, lab.code, lab.score, lab.method, int(lab.assigned)) for lab in labels],
            )
            db.executemany(
                "INSERT OR REPLACE INTO right_runs (passage_id, model, with_vector) VALUES (?, ?, ?)",
                [(pid, model, int(pid in with_vector)) for pid in passage_ids],
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def reports_to_label(self, model: str, with_vectors: bool) -> list[str]:
        """Reports with passages the model has not labelled (or, `with_vectors`, labelled without a vector)."""
        condition = "r.passage_id IS NULL OR r.model != ?" + (" OR r.with_vector = 0" if with_vectors else "")
        rows = self.db.execute(
            "SELECT DISTINCT p.report_id FROM passages p LEFT JOIN right_runs r ON r.passage_id = p.id "
            f"WHERE {condition}",
            (model,),
        ).fetchall()
        return sorted(r[0] for r in rows)

    def right_runs(self, report_id: str) -> dict[str, tuple[str, bool]]:
        """Which model labelled each passage of a report, and whether it had the passage's vector."""
        rows = self.db.execute(
            "SELECT r.passage_id, r.model, r.with_vector FROM right_runs r JOIN passages p ON p.id = r.passage_id "
            "WHERE p.report_id = ?",
            (report_id,),
        ).fetchall()
        return {pid: (model, bool(vec)) for pid, model, vec in rows}

    def right_labels(self, passage_ids: list[str]) -> list[RightLabel]:
        """The model's stored labels of these passages, assigned or not, best first per scheme."""
        out: list[RightLabel] = []
        for chunk in range(0, len(passage_ids), 500):
            part = passage_ids[chunk : chunk + 500]
            rows = self.db.execute(
                "SELECT passage_id, scheme, code, score, method, assigned FROM right_labels "
                f"WHERE passage_id IN ({_marks(part)}) ORDER BY passage_id, scheme, score DESC",
                part,
            ).fetchall()
            out.extend(RightLabel(p, s, c, float(sc), m, bool(a)) for p, s, c, sc, m, a in rows)
        return out

    def report_right_labels(self, report_id: str) -> list[RightLabel]:
        rows = self.db.execute(
            "SELECT l.passage_id, l.scheme, l.code, l.score, l.method, l.assigned FROM right_labels l "
            "JOIN passages p ON p.id = l.passage_id WHERE p.report_id = ? ORDER BY p.ordinal, l.scheme, l.score DESC",
            (report_id,),
        ).fetchall()
        return [RightLabel(p, s, c, float(sc), m, bool(a)) for p, s, c, sc, m, a in rows]

    def set_right_correction(self, passage_id: str, scheme: str, code: str, present: bool) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO right_corrections (passage_id, scheme, code, present, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (passage_id, scheme, code, int(present), _now()),
        )

    def drop_right_correction(self, passage_id: str, scheme: str, code: str) -> bool:
        cur = self.db.execute(
            "DELETE FROM right_corrections WHERE passage_id = ? AND scheme = ? AND code = ?", (passage_id, scheme, code)
        )
        return cur.rowcount > 0

    def right_corrections(self, passage_ids: list[str] | None = None) -> list[RightCorrection]:
        """A user's corrections (of these passages, or all, orphaned ones included), in passage order."""
        sql = (
            "SELECT c.passage_id, c.scheme, c.code, c.present, c.created_at, p.id IS NULL FROM right_corrections c "
            "LEFT JOIN passages p ON p.id = c.passage_id"
        )
        if passage_ids is None:
            rows = self.db.execute(sql + " ORDER BY p.report_id, p.ordinal, c.passage_id, c.scheme, c.code").fetchall()
        else:
            rows = []
            for chunk in range(0, len(passage_ids), 500):
                part = passage_ids[chunk : chunk + 500]
                rows += self.db.execute(sql + f" WHERE c.passage_id IN ({_marks(part)})", part).fetchall()
        return [RightCorrection(p, s, c, bool(pr), at, bool(o)) for p, s, c, pr, at, o in rows]

    def passages_with_right(self, scheme: str, code: str) -> set[str]:
        """Ids of the passages that carry a label (the model's, unless removed, or a user's)."""
        rows = self.db.execute(
            "SELECT passage_id FROM right_labels_effective WHERE scheme = ? AND code = ?", (scheme, code)
        ).fetchall()
        return {r[0] for r in rows}

    def right_counts_of(self, passage_ids: list[str], scheme: str) -> dict[str, int]:
        """Passages per code of one scheme among these passages (labels in effect)."""
        counts: dict[str, int] = {}
        for chunk in range(0, len(passage_ids), 500):
            part = passage_ids[chunk : chunk + 500]
            rows = self.db.execute(
                "SELECT code, COUNT(*) FROM right_labels_effective "
                f"WHERE scheme = ? AND passage_id IN ({_marks(part)}) GROUP BY code",
                [scheme, *part],
            ).fetchall()
            for code, n in rows:
                counts[code] = counts.get(code, 0) + int(n)
        return counts

    def right_counts(self, scheme: str | None = None, report_id: str | None = None) -> list[tuple[str, str, str, int]]:
        """(report id, scheme, code, passages) for every label in effect, of one scheme and report or all."""
        where, args = [], []
        if scheme is not None:
            where.append("e.scheme = ?")
            args.append(scheme)
        if report_id is not None:
            where.append("p.report_id = ?")
            args.append(report_id)
        rows = self.db.execute(
            "SELECT p.report_id, e.scheme, e.code, COUNT(*) FROM right_labels_effective e "
            "JOIN passages p ON p.id = e.passage_id "
            + (f"WHERE {' AND '.join(where)} " if where else "")
            + "GROUP BY p.report_id, e.scheme, e.code",
            args,
        ).fetchall()
        return [(r, s, c, int(n)) for r, s, c, n in rows]

    # -- recommendations --------------------------------------------------------------------------
    def save_recommendations(self, report_id: str, recommendations: list[Recommendation], extractor: str) -> None:
        """Replace one report's recommendations (their links go with them) and record the extractor, in one
        transaction."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM recommendations WHERE report_id = ?", (report_id,))
            db.executemany(
                f"INSERT INTO recommendations ({_cols(_RECOMMENDATION_COLS)}) VALUES ({_marks(_RECOMMENDATION_COLS)})",
                [_recommendation_row(r) for r in recommendations],
            )
            db.execute(
                "INSERT OR REPLACE INTO recommendation_runs (report_id, extractor, recommendations, at) "
                "VALUES (?, ?, ?, ?)",
                (report_id, extractor, len(recommendations), _now()),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def recommendation_runs(self) -> dict[str, str]:
        """The extractor that read each report, by report id."""
        return {rid: ex for rid, ex in self.db.execute("SELECT report_id, extractor FROM recommendation_runs")}

    def recommendations(self, report_id: str | None = None, ids: list[str] | None = None) -> list[Recommendation]:
        """Recommendations of one report, of these ids, or all, in report and text order."""
        sql = f"SELECT {_cols(_RECOMMENDATION_COLS)} FROM recommendations"
        if ids is not None:
            rows = []
            for chunk in range(0, len(ids), 500):
                part = ids[chunk : chunk + 500]
                rows += self.db.execute(sql + f" WHERE id IN ({_marks(part)})", part).fetchall()
            found = [_recommendation(row) for row in rows]
            return sorted(found, key=lambda r: (r.report_id, r.start, r.id))
        args: tuple[Any, ...] = ()
        if report_id is not None:
            sql += " WHERE report_id = ?"
            args = (report_id,)
        return [_recommendation(row) for row in self.db.execute(sql + " ORDER BY report_id, start, id", args)]

    def recommendation(self, recommendation_id: str) -> Recommendation:
        found = self.recommendations(ids=[recommendation_id])
        if not found:
            raise NotFoundError(f"no recommendation {recommendation_id!r} in the library (`covenant recommendations`)")
        return found[0]

    def set_recommendation_groups(self, groups: dict[str, str], iccpr: dict[str, list[int]]) -> None:
        """Set the library-wide near-duplicate group and the ICCPR articles of these recommendations."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany('UPDATE recommendations SET "group" = ? WHERE id = ?', [(g, i) for i, g in groups.items()])
            db.executemany(
                "UPDATE recommendations SET iccpr = ? WHERE id = ?", [(json.dumps(a), i) for i, a in iccpr.items()]
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def save_recommendation_links(self, links: list[FollowUp]) -> None:
        """Replace every follow-up link in the library with these."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM recommendation_links")
            db.executemany(
                "INSERT OR REPLACE INTO recommendation_links "
                "(recommendation_id, passage_id, kind, score, date, evidence, method) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (k.recommendation_id, k.passage_id, k.kind, k.score, k.date, json.dumps(k.evidence), k.method)
                    for k in links
                ],
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def recommendation_links(self, recommendation_ids: list[str] | None = None) -> list[FollowUp]:
        """Follow-up links of these recommendations (or all), by date, stated before inferred, best first."""
        from covenant.recommendations.links import FollowUp

        sql = "SELECT recommendation_id, passage_id, kind, score, date, method, evidence FROM recommendation_links"
        rows: list[Any] = []
        if recommendation_ids is None:
            rows = self.db.execute(sql).fetchall()
        else:
            for chunk in range(0, len(recommendation_ids), 500):
                part = recommendation_ids[chunk : chunk + 500]
                rows += self.db.execute(sql + f" WHERE recommendation_id IN ({_marks(part)})", part).fetchall()
        links = [FollowUp(r, p, k, float(s), d, m, json.loads(e)) for r, p, k, s, d, m, e in rows]
        return sorted(links, key=lambda k: (k.recommendation_id, k.date or "", k.kind != "stated", -k.score))

    # -- entities ---------------------------------------------------------------------------------
    def save_entity_mentions(self, report_id: str, mentions: list[EntityMention], recogniser: str) -> None:
        """Replace one report's mentions (in passages and in footnotes) and record the recogniser that read it, in
        one transaction."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            for table, key, footnote in _MENTION_TABLES:
                db.execute(f"DELETE FROM {table} WHERE report_id = ?", (report_id,))
                db.executemany(
                    f'INSERT OR IGNORE INTO {table} ({key}, report_id, start, "end", text, type, method, entity_id) '
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (m.passage_id, m.report_id, m.start, m.end, m.text, m.type, m.method, m.entity_id)
                        for m in mentions
                        if m.footnote == footnote
                    ],
                )
            db.execute(
                "INSERT OR REPLACE INTO entity_runs (report_id, recogniser, mentions, at) VALUES (?, ?, ?, ?)",
                (report_id, recogniser, len(mentions), _now()),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def entity_runs(self) -> dict[str, str]:
        """The recogniser that read each report, by report id."""
        return {rid: name for rid, name in self.db.execute("SELECT report_id, recogniser FROM entity_runs")}

    def entity_mentions(
        self,
        report_id: str | None = None,
        entity_id: str | None = None,
        passage_ids: list[str] | None = None,
        footnotes: bool = False,
    ) -> list[EntityMention]:
        """Mentions of one report, of one entity, in these passages, or all, in report and text order; with
        `footnotes`, the mentions in footnotes too (after each report's passage mentions)."""
        found: list[EntityMention] = []
        for table, key, footnote in _MENTION_TABLES[: 2 if footnotes else 1]:
            sql = f'SELECT report_id, {key}, start, "end", text, type, method, entity_id FROM {table}'
            rows: list[Any] = []
            if passage_ids is not None:
                for chunk in range(0, len(passage_ids), 500):
                    part = passage_ids[chunk : chunk + 500]
                    rows += self.db.execute(sql + f" WHERE {key} IN ({_marks(part)})", part).fetchall()
            else:
                where, args = [], []
                if report_id is not None:
                    where.append("report_id = ?")
                    args.append(report_id)
                if entity_id is not None:
                    where.append("entity_id = ?")
                    args.append(entity_id)
                rows = self.db.execute(sql + (f" WHERE {' AND '.join(where)}" if where else ""), args).fetchall()
            found += [EntityMention(r, p, s, e, t, k, m, i, footnote) for r, p, s, e, t, k, m, i in rows]
        return sorted(found, key=lambda m: (m.report_id, m.footnote, m.start, m.end))

    def save_entities(self, entities: list[Entity], mentions: list[EntityMention]) -> None:
        """Replace the library's entities and set each mention's entity id, in one transaction."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM entities")
            db.executemany(
                "INSERT INTO entities (id, canonical, type, aliases, mentions, reports, method) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (e.id, e.canonical, e.type, json.dumps(e.aliases), e.mentions, json.dumps(e.reports), e.method)
                    for e in entities
                ],
            )
            for table, key, footnote in _MENTION_TABLES:
                db.executemany(
                    f'UPDATE {table} SET entity_id = ?, type = ? WHERE {key} = ? AND start = ? AND "end" = ?',
                    [(m.entity_id, m.type, m.passage_id, m.start, m.end) for m in mentions if m.footnote == footnote],
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def entities(self, ids: list[str] | None = None) -> list[Entity]:
        """The library's entities (or these), most mentioned first."""
        sql = "SELECT id, canonical, type, aliases, mentions, reports, method FROM entities"
        rows: list[Any] = []
        if ids is None:
            rows = self.db.execute(sql).fetchall()
        else:
            for chunk in range(0, len(ids), 500):
                part = ids[chunk : chunk + 500]
                rows += self.db.execute(sql + f" WHERE id IN ({_marks(part)})", part).fetchall()
        found = [Entity(i, c, t, json.loads(a), int(n), json.loads(r), m) for i, c, t, a, n, r, m in rows]
        return sorted(found, key=lambda e: (-e.mentions, e.canonical, e.id))

    # -- events -----------------------------------------------------------------------------------
    def save_events(self, report_id: str, events: list[Event], extractor: str) -> None:
        """Replace one report's events and record the extractor that read it, in one transaction."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM events WHERE report_id = ?", (report_id,))
            db.executemany(
                f"INSERT OR REPLACE INTO events ({_cols(_EVENT_COLS)}) VALUES ({_marks(_EVENT_COLS)})",
                [_event_row(e) for e in events],
            )
            db.execute(
                "INSERT OR REPLACE INTO event_runs (report_id, extractor, events, at) VALUES (?, ?, ?, ?)",
                (report_id, extractor, len(events), _now()),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def event_runs(self) -> dict[str, str]:
        """The extractor that read each report, by report id."""
        return {rid: name for rid, name in self.db.execute("SELECT report_id, extractor FROM event_runs")}

    def events(self, report_id: str | None = None, passage_ids: list[str] | None = None) -> list[Event]:
        """Events of one report, in these passages, or all, in report and text order."""
        sql = f"SELECT {_cols(_EVENT_COLS)} FROM events"
        rows: list[Any] = []
        if passage_ids is not None:
            for chunk in range(0, len(passage_ids), 500):
                part = passage_ids[chunk : chunk + 500]
                rows += self.db.execute(sql + f" WHERE passage_id IN ({_marks(part)})", part).fetchall()
        elif report_id is not None:
            rows = self.db.execute(sql + " WHERE report_id = ?", (report_id,)).fetchall()
        else:
            rows = self.db.execute(sql).fetchall()
        found = [_event(row) for row in rows]
        return sorted(found, key=lambda e: (e.report_id, e.start, e.type, e.id))

    def set_event_groups(self, groups: dict[str, str]) -> None:
        """Set each event's `event_group` (by event id), in one transaction."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("UPDATE events SET event_group = ? WHERE id = ?", [(g, i) for i, g in groups.items()])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def stats(self) -> dict[str, int]:
        out = {}
        for table in ("reports", "sections", "passages", "footnotes", "ingest_log"):
            out[table] = int(self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
        return out

    def close(self) -> None:
        self.db.close()


def _casefold(text: str | None) -> str | None:
    return None if text is None else text.casefold()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _store_error(path: Path, exc: sqlite3.DatabaseError) -> StoreError:
    """A sqlite3 fault in words a user can act on."""
    text = str(exc)
    lowered = text.lower()
    if "malformed" in lowered or "not a database" in lowered or "corrupt" in lowered:
        advice = "the library database is damaged; restore it from a backup, or ingest the reports again into a new one"
    elif "readonly" in lowered or "read-only" in lowered:
        advice = "the library database is read-only (check the file's and its folder's permissions)"
    elif "disk is full" in lowered or "disk i/o" in lowered:
        advice = "the disk is full or failing; free some space and run the command again (nothing was half-written)"
    elif "locked" in lowered or "busy" in lowered:
        advice = "another process kept the library locked for too long; try again when it has finished"
    elif "unable to open" in lowered:
        advice = "cannot open the library database (check the path and permissions)"
    else:
        advice = "a database error"
    return StoreError(f"{path}: {advice} ({text})")


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(self: SQLiteStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except CovenantError:
            raise
        except sqlite3.DatabaseError as exc:
            if self.db.in_transaction:
                with contextlib.suppress(sqlite3.DatabaseError):
                    self.db.execute("ROLLBACK")
            raise _store_error(self.path, exc) from exc

    return call


for _name, _method in list(vars(SQLiteStore).items()):
    if not _name.startswith("_") and callable(_method) and _name != "close":
        setattr(SQLiteStore, _name, _guarded(_method))
