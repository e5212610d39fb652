"""Compare two editions of a report: sections matched, passages unchanged, changed (with a word diff), moved,
added or dropped, each passage with its citation.

```python
from covenant import Library
from covenant.compare import compare

with Library("covenant.db", read_only=True) as lib:
    result = compare(lib, "2b8a12bd", "ce6b2b7e")      # report refs as Library.report takes them
    print(result.summary()["new_text_share"])
    for section in result.sections:
        for passage in section.passages:
            if passage.status == "changed":
                print(section.section, passage.b_citation.formatted(), render_diff(passage.diff))
```
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from covenant.citation import section_codes
from covenant.errors import QueryError
from covenant.model import Citation, Passage, Report, Section

if TYPE_CHECKING:
    from covenant.library import Library

STATUSES = ("unchanged", "changed", "added", "dropped", "moved")
# Passages two editions hold as one paragraph when their word-pair shingles overlap this much (Dice), or when
# nearly all of the shorter one's shingles are in the longer one (a paragraph extended, cut or split in two).
# Set on the Kyrgyz Republic pages of 2021 and 2022: pairs above these are the same paragraph updated, those
# below are different paragraphs on the same subject.
SIMILAR = 0.5
CONTAINED = 0.8
MIN_CONTAINED_SHINGLES = 8

_QUOTES = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
    }
)
_WORD = re.compile(r"\w+")
_SECTION_PREFIX = re.compile(r"^\s*(?:section\s+\d+\s*[.:]?|[a-h]\s*\.)\s*", re.IGNORECASE)
_OPENING = "(before the first heading)"


def normalise(text: str) -> str:
    """Text as two editions are compared: Unicode-compatible forms, straight quotes, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).split())


def normalise_title(title: str) -> str:
    """A heading as sections are matched: no "Section 2." or "a." prefix, no case, hyphens or punctuation
    ("Anti-Semitism" and "Antisemitism" are one title)."""
    text = _SECTION_PREFIX.sub("", normalise(title)).casefold().replace("-", "")
    return " ".join(_WORD.findall(text))


def _shingles(text: str) -> frozenset[tuple[str, ...]]:
    words = _WORD.findall(text.casefold())
    pairs: set[tuple[str, ...]] = set(pairwise(words))
    # a paragraph of one or two words has no pairs to compare, only its words
    return frozenset(pairs if len(words) > 2 else {(w,) for w in words})


# -- results --------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class DiffRun:
    """A run of words the two texts share (`equal`), or that only the older (`delete`) or newer (`insert`) has."""

    op: str  # equal | delete | insert
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"op": self.op, "text": self.text}


@dataclass(slots=True)
class ComparedPassage:
    """One passage of either edition and what became of it: `a` and `b` are the older and newer passage
    (one of them None for added and dropped passages), each with its citation."""

    status: str  # unchanged | changed | added | dropped | moved
    a: Passage | None
    b: Passage | None
    a_citation: Citation | None
    b_citation: Citation | None
    similarity: float  # 1.0 for identical texts, 0.0 for added and dropped ones
    diff: list[DiffRun] = field(default_factory=list)  # word diff of a changed (or moved and changed) passage
    from_section: str | None = None  # where a moved passage stood in a

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "status": self.status,
            "similarity": round(self.similarity, 3),
            "a": _side(self.a, self.a_citation),
            "b": _side(self.b, self.b_citation),
            "diff": [run.to_dict() for run in self.diff],
        }
        if self.status == "moved":
            data["from_section"] = self.from_section
        return data


def _side(passage: Passage | None, citation: Citation | None) -> dict[str, Any] | None:
    if passage is None or citation is None:
        return None
    return {"passage_id": passage.id, "text": passage.text, "citation": citation.to_dict()}


@dataclass(slots=True)
class SectionComparison:
    """A section of either edition: matched with its counterpart, or found in only one of them."""

    section: str  # the section as users name it: its code ("2.a"), "6 > Women", or its title
    status: str  # matched | only_in_a | only_in_b
    matched_by: str | None  # code and title | title | code | similar title | opening; None when unmatched
    code_a: str | None
    code_b: str | None
    title_a: str | None
    title_b: str | None
    passages: list[ComparedPassage] = field(default_factory=list)  # in the reading order of b, dropped ones in place
    moved_out: list[tuple[Passage, str]] = field(default_factory=list)  # a's passages now in another section
    passages_a: int = 0  # a's passages under this heading (a passage moved away counts where it stood)
    passages_b: int = 0
    words_b: int = 0
    new_words_b: int = 0  # b's words that a does not have: added passages, inserted words of changed ones

    def counts(self) -> dict[str, int]:
        found = Counter(p.status for p in self.passages)
        counts = {status: found.get(status, 0) for status in STATUSES}
        counts["moved_out"] = len(self.moved_out)
        return counts

    def of(self, status: str) -> list[ComparedPassage]:
        return [p for p in self.passages if p.status == status]

    def to_dict(self, only: Collection[str] | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "section": self.section,
            "status": self.status,
            "matched_by": self.matched_by,
            "code_a": self.code_a,
            "code_b": self.code_b,
            "title_a": self.title_a,
            "title_b": self.title_b,
            "counts": self.counts(),
            "new_text_share": _share(self.new_words_b, self.words_b),
        }
        for status in STATUSES:
            if only is None or status in only:
                data[status] = [p.to_dict() for p in self.of(status)]
        if only is None or "moved" in only:
            data["moved_out"] = [{"passage_id": p.id, "to_section": where} for p, where in self.moved_out]
        return data


@dataclass(slots=True)
class Comparison:
    """What changed from report `a` (the older edition, usually) to report `b`."""

    a: Report
    b: Report
    sections: list[SectionComparison]

    def summary(self) -> dict[str, Any]:
        """Counts over all sections, the passages of each edition and the share of b's words that are new."""
        counts = dict.fromkeys(STATUSES, 0)
        for section in self.sections:
            for status, n in section.counts().items():
                if status in counts:
                    counts[status] += n
        words_b = sum(s.words_b for s in self.sections)
        new_words = sum(s.new_words_b for s in self.sections)
        return {
            **counts,
            "passages_a": sum(s.passages_a for s in self.sections),
            "passages_b": sum(s.passages_b for s in self.sections),
            "sections_matched": sum(1 for s in self.sections if s.status == "matched"),
            "words_b": words_b,
            "new_words_b": new_words,
            "new_text_share": _share(new_words, words_b),
        }

    @property
    def only_in_a(self) -> list[str]:
        return [s.section for s in self.sections if s.status == "only_in_a"]

    @property
    def only_in_b(self) -> list[str]:
        return [s.section for s in self.sections if s.status == "only_in_b"]

    def section(self, ref: str) -> list[SectionComparison]:
        """The sections a user means by `ref`: a code with its subsections ("2" holds 2.a, "2.a > Internet
        Freedom"), or a title ("women")."""
        code = ref.strip().rstrip(".")
        title = normalise_title(ref)
        found = [
            s
            for s in self.sections
            if any(c and (c == code or c.startswith(code + ".")) for c in (s.code_a, s.code_b))
            or s.section == code
            or s.section.startswith(code + " >")
            or title in (normalise_title(s.title_a or ""), normalise_title(s.title_b or ""))
        ]
        if not found:
            names = ", ".join(dict.fromkeys(s.section for s in self.sections))
            raise QueryError(f"no section {ref!r} in either report (sections: {names})")
        return found

    def restricted(self, ref: str) -> Comparison:
        """The same comparison over the sections `ref` names (see `section`)."""
        return Comparison(self.a, self.b, self.section(ref))

    def to_dict(self, only: Collection[str] | None = None) -> dict[str, Any]:
        """The comparison as JSON: both reports, the summary, and per section its counts and the passages of
        each status (`only` keeps the lists of those statuses; the counts stay whole)."""
        return {
            "a": _report_head(self.a),
            "b": _report_head(self.b),
            "summary": self.summary(),
            "only_in_a": self.only_in_a,
            "only_in_b": self.only_in_b,
            "sections": [s.to_dict(only) for s in self.sections],
        }


def _report_head(report: Report) -> dict[str, Any]:
    return {
        "id": report.id,
        "file_name": report.file_name,
        "path": report.path,
        "title": report.title,
        "source_org": report.source_org,
        "country": report.country,
        "period_start": report.period_start,
        "period_end": report.period_end,
        "publication_date": report.publication_date,
    }


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


# -- sections -------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Unit:
    """The passages directly under one heading (or before the first heading) of one edition."""

    key: str | None  # section id; None for the text before the first heading
    index: int
    code: str  # the section's State Department code, inherited from a coded ancestor ("" when none)
    own_code: bool  # the heading carries the code itself ("a. Freedom of Speech"), not only its parent
    title: str | None
    norm_title: str
    passages: list[Passage]

    @property
    def label(self) -> str:
        if self.key is None:
            return _OPENING
        if self.own_code:
            return self.code
        return f"{self.code} > {self.title}" if self.code else self.title or ""


def _units(sections: list[Section], passages: list[Passage]) -> list[_Unit]:
    codes = section_codes(sections)
    under: dict[str | None, list[Passage]] = defaultdict(list)
    for p in passages:
        under[p.section_id].append(p)
    units = [_Unit(None, 0, "", False, None, "", under.get(None, []))] if under.get(None) else []
    for s in sections:
        code = codes.get(s.id, "")
        units.append(_Unit(s.id, len(units), code, bool(s.code), s.title, normalise_title(s.title), under[s.id]))
    return units


def _match_units(units_a: list[_Unit], units_b: list[_Unit]) -> list[tuple[_Unit, _Unit, str]]:
    """Pair the sections of two editions, most certain first: the same code and title; the same title (a
    subsection relettered, "2.f Protection of Refugees" in 2021 is 2.e in 2022); the same code (a heading
    reworded over the years); a similar title under the same code; the untitled opening of an older report
    with the Executive Summary of a newer one."""
    free_a, free_b = list(units_a), list(units_b)
    pairs: list[tuple[_Unit, _Unit, str]] = []

    def take(how: str, same: Any) -> None:
        for ua in list(free_a):
            for ub in free_b:
                if same(ua, ub):
                    pairs.append((ua, ub, how))
                    free_a.remove(ua)
                    free_b.remove(ub)
                    break

    take("code and title", lambda x, y: x.key and y.key and x.code == y.code and x.norm_title == y.norm_title)
    take("title", lambda x, y: x.norm_title and x.norm_title == y.norm_title)
    take("code", lambda x, y: x.own_code and y.own_code and x.code == y.code)
    take(
        "similar title",
        lambda x, y: x.code == y.code and x.norm_title and y.norm_title and _title_similarity(x, y) >= 0.6,
    )
    take(
        "opening",
        lambda x, y: (
            (x.key is None and y.norm_title == "executive summary")
            or (y.key is None and x.norm_title == "executive summary")
        ),
    )
    return pairs


def _title_similarity(x: _Unit, y: _Unit) -> float:
    words_x, words_y = set(x.norm_title.split()), set(y.norm_title.split())
    return 2 * len(words_x & words_y) / (len(words_x) + len(words_y))


# -- passages -------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Item:
    passage: Passage
    unit: _Unit
    text: str  # normalised
    shingles: frozenset[tuple[str, ...]]
    partner: _Item | None = None


def _similarity(x: _Item, y: _Item) -> tuple[float, float]:
    """Dice of the word-pair shingles, and the share of the shorter text's shingles found in the longer."""
    if not x.shingles or not y.shingles:
        return 0.0, 0.0
    shared = len(x.shingles & y.shingles)
    return 2 * shared / (len(x.shingles) + len(y.shingles)), shared / min(len(x.shingles), len(y.shingles))


def _alike(dice: float, contained: float, x: _Item, y: _Item) -> bool:
    smaller = min(len(x.shingles), len(y.shingles))
    return dice >= SIMILAR or (contained >= CONTAINED and smaller >= MIN_CONTAINED_SHINGLES)


def _candidates(items_a: Sequence[_Item], items_b: Sequence[_Item]) -> list[tuple[float, _Item, _Item]]:
    """Pairs of similar passages, best first. Only pairs that share a shingle are scored (an inverted index),
    so thousands of paragraphs cost little; hand-written because the project has no fuzzy-matching library."""
    holders: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, item in enumerate(items_a):
        for shingle in item.shingles:
            holders[shingle].append(i)
    found: list[tuple[float, _Item, _Item]] = []
    for item_b in items_b:
        shared: Counter[int] = Counter()
        for shingle in item_b.shingles:
            shared.update(holders.get(shingle, ()))
        for i in shared:
            item_a = items_a[i]
            dice, contained = _similarity(item_a, item_b)
            if _alike(dice, contained, item_a, item_b):
                found.append((dice, item_a, item_b))
    found.sort(key=lambda t: (-t[0], t[1].passage.ordinal, t[2].passage.ordinal))
    return found


def word_diff(a: str, b: str) -> list[DiffRun]:
    """The word-level diff of two texts: runs of equal, deleted and inserted words. The older text is the
    equal and deleted runs joined by spaces, the newer the equal and inserted ones."""
    words_a, words_b = a.split(), b.split()
    runs: list[DiffRun] = []
    matcher = SequenceMatcher(None, words_a, words_b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(DiffRun("equal", " ".join(words_a[i1:i2])))
            continue
        if i2 > i1:
            runs.append(DiffRun("delete", " ".join(words_a[i1:i2])))
        if j2 > j1:
            runs.append(DiffRun("insert", " ".join(words_b[j1:j2])))
    return runs


def render_diff(runs: Sequence[DiffRun]) -> str:
    """A word diff as text: [-deleted-] and {+inserted+}, as `git diff --word-diff` writes it."""
    marks = {"equal": "{}", "delete": "[-{}-]", "insert": "{{+{}+}}"}
    return " ".join(marks[run.op].format(run.text) for run in runs)


def compare(lib: Library, a: str, b: str, *, section: str | None = None) -> Comparison:
    """Compare report `a` (the older edition, usually) with report `b`, both as `Library.report` takes them
    (id, short id or file name). `section` keeps only the sections it names (a code such as "2.a", or a title)."""
    report_a, report_b = lib.report(a), lib.report(b)
    units_a = _units(lib.sections(report_a), lib.passages(report_a))
    units_b = _units(lib.sections(report_b), lib.passages(report_b))
    pairs = _match_units(units_a, units_b)
    partner_of = {id(ua): ub for ua, ub, _ in pairs}

    def items(units: list[_Unit]) -> list[_Item]:
        made = []
        for unit in units:
            for p in unit.passages:
                text = normalise(p.text)
                made.append(_Item(p, unit, text, _shingles(text)))
        return made

    items_a, items_b = items(units_a), items(units_b)
    links: list[tuple[_Item, _Item, str, float]] = []  # (a, b, status, similarity) in the order they were found

    def link(x: _Item, y: _Item, status: str, similarity: float) -> None:
        x.partner, y.partner = y, x
        links.append((x, y, status, similarity))

    def same_section(x: _Item, y: _Item) -> bool:
        return partner_of.get(id(x.unit)) is y.unit

    # Identical texts first, in their matched section, then anywhere else (moved); then similar texts the same
    # way: a paragraph repeated word for word in another section has moved, even if its old section holds a
    # paragraph like it.
    by_text: dict[str, list[_Item]] = defaultdict(list)
    for x in items_a:
        by_text[x.text].append(x)
    for within in (True, False):
        for y in items_b:
            if y.partner is None:
                twin = next(
                    (x for x in by_text.get(y.text, ()) if x.partner is None and same_section(x, y) == within), None
                )
                if twin is not None:
                    link(twin, y, "unchanged" if within else "moved", 1.0)
    for within in (True, False):
        for dice, x, y in _candidates(
            [x for x in items_a if x.partner is None], [y for y in items_b if y.partner is None]
        ):
            if x.partner is None and y.partner is None and same_section(x, y) == within:
                link(x, y, "changed" if within else "moved", dice)
    # A paragraph split in two, or two merged into one: the part left over lies inside a paragraph already
    # paired. It is linked to that paragraph too (a second changed passage) rather than counted new or dropped.
    left_a = [x for x in items_a if x.partner is None]
    left_b = [y for y in items_b if y.partner is None]
    for dice, x, y in _candidates(items_a, left_b) + _candidates(left_a, items_b):
        if (x.partner is None) != (y.partner is None):
            link(x, y, "changed" if same_section(x, y) else "moved", dice)

    compared: dict[int, SectionComparison] = {}
    for ua, ub, how in pairs:
        compared[id(ub)] = compared[id(ua)] = SectionComparison(
            ub.label if ub.key is not None else ua.label,
            "matched",
            how,
            ua.code or None,
            ub.code or None,
            ua.title,
            ub.title,
        )
    for unit in units_a:
        compared.setdefault(
            id(unit), SectionComparison(unit.label, "only_in_a", None, unit.code or None, None, unit.title, None)
        )
    for unit in units_b:
        compared.setdefault(
            id(unit), SectionComparison(unit.label, "only_in_b", None, None, unit.code or None, None, unit.title)
        )

    new_words: dict[int, int] = {id(y): len(y.text.split()) for y in items_b}
    for x, y, status, similarity in links:
        home = compared[id(y.unit)]
        diff = word_diff(x.passage.text, y.passage.text) if x.text != y.text else []
        inserted = sum(len(run.text.split()) for run in diff if run.op == "insert")
        new_words[id(y)] = min(new_words[id(y)], inserted)
        moved_from = compared[id(x.unit)].section if status == "moved" else None
        home.passages.append(
            ComparedPassage(
                status, x.passage, y.passage, lib.cite(x.passage), lib.cite(y.passage), similarity, diff, moved_from
            )
        )
        if status == "moved":
            compared[id(x.unit)].moved_out.append((x.passage, home.section))
    for y in items_b:
        home = compared[id(y.unit)]
        home.passages_b += 1
        home.words_b += len(y.text.split())
        home.new_words_b += new_words[id(y)]
        if y.partner is None:
            home.passages.append(ComparedPassage("added", None, y.passage, None, lib.cite(y.passage), 0.0))
    for x in items_a:
        compared[id(x.unit)].passages_a += 1
        if x.partner is None:
            compared[id(x.unit)].passages.append(
                ComparedPassage("dropped", x.passage, None, lib.cite(x.passage), None, 0.0)
            )

    sections = _in_reading_order(units_a, units_b, compared, partner_of)
    for s in sections:
        s.passages = _passages_in_order(s.passages)
    result = Comparison(report_a, report_b, sections)
    return result.restricted(section) if section else result


def _in_reading_order(
    units_a: list[_Unit], units_b: list[_Unit], compared: dict[int, SectionComparison], partner_of: dict[int, _Unit]
) -> list[SectionComparison]:
    """b's sections in its order, each section found only in a placed after the matched section before it."""
    keyed: list[tuple[tuple[int, int, int], SectionComparison]] = [
        ((ub.index, 0, 0), compared[id(ub)]) for ub in units_b
    ]
    anchor = -1
    for ua in units_a:
        partner = partner_of.get(id(ua))
        if partner is not None:
            anchor = partner.index
        else:
            keyed.append(((anchor, 1, ua.index), compared[id(ua)]))
    keyed.sort(key=lambda pair: pair[0])
    return [section for _, section in keyed]


def _passages_in_order(passages: list[ComparedPassage]) -> list[ComparedPassage]:
    """b's passages in its order, each dropped passage after the one that stood before it in a."""
    keys: dict[int, tuple[int, int, int]] = {id(p): (p.b.ordinal, 0, 0) for p in passages if p.b is not None}
    last_b = -1
    for p in sorted((p for p in passages if p.a is not None), key=lambda p: p.a.ordinal if p.a else 0):
        if p.b is not None:
            last_b = p.b.ordinal
        elif p.a is not None:
            keys[id(p)] = (last_b, 1, p.a.ordinal)
    return sorted(passages, key=lambda p: keys[id(p)])


def parse_only(spec: str | None) -> tuple[str, ...] | None:
    """`--only changed,added` as statuses; None for all of them."""
    if not spec:
        return None
    chosen = tuple(dict.fromkeys(part.strip() for part in spec.split(",") if part.strip()))
    unknown = [part for part in chosen if part not in STATUSES]
    if unknown or not chosen:
        raise QueryError(f"--only takes {', '.join(STATUSES)} (comma-separated), not {', '.join(unknown) or spec!r}")
    return chosen


SHOWN_BY_DEFAULT = ("changed", "moved", "added", "dropped")
_MARKS = {"changed": "~", "moved": ">", "added": "+", "dropped": "-", "unchanged": "="}


def render_text(result: Comparison, only: Collection[str] | None = None) -> Iterator[str]:
    """The comparison as a readable report: the summary, then per section its counts and the passages of the
    statuses in `only` (by default all but the unchanged ones), changed ones as a word diff, each cited."""
    shown = SHOWN_BY_DEFAULT if only is None else tuple(only)
    summary = result.summary()
    yield f"a: {_report_line(result.a)}"
    yield f"b: {_report_line(result.b)}"
    yield (
        f"{_counts_line(summary)} ({summary['passages_a']} passages in a, {summary['passages_b']} in b); "
        f"{summary['new_text_share']:.0%} of b's words are new"
    )
    if result.only_in_a:
        yield f"only in a: {', '.join(result.only_in_a)}"
    if result.only_in_b:
        yield f"only in b: {', '.join(result.only_in_b)}"
    for section in result.sections:
        counts = section.counts()
        if section.status == "matched" and not any(counts.values()):
            continue  # a heading with no text of its own in either edition ("Section 1" above 1.a)
        title = section.title_b if section.title_b is not None else section.title_a
        head = f"== {section.section}" + (f"  {title}" if title and not section.section.endswith(title) else "")
        if section.status != "matched":
            head += f"  [only in {section.status[-1]}]"
        elif section.matched_by != "code and title":
            in_a = " ".join(part for part in (section.code_a, section.title_a) if part) or _OPENING
            head += f"  [matched by {section.matched_by}; in a: {in_a}]"
        yield ""
        yield head
        line = _counts_line(counts)
        if counts["moved_out"]:
            line += f", {counts['moved_out']} moved to other sections"
        yield f"   {line}"
        for passage in section.passages:
            if passage.status in shown:
                yield from _passage_lines(passage)


def _passage_lines(passage: ComparedPassage) -> Iterator[str]:
    cited = passage.b_citation or passage.a_citation
    if cited is None:
        return
    where = f" from {passage.from_section}" if passage.status == "moved" else ""
    similar = (
        f" (similarity {passage.similarity:.2f})" if passage.status in ("changed", "moved") and passage.diff else ""
    )
    yield ""
    yield f"{_MARKS[passage.status]} {passage.status}{where}{similar}: {cited.formatted()}"
    text = passage.b.text if passage.b is not None else passage.a.text if passage.a is not None else ""
    yield f"    {render_diff(passage.diff) if passage.diff else text}"
    if passage.a_citation is not None and passage.b_citation is not None and passage.status != "unchanged":
        yield f"    was: {passage.a_citation.formatted()}"


def _counts_line(counts: dict[str, Any]) -> str:
    return ", ".join(f"{counts[status]} {status}" for status in ("unchanged", "changed", "moved", "added", "dropped"))


def _report_line(report: Report) -> str:
    return f"{report.title or report.file_name} ({report.id[:8]}, {report.path or report.file_name})"
