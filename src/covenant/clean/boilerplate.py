"""Recognise lines that are not the report's own text: site chrome, contact blocks, page numbers, contents."""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

from covenant.model import SourceLine

# Site chrome seen on the web pages reports are scraped from: banners, skip links, donation and
# navigation footers. Matched against a whole line (case-insensitive), so report prose never matches.
_CHROME_LINE = re.compile(
    r"""^(?:
        skip\ to\ (?:main\ )?content
      | an\ official\ website\ of\ the\ united\ states\ government.*
      | here'?s\ how\ you\ know
      | official\ websites\ use\ \.gov
      | a\ \.gov\ website\ belongs\ to\ an\ official\ government\ organization.*
      | secure\ \.gov\ websites\ use\ https
      | a\ lock\ \(.*\)\ or\ https://.*
      | your\ tax[- ]deductible\ gift.*
      | (?:donate|donate\ now|give\ now|support\ our\ work|make\ a\ donation)
      | region\ /\ country | most\ viewed | related\ content | more\ reading | share\ this.*
      | follow\ us.* | sign\ up.* | subscribe.* | privacy\ policy | terms\ of\ use | cookie\ settings
      | human\ rights\ reports | edit\ your\ custom\ report | \d\d\ /\ select\ .*
      | back\ to\ top | print | email | menu | search
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_NAV_TAIL = re.compile(
    r"your tax[- ]deductible gift|donat|most viewed|region / country|select a year|custom report"
    r"|related content|privacy policy|follow us",
    re.IGNORECASE,
)
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?[-–—]?\s*\d{1,4}\s*[-–—]?\s*(?:of\s+\d{1,4})?\s*$", re.IGNORECASE)
# Headers and footers a browser prints on every page of a saved web report: "Page 2 of 26", date + URL.
_PRINTED_PAGE = re.compile(r"^\s*page\s+\d+\s+of\s+\d+|^\s*\d{1,2}/\d{1,2}/\d{2,4}\s*https?://\S+\s*$", re.IGNORECASE)
_DOT_LEADER = re.compile(r"(?:\.\s?){5,}\s*\d*\s*$|…{2,}\s*\d*\s*$")
_CONTENTS_TITLE = re.compile(r"^\s*(?:table\s+of\s+)?contents\s*$", re.IGNORECASE)
_WEB_ADDRESS = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$", re.IGNORECASE)
_CONTACT = re.compile(
    r"""(?:\btel\.?\s*[:+(]?\s*[+\d(]|\bfax\b\.?\s*[:+(]?\s*[+\d(]|\bphone\s*:|
        ^\s*\d{1,5}\s+[A-Z][\w.]*(?:\s+[A-Z][\w.]*)*\s+(?:avenue|street|st\.|road|rd\.|boulevard|blvd\.?)\b.*$|
        ^\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+)?,\s+[A-Z][a-z]+(?:\s[A-Z][a-z]+)?\s+\d{5}(?:-\d{4})?\s*$)""",
    re.IGNORECASE | re.VERBOSE,
)


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text))


def is_contents_line(text: str) -> bool:
    return bool(_DOT_LEADER.search(text)) or bool(_CONTENTS_TITLE.match(text))


def is_chrome(text: str) -> bool:
    return bool(_CHROME_LINE.match(" ".join(text.split())))


def is_contact(text: str) -> bool:
    return bool(_CONTACT.search(text))


def furniture_reasons(lines: list[SourceLine], unwrapped: bool) -> dict[int, str]:
    """Map line index -> why the line is not body text."""
    reasons: dict[int, str] = {}
    content = [i for i, ln in enumerate(lines) if ln.text.strip()]
    for i in content:
        text = lines[i].text.strip()
        if is_chrome(text):
            reasons[i] = "site chrome"
        elif is_page_number(text):
            reasons[i] = "page number"
        elif _PRINTED_PAGE.match(text):
            reasons[i] = "running header or footer"
        elif is_contents_line(text):
            reasons[i] = "table of contents"
    _mark_contact_blocks(lines, content, reasons)
    _mark_contents_run(lines, content, reasons)
    if unwrapped:
        _mark_navigation_tail(lines, content, reasons)
    _mark_running_lines(lines, content, reasons)
    return reasons


def _mark_contact_blocks(lines: list[SourceLine], content: list[int], reasons: dict[int, str]) -> None:
    """An address block (street, city, tel/fax, web address) and the organisation line heading it."""
    for pos, i in enumerate(content):
        if not is_contact(lines[i].text):
            continue
        reasons[i] = "contact block"
        # A bare web address belongs to the block only right after a street, city or phone line.
        if pos + 1 < len(content) and _WEB_ADDRESS.match(lines[content[pos + 1]].text):
            reasons[content[pos + 1]] = "contact block"
        if pos == 0:
            continue
        before = content[pos - 1]
        text = lines[before].text.strip()
        # The organisation's name stands on the line just above its address.
        if (
            before not in reasons
            and len(text) <= 60
            and not text.endswith((".", ";", ",", ":"))
            and pos + 1 < len(content)
            and is_contact(lines[content[pos + 1]].text)
        ):
            reasons[before] = "contact block"


def _mark_contents_run(lines: list[SourceLine], content: list[int], reasons: dict[int, str]) -> None:
    """Contents entries without dot leaders that sit between contents lines are contents too."""
    marked = [p for p, i in enumerate(content) if reasons.get(i) == "table of contents"]
    for a, b in pairwise(marked):
        if b - a <= 3:
            for p in range(a + 1, b):
                if len(lines[content[p]].text.strip()) < 120:
                    reasons[content[p]] = "table of contents"


def _mark_navigation_tail(lines: list[SourceLine], content: list[int], reasons: dict[int, str]) -> None:
    """Web copies end in site menus: short lines after the last paragraph, once a menu phrase shows."""
    last_long = -1
    for p, i in enumerate(content):
        if len(lines[i].text.strip()) >= 120 and i not in reasons:
            last_long = p
    tail = content[last_long + 1 :]
    for p, i in enumerate(tail):
        if _NAV_TAIL.search(lines[i].text):
            for k in tail[p:]:
                reasons.setdefault(k, "site navigation")
            break


def _mark_running_lines(lines: list[SourceLine], content: list[int], reasons: dict[int, str]) -> None:
    """Running headers and footers: the same short line at the top or bottom of many pages."""
    pages = {lines[i].page for i in content if lines[i].page is not None}
    if len(pages) < 3:
        return
    edge: list[int] = []
    by_page: dict[int, list[int]] = {}
    for i in content:
        page = lines[i].page
        if page is not None:
            by_page.setdefault(page, []).append(i)
    for ids in by_page.values():
        edge.extend(ids[:2] + ids[-2:])
    shapes = Counter(_shape(lines[i].text) for i in set(edge))
    threshold = max(3, len(pages) // 3)
    for i in set(edge):
        text = lines[i].text.strip()
        if len(text) <= 100 and shapes[_shape(text)] >= threshold:
            reasons.setdefault(i, "running header or footer")


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split()).lower())
