"""A researcher's tags and notes on passages: the records, and the rules a tag or a note's text must meet."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any

from covenant.errors import QueryError

MAX_TAG = 64
MAX_NOTE = 20_000
# Characters that would break a one-line listing or hide text in a terminal: C0/C1 controls, DEL and the
# Unicode line and paragraph separators. A note may hold line breaks and tabs; a tag holds none.
_TAG_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NOTE_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(slots=True)
class Tag:
    """One tag on one passage. `orphaned`: its passage is no longer in the library (the report was removed,
    or replaced by a version without that text); the tag stays, keyed to the old passage id."""

    passage_id: str
    tag: str
    created_at: str
    orphaned: bool = False

    @property
    def report_id(self) -> str:
        return self.passage_id.rpartition(":")[0]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "report_id": self.report_id}


@dataclass(slots=True)
class TagCount:
    """A tag (as first written) and how many passages carry it; `orphaned` of them are no longer in the library."""

    tag: str
    passages: int
    orphaned: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Note:
    """A researcher's note on a passage; `orphaned` as for `Tag`."""

    id: int
    passage_id: str
    text: str
    created_at: str
    updated_at: str
    orphaned: bool = False

    @property
    def report_id(self) -> str:
        return self.passage_id.rpartition(":")[0]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "report_id": self.report_id}


def clean_tag(tag: str) -> str:
    """A tag as it is stored: trimmed, runs of spaces made one, NFC; a QueryError says what is wrong with it."""
    if not isinstance(tag, str):
        raise QueryError("a tag is text, e.g. torture or 'Zhovtis case'")
    if _TAG_FORBIDDEN.search(tag.strip()):
        raise QueryError(f"tag {_shown(tag)}: a tag cannot hold control characters or line breaks")
    cleaned = unicodedata.normalize("NFC", " ".join(tag.split()))
    if not cleaned:
        raise QueryError("empty tag: give a short label, e.g. torture or 'Zhovtis case'")
    if len(cleaned) > MAX_TAG:
        raise QueryError(f"tag {_shown(cleaned)}: a tag is at most {MAX_TAG} characters (write longer text as a note)")
    return cleaned


def tag_key(tag: str) -> str:
    """What two spellings of one tag share: "Torture" and "torture" are one tag (full Unicode case folding)."""
    return clean_tag(tag).casefold()


def clean_note(text: str) -> str:
    """A note's text as stored: trimmed, NFC; refused when empty, too long or holding control characters."""
    if not isinstance(text, str) or not text.strip():
        raise QueryError("empty note: write the note's text")
    if _NOTE_FORBIDDEN.search(text):
        raise QueryError("the note holds control characters; write it as plain text (line breaks are fine)")
    cleaned = unicodedata.normalize("NFC", text.strip())
    if len(cleaned) > MAX_NOTE:
        raise QueryError(f"the note has {len(cleaned):,} characters; a note is at most {MAX_NOTE:,}")
    return cleaned


def note_words(query: str) -> list[str]:
    """The words a note search looks for, folded as the notes are: every one must be in a note."""
    words = unicodedata.normalize("NFC", query).casefold().split()
    if not words:
        raise QueryError("give a word or two to look for in the notes")
    return list(dict.fromkeys(words))


def _shown(text: str) -> str:
    """A tag quoted in a message with its control characters made visible (the message is one line)."""
    shown = _TAG_FORBIDDEN.sub(lambda m: f"\\x{ord(m.group()):02x}", text.strip())
    return f"'{shown if len(shown) <= 80 else shown[:77] + '...'}'"
