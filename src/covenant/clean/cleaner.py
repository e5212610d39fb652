"""Raw lines -> clean text with a map back to the original: furniture out, lines joined, footnotes moved out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from covenant.clean.boilerplate import (
    FUNCTION_WORDS,
    INTERFACE_MAX_CHARS,
    furniture_reasons,
    has_words,
    in_other_language,
    is_chrome,
    is_interface_text,
    is_label,
    is_prose,
    is_short_item,
    language_of,
)
from covenant.clean.footnotes import FootnoteBlock, find_footnotes
from covenant.ingest.raw import RawDocument
from covenant.model import Furniture, MapRun, SourceLine
from covenant.structure.headings import LIST_MARKER, guess_heading, is_caps

_TOKEN = re.compile(r"\S+")
_ENDS_SENTENCE = re.compile(r"[.!?:;][\"”’)\]]*$")
_BULLET = re.compile(r"^\s*(?:[•▪●◦■\u2022*]|[-–—](?=\s)|\([a-z0-9]{1,3}\))")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# A letter's closing formula; the short lines after it (name, title, organisation) are one signature block.
_CLOSING = re.compile(
    r"^(?:thank you\b.*|sincerely|(?:yours )?(?:sincerely|faithfully|truly)(?: yours)?|respectfully(?: yours)?"
    r"|(?:best|kind|warm) regards|with (?:best|kind) regards)[,.!]?$",
    re.IGNORECASE,
)
_SIGNATURE_LINES = 6  # name, title, division, organisation, address: more is not a signature
# A judgment's signing formula; the bench's names and titles follow, one a line.
_SIGNING = re.compile(
    r"^(?:signed(?: by)?|assinado(?: por)?|assinaram|ont sign[ée]|sign[ée] par|firmado(?: por)?|firmaron|подписали)"
    r"\s*:?$",
    re.IGNORECASE,
)
_BENCH_LINES = 15
_SIGNATURE_WIDTH = 80
SOFT_HYPHEN = "\u00ad"
_CHROME_MAX_CHARS = 120  # chrome lines are short; prose need not be matched
_LANGUAGE_SAMPLE = 3000  # characters that tell a page's language when it does not declare one
# A bilingual page has about half its text in each language; below this share the other language is the site's.
_FOREIGN_SHARE = 0.25
_HEADING_MAX_CHARS = 150
_KEPT_IN_TEXT = frozenset(("label",))  # set aside from the passages, not from the clean text (see CleanText)
_CONTEXTUAL_HEADINGS = frozenset(("title_case", "recommendations"))


@dataclass(slots=True)
class Block:
    """A paragraph, list item or heading candidate in the clean text."""

    kind: str  # text | list_item | heading (HTML headings come marked)
    start: int
    end: int
    line_start: int
    line_end: int
    page_start: int | None
    page_end: int | None
    tag: str | None = None
    n_lines: int = 1


@dataclass(slots=True)
class CleanFootnote:
    number: str
    start: int
    end: int
    marker_offset: int | None
    line_start: int
    line_end: int
    page: int | None


@dataclass(slots=True)
class CleanText:
    """The body as clean text, its blocks (headings, paragraphs, list items: each heading a section, each other
    block one or more passages), the footnotes after the body, and what was set aside as furniture.

    Set-aside text leaves the clean text, except labels (a few words and no sentence): they stay where they
    stood, mapped to their lines but in no block, so they make no passage while what reads the clean text's
    head (a title page's "Distr.: General 15 March 2010", "Almaty, May 2016") still finds them in place.
    """

    text: str
    runs: list[MapRun]
    blocks: list[Block]
    footnotes: list[CleanFootnote]
    furniture: list[Furniture]
    body_end: int
    headings_marked: bool = False  # the reader marked headings (HTML): text blocks are never headings


@dataclass(slots=True)
class _Builder:
    parts: list[str] = field(default_factory=list)
    runs: list[MapRun] = field(default_factory=list)
    pos: int = 0

    def gap(self, text: str) -> None:
        """Separator text between blocks: in the clean text, outside every run (no passage spans it)."""
        self.parts.append(text)
        self.pos += len(text)

    def add(self, text: str, orig: int, line_start: int, line_end: int, page: int | None) -> None:
        if not text:
            return
        end = self.pos + len(text)
        last = self.runs[-1] if self.runs else None
        if (
            last is not None
            and orig >= 0
            and last.orig_start >= 0
            and last.clean_end == self.pos
            and last.orig_start + (last.clean_end - last.clean_start) == orig
            and last.line_end == line_start
            and last.page == page
        ):
            self.runs[-1] = MapRun(last.clean_start, end, last.orig_start, last.line_start, line_end, page)
        else:
            self.runs.append(MapRun(self.pos, end, orig, line_start, line_end, page))
        self.parts.append(text)
        self.pos = end

    def text(self) -> str:
        return "".join(self.parts)


def clean(raw: RawDocument) -> CleanText:
    if raw.blocks_are_paragraphs:
        return _clean_blocks(raw)
    return _clean_lines(raw)


def _clean_blocks(raw: RawDocument) -> CleanText:
    """HTML and PDF layout: the reader's blocks are already paragraphs and headings; drop chrome, map each
    block (or each piece of a block that runs over a page break) whole; footnotes follow the body."""
    out = _Builder()
    blocks: list[Block] = []
    furniture: list[Furniture] = list(raw.furniture)
    unit_at: dict[int, int] = {}  # index of a kept unit -> clean offset of its text
    aside = _blocks_set_aside(raw)
    for index, ln in enumerate(raw.lines):
        reason = aside.get(index)
        if reason is not None:
            furniture.append(Furniture(reason, ln.text, ln.line_start, ln.line_end, ln.page))
            if reason in _KEPT_IN_TEXT:
                if out.pos:
                    out.gap("\n\n")
                unit_at[index] = out.pos
                out.add(ln.text, -1, ln.line_start, ln.line_end, ln.page)
            continue
        if ln.joint is not None and blocks and index - 1 in unit_at:
            block = blocks[-1]
            out.add(ln.joint, -1, block.line_end, ln.line_start, ln.page)
            unit_at[index] = out.pos
            out.add(ln.text, -1, ln.line_start, ln.line_end, ln.page)
            block.end, block.line_end, block.page_end = out.pos, ln.line_end, ln.page
            block.n_lines += 1
            continue
        if out.pos:
            out.gap("\n\n")
        start = out.pos
        unit_at[index] = start
        out.add(ln.text, -1, ln.line_start, ln.line_end, ln.page)
        tag = ln.tag or "p"
        kind = "heading" if tag.startswith("heading") else "list_item" if tag == "li" else "text"
        blocks.append(Block(kind, start, out.pos, ln.line_start, ln.line_end, ln.page, ln.page, tag))
    body_end = out.pos
    footnotes: list[CleanFootnote] = []
    for note in raw.footnotes:
        out.gap("\n\n" if not footnotes else "\n")
        start = out.pos
        out.add(note.text, -1, note.line_start, note.line_end, note.page)
        marker = None
        if note.marker is not None and note.marker[0] in unit_at:
            marker = unit_at[note.marker[0]] + note.marker[1]
        footnotes.append(CleanFootnote(note.number, start, out.pos, marker, note.line_start, note.line_end, note.page))
    furniture.sort(key=lambda item: item.line_start)
    return CleanText(out.text(), out.runs, blocks, footnotes, furniture, body_end, headings_marked=True)


def _blocks_set_aside(raw: RawDocument) -> dict[int, str]:
    """Units of the reader's blocks that are not the report's text -> why; a block's later pieces go with it."""
    heads: list[int] = []
    texts: list[str] = []
    kinds: list[str] = []
    pieces: dict[int, list[int]] = {}
    for index, ln in enumerate(raw.lines):
        if ln.joint is not None and heads:
            pieces.setdefault(heads[-1], []).append(index)
            continue
        heads.append(index)
        texts.append(ln.text)
        tag = ln.tag or "p"
        kinds.append("heading" if tag.startswith("heading") else "list_item" if tag == "li" else "text")
    # Only a web page's other-language blocks are its interface (a browser warning in the visitor's locale);
    # in a printed document they are quotations or a bilingual edition's other half.
    language = _page_language(raw, texts) if raw.format == "html" else None
    aside: dict[int, str] = {}
    for position, reason in _set_aside(texts, kinds, language).items():
        head = heads[position]
        aside[head] = reason
        for index in pieces.get(head, ()):
            aside[index] = reason
    return aside


def _keep_signatures(texts: list[str], kinds: list[str]) -> None:
    """A letter's closing formula or a judgment's "Signed:" and the short blocks after it (names, titles,
    organisation) are the document's text, however few their words."""
    for k, text in enumerate(texts):
        if kinds[k] != "text" or len(text) > _SIGNATURE_WIDTH:
            continue  # closing formulae are short: a paragraph is never one
        text = " ".join(text.split())
        if _CLOSING.match(text):
            limit = _SIGNATURE_LINES
        elif _SIGNING.match(text):
            limit = _BENCH_LINES
        else:
            continue
        kinds[k] = "keep"
        for after in range(k + 1, min(k + 1 + limit, len(texts))):
            later = texts[after].strip()
            if kinds[after] != "text" or len(later) > _SIGNATURE_WIDTH or _ENDS_SENTENCE.search(later):
                break
            kinds[after] = "keep"


def _page_language(raw: RawDocument, texts: list[str]) -> str | None:
    """The language a page declares, or the one its first blocks are written in."""
    declared = raw.hints.get("lang", "").split("-")[0].lower()
    if declared in FUNCTION_WORDS:
        return declared
    sample: list[str] = []
    size = 0
    for text in texts:
        if size > _LANGUAGE_SAMPLE:
            break
        sample.append(text)
        size += len(text)
    return language_of(" ".join(sample))


def _set_aside(texts: list[str], kinds: list[str], language: str | None) -> dict[int, str]:
    """Blocks that are not the report's text -> why: site chrome, interface text (notices, controls, a list
    that is a menu), labels (a few words with no sentence) and, on a web page, short blocks in another
    language. `kinds`: heading | list_item | text | keep (a block known to be text: a signature)."""
    _keep_signatures(texts, kinds)
    reasons: dict[int, str] = {}
    foreign: list[int] = []
    n = len(texts)
    i = 0
    seen_prose = False
    while i < n:
        kind = kinds[i]
        if kind in ("heading", "keep"):
            if _is_chrome(texts[i]):  # a menu's heading ("Related content") as much as its entries
                reasons[i] = "site chrome"
            i += 1
            continue
        if kind == "list_item":
            j = i
            while j < n and kinds[j] == "list_item":
                j += 1
            # A list of a few words an item is content when a sentence ending in a colon introduces it, or a
            # heading of the report's body; before the first paragraph of prose it is the site's menu.
            introduced = i > 0 and (texts[i - 1].rstrip().endswith(":") or (kinds[i - 1] == "heading" and seen_prose))
            menu = not introduced and all(is_short_item(texts[k]) for k in range(i, j))
            for k in range(i, j):
                reason = _block_reason(texts[k], label=False)
                if reason is None and menu:
                    reason = "menu"
                if reason is None and language is not None and in_other_language(texts[k], language):
                    foreign.append(k)
                elif reason is not None:
                    reasons[k] = reason
            i = j
            continue
        if not seen_prose:
            seen_prose = is_prose(texts[i])
        if len(texts[i]) > INTERFACE_MAX_CHARS:
            i += 1  # a paragraph: nothing to weigh (half the blocks of a report)
            continue
        reason = _block_reason(texts[i], label=True)
        if reason is None and language is not None and in_other_language(texts[i], language):
            foreign.append(i)
        elif reason is not None:
            reasons[i] = reason
        i += 1
    if foreign:
        total = sum(len(text) for text in texts)
        if sum(len(texts[k]) for k in foreign) <= _FOREIGN_SHARE * total:
            reasons.update(dict.fromkeys(foreign, "other language"))
    return reasons


def _is_chrome(text: str) -> bool:
    return len(text) < _CHROME_MAX_CHARS and is_chrome(text)


def _block_reason(text: str, label: bool) -> str | None:
    if len(text) > INTERFACE_MAX_CHARS:
        return None  # chrome, notices, controls and labels are all short: a paragraph costs one comparison
    if _is_chrome(text):
        return "site chrome"
    if is_interface_text(text):
        return "interface text"
    if not has_words(text):
        return "no words"
    if label and is_label(text):
        return "label"
    return None


def _clean_lines(raw: RawDocument) -> CleanText:
    lines = raw.lines
    content_all = [i for i, ln in enumerate(lines) if ln.text.strip()]
    lengths = sorted(len(lines[i].text.strip()) for i in content_all)
    if not lengths:
        return CleanText("", [], [], [], [], 0)
    wrapped = _percentile(lengths, 0.9) <= 250
    reasons = furniture_reasons(lines, unwrapped=not wrapped)
    notes = find_footnotes(lines, set(reasons)) if wrapped else []
    note_line = {i for note in notes for i in note.lines}
    markers: dict[int, list[tuple[int, int, FootnoteBlock]]] = {}
    for note in notes:
        if note.marker is not None:
            markers.setdefault(note.marker.line, []).append((note.marker.col, note.marker.length, note))
    body = [i for i in content_all if i not in reasons and i not in note_line]
    body_lengths = sorted(len(lines[i].text.strip()) for i in body) or lengths
    width = _percentile(body_lengths, 0.8)
    double_spaced = wrapped and _double_spaced(lines, body)
    vocabulary = _vocabulary(raw.original)

    groups, signatures = _group_lines(lines, body, wrapped, double_spaced, width)
    aside = _groups_set_aside(lines, groups, signatures, markers)
    out = _Builder()
    blocks: list[Block] = []
    # note -> clean offset of its marker; keyed by the note, as a source may print a number twice
    marker_at: dict[FootnoteBlock, int] = {}
    for g, group in enumerate(groups):
        reason = aside.get(g)
        if reason is not None:
            reasons.update(dict.fromkeys(group, reason))
            if reason in _KEPT_IN_TEXT:
                if out.pos:
                    out.gap("\n\n")
                _emit_lines(out, lines, group, markers, marker_at, vocabulary)
            continue
        if out.pos:
            out.gap("\n\n")
        start = out.pos
        _emit_lines(out, lines, group, markers, marker_at, vocabulary)
        first, last = lines[group[0]], lines[group[-1]]
        kind = "list_item" if _BULLET.match(first.text) else "text"
        blocks.append(
            Block(kind, start, out.pos, first.line_start, last.line_end, first.page, last.page, None, len(group))
        )
    body_end = out.pos
    footnotes: list[CleanFootnote] = []
    for note in notes:
        out.gap("\n\n" if not footnotes else "\n")
        start = out.pos
        _emit_lines(out, lines, note.lines, {}, {}, vocabulary, strip_number=note.number_length)
        first, last = lines[note.lines[0]], lines[note.lines[-1]]
        footnotes.append(
            CleanFootnote(
                str(note.number),
                start,
                out.pos,
                marker_at.get(note),
                first.line_start,
                last.line_end,
                first.page,
            )
        )
    furniture = [
        Furniture(reason, lines[i].text.strip(), lines[i].line_start, lines[i].line_end, lines[i].page)
        for i, reason in sorted(reasons.items())
    ]
    return CleanText(out.text(), out.runs, blocks, footnotes, furniture, body_end)


def _groups_set_aside(
    lines: list[SourceLine],
    groups: list[list[int]],
    signatures: set[int],
    markers: dict[int, list[tuple[int, int, FootnoteBlock]]],
) -> dict[int, str]:
    """Paragraphs of a text file that are not the report's text -> why (see `_set_aside`)."""
    texts: list[str] = []
    kinds: list[str] = []
    contextual: list[bool] = []
    for g, group in enumerate(groups):
        text = " ".join(lines[i].text.strip() for i in group)
        texts.append(text)
        guess = guess_heading(text) if len(text) <= _HEADING_MAX_CHARS and len(group) <= 4 else None
        contextual.append(guess is not None and guess.kind in _CONTEXTUAL_HEADINGS)
        if g in signatures or _CLOSING.match(text) or any(i in markers for i in group):
            # a letter's closing and signature; a line that a footnote marker points into
            kinds.append("keep")
        elif _BULLET.match(text):
            kinds.append("list_item")
        elif guess is not None:
            kinds.append("heading")
        else:
            kinds.append("text")
    # As the outline does: a title-case line is a heading only before body text or another such heading;
    # otherwise it stays a paragraph, and may be a label ("Almaty, May 2016" on a title page).
    accepted_next = False
    for g in range(len(groups) - 1, -1, -1):
        if contextual[g] and kinds[g] == "heading":
            next_long = g + 1 < len(groups) and len(texts[g + 1]) >= 60 and kinds[g + 1] != "heading"
            if not (next_long or accepted_next):
                kinds[g] = "text"
        accepted_next = contextual[g] and kinds[g] == "heading"
    return _set_aside(texts, kinds, None)


def _group_lines(
    lines: list[SourceLine], body: list[int], wrapped: bool, double_spaced: bool, width: float
) -> tuple[list[list[int]], set[int]]:
    """Join physical lines into paragraphs (wrapped text) or keep one paragraph per line; also say which
    groups are signatures (the short lines after a letter's closing formula)."""
    groups: list[list[int]] = []
    signatures: set[int] = set()
    prev: int | None = None
    signing = False  # the last group is a signature after a closing formula, still open
    for i in body:
        text = lines[i].text.strip()
        after_closing = prev is not None and (signing or _CLOSING.match(lines[prev].text.strip()))
        if after_closing and prev is not None and _signature_line(lines, prev, i, groups[-1], signing):
            if signing:
                groups[-1].append(i)
            else:
                groups.append([i])
                signatures.add(len(groups) - 1)
                signing = True
            prev = i
            continue
        signing = False
        if prev is None or not wrapped:
            groups.append([i])
            prev = i
            continue
        prev_text = lines[prev].text.strip()
        blank_between = any(not lines[k].text.strip() for k in range(prev + 1, i))
        if _starts_new_block(prev_text, text, blank_between, double_spaced, width, len(groups[-1])):
            groups.append([i])
        else:
            groups[-1].append(i)
        prev = i
    return groups, signatures


def _signature_line(lines: list[SourceLine], prev: int, i: int, group: list[int], signing: bool) -> bool:
    """Whether line i belongs to the signature after a closing formula (or continues it)."""
    text = lines[i].text.strip()
    if len(text) > _SIGNATURE_WIDTH or _ENDS_SENTENCE.search(text) or _BULLET.match(text):
        return False
    if not signing:
        return True  # the first short line after the closing, blank lines between or not
    blank_between = any(not lines[k].text.strip() for k in range(prev + 1, i))
    return not blank_between and len(group) < _SIGNATURE_LINES


def _starts_new_block(
    prev: str, cur: str, blank_between: bool, double_spaced: bool, width: float, group_size: int
) -> bool:
    short = len(prev) < 0.8 * width
    prev_heading = short and guess_heading(prev) is not None
    if prev_heading and group_size <= 4:
        # A wrapped capitals heading continues on the next capitals line.
        return not (is_caps(prev) and is_caps(cur) and len(cur) < 0.8 * width)
    if LIST_MARKER.match(cur):
        return True
    cur_heading = len(cur) < 0.8 * width and guess_heading(cur) is not None
    ends = bool(_ENDS_SENTENCE.search(prev))
    if cur_heading and (ends or short):
        return True
    if blank_between and not double_spaced:
        # A page break can split a paragraph: a blank line inside a sentence does not end it.
        return ends or not cur[:1].islower()
    return short and ends


def _emit_lines(
    out: _Builder,
    lines: list[SourceLine],
    group: list[int],
    markers: dict[int, list[tuple[int, int, FootnoteBlock]]],
    marker_at: dict[FootnoteBlock, int],
    vocabulary: set[str],
    strip_number: int = 0,
) -> None:
    """Append the group's words, single-spaced, skipping glued footnote markers."""
    join: SourceLine | None = None  # the previous line, when its last word waits for a joining space
    for n, i in enumerate(group):
        ln = lines[i]
        cuts = sorted(markers.get(i, []), key=lambda m: m[0])
        tokens = [(tok.group(), tok.start()) for tok in _TOKEN.finditer(ln.text)]
        if strip_number and n == 0 and tokens:
            # The note's own number opens its first line, alone ("12 See") or glued to the text ("109See").
            word, col = tokens[0]
            rest = [(word[strip_number:], col + strip_number)] if len(word) > strip_number else []
            tokens = [*rest, *tokens[1:]]
        stripped = ln.text.strip()
        if not cuts and tokens and not strip_number and " ".join(stripped.split()) == stripped:
            # Common case: a line already single-spaced maps to the original in one run.
            if join is not None:
                out.add(" ", -1, join.line_end, ln.line_start, ln.page)
            lead = tokens[0][1]
            out.add(stripped, ln.start + lead if ln.start >= 0 else -1, ln.line_start, ln.line_end, ln.page)
            tokens = []
            single = True
        else:
            single = False
        for t, (word, col) in enumerate(tokens):
            if t == 0 and join is not None:
                out.add(" ", -1, join.line_end, ln.line_start, ln.page)
            elif t > 0:
                gap = tokens[t - 1][1] + len(tokens[t - 1][0])
                out.add(" ", ln.start + gap if ln.start >= 0 else -1, ln.line_start, ln.line_end, ln.page)
            _emit_word(out, ln, word, col, cuts, marker_at)
        words = stripped.split() if single else [word for word, _ in tokens]
        join = ln if words else join
        if words and n + 1 < len(group):
            last = words[-1]
            nxt = lines[group[n + 1]].text.strip()
            if last.endswith((SOFT_HYPHEN, "-")) and len(last) > 1 and last[-2].isalpha() and nxt[:1].isalpha():
                if not _keep_hyphen(last, nxt, vocabulary):
                    _drop_last_char(out)
                join = None  # the halves of a word broken at the line end join with nothing between


def _emit_word(
    out: _Builder,
    ln: SourceLine,
    word: str,
    col: int,
    cuts: list[tuple[int, int, FootnoteBlock]],
    marker_at: dict[FootnoteBlock, int],
) -> None:
    pos = 0
    for c_col, c_len, note in cuts:
        rel = c_col - col
        if 0 <= rel < len(word):
            piece = word[pos:rel]
            out.add(piece, ln.start + col + pos if ln.start >= 0 else -1, ln.line_start, ln.line_end, ln.page)
            marker_at[note] = out.pos
            pos = rel + c_len
            if piece[-1:].isalpha() and word[pos : pos + 1].isalpha():
                out.add(" ", -1, ln.line_start, ln.line_end, ln.page)  # the space the marker swallowed
    piece = word[pos:]
    out.add(piece, ln.start + col + pos if ln.start >= 0 else -1, ln.line_start, ln.line_end, ln.page)


def _drop_last_char(out: _Builder) -> None:
    last = out.parts[-1]
    out.parts[-1] = last[:-1]
    run = out.runs[-1]
    out.pos -= 1
    if run.clean_end - 1 <= run.clean_start:
        out.runs.pop()
    else:
        out.runs[-1] = MapRun(
            run.clean_start, run.clean_end - 1, run.orig_start, run.line_start, run.line_end, run.page
        )


def _keep_hyphen(last: str, nxt: str, vocabulary: set[str]) -> bool:
    """Keep a line-end hyphen unless the document itself spells the word whole ("ordinary" word break)."""
    if last.endswith(SOFT_HYPHEN):
        return False
    head = _WORD.findall(last)
    tail = _WORD.findall(nxt)
    if not head or not tail:
        return True
    first, second = head[-1].rstrip("-"), tail[0]
    if not second[:1].islower():
        return True
    joined = (first + second).lower()
    hyphenated = f"{first}-{second}".lower()
    return not (joined in vocabulary and hyphenated not in vocabulary)


def _vocabulary(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def _double_spaced(lines: list[SourceLine], body: list[int]) -> bool:
    followed = sum(1 for i in body if i + 1 < len(lines) and not lines[i + 1].text.strip())
    return followed >= 0.7 * len(body)


def _percentile(sorted_values: list[int], q: float) -> float:
    return float(sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))])
