"""Clean blocks -> the report's heading tree (sections with levels, State Department codes and spans)."""

from __future__ import annotations

from dataclasses import dataclass

from covenant.clean import Block, CleanText
from covenant.model import Section
from covenant.structure.headings import DOS_SECTION, LETTERED, HeadingGuess, guess_heading

_TOP_KINDS = {"caps", "roman", "part", "dos_section"}
_CONTEXTUAL_KINDS = {"title_case", "recommendations"}


@dataclass(slots=True)
class Outline:
    sections: list[Section]
    # For every block: the id of the innermost section it lies in, or None; headings map to themselves.
    block_section: list[str | None]
    is_heading: list[bool]


def build_outline(clean: CleanText, report_id: str) -> Outline:
    blocks = clean.blocks
    guesses: list[HeadingGuess | None]
    if clean.headings_marked:
        # Only the marked headings' texts are read: copying every paragraph's would cost more than the rest.
        texts = [clean.text[b.start : b.end] if b.kind == "heading" else "" for b in blocks]
        guesses = [None] * len(blocks)
    else:
        texts = [clean.text[b.start : b.end] for b in blocks]
        guesses = _heading_guesses(blocks, texts)
    has_top = any(g is not None and g.kind in _TOP_KINDS for g in guesses)
    sections: list[Section] = []
    stack: list[Section] = []
    block_section: list[str | None] = []
    is_heading: list[bool] = []
    dos_code: str | None = None
    last_letter = ""
    last_fixed_level = 0
    for block, text, guess in zip(blocks, texts, guesses, strict=True):
        level: int | None = None
        code: str | None = None
        if block.kind == "heading":
            level = int((block.tag or "heading:1").split(":")[1])
            code, dos_code, last_letter = _dos_code(text, dos_code, last_letter, level)
        elif guess is not None:
            if guess.kind == "dos_section":
                level, code, dos_code, last_letter = 1, guess.code, guess.code, ""
            elif guess.kind == "lettered":
                level, code, last_letter = 2, f"{dos_code}.{guess.code}", guess.code or ""
            elif guess.kind in _TOP_KINDS:
                level, dos_code = 1, None
            elif guess.kind == "article":
                level = 2 if has_top else 1
            else:
                level = last_fixed_level + 1
            if guess.kind not in _CONTEXTUAL_KINDS:
                last_fixed_level = level
        if level is None:
            block_section.append(stack[-1].id if stack else None)
            is_heading.append(False)
            continue
        while stack and stack[-1].level >= level:
            stack.pop()
        section = Section(
            id=f"{report_id}:s{len(sections) + 1:04d}",
            report_id=report_id,
            ordinal=len(sections) + 1,
            level=level,
            title=" ".join(text.split()),
            code=code,
            parent_id=stack[-1].id if stack else None,
            start=block.start,
            end=clean.body_end,
            line_start=block.line_start,
            line_end=block.line_end,
            page=block.page_start,
        )
        sections.append(section)
        stack.append(section)
        block_section.append(section.id)
        is_heading.append(True)
    _close_sections(sections, clean.body_end)
    return Outline(sections, block_section, is_heading)


def _heading_guesses(blocks: list[Block], texts: list[str]) -> list[HeadingGuess | None]:
    """Guess each block's heading kind; a title-case line counts only when a paragraph follows it."""
    guesses: list[HeadingGuess | None] = []
    in_dos = False
    letter = ""
    for block, text in zip(blocks, texts, strict=True):
        guess = None
        if block.kind == "text" and block.n_lines <= 4:
            guess = guess_heading(text)
        if guess is not None and guess.kind == "dos_section":
            in_dos, letter = True, ""
        elif guess is not None and guess.kind == "lettered":
            expected = chr(ord(letter) + 1) if letter else "a"
            if in_dos and guess.code == expected:
                letter = guess.code
            else:
                guess = None
        elif guess is not None and guess.kind in _TOP_KINDS:
            in_dos = False
        guesses.append(guess)
    # Walk backwards: a contextual heading needs body text (or another accepted heading) after it.
    accepted_next = False
    for k in range(len(blocks) - 1, -1, -1):
        guess = guesses[k]
        nxt_long = k + 1 < len(blocks) and len(texts[k + 1]) >= 60 and guesses[k + 1] is None
        if guess is not None and guess.kind in _CONTEXTUAL_KINDS and not (nxt_long or accepted_next):
            guesses[k] = None
        accepted_next = guesses[k] is not None and guesses[k].kind in _CONTEXTUAL_KINDS  # type: ignore[union-attr]
    return guesses


def _dos_code(text: str, dos_code: str | None, last_letter: str, level: int) -> tuple[str | None, str | None, str]:
    """State Department codes for HTML headings: "Section 2. ..." -> "2", "b. ..." under it -> "2.b"."""
    m = DOS_SECTION.match(text)
    if m:
        return m.group(1), m.group(1), ""
    if level == 1:
        return None, None, ""
    m = LETTERED.match(text)
    if m and dos_code is not None:
        return f"{dos_code}.{m.group(1)}", dos_code, m.group(1)
    return None, dos_code, last_letter


def _close_sections(sections: list[Section], body_end: int) -> None:
    for i, section in enumerate(sections):
        section.end = body_end
        for later in sections[i + 1 :]:
            if later.level <= section.level:
                section.end = later.start
                break
