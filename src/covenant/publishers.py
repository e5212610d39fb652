"""What Covenant knows about each publisher of reports, kept as data: names, short names, web sites, editions.

The readers, metadata detection, boilerplate removal and search filters look publishers up here rather than
each holding its own list; adding a publisher is adding an entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Edition:
    """A worldwide annual report whose country chapters name only the edition ("Amnesty International Report
    2011"). `pattern` captures the year (and, for "2017/18", the second year's last two digits); with
    `covers_previous_year` the edition reports on the calendar year before its name's year."""

    name: str
    pattern: re.Pattern[str]
    covers_previous_year: bool


@dataclass(frozen=True, slots=True)
class Publisher:
    name: str  # as stored in `source_org` and shown in citations
    aliases: tuple[str, ...] = ()  # other names users and documents write ("HRW", "US State Department")
    domains: tuple[str, ...] = ()  # web sites whose pages it publishes
    editions: tuple[Edition, ...] = ()
    doc_types: tuple[str, ...] = field(default=())  # the kinds of document it is known for, most usual first


STATE_DEPARTMENT = Publisher(
    name="U.S. Department of State",
    aliases=(
        "US Department of State",
        "United States Department of State",
        "US State Department",
        "U.S. State Department",
        "State Department",
        "USDOS",
        "DOS",
    ),
    domains=("state.gov",),
    doc_types=("annual_country_report",),
)
HUMAN_RIGHTS_WATCH = Publisher(
    name="Human Rights Watch",
    aliases=("HRW",),
    domains=("hrw.org",),
    doc_types=("world_report_chapter", "letter", "thematic_report"),
)
AMNESTY = Publisher(
    name="Amnesty International",
    aliases=("Amnesty", "AI"),
    domains=("amnesty.org",),
    editions=(
        Edition(
            "Amnesty International Report",
            re.compile(r"Amnesty International Report\s+((?:19|20)\d\d)(?:\s*/\s*(\d\d))?", re.IGNORECASE),
            covers_previous_year=True,
        ),
    ),
    doc_types=("world_report_chapter",),
)
RSF = Publisher(
    name="Reporters Without Borders",
    aliases=("RSF", "Reporters sans frontières", "Reporters sans frontieres"),
    domains=("rsf.org",),
    # RSF's index is measured over a window of its own that the page does not state: no period is claimed.
    editions=(
        Edition(
            "World Press Freedom Index",
            re.compile(r"World Press Freedom Index\s+((?:19|20)\d\d)()", re.IGNORECASE),
            covers_previous_year=False,
        ),
    ),
    doc_types=("world_report_chapter",),
)
UN_HUMAN_RIGHTS_COUNCIL = Publisher(
    name="UN Human Rights Council",
    aliases=("Human Rights Council", "HRC", "UNHRC", "United Nations Human Rights Council"),
    domains=("ohchr.org", "un.org", "undocs.org"),
)
OTHERS = tuple(
    Publisher(name=name)
    for name in (
        "Freedom House",
        "International Crisis Group",
        "Committee to Protect Journalists",
        "Front Line Defenders",
        "Norwegian Helsinki Committee",
        "International Partnership for Human Rights",
    )
)

PUBLISHERS: tuple[Publisher, ...] = (
    STATE_DEPARTMENT,
    HUMAN_RIGHTS_WATCH,
    AMNESTY,
    RSF,
    UN_HUMAN_RIGHTS_COUNCIL,
    *OTHERS,
)
# Organisations whose name, found in a report's own text, tells its source (in this order of preference).
NAMED_IN_TEXT = tuple(p.name for p in (AMNESTY, HUMAN_RIGHTS_WATCH, RSF, *OTHERS))
EDITIONS = tuple((edition, p) for p in PUBLISHERS for edition in p.editions)


def publisher_named(value: str) -> Publisher | None:
    """The publisher a name or alias stands for, whatever its case ("hrw", "US State Department")."""
    key = _key(value)
    for publisher in PUBLISHERS:
        if key == _key(publisher.name) or key in (_key(a) for a in publisher.aliases):
            return publisher
    return None


def publisher_of_site(host: str) -> Publisher | None:
    """The publisher whose web site a host name belongs to ("www.state.gov" -> the State Department)."""
    host = host.lower().rstrip(".")
    for publisher in PUBLISHERS:
        if any(host == d or host.endswith("." + d) for d in publisher.domains):
            return publisher
    return None


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.casefold().replace("u.s.", "us")).strip()
