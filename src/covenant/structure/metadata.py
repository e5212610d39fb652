"""Detect a report's title, source, type, country, period and publication date from its own text."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import ahocorasick

from covenant.countries import COUNTRY_ALIASES, country_name, country_names, fold
from covenant.model import Furniture, Section
from covenant.publishers import (
    AMNESTY,
    EDITIONS,
    HUMAN_RIGHTS_WATCH,
    NAMED_IN_TEXT,
    STATE_DEPARTMENT,
    UN_HUMAN_RIGHTS_COUNCIL,
)
from covenant.structure.headings import is_caps

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
_MONTH_NAMES = "|".join(m.capitalize() for m in MONTHS)
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_RELEASED = re.compile(
    rf"\b(?:released|published|issued|adopted)(?:\s+on)?\s+(?:(\d{{1,2}})\s+)?({_MONTH_NAMES})\s+(?:(\d{{1,2}}),\s+)?(\d{{4}})",
    re.IGNORECASE,
)
_PLACE_DATE = re.compile(
    rf"^[A-Z][\w\-’' ]{{2,30}},\s+(?:(\d{{1,2}})\s+)?({_MONTH_NAMES})\s+(\d{{4}})\s*$", re.MULTILINE
)
_PRINTED_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})")
_DOS_TITLE = re.compile(r"Country Reports? on Human Rights Practices(?:\s+(?:for\s+)?[-–]?\s*(\d{4}))?", re.IGNORECASE)
_DOS_URL = re.compile(r"hrrpt/(\d{4})|(\d{4})-country-reports-on-human-rights-practices")
_FULL_DATE = re.compile(rf"\b(?:(\d{{1,2}})\s+)?({_MONTH_NAMES})\s+(?:(\d{{1,2}}),\s+)?(\d{{4}})\b")
_SALUTATION = re.compile(r"^Dear\s+(.{3,60}?)[,:]?\s*$", re.MULTILINE)
_CLOSING = re.compile(r"\b(?:Thank you for your attention|Sincerely|Yours (?:sincerely|faithfully)|Respectfully)\b")
_NGO_TITLE = re.compile(
    r"\b(?:COMMENTS|ALTERNATIVE REPORT|SHADOW REPORT|SUBMISSION|JOINT SUBMISSION|PARALLEL REPORT)\s+(?:OF|BY|FROM)\s+"
    r"(.{3,80}?)\s+(?:ON|TO|FOR)\b",
    re.IGNORECASE,
)
_SHADOW = re.compile(r"shadow report|alternative report|parallel report|comments of .{0,60}NGOs", re.IGNORECASE)
_PRIOR_REVIEW = re.compile(
    r"(?:in|of)\s+((?:19|20)\d\d)\s+prior to the (?:Committee’s |Committee's )?consideration"
    r"|Committee’s\s+((?:19|20)\d\d)\s+(?:recommendations|concluding observations)"
    r"|concluding observations[^.]{0,60}?((?:19|20)\d\d)",
    re.IGNORECASE,
)
_EVENTS_OF = re.compile(r"events of (\d{4})", re.IGNORECASE)
# A UN document's masthead: "Distr.: General" and the date of issue on the next line.
_UN_MASTHEAD = re.compile(r"\bDistr\.:?\s*(?:General|Limited|Restricted)\b", re.IGNORECASE)
_UN_ISSUED = re.compile(
    rf"\bDistr\.:\s*(?:General|Limited|Restricted)\s+(\d{{1,2}})\s+({_MONTH_NAMES})\s+(\d{{4}})\b", re.IGNORECASE
)
# The title line of a UN report, below the masthead's symbol, body, session and agenda item.
_UN_TITLE = re.compile(
    r"^(?:Report of the |Concluding observations\b|Compilation\b|Summary (?:of|prepared)\b|National report\b"
    r"|Outcome of the\b|List of issues\b)",
    re.IGNORECASE,
)
# A UN body's review of one state: the Working Group's UPR report, a treaty body's concluding observations.
_UN_COUNTRY_REVIEW = re.compile(
    r"^(?:Report of the Working Group on the Universal Periodic Review|Concluding observations\b)", re.IGNORECASE
)
_WORLD_REPORT = re.compile(r"World Report (\d{4})")
# A UN document symbol: the issuing body's series and at least two more parts ("A/HRC/14/15",
# "CCPR/C/KAZ/CO/1", "E/C.12/KAZ/CO/1", "CRC/C/OPSC/KAZ/1", "A/HRC/WG.6/7/SVN/1", "S/2010/123").
UN_SYMBOL = re.compile(
    r"(?<![\w/])(?:A|E|S|ST|CCPR|CERD|CEDAW|CRC|CAT|CMW|CRPD|CED|HRI|UNEP|TD|DP)"
    r"(?:/(?:[A-Z0-9]{1,10}(?:\.[A-Z0-9]{1,4})*|\d{1,4}(?:\.\d{1,3})?)(?:/Add\.\d{1,2}|/Rev\.\d{1,2}|/Corr\.\d{1,2})?){2,7}"
    r"(?![\w/])"
)
# A web address as printed: scheme or "www.", host, and a path (a bare host is the site, not the document).
_PRINTED_URL = re.compile(r"(?:https?://|www\.)[\w.-]+\.[a-z]{2,}/[^\s<>\"'()]+", re.IGNORECASE)
_JUNK_TITLE = re.compile(r"^(?:microsoft word|untitled|document\d*|\s*$)|\.docx?$|\.pdf$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Edition:
    """One edition of a worldwide annual report, as its pages name it ("Amnesty International Report 2011")."""

    name: str
    source_org: str
    published: str  # year
    covers: str | None  # the calendar year it reports on, when the edition states it by its name


_NON_SPACE = re.compile(r"\S")
_SMALL = frozenset(
    ["a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to", "with"]
)


@dataclass(slots=True)
class Detected:
    values: dict[str, str | None] = field(default_factory=dict)
    method: dict[str, str] = field(default_factory=dict)

    def set(self, name: str, value: str | None, method: str) -> None:
        if value is not None and self.values.get(name) is None:
            self.values[name] = value
            self.method[name] = method


def detect_metadata(text: str, sections: list[Section], furniture: list[Furniture], hints: dict[str, str]) -> Detected:
    found = Detected()
    head = text[:4000]
    chrome = "\n".join(f.text for f in furniture)
    dos_sections = sum(1 for s in sections if s.code and "." not in s.code)
    edition = _edition(head, chrome, hints)
    # The page's own word beats anything found in its text; the search is skipped when it has one.
    org = None if hints.get("source_org") else _source_org(text, head, chrome, dos_sections, hints)
    found.set("source_org", hints.get("source_org"), "html:page")
    found.set("source_org", org[0] if org else None, org[1] if org else "")
    found.set("source_org", edition.source_org if edition else None, "rules:report-edition")
    source = found.values.get("source_org")

    entry = main_entry(text, sections)
    if "country_name" in hints:
        found.set("country", _country(text, hints), "html:page")
    found.set("country", entry.country if entry else None, "rules:longest-country-entry")
    if found.values.get("country") is None:
        found.set("country", _country(text, {}), "rules:country-mentions")
    country = found.values.get("country")

    dos_year = hints.get("report_year") or _dos_year(text + "\n" + chrome)
    un_review = _un_country_review(text, sections)
    doc_type = _doc_type(text, sections, source, dos_sections, hints, edition, un_review)
    found.set("doc_type", doc_type, "rules:structure")

    # Period covered.
    pub = _publication_date(head, chrome, hints)
    if doc_type == "annual_country_report" and not un_review:
        # An annual report covers the year before its release (released March 2024 -> 2023).
        released = str(int(pub[0][:4]) - 1) if pub and pub[1] == "rules:released-line" else None
        year = dos_year or released or _dominant_year(text)
        if year:
            found.set("period_start", f"{year}-01-01", "rules:report-year")
            found.set("period_end", f"{year}-12-31", "rules:report-year")
    elif doc_type == "world_report_chapter" and edition:
        if edition.covers:
            found.set("period_start", f"{edition.covers}-01-01", "rules:report-edition")
            found.set("period_end", f"{edition.covers}-12-31", "rules:report-edition")
    elif doc_type == "world_report_chapter":
        m = _EVENTS_OF.search(text)
        wr = _WORLD_REPORT.search(text)
        year = m.group(1) if m else (str(int(wr.group(1)) - 1) if wr else _dominant_year(text))
        if year:
            found.set("period_start", f"{year}-01-01", "rules:events-year")
            found.set("period_end", f"{year}-12-31", "rules:events-year")

    # Publication date. A chapter's first page is the end of the previous chapter: its edition dates it.
    if doc_type == "world_report_chapter" and edition:
        found.set("publication_date", edition.published, "rules:report-edition")
    if pub:
        found.set("publication_date", pub[0], pub[1])
    elif doc_type == "letter":
        latest = _latest_year(text)
        found.set("publication_date", latest, "rules:latest-date-in-letter")
    elif doc_type == "world_report_chapter":
        wr = _WORLD_REPORT.search(text)
        found.set("publication_date", wr.group(1) if wr else None, "rules:world-report-edition")
    if doc_type == "shadow_report":
        m = _PRIOR_REVIEW.search(text)
        if m:
            found.set("period_start", next(g for g in m.groups() if g), "rules:prior-review")
        found.set("period_end", found.values.get("publication_date"), "rules:publication-date")

    title = _title(text, sections, hints, doc_type, source, country, found, edition, entry)
    found.set("title", title, "rules:title")
    symbol = _un_symbol(head, furniture)
    found.set("symbol", symbol[0] if symbol else None, symbol[1] if symbol else "")
    found.set("url", hints.get("url"), "html:canonical-link")
    found.set("url", _printed_address(head, furniture), "rules:printed-page-address")
    return found


def _un_symbol(head: str, furniture: list[Furniture]) -> tuple[str, str] | None:
    """A UN document's symbol, from its masthead ("United Nations A/HRC/14/15" above "Distr.: General") or
    the running header that repeats it on every page; documents without a UN masthead only cite symbols."""
    running = Counter(
        m.group()
        for f in furniture
        if f.reason in ("running header or footer", "page number", "page footer")
        for m in UN_SYMBOL.finditer(f.text)
    )
    if running:
        symbol, pages = running.most_common(1)[0]
        if pages >= 2:
            return symbol, "rules:un-running-header"
    masthead = _UN_MASTHEAD.search(head)
    if masthead is None:
        return None
    # the symbol stands in the masthead, before "Distr." or on the lines just after it (never in the notes)
    m = UN_SYMBOL.search(head, 0, masthead.end() + 200)
    return (m.group(), "rules:un-masthead") if m else None


def _printed_address(head: str, furniture: list[Furniture]) -> str | None:
    """The report's own web address as printed on it: the address a browser prints in the header or footer
    of every page it prints (beside the date), or an address standing alone on a line at the very start.

    Addresses in the body are what the report cites, not where it is; only these two places name the
    document itself."""
    for f in furniture:
        if _PRINTED_DATE.match(f.text) or f.reason == "running header or footer":
            m = _PRINTED_URL.search(f.text)
            if m:
                return _url(m.group())
    for line in head[:500].splitlines():
        m = _PRINTED_URL.fullmatch(line.strip())
        if m:
            return _url(m.group())
    return None


def _url(printed: str) -> str:
    printed = printed.rstrip(".,;:")
    return printed if "://" in printed else f"http://{printed}"


def _edition(head: str, chrome: str, hints: dict[str, str]) -> Edition | None:
    """The edition of a worldwide annual report that the page's footer, banner, title or opening names."""
    where = "\n".join((hints.get("title", ""), hints.get("site_heading", ""), chrome, head))
    for series, publisher in EDITIONS:
        m = series.pattern.search(where)
        if not m:
            continue
        first = int(m.group(1))
        name, org = series.name, publisher.name
        if m.group(2):  # "Report 2017/18": the events of 2017, published in 2018
            return Edition(f"{name} {first}/{m.group(2)}", org, str(first + 1), str(first))
        return Edition(f"{name} {first}", org, str(first), str(first - 1) if series.covers_previous_year else None)
    return None


def _source_org(text: str, head: str, chrome: str, dos_sections: int, hints: dict[str, str]) -> tuple[str, str] | None:
    m = _NGO_TITLE.search(head)
    if m and "NGO" in m.group(1).upper():
        return _sentence_case(m.group(1)), "rules:title-block"
    on_site = any(domain in chrome for domain in STATE_DEPARTMENT.domains)
    if _DOS_TITLE.search(text[:20000] + chrome) or on_site or dos_sections >= 3:
        return STATE_DEPARTMENT.name, "rules:dos-structure"
    tail = text[-3000:]
    page = " ".join(hints.get(k, "") for k in ("title", "site_name", "author")).lower()
    for name in NAMED_IN_TEXT:
        if name.lower() in page:
            return name, "file:metadata"
        if name in head or name in tail or name in chrome:
            return name, "rules:named-in-head-or-signature"
    if "Working Group on the Universal Periodic Review" in text[:20000]:
        return UN_HUMAN_RIGHTS_COUNCIL.name, "rules:named-in-head"
    for name in (AMNESTY.name, HUMAN_RIGHTS_WATCH.name):
        if text.count(name) >= 3:
            return name, "rules:mentions"
    author = hints.get("author")
    if author and not _JUNK_TITLE.search(author):
        return author, "pdf:author"
    return None


def _doc_type(
    text: str,
    sections: list[Section],
    source: str | None,
    dos_sections: int,
    hints: dict[str, str],
    edition: Edition | None,
    un_review: bool,
) -> str:
    if hints.get("doc_type"):
        return hints["doc_type"]
    titles = " | ".join(s.title for s in sections)
    if source == STATE_DEPARTMENT.name and (dos_sections >= 2 or _DOS_TITLE.search(text[:20000])):
        return "annual_country_report"
    if _SHADOW.search(text[:20000]):
        return "shadow_report"
    if un_review:
        # A UN body's periodic review of one state's record. FORMAT.md's closed list has no type for it;
        # the nearest is the country report (one state's record, by an official body, in a series).
        return "annual_country_report"
    if _SALUTATION.search(text[:3000]) or _CLOSING.search(text[-3000:]):
        return "letter"
    if edition is not None:
        return "world_report_chapter"
    if "Key International Actors" in titles or _WORLD_REPORT.search(text[:5000]):
        return "world_report_chapter"
    if source == AMNESTY.name and len(text) < 60000:
        return "world_report_chapter"
    return "other"


@lru_cache(maxsize=1)
def _country_names() -> ahocorasick.Automaton:
    """Every country name, as listed and folded, in an automaton that finds them all in one pass over a text."""
    import pycountry

    names: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "common_name"):
            value = getattr(c, attr, None)
            if value and len(value) >= 4:
                names[value] = c.alpha_2
    names.update(COUNTRY_ALIASES)
    names.update({fold(n): code for n, code in list(names.items())})
    automaton = ahocorasick.Automaton()
    for name, code in names.items():
        automaton.add_word(name, (len(name), code, _is_word(name[0]), _is_word(name[-1])))
    automaton.make_automaton()
    return automaton


def _is_word(ch: str) -> bool:
    """A word character as a regular expression's \\b sees it."""
    return ch.isalnum() or ch == "_"


def _country_mentions(text: str) -> list[str]:
    """The codes of the country names in a text, whole words only, the longest name where several start at
    one place ("Guinea-Bissau", not "Guinea"), none overlapping: what a regular expression alternation of
    the names, longest first between word boundaries, would find, at a fraction of its cost."""
    candidates: list[tuple[int, int, str]] = []
    size = len(text)
    for last, (length, code, word_start, word_end) in _country_names().iter(text):
        start = last - length + 1
        before = start > 0 and _is_word(text[start - 1])
        after = last + 1 < size and _is_word(text[last + 1])
        if before != word_start and after != word_end:
            candidates.append((start, -length, code))
    candidates.sort()
    codes: list[str] = []
    free = 0  # where the last name taken ends
    for start, minus_length, code in candidates:
        if start >= free:
            codes.append(code)
            free = start - minus_length
    return codes


def _country(text: str, hints: dict[str, str]) -> str | None:
    if hints.get("country_name"):
        named = _country_mentions(fold(hints["country_name"]))
        if named:
            return named[0]
    counts = Counter(_country_mentions(text)).most_common(2)
    if not counts:
        return None
    code, n = counts[0]
    runner_up = counts[1][1] if len(counts) > 1 else 0
    # A regional survey names many countries about equally often: it is about none of them alone.
    return code if n >= 3 and n > 1.5 * runner_up else None


@dataclass(frozen=True, slots=True)
class CountryEntry:
    """A country's entry in a country-by-country report: from its name heading to the next country's."""

    country: str
    heading: str
    start: int
    end: int


def country_entries(text: str, sections: list[Section]) -> list[CountryEntry]:
    """Entries opened by a heading that is only a country's name (a name set in two lines is joined)."""
    names = country_names()
    found: list[tuple[int, str, str]] = []
    for i, s in enumerate(sections):
        candidates = [s.title]
        nxt = sections[i + 1] if i + 1 < len(sections) else None
        if nxt is not None and not _NON_SPACE.search(text, _end_of_line(text, s.start), nxt.start):
            candidates.insert(0, f"{s.title} {nxt.title}")  # "RUSSIAN" / "FEDERATION"
        for title in candidates:
            code = names.get(fold(" ".join(title.strip(" *").split())).casefold())
            if code:
                found.append((s.start, code, title))
                break
    entries: list[CountryEntry] = []
    for start, code, title in found:
        if entries and entries[-1].country == code:
            continue  # "UZBEKISTAN" then "REPUBLIC OF UZBEKISTAN": one entry
        if entries:
            last = entries[-1]
            entries[-1] = CountryEntry(last.country, last.heading, last.start, start)
        entries.append(CountryEntry(code, title, start, len(text)))
    return entries


def main_entry(text: str, sections: list[Section]) -> CountryEntry | None:
    """The entry that makes up most of the text: an extract of a country-by-country report also carries the
    end of the previous country's entry and the start of the next one, whose headings may come first."""
    entries = country_entries(text, sections)
    if not entries:
        return None
    longest = max(entries, key=lambda e: e.end - e.start)
    return longest if longest.end - longest.start >= 0.5 * len(text) else None


def _un_country_review(text: str, sections: list[Section]) -> bool:
    """A UN document whose title says it is a UN body's review of one state."""
    if not _UN_MASTHEAD.search(text[:4000]):
        return False
    limit = max(3000, len(text) // 20)
    return any(_UN_COUNTRY_REVIEW.match(s.title) for s in sections if s.start < limit)


_TITLE_YEAR = re.compile(
    r"\b((?:19|20)\d\d)\s+(?:Country Reports?|Human Rights Reports?|Annual Report)"
    r"|(?:Country Reports? on Human Rights Practices|Human Rights Report)\s*(?:for\s+|[-–:]\s*)?((?:19|20)\d\d)\b",
    re.IGNORECASE,
)


def _dos_year(text: str) -> str | None:
    """The year an annual report covers, as its title, its web address or its page footer states it."""
    m = _TITLE_YEAR.search(text[:600])
    if m:
        return m.group(1) or m.group(2)
    for m in _DOS_URL.finditer(text):
        return m.group(1) or m.group(2)
    for m in _DOS_TITLE.finditer(text[:20000]):
        if m.group(1):
            return m.group(1)
    return None


def _dominant_year(text: str) -> str | None:
    """The year a report is about: the latest year it mentions often (reports look back, rarely ahead)."""
    counts = Counter(_YEAR.findall(text))
    if not counts:
        return None
    top = counts.most_common(1)[0][1]
    frequent = [y for y, n in counts.items() if n >= max(2, top // 4)]
    return max(frequent, default=None)


def _latest_year(text: str) -> str | None:
    years = [int(m.group(4)) for m in _FULL_DATE.finditer(text)]
    return str(max(years)) if years else None


def _publication_date(head: str, chrome: str, hints: dict[str, str]) -> tuple[str, str] | None:
    m = _UN_ISSUED.search(head)
    if m:
        return f"{m.group(3)}-{MONTHS[m.group(2).lower()]:02d}-{int(m.group(1)):02d}", "rules:un-masthead"
    m = _RELEASED.search(head)
    if m:
        return f"{m.group(4)}-{MONTHS[m.group(2).lower()]:02d}", "rules:released-line"
    m = _PLACE_DATE.search(head)
    if m:
        return f"{m.group(3)}-{MONTHS[m.group(2).lower()]:02d}", "rules:place-and-date-line"
    for line in chrome.splitlines():
        p = _PRINTED_DATE.match(line)
        if p and "http" in line:
            return f"{p.group(3)}-{int(p.group(1)):02d}", "rules:printed-page-date"
    if hints.get("published"):
        return hints["published"], "file:metadata"
    return None


def _title(
    text: str,
    sections: list[Section],
    hints: dict[str, str],
    doc_type: str,
    source: str | None,
    country: str | None,
    found: Detected,
    edition: Edition | None,
    entry: CountryEntry | None,
) -> str | None:
    hinted = hints.get("title")
    if hinted and not _JUNK_TITLE.search(hinted) and not _names_only_the_site(hinted, hints, source):
        return hinted
    name = country_name(country)
    year = (found.values.get("period_start") or "")[:4]
    if doc_type == "annual_country_report" and name and year:
        if int(year) >= 2016:
            return f"{name}: {year} Country Reports on Human Rights Practices"
        return f"{name}: Country Reports on Human Rights Practices {year}"
    if doc_type == "world_report_chapter" and source == HUMAN_RIGHTS_WATCH.name and name and year:
        return f"Human Rights Watch World Report {int(year) + 1}: {name} (events of {year})"
    if doc_type == "world_report_chapter" and edition:
        subject = _title_case(entry.heading) if entry else name or (sections[0].title if sections else None)
        if subject:
            return f"{edition.name}: {subject}"
    if doc_type == "letter":
        m = _SALUTATION.search(text[:3000])
        if m:
            return f"Letter to {m.group(1).strip()}"
        if source and name:
            return f"Letter from {source} on {name}"
    head_sections = [s for s in sections if s.start < max(3000, len(text) // 20)]
    un_title = _un_title(text, head_sections)
    if un_title:
        return un_title
    for s in head_sections:
        if is_caps(s.title) and len(s.title) > 20:
            title = _title_case(s.title)
            after = text[_end_of_line(text, s.start) :][:200].lstrip()
            paren = re.match(r"\(([^)\n]{5,120})\)", after)
            if paren:
                title += f" ({paren.group(1)})"
            return title
    if sections:
        return sections[0].title
    first = text.strip().split("\n", 1)[0]
    return first[:200] if first else None


def _names_only_the_site(title: str, hints: dict[str, str], source: str | None) -> bool:
    """A page <title> that is only the site's or organisation's name ("Reporters Without Borders")."""
    names = {hints.get("site_name"), hints.get("site_heading"), source, *NAMED_IN_TEXT}
    return fold(title).casefold().strip() in {fold(n).casefold().strip() for n in names if n}


def _un_title(text: str, head_sections: list[Section]) -> str | None:
    """A UN report's title line, with the state it concerns when that stands alone on the next line."""
    if not _UN_MASTHEAD.search(text[:4000]):
        return None
    names = country_names()
    for i, s in enumerate(head_sections):
        if not _UN_TITLE.match(s.title):
            continue
        title = s.title.rstrip(" *")
        nxt = head_sections[i + 1] if i + 1 < len(head_sections) else None
        if nxt is not None and names.get(fold(nxt.title.strip(" *")).casefold()):
            title = f"{title}: {nxt.title.strip(' *')}"
        return title
    return None


def _end_of_line(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end < 0 else end


def _title_case(text: str) -> str:
    words = []
    for i, word in enumerate(text.split()):
        letters = [c for c in word if c.isalpha()]
        if any(c.islower() for c in letters):
            words.append(word)  # mixed case as printed ("NGOs")
        elif len(letters) <= 3 and word.lower() not in _SMALL and i > 0:
            words.append(word)  # an acronym ("UN", "EU")
        elif word.lower() in _SMALL and i > 0:
            words.append(word.lower())
        else:
            words.append(word[:1] + word[1:].lower())
    return " ".join(words)


def _sentence_case(text: str) -> str:
    words = text.split()
    out = []
    for i, word in enumerate(words):
        if any(c.islower() for c in word) or (len(word) <= 3 and word.isupper() and word.lower() not in _SMALL):
            out.append(word)
        else:
            out.append(word.capitalize() if i == 0 else word.lower())
    return " ".join(out)
