"""Training examples from a library of State Department reports: each passage under a known section with its unit."""

from __future__ import annotations

import re
from dataclasses import dataclass

from covenant.model import Passage, Report, Section
from covenant.rights.crosswalk import run_in_label
from covenant.rights.headings import ReportSections
from covenant.search.keys import text_hash
from covenant.store.base import Store

_YEAR_FOLDER = re.compile(r"[/\\]((?:19|20)\d\d)[/\\]")


@dataclass(frozen=True, slots=True)
class Example:
    passage_id: str
    text_hash: str  # of `text`, the key its vector is stored under
    text: str  # the passage without its run-in label: the model must learn the subject, not the label
    year: int
    country: str | None
    unit: str


def report_year(report: Report) -> int | None:
    """The year a report covers: its period, else a year folder in its path (state-dept-html/2019/...), else the
    year it was published."""
    for value in (report.period_start, report.period_end):
        if value and value[:4].isdigit():
            return int(value[:4])
    found = _YEAR_FOLDER.search(report.path)
    if found:
        return int(found.group(1))
    date = report.publication_date
    return int(date[:4]) if date and date[:4].isdigit() else None


def passage_units(sections: list[Section], passages: list[Passage]) -> dict[str, str]:
    """The unit of each passage of one State Department report in the 2017-2022 scheme, by passage id (reports
    of the older scheme train nothing: their sections were drawn differently)."""
    headings = ReportSections(sections)
    return {} if headings.old_scheme else headings.units(passages)


def strip_run_in(text: str) -> str:
    found = run_in_label(text)
    return text[len(found) + 1 :].lstrip() if found else text


def examples(store: Store, years: set[int] | None = None) -> list[Example]:
    """Every passage of the library's State Department reports that sits under a known unit."""
    out: list[Example] = []
    for report in store.reports():
        year = report_year(report)
        if year is None or (years is not None and year not in years):
            continue
        passages = store.passages(report.id)
        units = passage_units(store.sections(report.id), passages)
        for passage in passages:
            unit = units.get(passage.id)
            if unit is None:
                continue
            text = strip_run_in(passage.text)
            if len(text) < 20:
                continue
            out.append(Example(passage.id, text_hash(text), text, year, passage.country, unit))
    return out
