"""The reader: one report's outline, passages with citations, footnotes linked both ways; a passage in place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape

from covenant.annotations import Note
from covenant.library import Library
from covenant.model import Citation, EntityMention, Footnote, Passage, Report, RightLabel, Section
from covenant.web.render import ERROR_RESPONSES, json_response, page, passage_link, wanted

router = APIRouter(responses=ERROR_RESPONSES)


@dataclass(slots=True)
class ReaderView:
    report: Report
    sections: list[Section]
    passages: list[Passage]
    footnotes: list[Footnote]
    citations: list[Citation]  # one per passage, in order
    # the researcher's tags and notes by passage id (only the passages that have some)
    annotations: dict[str, tuple[list[str], list[Note]]] = field(default_factory=dict)
    # the passages' rights labels in effect, by passage id
    rights: dict[str, list[RightLabel]] = field(default_factory=dict)
    # the entity mentions by passage (and footnote) id, each linked to its entity's dossier on the page
    mentions: dict[str, list[EntityMention]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """`covenant show --json`'s shape; each passage with its citation lines as `covenant export` writes them."""
        return {
            "report": self.report.to_dict(),
            "sections": [s.to_dict() for s in self.sections],
            "passages": [
                {
                    **p.to_dict(),
                    "formatted": c.formatted(),
                    "formatted_coi": c.formatted("coi"),
                    "tags": self.annotations.get(p.id, ([], []))[0],
                    "notes": [n.to_dict() for n in self.annotations.get(p.id, ([], []))[1]],
                    "rights": [lab.to_dict() for lab in self.rights.get(p.id, [])],
                }
                for p, c in zip(self.passages, self.citations, strict=True)
            ],
            "footnotes": [n.to_dict() for n in self.footnotes],
        }

    def blocks(self) -> list[tuple[str, Any, Any]]:
        """The document in reading order for the page: ("heading", section, None) before the passages it
        opens, and ("passage", passage, citation)."""
        out: list[tuple[str, Any, Any]] = []
        headings = sorted(self.sections, key=lambda s: (s.start, s.ordinal))
        at = 0
        for passage, citation in zip(self.passages, self.citations, strict=True):
            while at < len(headings) and headings[at].start <= passage.start:
                out.append(("heading", headings[at], None))
                at += 1
            out.append(("passage", passage, citation))
        out.extend(("heading", s, None) for s in headings[at:])
        return out

    def markers(self) -> dict[str, list[Footnote]]:
        """Footnotes by the passage their marker stands in (a marker at a passage's end belongs to it)."""
        found: dict[str, list[Footnote]] = {}
        placed = sorted((n for n in self.footnotes if n.marker_offset is not None), key=lambda n: n.marker_offset or 0)
        for note in placed:
            offset = note.marker_offset or 0
            for p in self.passages:
                if p.start <= offset <= p.end:
                    found.setdefault(p.id, []).append(note)
                    break
        return found


def anchor(record_id: str) -> str:
    """The page anchor of a passage, section or footnote: the part after the report id (p00022, s0003, n0012)."""
    return record_id.rpartition(":")[2]


def passage_html(
    passage: Passage | Footnote, notes: list[Footnote], mentions: list[EntityMention] | None = None
) -> Markup:
    """The text of a passage (or a footnote's), escaped, with each footnote's marker as a link to its note where the
    marker stood, and each entity mention as a link to its entity's dossier (a marker inside a name follows the
    name)."""
    pieces: list[str] = []
    cursor = 0
    text = passage.text
    items: list[tuple[int, int, Footnote | EntityMention]] = [
        ((n.marker_offset or 0) - passage.start, 0, n) for n in notes
    ]
    items += [(m.start - passage.start, 1, m) for m in mentions or [] if m.entity_id]
    for at, _, item in sorted(items, key=lambda x: (x[0], x[1])):
        if isinstance(item, EntityMention):
            end = item.end - passage.start
            if at < cursor or end > len(text):
                continue  # overlapping or outside the passage: left as plain text
            pieces.append(str(escape(text[cursor:at])))
            href = escape(f"/entities/{quote(item.entity_id or '', safe='')}")
            pieces.append(f'<a class="entity entity-{escape(item.type)}" href="{href}">{escape(text[at:end])}</a>')
            cursor = end
            continue
        at = min(max(at, cursor), len(text))
        pieces.append(str(escape(text[cursor:at])))
        ref, target = escape(f"ref-{anchor(item.id)}"), escape(anchor(item.id))
        pieces.append(f'<sup class="fnref"><a id="{ref}" href="#{target}">{escape(item.number)}</a></sup>')
        cursor = at
    pieces.append(str(escape(text[cursor:])))
    return Markup("".join(pieces))


def reader_view(lib: Library, ref: str) -> ReaderView:
    report = lib.report(ref)
    passages = lib.passages(report)
    return ReaderView(
        report=report,
        sections=lib.sections(report),
        passages=passages,
        footnotes=lib.footnotes(report),
        citations=[lib.cite(p) for p in passages],
        annotations=lib.store.annotations([p.id for p in passages]),  # one query for the whole report
        rights=lib.rights.report_labels(report),
        mentions=_by_passage(lib.entities.of_report(report, footnotes=True)),
    )


def _by_passage(mentions: list[EntityMention]) -> dict[str, list[EntityMention]]:
    found: dict[str, list[EntityMention]] = {}
    for m in mentions:
        found.setdefault(m.passage_id, []).append(m)
    return found


@router.get(
    "/reports/{ref}",
    summary="The reader: one report",
    description="HTML: metadata, outline, every passage with its page or lines and paragraph number, footnotes "
    "linked both ways, a copy-citation button per passage. `?passage=<id>` highlights one passage. JSON: "
    "`report`, `sections`, `passages` (each with `formatted` and `formatted_coi`, as `covenant export` writes "
    "them, and its `tags`, `notes` and `rights`: the labels in effect, as in labels.jsonl) and `footnotes`. "
    "Tags, notes and rights are shown on their passages; a logged-in browser gets forms to add and remove tags "
    "and notes.",
    response_model=None,
)
async def report_page(
    request: Request,
    ref: Annotated[str, Path(description="report id, short id (as `covenant reports` prints) or file name")],
    passage: Annotated[str | None, Query(description="a passage id to highlight")] = None,
) -> Response:
    view = await request.app.state.pool.run(lambda lib: reader_view(lib, ref))
    if wanted(request) == "json":
        return json_response(view.to_dict())
    context = {
        "view": view,
        "blocks": view.blocks(),
        "markers": view.markers(),
        "highlight": passage,
        "anchor": anchor,
        "passage_html": passage_html,
        "passage_link": passage_link,
    }
    return page(request, "report.html", context)


@router.get(
    "/passages/{passage_id}",
    summary="One passage in its place",
    description="HTML: a redirect (303) to the reader at the passage, highlighted. JSON: the passage with its "
    "citation, the passages before and after it and its footnotes (`covenant show PASSAGE_ID --json`).",
    response_model=None,
    responses={303: {"description": "the reader at the passage (HTML)"}},
)
async def passage_page(
    request: Request,
    passage_id: Annotated[str, Path(description="a passage id, e.g. 9d977a4b:p00022 (short report id allowed)")],
    context: Annotated[int, Query(ge=0, le=100, description="passages before and after it (JSON)")] = 2,
) -> Response:
    if wanted(request) == "json":
        found = await request.app.state.pool.run(lambda lib: lib.context(passage_id, context).to_dict())
        return json_response(found)
    passage = await request.app.state.pool.run(lambda lib: lib.passage(passage_id))
    target = f"/reports/{quote(passage.report_id, safe='')}?passage={quote(passage.id, safe='')}#{anchor(passage.id)}"
    return RedirectResponse(target, status_code=303)
