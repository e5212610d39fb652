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


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Interface text: what a web page says about itself or its visitor's browser rather than about its subject. Kinds
# of text, each a pair of cues that must both occur in one short block, in the languages a page may be served in.
INTERFACE_MAX_CHARS = 400  # notices and controls are short; a paragraph of a report about cookies is not one
_TECHNOLOGY = re.compile(
    r"\b(?:browsers?|navigateurs?|navegador(?:es)?|navigatore|javascript|webgl|flash\s+player|adobe\s+flash|plug-?ins?"
    r"|cookies?|graphics\s+card|carte\s+graphique|tarjeta\s+gr[aá]fica|grafikkarte|браузер\w*|файлы\s+cookie)\b",
    re.IGNORECASE,
)
_TECHNOLOGY_CUES = (
    "brows",
    "navega",
    "navigat",
    "javascript",
    "webgl",
    "flash",
    "plug",
    "cookie",
    "graph",
    "grafi",
    "браузер",
)
_NOTICE = re.compile(
    r"\b(?:supports?|supported|supporte|soporta|unterst[uü]tzt|supporta|поддерживает|enabled?|disabled|required"
    r"|requis|activ(?:er|ez|é|ée|ar|ado)|d[ée]sactiv\w*|habilit\w+|aktivier\w*|включ\w*|upgrade|update|outdated"
    r"|mettre\s+à\s+jour|we\s+use|uses?|utilis\w+|utiliza\w*|verwendet|используе\w+|accept\w*|agree|consent\w*"
    r"|settings|preferences|param[eè]tres|continu\w+|navigat\w+|browsing)\b",
    re.IGNORECASE,
)
# Contact and credit lines of a web page's footer: "Press contact: ...", "Data visualisation by ...".
_PAGE_CREDITS = re.compile(
    r"^(?:press|media)\s+contacts?\s*:|^(?:photos?|data\s+visuali[sz]ation|design|illustrations?|graphics"
    r"|web\s+development|credits?)\s+(?:by|:)|(?:copyright\s+)?©",
    re.IGNORECASE,
)
# Controls: a block made only of these words (and at least one of the first set) is a row of buttons or links.
_CONTROL_WORDS = _word_set(
    """share print email e-mail mail tweet twitter facebook linkedin whatsapp telegram reddit download downloads
    read more less show hide close open menu search home top back next previous prev login log sign register
    subscribe donate accept reject decline ok cancel submit send copy link save like comment comments view
    expand collapse play pause zoom fullscreen toggle settings listen watch print-friendly
    partager imprimer télécharger fermer rechercher accueil suivant précédent
    compartir imprimir descargar cerrar buscar inicio siguiente anterior
    teilen drucken herunterladen schließen suche weiter zurück"""
)
_CONTROL_FILLERS = _word_set(
    """the this a an our your to of for all here now in up out on file files page article story report index map
    data version full pdf csv xls doc kb mb le la les de du cette el los las del esta der die das"""
)
_CONTROL_TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*|\d+(?:[.,]\d+)?\s*(?:kb|mb|ko|mo)\b", re.IGNORECASE)
_CONTROL_MAX_WORDS = 8
_CONTROL_MAX_CHARS = 100

# A label: a lone word or a few words with no sentence in them (a column head, a caption, a heading the page
# marked up as a paragraph). Reports answer some fixed headings with a bare "Not applicable": that is content.
_LABEL_MAX_WORDS = 3
_LABEL_MAX_CHARS = 40
_ITEM_MAX_WORDS = 5  # a menu's entries: "North Africa and Middle-East"
_WORD_TOKEN = re.compile(r"[^\W\d_]+(?:['’.-][^\W\d_]+)*")
_SENTENCE_OR_LIST_END = re.compile(r"[.!?…;,][\"”’)\]]*$")
_NIL_ANSWER = re.compile(r"^(?:not\s+applicable|none|nil|n/a|not\s+available|no\s+(?:data|information))\W*$", re.I)
_PROSE_MIN_WORDS = 6
_NUMBERED_PARAGRAPH = re.compile(r"^\d{1,3}\.\s")  # "76. For these reasons:": a numbered paragraph is body text
_SENTENCE_MARK = re.compile(r"[.!?…]")
_REFERENCE = re.compile(r"(?:https?://|www\.|\S@\S)", re.IGNORECASE)

# Words that nearly every sentence of a language has and other languages lack (short lists: only short blocks
# are weighed). A block of a web page written in another language than the page is the site speaking to the
# visitor's locale (a browser warning, a language switcher), not the report.
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": _word_set("the and of to is was were are for that with from this have has not which by"),
    "fr": _word_set("le la les des du et est une pour dans qui pas sur vous votre nous sont avec ou ne au aux"),
    "es": _word_set("el los las del y es una para por con su se al como está son pero sus"),
    "de": _word_set("der die das und ist nicht mit den dem ein eine zu von für auf sie wir ihr bitte"),
    "pt": _word_set("os da do das dos não em um uma com seu sua é ao pelo pela"),
    "ru": _word_set("и в не на что с по для это как от из к ваш вы или"),
}
_SPACED_FUNCTION_WORDS = {lang: tuple(f" {w} " for w in words) for lang, words in FUNCTION_WORDS.items()}
_LANGUAGE_TOKEN = re.compile(r"[^\W\d_]+")
_OTHER_LANGUAGE_MIN_HITS = 3


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text))


def is_contents_line(text: str) -> bool:
    return bool(_DOT_LEADER.search(text)) or bool(_CONTENTS_TITLE.match(text))


def is_chrome(text: str) -> bool:
    return bool(_CHROME_LINE.match(" ".join(text.split())))


def is_contact(text: str) -> bool:
    return bool(_CONTACT.search(text))


def is_interface_text(text: str) -> bool:
    """A browser or cookie notice, a footer's contact or credit line, or a row of controls ("Share Print")."""
    if len(text) > INTERFACE_MAX_CHARS:
        return False
    lower = text.lower()
    # Plain substring tests first: they rule out nearly every paragraph at a fraction of a regex search's cost.
    if any(cue in lower for cue in _TECHNOLOGY_CUES) and _TECHNOLOGY.search(text) and _NOTICE.search(text):
        return True
    if _PAGE_CREDITS.match(text) or lower.rstrip(". ").endswith("all rights reserved"):
        return True
    if len(text) > _CONTROL_MAX_CHARS:
        return False
    tokens = _CONTROL_TOKEN.findall(lower)
    if not tokens or len(tokens) > _CONTROL_MAX_WORDS:
        return False
    words = [t for t in tokens if not t[:1].isdigit()]
    return any(w in _CONTROL_WORDS for w in words) and all(w in _CONTROL_WORDS or w in _CONTROL_FILLERS for w in words)


def is_label(text: str) -> bool:
    """A few words and no sentence: not text a reader would quote (a heading is decided before this is asked)."""
    text = text.strip()
    if len(text) > _LABEL_MAX_CHARS or _SENTENCE_OR_LIST_END.search(text):
        return False
    if _NIL_ANSWER.match(text) or _REFERENCE.search(text) or _NUMBERED_PARAGRAPH.match(text):
        return False
    return len(_WORD_TOKEN.findall(text)) <= _LABEL_MAX_WORDS


def has_words(text: str) -> bool:
    return bool(_WORD_TOKEN.search(text))


def is_short_item(text: str) -> bool:
    """A list item that is a few words with no punctuation that ends a sentence or continues a list."""
    return not _SENTENCE_OR_LIST_END.search(text.strip()) and len(_WORD_TOKEN.findall(text)) <= _ITEM_MAX_WORDS


def is_prose(text: str) -> bool:
    """A sentence or more: enough words and a full stop, question or exclamation mark."""
    return len(_WORD_TOKEN.findall(text)) >= _PROSE_MIN_WORDS and bool(_SENTENCE_MARK.search(text))


def language_of(text: str) -> str | None:
    """The language whose function words the text uses most (at least a few of them), or None."""
    counts = dict.fromkeys(FUNCTION_WORDS, 0)
    for word in _LANGUAGE_TOKEN.findall(text.lower()):
        for lang, words in FUNCTION_WORDS.items():
            if word in words:
                counts[lang] += 1
    lang, hits = max(counts.items(), key=lambda item: item[1])
    return lang if hits >= _OTHER_LANGUAGE_MIN_HITS else None


def in_other_language(text: str, language: str) -> bool:
    """A short block with several function words of another language than `language` and none of its own."""
    if len(text) > INTERFACE_MAX_CHARS or language not in FUNCTION_WORDS:
        return False
    lower = f" {text.lower()} "
    # Most blocks have one of their language's function words between spaces: found without tokenising.
    if any(cue in lower for cue in _SPACED_FUNCTION_WORDS[language]):
        return False
    own = FUNCTION_WORDS[language]
    words = _LANGUAGE_TOKEN.findall(lower)
    if any(w in own for w in words):
        return False
    return any(
        sum(1 for w in words if w in other) >= _OTHER_LANGUAGE_MIN_HITS
        for lang, other in FUNCTION_WORDS.items()
        if lang != language
    )


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
