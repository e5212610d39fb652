"""Reports uploaded through the API: the file checked and stored under `<library>.uploads/`, then ingested and
indexed by a background thread whose progress is a job to poll; search answers from what is indexed meanwhile."""

from __future__ import annotations

import asyncio
import re
import threading
import unicodedata
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from covenant.errors import CovenantError, NotFoundError, QueryError
from covenant.ingest.sniff import format_suffix, unsupported_format
from covenant.library import Library
from covenant.model import IngestEvent
from covenant.web.auth import AuthError, ForbiddenError
from covenant.web.render import error_response, json_response, page, wanted
from covenant.web.views.annotations import WRITE_RESPONSES, writer

MAX_UPLOAD = 50 * 1024 * 1024  # larger than any report of the corpus (the biggest PDF is a few MB)
_CHUNK = 1024 * 1024
_UNSAFE = re.compile(r"[^\w.\- ()]+")

router = APIRouter(responses=WRITE_RESPONSES)


@dataclass(slots=True)
class UploadJob:
    """One upload's way into the library: queued, ingesting, indexing, then done, skipped (the reader's reason)
    or failed."""

    id: str
    file_name: str  # as the uploader named it, for display only
    stored: str  # where it was stored, under <library>.uploads/
    status: str = "queued"
    reason: str | None = None
    report_id: str | None = None
    passages: int | None = None
    created_at: str = ""
    uploaded_by: str | None = None  # the name of the token it came with
    finished_at: str | None = None
    step: str | None = None  # what it is doing while it runs: "OCR page 3/12", "labelling rights 40/120"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Uploads:
    """The jobs of one app and the one thread that ingests them, one at a time, each with a Library of its own."""

    def __init__(self, library_path: Path, limit: int = MAX_UPLOAD) -> None:
        self.library_path = library_path
        self.folder = library_path.with_name(library_path.name + ".uploads")
        self.limit = limit
        self.jobs: dict[str, UploadJob] = {}
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="covenant-ingest")

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def get(self, job_id: str) -> UploadJob:
        with self._lock:
            found = self.jobs.get(job_id)
            if found is None:
                raise NotFoundError(f"no upload job {job_id!r} (jobs last as long as the workbench runs)")
            return UploadJob(**found.to_dict())  # a copy: the ingest thread goes on changing the job

    def all(self) -> list[UploadJob]:
        """Every job of this app, newest first (copies)."""
        with self._lock:
            return [UploadJob(**job.to_dict()) for job in reversed(self.jobs.values())]

    def submit(self, file_name: str, stored: Path, uploaded_by: str | None = None) -> UploadJob:
        job = UploadJob(uuid.uuid4().hex, file_name, str(stored), created_at=_now(), uploaded_by=uploaded_by)
        with self._lock:
            self.jobs[job.id] = job
        self._executor.submit(self._run, job.id)
        return self.get(job.id)

    def _set(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            job = self.jobs[job_id]
            for name, value in changes.items():
                setattr(job, name, value)

    def _run(self, job_id: str) -> None:
        stored = Path(self.jobs[job_id].stored)
        self._set(job_id, status="ingesting")

        def page_read(event: IngestEvent) -> None:
            if event.status == "reading":  # a page of a scan read by OCR
                self._set(job_id, step=event.reason)

        def indexing(what: str, done: int, total: int) -> None:
            self._set(job_id, step=f"{what} {done}/{total}")

        try:
            with Library(self.library_path, create=False) as lib:
                summary = lib.ingest([stored], workers=1, on_event=page_read)
                event = summary.events[0] if summary.events else None
                if event is None or event.status == "skipped":
                    reason = event.reason if event is not None else "the file was not read"
                    self._set(job_id, status="skipped", reason=reason, finished_at=_now(), step=None)
                    return
                self._set(job_id, status="indexing", report_id=event.report_id, passages=event.passages, step=None)
                # full text now; `covenant index` embeds for semantic search
                lib.index(semantic=False, on_progress=indexing)
            self._set(job_id, status="done", finished_at=_now(), step=None)
        except CovenantError as exc:
            self._set(job_id, status="failed", reason=str(exc), finished_at=_now(), step=None)
        except Exception as exc:  # the thread must report every fault in the job, or the job would wait forever
            reason = f"an internal error ({type(exc).__name__})"
            self._set(job_id, status="failed", reason=reason, finished_at=_now(), step=None)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def safe_name(name: str) -> str:
    """The uploader's file name as a file name of one folder: its last part only, no separators, control or
    unusual characters, no leading dot, at most 100 characters."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip(" ._")[:100]
    return cleaned or "upload"


def stored_name(original: str, data: bytes) -> str:
    """The file name an upload is stored under: the uploader's, made safe, with the suffix of what its bytes are
    (a PDF named .txt is stored as .pdf, a Word file as .docx, a scan as .tif: the readers are chosen by content
    and the name shows it)."""
    suffix = format_suffix(data)
    stem = safe_name(original)
    stem = (stem.rsplit(".", 1)[0] if "." in stem else stem).rstrip(" ._")
    return (stem or "upload")[:90] + suffix


async def _read_limited(upload: UploadFile, limit: int) -> bytes | None:
    """The upload's bytes, or None when they pass `limit` (read in chunks, so a huge upload stops at the limit)."""
    parts: list[bytes] = []
    size = 0
    while chunk := await upload.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
    return b"".join(parts)


@router.post(
    "/api/reports",
    summary="Upload a report",
    description="A `multipart/form-data` body with the file in `file` (text, HTML, PDF, Word, OpenDocument, RTF or "
    "a scan, told by its bytes, 50 MB at most). Needs a token (`Authorization: Bearer`). The file is stored under "
    "`<library>.uploads/` in a folder of its own, then ingested and indexed (full text) in the background: the "
    "answer (202) is the job, to follow at `/api/reports/jobs/{id}`. A file too large is a 413, a format Covenant "
    "does not read (a spreadsheet, a ZIP archive) a 415; a file the reader cannot use (binary, encrypted, a blank "
    "scan) ends the job as `skipped` with the reason.",
    response_model=None,
    status_code=202,
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
                }
            }
        }
    },
)
async def upload_report(request: Request) -> Response:
    accepted = await _accept(request)
    if isinstance(accepted, Response):
        return accepted
    return json_response({**accepted.to_dict(), "progress": f"/api/reports/jobs/{accepted.id}"}, 202)


def _may_write(request: Request) -> Uploads:
    """The app's uploads, or the refusal a write gets before its body is read: 403 when the workbench only reads,
    401 without a token or a session."""
    uploads: Uploads | None = request.app.state.uploads
    if uploads is None or request.app.state.writer is None:
        raise ForbiddenError("this workbench cannot write to its library (it is read-only here)")
    if "authorization" not in request.headers and getattr(request.state, "session", None) is None:
        raise AuthError(
            "uploading needs a token: log in at /login, or send 'Authorization: Bearer <token>' "
            "(`covenant token create` makes one)"
        )
    return uploads


async def _accept(request: Request) -> UploadJob | Response:
    """The upload checked, stored and queued (its job), or the error answer (413, 415)."""
    uploads = _may_write(request)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > uploads.limit + 64 * 1024:
        return error_response(request, 413, "TooLargeError", f"the file is larger than {uploads.limit // 2**20} MB")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "multipart/form-data":
        raise QueryError("send the report as multipart/form-data with the file in the field 'file'")
    form = await request.form(max_files=1, max_fields=10)
    name = await writer(request, {k: v for k, v in form.items() if isinstance(v, str)})
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise QueryError("no file: send it in the multipart field 'file'")
    data = await _read_limited(upload, uploads.limit)
    if data is None:
        return error_response(request, 413, "TooLargeError", f"the file is larger than {uploads.limit // 2**20} MB")
    if not data:
        raise QueryError("the file is empty")
    unsupported = unsupported_format(data)
    if unsupported:
        return error_response(
            request,
            415,
            "UnsupportedError",
            f"{unsupported}: not read; send text, HTML, PDF, Word, OpenDocument, RTF or a scan",
        )
    original = upload.filename or "upload"
    folder = uploads.folder / uuid.uuid4().hex
    target = folder / stored_name(original, data)
    # the stored name is made here, never taken from the request: check that it stays in its folder all the same
    if target.resolve().parent != folder.resolve():
        raise QueryError("cannot store a file under that name")

    def store() -> None:
        folder.mkdir(parents=True, exist_ok=False)
        target.write_bytes(data)

    await _in_thread(store)
    return uploads.submit(original, target, name)


async def _in_thread(work: Callable[[], None]) -> None:
    await asyncio.get_running_loop().run_in_executor(None, work)


@router.get(
    "/api/reports/jobs/{job_id}",
    summary="An upload's progress",
    description="`status`: queued, ingesting, indexing, done, skipped (with the reader's `reason`) or failed; "
    "`step`, while it runs, what it is doing (`OCR page 3/12` while a scan is read, `labelling rights 40/120`); "
    "`report_id` and `passages` once read; `file_name` as uploaded and `stored`, where it was stored; "
    "`uploaded_by`, the name of the token it came with.",
    response_model=None,
)
async def upload_job(request: Request, job_id: Annotated[str, PathParam(description="the job's id")]) -> Response:
    return json_response(_job(request, job_id).to_dict())


def _job(request: Request, job_id: str) -> UploadJob:
    uploads: Uploads | None = request.app.state.uploads
    if uploads is None:
        raise NotFoundError(f"no upload job {job_id!r}: this workbench only reads")
    return uploads.get(job_id)


# -- the workbench's upload page and its job pages ----------------------------------------------------------

# What the pages call each status of a job (the JSON keeps the status itself; static/upload.js has the same words).
STATUS_LABELS = {
    "queued": "queued",
    "ingesting": "reading",
    "indexing": "indexing",
    "done": "stored",
    "skipped": "skipped",
    "failed": "failed",
}


@router.get(
    "/uploads",
    summary="The upload page",
    description="A form (multipart, with the session's `csrf` field) that uploads a report through `POST /uploads`, "
    "and the uploads since the workbench started, each a link to its job page. Needs a session (or a token): "
    "without one a 401 with the link to /login. JSON: `jobs` (newest first) and `limit` (bytes).",
    response_model=None,
)
async def upload_page(request: Request) -> Response:
    uploads = _may_write(request)
    if "authorization" in request.headers:  # a session was checked already (load_session), a token is here
        await writer(request, {})
    jobs = uploads.all()
    if wanted(request) == "json":
        return json_response({"jobs": [job.to_dict() for job in jobs], "limit": uploads.limit})
    context = {"jobs": jobs, "labels": STATUS_LABELS, "limit_mb": uploads.limit // 2**20}
    return page(request, "uploads.html", context)


@router.post(
    "/uploads",
    summary="Upload a report from the workbench's form",
    description="The form twin of `POST /api/reports`: the same `multipart/form-data` body (the file in `file`, "
    "with the session's `csrf` field, or a token in `Authorization: Bearer`) and the same checks. A form is sent "
    "(303) to the job's page `/uploads/{id}`; JSON (a token, or `Accept: application/json`): 202 the job.",
    response_model=None,
    status_code=202,
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "csrf": {"type": "string", "description": "the session's CSRF token"},
                        },
                    }
                }
            }
        }
    },
)
async def upload_form(request: Request) -> Response:
    accepted = await _accept(request)
    if isinstance(accepted, Response):
        return accepted
    if wanted(request) == "json":
        return json_response({**accepted.to_dict(), "progress": f"/api/reports/jobs/{accepted.id}"}, 202)
    return RedirectResponse(f"/uploads/{accepted.id}", status_code=303)


@router.get(
    "/uploads/{job_id}",
    summary="An upload's page",
    description="The upload's progress (queued, reading, indexing) and its end: stored, with a link to the new "
    "report, or skipped with the reader's reason (or failed); the page follows the job by itself "
    "(`static/upload.js` polls `/api/reports/jobs/{id}`). JSON: the job, as `/api/reports/jobs/{id}`.",
    response_model=None,
)
async def upload_job_page(request: Request, job_id: Annotated[str, PathParam(description="the job's id")]) -> Response:
    job = _job(request, job_id)
    if wanted(request) == "json":
        return json_response(job.to_dict())
    return page(request, "upload_job.html", {"job": job, "label": STATUS_LABELS.get(job.status, job.status)})
