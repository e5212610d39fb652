"""Find date expressions in passages and normalise them to ISO at their precision (day, month, year, range).

Hand-written regular expressions rather than dateparser: `dateparser.search.search_dates` costs about 6 ms a
passage (some 20 minutes over 180k passages), fills a missing day or year from today's date so that a month
cannot be told from a day, and takes durations ("3 hours", "a year") for dates. Reports write dates in a few
fixed shapes; these patterns read them in microseconds and keep the precision the text gives.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from covenant.model import DateMention, Passage, Report

MONTHS = {
    name: n
    for n, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        1,
    )
    for name in names
}
# Seasons as month spans of the northern hemisphere, which the corpus (Central Asia, Europe, the US) writes in.
SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 2)}

_MONTH_NAMES = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept\.?|Sep\.?|Oct\.?|Nov\.?|Dec\.?"
)
_MONTH = "(?P<{name}>" + _MONTH_NAMES + ")"
_DAY = r"(?P<{name}>[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?P<{name}>(?:19\d\d|20[0-4]\d))"


def _m(name: str) -> str:
    return _MONTH.format(name=name)


def _d(name: str) -> str:
    return _DAY.format(name=name)


def _y(name: str) -> str:
    return _YEAR.format(name=name)


# Ordered: longer shapes first, so "from July to October 2002" is one range, not two months.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b" + _y("y") + r"-(?P<mo>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])\b")),
    ("dotted", re.compile(r"\b(?P<d>0?[1-9]|[12]\d|3[01])\.(?P<mo>0?[1-9]|1[0-2])\." + _y("y") + r"\b")),
    (
        "month_range",
        re.compile(
            r"\b(?:(?:from|between)\s+)?"
            + _m("m1")
            + r"(?:\s+"
            + _y("y1")
            + r")?\s*(?P<joint>-|–|—|to|through|until|and)\s*"
            + _m("m2")
            + r"(?:,?\s+"
            + _y("y")
            + r")?\b"
        ),
    ),
    (
        "mdy",
        re.compile(
            r"\b" + _m("m") + r"\s+" + _d("d") + r"(?:\s*(?:-|–)\s*" + _d("d2") + r")?(?:,?\s+" + _y("y") + r")?\b"
        ),
    ),
    ("dmy", re.compile(r"\b" + _d("d") + r"\s+" + _m("m") + r"(?:,?\s+" + _y("y") + r")?\b")),
    (
        "season",
        re.compile(
            r"\b(?:(?P<part>early|late|mid)[- ])?(?P<season>spring|summer|autumn|fall|winter)(?:\s+of)?(?:\s+"
            + _y("y")
            + r")?\b",
            re.IGNORECASE,
        ),
    ),
    ("month_year", re.compile(r"\b" + _m("m") + r",?\s+(?:of\s+)?" + _y("y") + r"\b")),
    ("year_range", re.compile(r"\b" + _y("y1") + r"\s*(?:-|–|—|to|through)\s*" + _y("y2") + r"\b")),
    ("year", re.compile(r"(?<![$£€\d.,/-])\b" + _y("y") + r"\b(?![-–]\d|\s*(?:percent|%|people|persons|tenge))")),
    (
        "relative_year",
        re.compile(
            r"\b(?P<rel>(?:during|in|throughout|over|for|since the (?:start|beginning) of|at the (?:start|beginning)"
            r" of|earlier in|later in|at|by|before|until) (?:the|this) year(?:(?:'s|’s) end)?"
            r"|(?:at|by|before|until) (?:the )?year(?:'s|’s) end|at the end of the year|last year|the previous year"
            r"|the prior year|next year|the following year)\b",
            re.IGNORECASE,
        ),
    ),
    ("month", re.compile(r"\b(?:(?P<part>early|late|mid)[- ])?" + _m("m") + r"(?!\w)")),
    # Dates news counts from its own day ("on Tuesday", "yesterday", "last month"): read only in a document
    # with a reference date (`reference_date`). A weekday followed by its date ("Monday, March 4") is the date's.
    (
        "weekday",
        re.compile(
            r"\b(?:(?P<wrel>last|this|on|early|late)\s+)?(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday"
            r"|Sunday)(?:\s+(?:morning|afternoon|evening|night))?\b(?!,?\s+(?:the\s+)?(?:\d|" + _MONTH_NAMES + r"))"
        ),
    ),
    (
        "relative_day",
        re.compile(
            r"\b(?P<rday>yesterday|last\s+week|last\s+month|(?:earlier|later)\s+this\s+month|this\s+month)\b",
            re.IGNORECASE,
        ),
    ),
]
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Only a document with a reference date gives these a value; elsewhere they are not read at all.
_FROM_REFERENCE = ("weekday", "relative_day")
_MONTH_NAME_OK = re.compile(r"^(?:May|March)$")
_SENTENCE_END = re.compile(r"[.!?][\"”’)]?\s+(?=[A-Z“\"(])")


@dataclass(slots=True)
class _Found:
    start: int
    end: int
    kind: str
    groups: dict[str, str | None]


def find_dates(passage: Passage, report: Report | None = None, report_year: int | None = None) -> list[DateMention]:
    """Every date expression in one passage, with clean-text offsets of the report. `report_year` is the year
    a report of no single-year period names most often (`dates_in` finds it): the last resort for a year.
    In a document with a reference date (`reference_date`: a news article) that date is the last resort instead,
    and weekdays, "yesterday", "last week", "last month" and "last year" count from it."""
    text = passage.text
    reference = reference_date(report)
    found = _scan(text, relative=reference is not None)
    years = [(f.start, int(y)) for f in found if (y := f.groups.get("y") or f.groups.get("y2")) is not None]
    if report_year is not None and reference is None:
        years.insert(0, (-1, report_year))  # before every expression of the passage, in no sentence of it
    period_year = _period_year(report)
    mentions = []
    for f in found:
        value, precision, method = _normalise(f, text, years, period_year, reference)
        mentions.append(
            DateMention(
                report_id=passage.report_id,
                passage_id=passage.id,
                start=passage.start + f.start,
                end=passage.start + f.end,
                text=text[f.start : f.end],
                value=value,
                precision=precision,
                method=method,
            )
        )
    return mentions


def dates_in(passages: Iterable[Passage], report: Report | None = None) -> list[DateMention]:
    """Date mentions of the passages of one report, in order. In a report that covers no single year (a
    letter), an undated day or month with no year earlier in its passage takes the year the report names most
    often: a letter of 2005 on the year's events writes "On September 17" for 2005, and the year named just
    before may be a past one it recalls."""
    passages = list(passages)
    first = [find_dates(p, report) for p in passages]
    if reference_date(report) is not None:
        return [m for found in first for m in found]
    years = Counter(
        m.value[:4]
        for found in first
        for m in found
        if m.method == "rules:explicit" and m.value and m.precision != "range"
    )
    if _period_year(report) is not None or not years:
        return [m for found in first for m in found]
    report_year = int(years.most_common(1)[0][0])
    mentions = []
    for passage, found in zip(passages, first, strict=True):
        if any(m.method == "rules:no-year" for m in found):
            found = find_dates(passage, report, report_year)
        mentions.extend(found)
    return mentions


def _scan(text: str, relative: bool = False) -> list[_Found]:
    taken: list[tuple[int, int]] = []
    found: list[_Found] = []
    for kind, pattern in _PATTERNS:
        if kind in _FROM_REFERENCE and not relative:
            continue
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            groups = match.groupdict()
            if kind == "month" and not _plausible_bare_month(text, match):
                continue
            if kind == "month_range" and groups["joint"] == "and" and not _consecutive(groups):
                continue  # "in February and September": two months, not the months between them
            if kind == "season" and not groups.get("y") and not _season_context(text, start):
                continue
            taken.append((start, end))
            found.append(_Found(start, end, kind, groups))
    found.sort(key=lambda f: f.start)
    return found


def _consecutive(groups: dict[str, str | None]) -> bool:
    first = MONTHS[(groups["m1"] or "").rstrip(".").casefold()]
    second = MONTHS[(groups["m2"] or "").rstrip(".").casefold()]
    return second == first % 12 + 1


def _plausible_bare_month(text: str, match: re.Match[str]) -> bool:
    """ "May" and "March" are also a verb and a noun: take them as months only after a preposition."""
    name = match.group("m").rstrip(".")
    if (
        match.group("m").endswith(".")
        and len(name) <= 4
        and match.end() < len(text)
        and text[match.end() :].strip()[:1].islower()
    ):
        return False
    if not _MONTH_NAME_OK.match(name):
        return True
    before = text[max(0, match.start() - 12) : match.start()].casefold()
    return bool(re.search(r"\b(?:in|since|until|by|from|during|of|early|late|mid|through|before|after)[- ]$", before))


def _season_context(text: str, start: int) -> bool:
    before = text[max(0, start - 16) : start].casefold()
    return bool(re.search(r"\b(?:in|during|the|since|by|until|this|last)\s+(?:the\s+)?(?:early |late |mid-)?$", before))


def reference_date(report: Report | None) -> date | None:
    """The day a document of no period was published (a news article: "ISLAMABAD, March 4 -"), from which its
    relative dates count; None for a report of a period, or one whose publication date lacks the day (a report
    is published after the period it covers, so its publication date dates nothing it tells)."""
    if report is None or report.period_start or report.period_end or not report.publication_date:
        return None
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", report.publication_date)
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _period_year(report: Report | None) -> int | None:
    """The year a one-year report covers (State Department and world reports): the year of undated dates."""
    if report is None or not report.period_start or not report.period_end:
        return None
    first, last = report.period_start[:4], report.period_end[:4]
    return int(first) if first == last and first.isdigit() else None


def _year_for(f: _Found, text: str, years: list[tuple[int, int]], period_year: int | None) -> tuple[int | None, str]:
    # An explicit year earlier in the same sentence ("In May 2002 ... and on June 3") wins; then the year the
    # report covers (a State Department report writes "On July 1" for its own year); then the nearest explicit
    # year earlier in the passage. The publication date is never used: reports are published the year after.
    sentence_start = 0
    for m in _SENTENCE_END.finditer(text, 0, f.start):
        sentence_start = m.end()
    before = [(s, y) for s, y in years if s < f.start]
    in_sentence = [y for s, y in before if s >= sentence_start and s >= 0]
    if in_sentence:
        return in_sentence[-1], "rules:sentence-year"
    if period_year is not None:
        return period_year, "rules:report-period"
    if before:
        return before[-1][1], "rules:passage-year" if before[-1][0] >= 0 else "rules:report-year"
    return None, "rules:no-year"


def _normalise(
    f: _Found, text: str, years: list[tuple[int, int]], period_year: int | None, reference: date | None = None
) -> tuple[str | None, str, str]:
    g = f.groups
    if f.kind in _FROM_REFERENCE and reference is not None:
        return _from_reference(f, reference)
    explicit = g.get("y") or g.get("y2")
    if explicit:
        year: int | None = int(explicit)
        method = "rules:explicit"
    elif f.kind == "relative_year":
        year, method = _relative_year(g["rel"] or "", text, f, years, period_year, reference)
    elif reference is not None and f.kind == "month" and _LAST_MONTH.search(text, 0, f.start):
        year, method = _reference_year(f, reference, strict=True), "rules:publication-date"  # "last July"
    else:
        year, method = _year_for(f, text, years, period_year)
        if year is None and reference is not None:
            year, method = _reference_year(f, reference), "rules:publication-date"
    kind = f.kind
    if kind == "iso" or kind == "dotted":
        return f"{year:04d}-{int(g['mo'] or 0):02d}-{int(g['d'] or 0):02d}", "day", "rules:explicit"
    if kind == "year_range":
        return f"{g['y1']}/{g['y2']}", "range", "rules:explicit"
    if kind == "year":
        return f"{year:04d}" if year else None, "year", method
    if kind == "relative_year":
        rel = (g["rel"] or "").casefold()
        if "end" in rel:
            return (f"{year:04d}-12" if year else None), "month", method
        return (f"{year:04d}" if year else None), "year", method
    if year is None:
        precision = {"mdy": "day", "dmy": "day", "month": "month", "month_year": "month"}.get(kind, "range")
        return None, precision, method
    if kind in ("mdy", "dmy"):
        month = MONTHS[(g["m"] or "").rstrip(".").casefold()]
        if g.get("d2"):
            return (
                f"{year:04d}-{month:02d}-{int(g['d'] or 0):02d}/{year:04d}-{month:02d}-{int(g['d2'] or 0):02d}",
                "range",
                method,
            )
        return f"{year:04d}-{month:02d}-{int(g['d'] or 0):02d}", "day", method
    if kind in ("month", "month_year"):
        month = MONTHS[(g["m"] or "").rstrip(".").casefold()]
        return f"{year:04d}-{month:02d}", "month", method
    if kind == "month_range":
        m1 = MONTHS[(g["m1"] or "").rstrip(".").casefold()]
        m2 = MONTHS[(g["m2"] or "").rstrip(".").casefold()]
        y1 = int(g["y1"] or 0) if g.get("y1") else (year if m1 <= m2 else year - 1)
        return f"{y1:04d}-{m1:02d}/{year:04d}-{m2:02d}", "range", method
    # season
    first, last = SEASONS[(g["season"] or "").casefold()]
    last_year = year + 1 if last < first else year
    return f"{year:04d}-{first:02d}/{last_year:04d}-{last:02d}", "range", method


_LAST_MONTH = re.compile(r"\b(?:last|this\s+past)\s+$", re.IGNORECASE)


def _reference_year(f: _Found, reference: date, strict: bool = False) -> int:
    """The year of a day or month without one in a dated article: the publication year, or the year before when
    the month (and day) come later in the year than the publication ("On Dec. 30" in an article of January 2)."""
    g = f.groups
    name = g.get("m") or g.get("m2")
    if not name:
        return reference.year
    month = MONTHS[name.rstrip(".").casefold()]
    day = int(g.get("d") or 1)
    later = (month, day) >= (reference.month, 1) if strict else (month, day) > (reference.month, reference.day)
    return reference.year - 1 if later else reference.year


def _from_reference(f: _Found, reference: date) -> tuple[str | None, str, str]:
    """A weekday or a day, week or month named relative to the publication day."""
    g = f.groups
    method = "rules:publication-date"
    if f.kind == "weekday":
        weekday = _WEEKDAYS.index((g["wd"] or "").casefold())
        back = (reference.weekday() - weekday) % 7  # the last such day on or before publication
        if back == 0 and (g.get("wrel") or "").casefold() == "last":
            back = 7
        return (reference - timedelta(days=back)).isoformat(), "day", method
    rel = " ".join((g["rday"] or "").casefold().split())
    if rel == "yesterday":
        return (reference - timedelta(days=1)).isoformat(), "day", method
    if rel == "last week":
        monday = reference - timedelta(days=reference.weekday() + 7)
        return f"{monday.isoformat()}/{(monday + timedelta(days=6)).isoformat()}", "range", method
    if rel == "last month":
        previous = reference.replace(day=1) - timedelta(days=1)
        return f"{previous.year:04d}-{previous.month:02d}", "month", method
    return f"{reference.year:04d}-{reference.month:02d}", "month", method


def _relative_year(
    rel: str,
    text: str,
    f: _Found,
    years: list[tuple[int, int]],
    period_year: int | None,
    reference: date | None = None,
) -> tuple[int | None, str]:
    year: int | None
    if period_year is None and reference is not None:
        year, method = reference.year, "rules:publication-date"  # "last year" in the news counts from its day
    elif period_year is not None:
        year, method = period_year, "rules:report-period"
    else:
        year, method = _year_for(f, text, years, None)
    if year is None:
        return None, method
    rel = rel.casefold()
    if rel in ("last year", "the previous year", "the prior year"):
        return year - 1, method
    if rel in ("next year", "the following year"):
        return year + 1, method
    return year, method
