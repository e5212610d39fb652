"""One page, three forms: HTML (Jinja2, autoescaped), its JSON twin and CSV, chosen by `?format=` or Accept."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from pydantic import BaseModel

from covenant.model import Footnote, Passage, Report

TEMPLATES = Path(__file__).parent / "templates"
FORMATS = ("html", "json", "csv")


def templates() -> Jinja2Templates:
    """The page templates; autoescaping is on for every template (report text is untrusted input)."""
    found = Jinja2Templates(directory=str(TEMPLATES))
    found.env.autoescape = True
    found.env.filters["where"] = where
    found.env.filters["highlighted"] = highlighted
    found.env.filters["facet_label"] = facet_label
    found.env.filters["period"] = period
    found.env.filters["note_where"] = note_where
    return found


def wanted(request: Request, default: str = "html") -> str:
    """`?format=json|csv|html` wins; else JSON for an API call (a JSON body or an Authorization header), or when the
    client asks for it and not for HTML (a browser sends text/html first; curl and httpx send */*: the page)."""
    asked = request.query_params.get("format")
    if asked in FORMATS:
        return asked
    # an API call (a JSON body, or a token in the Authorization header) is answered in JSON, errors included
    if request.headers.get("content-type", "").startswith("application/json") or "authorization" in request.headers:
        return "json"
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "text/html" not in accept:
        return "json"
    return default


def json_response(data: Any, status_code: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status_code, headers={"Vary": "Accept"})


def page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    engine: Jinja2Templates = request.app.state.templates
    response = engine.TemplateResponse(request, name, context, status_code=status_code)
    response.headers["Vary"] = "Accept"
    return response


class ErrorDetail(BaseModel):
    type: str  # QueryError, NotFoundError, InternalError ...
    message: str  # written for the user: what went wrong and what to do


class ErrorBody(BaseModel):
    error: ErrorDetail


# The error answers every view may give, for /openapi.json (the shape of `error_payload`).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "a malformed query, filter or parameter"},
    404: {"model": ErrorBody, "description": "no such report or passage"},
}


def passage_link(passage_id: str) -> str:
    """The reader at a passage, highlighted (a full passage id: `<report id>:p00022`)."""
    report_id, _, ordinal = passage_id.rpartition(":")
    return f"/reports/{quote(report_id, safe='')}?passage={quote(passage_id, safe='')}#{quote(ordinal, safe='')}"


def error_payload(kind: str, message: str) -> dict[str, Any]:
    """The one error shape of every JSON answer: {"error": {"type": ..., "message": ...}}."""
    return {"error": {"type": kind, "message": message}}


def error_response(request: Request, status_code: int, kind: str, message: str) -> Response:
    if wanted(request) in ("json", "csv"):
        return json_response(error_payload(kind, message), status_code)
    context = {"status": status_code, "kind": kind, "message": message}
    return page(request, "error.html", context, status_code)


# Spreadsheets run a cell that begins with one of these as a formula; report text is untrusted, so such a cell
# is written with a leading apostrophe (OWASP's advice for CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_response(columns: Sequence[str], rows: Iterable[dict[str, Any]], file_name: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(c)) for c in columns])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{file_name}"', "Vary": "Accept"},
    )


def period(r: Report) -> str:
    """The years a report covers: "2003", "2003-2005", or ""."""
    years = [value[:4] for value in (r.period_start, r.period_end) if value]
    return "\u2013".join(dict.fromkeys(years))


def where(p: Passage) -> str:
    """A passage's place as a reader cites it: the printed page (with the file's page when they differ), else
    the file's page, else the original file's lines; then the document's paragraph number."""
    if p.printed_page_start is not None:
        printed = _span(p.printed_page_start, p.printed_page_end)
        files = _span(str(p.page_start), None if p.page_end is None else str(p.page_end))
        place = f"{_pages(printed)} {printed}" + (f" (file {_pages(files)} {files})" if files != printed else "")
    elif p.page_start is not None:
        files = _span(str(p.page_start), None if p.page_end is None else str(p.page_end))
        place = f"{_pages(files)} {files}"
    else:
        lines = _span(str(p.line_start), str(p.line_end))
        place = f"{'line' if lines == str(p.line_start) else 'lines'} {lines}"
    return f"{place}, para. {p.paragraph}" if p.paragraph else place


def note_where(n: Footnote) -> str:
    if n.page is not None:
        return f"p. {n.page}"
    return f"line {n.line_start}" if n.line_start == n.line_end else f"lines {n.line_start}\u2013{n.line_end}"


def _span(first: str, last: str | None) -> str:
    return first if last is None or last == first else f"{first}\u2013{last}"


def _pages(span: str) -> str:
    return "pp." if "\u2013" in span else "p."


_MARK = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)


def highlighted(text: str) -> Markup:
    """A search hit's text with its [[marks]] as <mark>: the text is escaped first, so only the marks are markup."""
    escaped = str(escape(text))
    return Markup(_MARK.sub(lambda m: f"<mark>{m.group(1)}</mark>", escaped))


def facet_label(name: str, key: str) -> str:
    """A facet value as a reader should see it: no blank country or source, no year 0."""
    if key == "" or (name == "year" and key == "0"):
        return "unknown"
    return key
