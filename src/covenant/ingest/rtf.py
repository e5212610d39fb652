"""Rich Text (.rtf) reader: striprtf's text, with headings by style and footnotes joined to their markers."""

from __future__ import annotations

import re

from covenant.errors import BadInputError
from covenant.ingest.office import Note, NoteRef, Paragraph, build_document
from covenant.ingest.raw import RawDocument

# striprtf gives text only. Before it runs, each footnote group is cut out (read on its own) and left as a
# private-use character at its marker, and each paragraph in a heading style gets one naming its level;
# hand-written because no maintained Python RTF reader keeps styles and notes.
_NOTE_MARK = "\ue000"
_LEVEL_MARKS = {chr(0xE000 + level): level for level in range(1, 11)}  # 1: the title, 2-10: heading 1-9
_STYLE_NAME = re.compile(r"\\s(\d+)\b[^{}]*?\s([^\\{};]+);\s*}")
_HEADING = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)
_TITLE = re.compile(r"^title$", re.IGNORECASE)
_NOTE_GROUP = "{\\*\\footnote"
# A list paragraph's label ("1.", a bullet) comes in a {\listtext ...} group: dropped for a list-item mark.
_LIST_GROUP = "{\\listtext"
_LIST_MARK = "\ue00f"
_STYLE_USE = re.compile(r"\\s(\d+)(?=[\\ {\r\n])")


def read_rtf(path: str, data: bytes) -> RawDocument:
    from striprtf.striprtf import rtf_to_text

    # RTF is 7-bit text; other characters come as \'hh (in the file's code page) or \uN escapes.
    source = data.decode("latin-1")
    body, note_groups = _cut_groups(source, _NOTE_GROUP, "{\\u57344?}")
    body, _ = _cut_groups(body, _LIST_GROUP, "{\\u57359?}")
    body = _mark_headings(body)
    try:
        text = rtf_to_text(body, errors="replace")
        notes = [
            Note(f"footnote:{n}", rtf_to_text("{\\rtf1 " + group + "}", errors="replace"))
            for n, group in enumerate(note_groups)
        ]
    except (ValueError, IndexError, LookupError) as exc:
        raise BadInputError(path, f"broken Rich Text document ({exc}): open it and save it again") from exc
    paragraphs: list[Paragraph] = []
    seen = 0
    for line in text.split("\n"):
        tag = "p"
        stripped = line.lstrip()
        if stripped[:1] in _LEVEL_MARKS:
            tag = f"heading:{_LEVEL_MARKS[stripped[0]]}"
        elif _LIST_MARK in line:
            tag = "li"
        paragraph = Paragraph(tag)
        for n, part in enumerate(line.split(_NOTE_MARK)):
            if n:
                paragraph.pieces.append(NoteRef(f"footnote:{seen}"))
                seen += 1
            paragraph.add("".join(ch for ch in part if ch not in _LEVEL_MARKS and ch != _LIST_MARK).replace("|", " "))
        paragraphs.append(paragraph)
    return build_document(path, "rtf", paragraphs, notes)


def _cut_groups(source: str, opener: str, replacement: str) -> tuple[str, list[str]]:
    """The RTF with each group that starts with `opener` replaced, and the groups' insides."""
    out: list[str] = []
    insides: list[str] = []
    pos = 0
    while (start := source.find(opener, pos)) >= 0:
        end = _group_end(source, start)
        out.append(source[pos:start])
        out.append(replacement)
        insides.append(source[start + len(opener) : end - 1])
        pos = end
    out.append(source[pos:])
    return "".join(out), insides


def _group_end(source: str, start: int) -> int:
    """The index after the brace that closes the group opened at `start`, escapes (\\{ \\} \\\\) skipped."""
    depth = 0
    i = start
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(source)


def _mark_headings(source: str) -> str:
    """Put a level character at the start of every paragraph set in a heading style of the stylesheet."""
    sheet = source.find("{\\stylesheet")
    if sheet < 0:
        return source
    sheet_end = _group_end(source, sheet)
    levels: dict[str, int] = {}
    for match in _STYLE_NAME.finditer(source, sheet, sheet_end):
        name = match.group(2).strip()
        if heading := _HEADING.match(name):
            levels[match.group(1)] = int(heading.group(1)) + 1
        elif _TITLE.match(name):
            levels[match.group(1)] = 1
    if not levels:
        return source

    def mark(match: re.Match[str]) -> str:
        level = levels.get(match.group(1))
        return match.group() if level is None else f"{match.group()}{{\\u{0xE000 + level - 0x10000}?}}"

    return source[:sheet_end] + _STYLE_USE.sub(mark, source[sheet_end:])
