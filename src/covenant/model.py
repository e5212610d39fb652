"""The one data model shared by the store, the CLI, the JSON exports and every analysis stage."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from operator import attrgetter
from typing import Any

# Report fields a user may set for a file (CLI flags, a `<file>.covenant.json` sidecar) over what is detected.
OVERRIDABLE = (
    "title",
    "source_org",
    "doc_type",
    "country",
    "period_start",
    "period_end",
    "publication_date",
    "language",
    "symbol",
    "url",
    "accessed",
)
DOC_TYPES = (
    "annual_country_report",
    "world_report_chapter",
    "letter",
    "shadow_report",
    "thematic_report",
    "other",
)


@dataclass(frozen=True, slots=True)
class SourceLine:
    """One unit of the original as a reader sees it: a physical line (text, PDF) or a block (HTML, PDF layout).

    `start` is the character offset of `text` in the decoded original when `text` is an exact
    substring of it (text and PDF line readers), else -1 (blocks, whose text is rebuilt).

    `joint` is None when the unit starts a block. Otherwise the unit goes on with the block of the unit
    before it, joined by `joint` ("" after a word broken by a hyphen, else " "): a paragraph that runs over
    a page or column break comes as one unit per page or column, each with its own lines and page, and
    what stands between them in the original was set aside by the reader (running headers and footers,
    footnotes).
    """

    text: str
    start: int
    line_start: int
    line_end: int
    page: int | None = None
    tag: str | None = None  # reader's hint: h1..h6, p, li, title, ...
    joint: str | None = None


@dataclass(frozen=True, slots=True)
class MapRun:
    """A run of clean text and where it came from in the original.

    Clean characters [clean_start, clean_end) come from original characters starting at
    `orig_start` one-for-one when `orig_start >= 0` (a space may stand for any whitespace character,
    such as a no-break space); otherwise only the line range (and page)
    is known, as for HTML blocks and for spaces inserted where two lines were joined.
    """

    clean_start: int
    clean_end: int
    orig_start: int
    line_start: int
    line_end: int
    page: int | None = None


CITATION_STYLES = ("plain", "coi")
# Word processors' formats have no lines or pages: their readers number the body's paragraphs as lines.
PARAGRAPH_FORMATS = ("docx", "odt", "rtf", "doc")
_NUMBERED_PARAGRAPH = re.compile(r"\d{1,3}(?:\.\d{1,3})*\.\s+\S.{40,}")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(slots=True)
class Citation:
    """Where a span of clean text stands in the original file, and what a brief needs to cite it.

    Every derived fact (passage, search hit, label, entity, event, recommendation) carries one, made by
    `covenant.citation.cite` or `cite_passage`: the report, clean offsets, original lines (and pages), the
    section, the exact quote, and the report's bibliographic fields for the formatted reference. Pages are
    the file's pages (`page_start`) and the numbers printed on them (`printed_page_start`); `paragraph` is
    the document's own paragraph number.
    """

    report_id: str
    file_name: str
    start: int
    end: int
    line_start: int
    line_end: int
    page_start: int | None = None
    page_end: int | None = None
    title: str | None = None
    source_org: str | None = None
    publication_date: str | None = None
    section_path: list[str] = field(default_factory=list)
    section_code: str | None = None
    quote: str = ""
    symbol: str | None = None
    url: str | None = None
    accessed: str | None = None
    printed_page_start: str | None = None
    printed_page_end: str | None = None
    paragraph: str | None = None
    format: str | None = None  # the report file's format: text | html | pdf | docx | odt | rtf | doc
    passage_id: str | None = None  # the passage cited, when the citation is of one passage
    country: str | None = None  # the country the cited text is about (the passage's)
    # In a document of several countries' entries, the entry the text stands in when it is not the country
    # the report is about ("URUGUAY" in an extract for Uzbekistan); named in the formatted reference.
    entry: str | None = None
    footnote: str | None = None  # the footnote's number, when the citation is of a footnote (`cite_footnote`)

    def formatted(self, style: str = "plain") -> str:
        """The reference as text: "plain" (source, title, date; section, paragraph, page of the file) or
        "coi" (Organisation: Title, Date, URL (accessed DATE); section, para., p.), as COI research cites."""
        if style == "plain":
            return self._plain()
        if style == "coi":
            return self._coi()
        raise ValueError(f"unknown citation style {style!r} (known: {', '.join(CITATION_STYLES)})")

    def _plain(self) -> str:
        if self.page_start is not None:
            file_pages = _page_range(str(self.page_start), str(self.page_end) if self.page_end is not None else None)
            printed = self._printed_pages()
            if printed and printed != file_pages:
                word = "file pages" if self.page_end not in (None, self.page_start) else "file page"
                where = f"{self._printed_word()} {printed} ({word} {file_pages})"
            else:
                where = f"{_pages_word(self.page_start, self.page_end)} {file_pages}"
        elif self.format in PARAGRAPH_FORMATS:
            span = str(self.line_start) if self.line_start == self.line_end else f"{self.line_start}-{self.line_end}"
            where = f"body paragraph{'' if self.line_start == self.line_end else 's'} {span}"
        elif self.line_start == self.line_end:
            where = f"line {self.line_start}"
        else:
            where = f"lines {self.line_start}-{self.line_end}"
        parts = [
            self.source_org,
            self.title,
            self.symbol if self.symbol and self.symbol not in (self.title or "") else None,
            self.publication_date and f"published {self.publication_date}",
        ]
        head = ", ".join(p for p in parts if p)
        pinpoint = [self._section(), self._paragraph(), f"{where} of {self.file_name}"]
        tail = ", ".join(p for p in pinpoint if p)
        access = [self.url, self.accessed and f"accessed {self.accessed}"]
        line = f"{head}; {tail}" if head else tail
        if any(access):
            line += "; " + ", ".join(a for a in access if a)
        return line

    def _coi(self) -> str:
        title = self.title or self.file_name
        if self.symbol and self.symbol not in title:
            title = f"{title} ({self.symbol})"
        head = f"{self.source_org}: {title}" if self.source_org else title
        parts = [head, human_date(self.publication_date) if self.publication_date else "n.d."]
        if self.url:
            accessed = f" (accessed {human_date(self.accessed)})" if self.accessed else ""
            parts.append(f"{self.url}{accessed}")
        elif self.accessed:
            parts.append(f"{self.file_name} (accessed {human_date(self.accessed)})")
        printed = self._printed_pages()
        page = f"{self._printed_word()} {printed}" if printed else None
        if page is None and self.page_start is not None and self.format == "pdf":
            page = f"file page {self.page_start}"
        pinpoint = [p for p in (self._section(), self._paragraph(), page) if p]
        line = ", ".join(parts)
        return f"{line}; {', '.join(pinpoint)}" if pinpoint else line

    def _section(self) -> str | None:
        if self.footnote is not None:
            return f"footnote {self.footnote}"
        if self.section_code:
            section: str | None = f"§ {self.section_code}"
        else:
            # a numbered paragraph set in bold can be taken for a heading: the section is the one around it
            titles = [t for t in self.section_path if not _NUMBERED_PARAGRAPH.match(t)]
            section = titles[-1] if titles else None
        if self.entry is not None:
            # Another country's entry printed beside the report's: say so, or the quote is cited to the wrong
            # country ("Uruguay entry" in the Uzbekistan extract).
            entry = f"{self.entry} entry" if self.entry else "text outside the report's country entry"
            return f"{entry}: {section}" if section and section.casefold() != self.entry.casefold() else entry
        return section

    def _paragraph(self) -> str | None:
        if not self.paragraph:
            return None
        return f"paras. {self.paragraph}" if "-" in self.paragraph else f"para. {self.paragraph}"

    def _printed_word(self) -> str:
        return _pages_word(self.printed_page_start, self.printed_page_end)

    def _printed_pages(self) -> str | None:
        if self.printed_page_start is None:
            return None
        return _page_range(self.printed_page_start, self.printed_page_end)

    def csl_json(self) -> dict[str, Any]:
        """The citation as a CSL-JSON item (the format of citeproc, Zotero and pandoc), with its locator."""
        item: dict[str, Any] = {
            "id": self.passage_id or f"{self.report_id}:{self.start}-{self.end}",
            "type": "webpage" if self.format == "html" else "report",
            "title": self.title or self.file_name,
        }
        if self.source_org:
            item["author"] = [{"literal": self.source_org}]
            item["publisher"] = self.source_org
        if self.symbol:
            item["number"] = self.symbol
        issued = _date_parts(self.publication_date)
        if issued:
            item["issued"] = {"date-parts": [issued]}
        if self.url:
            item["URL"] = self.url
        accessed = _date_parts(self.accessed)
        if accessed:
            item["accessed"] = {"date-parts": [accessed]}
        printed = self._printed_pages()
        if printed:
            item["page"] = printed.replace("\u2013", "-")
        if self.section_path:
            item["section"] = " > ".join(self.section_path)
        if self.paragraph:
            item["locator"], item["label"] = self.paragraph, "paragraph"
        elif printed:
            item["locator"], item["label"] = printed, "page"
        return item

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "formatted": self.formatted(),
            "formatted_coi": self.formatted("coi"),
            "csl": self.csl_json(),
        }


def _page_range(first: str, last: str | None) -> str:
    if last is None or last == first:
        return first
    # a label may hold a hyphen itself ("A-3"): then the range takes an en dash
    return f"{first}\u2013{last}" if "-" in first + last else f"{first}-{last}"


def _pages_word(first: object, last: object) -> str:
    return "pp." if last is not None and last != first else "p."


def _date_parts(value: str | None) -> list[int] | None:
    """An ISO date at its precision ("2010", "2010-03", "2010-03-15") as CSL date-parts."""
    if not value:
        return None
    parts = value[:10].split("-")
    try:
        return [int(p) for p in parts if p]
    except ValueError:
        return None


def human_date(value: str | None) -> str:
    """An ISO date at its precision as COI citations write it: "15 March 2010", "March 2010", "2010"."""
    parts = _date_parts(value)
    if not parts:
        return value or ""
    if len(parts) == 1 or not 1 <= parts[1] <= 12:
        return str(parts[0])
    month = _MONTH_NAMES[parts[1] - 1]
    return f"{parts[2]} {month} {parts[0]}" if len(parts) > 2 else f"{month} {parts[0]}"


@dataclass(slots=True)
class Report:
    id: str
    file_name: str
    path: str
    sha256: str
    format: str  # text | html | pdf | docx | odt | rtf | doc
    size_bytes: int
    encoding: str | None
    title: str | None = None
    source_org: str | None = None
    doc_type: str | None = None
    country: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    publication_date: str | None = None
    language: str | None = None
    pages: int | None = None
    ingested_at: str | None = None
    metadata_method: dict[str, str] = field(default_factory=dict)
    symbol: str | None = None  # UN document symbol ("A/HRC/14/15") or the publisher's report number
    url: str | None = None  # the report's own address: an HTML page's canonical link, or one printed on it
    accessed: str | None = None  # ISO date the user's copy was taken: the ingest date unless the user says
    # The page number printed on each file page (index 0 = file page 1), None where none is known; labels
    # are text ("277", "iv", "A-3").
    printed_pages: list[str | None] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Section:
    id: str
    report_id: str
    ordinal: int
    level: int
    title: str
    code: str | None
    parent_id: str | None
    start: int  # clean offset of the heading
    end: int  # clean offset where the section (with its subsections) ends
    line_start: int
    line_end: int
    page: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Passage:
    id: str
    report_id: str
    ordinal: int
    section_id: str | None
    section_path: list[str]
    text: str
    start: int
    end: int
    line_start: int
    line_end: int
    page_start: int | None = None
    page_end: int | None = None
    kind: str = "paragraph"  # paragraph | list_item
    language: str | None = None
    printed_page_start: str | None = None  # the page numbers printed on page_start and page_end
    printed_page_end: str | None = None
    paragraph: str | None = None  # the document's own paragraph number ("21", "111.12"), as printed
    # The country the passage is about: the report's, or in a country-by-country document the country of the
    # entry it stands in (None outside any entry, such as the end of the previous country's entry).
    country: str | None = None
    # Read by OCR (a scanned page): Tesseract's mean confidence (0-100) for the words of the lines it cites.
    # None: read from the file's own text.
    ocr_confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Footnote:
    id: str
    report_id: str
    number: str
    text: str
    marker_offset: int | None  # clean offset where the marker stood (the marker is not in clean text)
    start: int  # offsets of the footnote text inside the clean notes area
    end: int
    line_start: int
    line_end: int
    page: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Furniture:
    """Text removed from the body (boilerplate, page numbers, contents lines), kept for audit."""

    reason: str
    text: str
    line_start: int
    line_end: int
    page: int | None = None


@dataclass(slots=True)
class Document:
    """Everything ingest makes of one file, ready to store."""

    report: Report
    clean_text: str
    sections: list[Section]
    passages: list[Passage]
    footnotes: list[Footnote]
    offset_map: list[MapRun]
    furniture: list[Furniture]

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Documents travel from worker processes to the one that stores them. Pickled as plain tuples they
        # cost half as much to send and rebuild as tens of thousands of slotted objects pickled one by one.
        return (
            _document_from_rows,
            (
                self.report,
                self.clean_text,
                [_section_row(s) for s in self.sections],
                [_passage_row(p) for p in self.passages],
                [_footnote_row(n) for n in self.footnotes],
                [_run_row(r) for r in self.offset_map],
                [_furniture_row(f) for f in self.furniture],
            ),
        )


def _row_getter(cls: type) -> Any:
    return attrgetter(*(f.name for f in fields(cls)))


_section_row = _row_getter(Section)
_passage_row = _row_getter(Passage)
_footnote_row = _row_getter(Footnote)
_run_row = _row_getter(MapRun)
_furniture_row = _row_getter(Furniture)


def _document_from_rows(
    report: Report,
    clean_text: str,
    sections: list[tuple[Any, ...]],
    passages: list[tuple[Any, ...]],
    footnotes: list[tuple[Any, ...]],
    runs: list[tuple[Any, ...]],
    furniture: list[tuple[Any, ...]],
) -> Document:
    return Document(
        report=report,
        clean_text=clean_text,
        sections=[Section(*row) for row in sections],
        passages=[Passage(*row) for row in passages],
        footnotes=[Footnote(*row) for row in footnotes],
        offset_map=[MapRun(*row) for row in runs],
        furniture=[Furniture(*row) for row in furniture],
    )


@dataclass(slots=True)
class IngestEvent:
    """One line of the ingest log."""

    path: str
    status: str  # added | unchanged | replaced | skipped
    reason: str | None = None
    report_id: str | None = None
    at: str | None = None
    passages: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class DateMention:
    """A date expression in a report, normalised to ISO at its precision (day, month, year, range).

    `value` is "2003-07-01", "2003-09", "2003" or a range "2003-09/2003-10"; None when the text names no year
    and none can be inferred. `start`/`end` are clean-text offsets of the report; `method` says how the year
    was found: "rules:explicit", "rules:sentence-year", "rules:report-period" or "rules:passage-year".
    """

    report_id: str
    passage_id: str
    start: int
    end: int
    text: str
    value: str | None
    precision: str  # day | month | year | range
    method: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class EntityMention:
    """A name of a person, organisation, place, law or media outlet in a passage or (`footnote`) in a footnote, whose
    id `passage_id` then holds, with clean-text offsets (the footnotes follow the body in the clean text).

    `type` is PERSON, ORG, GPE, LAW or MEDIA; `method` names what found it ("spacy:en_core_web_sm",
    "natasha:news", "rules:law", "rules:media", "rules:acronym", "rules:gazetteer"); `entity_id` is set by
    resolution across the library.
    """

    report_id: str
    passage_id: str
    start: int
    end: int
    text: str
    type: str
    method: str
    entity_id: str | None = None
    footnote: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Entity:
    """One real-world person, organisation, place, law or media outlet, with every spelling the library uses."""

    id: str
    canonical: str
    type: str
    aliases: list[str] = field(default_factory=list)
    mentions: int = 0
    reports: dict[str, int] = field(default_factory=dict)  # report id -> mentions in that report
    method: str = "resolve:keys"  # how its aliases were joined; "override" when a user's merge or split made it

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


RECOMMENDATION_STATUSES = ("implemented", "partially_implemented", "not_implemented")
RECOMMENDATION_RESPONSES = ("supported", "noted", "pending")


@dataclass(slots=True)
class Recommendation:
    """One distinct ask a report makes or quotes: who asked whom to do what, where the report says so, and what
    the report claims became of it. Field names follow the annotation format (FORMAT.md's recommendations.jsonl).

    `issuer` is the body that made the ask (the quoted body, not the report's author, for a quoted
    recommendation); `issuers` lists each recommending state of a UPR item. `status_claimed` is what the text
    claims about implementation, with `status_passage_id` the passage claiming it; `response` the state's
    answer where the document gives one (supported, noted, pending); `group` the id of the first
    near-duplicate ask of its group; `method` the rule that found it.
    """

    id: str
    report_id: str
    quote: str
    start: int  # clean offsets of the quote: clean_text[start:end] == quote
    end: int
    passage_id: str | None
    issuer: str | None
    addressee: str | None
    method: str
    issuers: list[str] = field(default_factory=list)
    iccpr: list[int] = field(default_factory=list)
    status_claimed: str | None = None
    status_passage_id: str | None = None
    cited_from: str | None = None
    date: str | None = None  # when the ask was made, or the review cycle, as far as the report states it
    response: str | None = None
    group: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class RightLabel:
    """One right a passage concerns, in one scheme: `iccpr` ("19"), `dos_section` ("2.a", in the report's own
    numbering where it has one), `theme` ("media") or `icescr` ("8"); `score` the calibrated probability (1.0 for
    a user's label), `method` what decided it (`model:rights-v1`, `...+heading`, `rule:death_penalty`, `user`)."""

    passage_id: str
    scheme: str
    code: str
    score: float
    method: str
    assigned: bool = True  # the score reached the model's threshold (or a user set it)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class RightCorrection:
    """A user's word on one label of a passage: `present` True sets it, False removes it. It wins over the
    model, outlives re-labelling and re-training, and follows the passage's text into a new version of its
    report (as tags and notes do)."""

    passage_id: str
    scheme: str
    code: str
    present: bool
    created_at: str
    orphaned: bool = False  # the passage is no longer in the library

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Event:
    """One mention of a specific act (an arrest, a conviction, a killing, a closure) in a passage, with the fields
    of the annotation format (FORMAT.md's events.jsonl) and its citation.

    `quote` is the sentence telling it, an exact span of the report's clean text (`start`/`end`); `date` is ISO
    at `date_precision` (day, month, year, range), the event's own date and never the report's publication date;
    `method` names the rule that found it; `event_group` is shared by every mention of the same event, across
    passages and reports.
    """

    id: str
    report_id: str
    passage_id: str
    start: int
    end: int
    quote: str
    type: str
    method: str
    date: str | None = None
    date_precision: str | None = None
    perpetrators: list[str] = field(default_factory=list)
    victims: list[str] = field(default_factory=list)
    place: str | None = None
    iccpr: list[int] = field(default_factory=list)
    event_group: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
