"""The `covenant` command: a thin layer over covenant.library. Heavy imports wait until a command runs."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click

from covenant import __version__
from covenant.model import OVERRIDABLE
from covenant.workers import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT

# Every overridable field has a flag, but the language (detected from the text or the page's own declaration).
METADATA_FLAGS = tuple(name for name in OVERRIDABLE if name != "language")
CITE_STYLES = ("plain", "coi", "csl")
STYLE_OPTION = click.option(
    "--style",
    type=click.Choice(CITE_STYLES),
    default="plain",
    show_default=True,
    help="How citations are written: a plain reference line, COI citation practice (organisation: title, date, "
    "URL, accessed), or CSL-JSON for reference managers.",
)


def _db_after(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(dict)["db"] = value


class CovenantGroup(click.Group):
    """Turn CovenantError into one line on stderr and exit 1 (a traceback only with --debug); accept `--db`
    after the command name as well as before it."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if not isinstance(cmd, click.Group):
            cmd.params.append(
                click.Option(
                    ["--db", "db_after"],
                    default=None,
                    expose_value=False,
                    is_eager=True,
                    callback=_db_after,
                    metavar="PATH",
                    help="The library database (as `covenant --db PATH COMMAND`).",
                )
            )
        super().add_command(cmd, name)

    def invoke(self, ctx: click.Context) -> Any:
        from covenant.errors import CovenantError

        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # The reader of the output went away (`covenant search ... | head`): stop quietly, as Unix tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except (CovenantError, OSError, sqlite3.Error, MemoryError) as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"error: {safe(_describe(exc))}", err=True)
            sys.exit(1)


def _describe(exc: BaseException) -> str:
    """One line for a fault that reached the command: Covenant's own message, or the system's, in words."""
    from covenant.errors import CovenantError

    if isinstance(exc, CovenantError):
        return str(exc)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc} (run again with --debug for details)"
    if isinstance(exc, MemoryError):
        return "out of memory (run again with --debug for details)"
    return f"{type(exc).__name__}: {exc} (run again with --debug for details)"


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe(text: str) -> str:
    """Text from a report or a file name, made harmless for a terminal: control characters (escape
    sequences that could move the cursor, retitle the window or hide text) become visible \\xNN."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


@click.group(cls=CovenantGroup)
@click.version_option(__version__, prog_name="covenant")
@click.option(
    "--db",
    default=lambda: os.environ.get("COVENANT_DB", "covenant.db"),
    show_default="covenant.db or $COVENANT_DB",
    help="The library database (SQLite file).",
)
@click.option("--debug", is_flag=True, help="Show full tracebacks.")
@click.pass_context
def main(ctx: click.Context, db: str, debug: bool) -> None:
    """Covenant: turn a folder of human-rights reports into a cited, searchable library."""
    ctx.ensure_object(dict)
    ctx.obj["db"] = db
    ctx.obj["debug"] = debug


def _library(ctx: click.Context, *, write: bool = False, create: bool = False) -> Any:
    """The library named by --db. Only ingest creates one; read commands open it read-only."""
    from covenant.library import Library

    return Library(ctx.obj["db"], read_only=not write, create=create)


def _writable(ctx: click.Context) -> bool:
    """Whether the library can be written (search then brings its index up to date first)."""
    db = Path(ctx.obj["db"])
    return os.access(db, os.W_OK) and os.access(db.parent if str(db.parent) else Path("."), os.W_OK)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--strict", is_flag=True, help="Stop at the first file that cannot be ingested (exit 1).")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Processes for parsing (default: 2).")
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, None),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds one file may take to read; a file still being read then is stopped and skipped.",
)
@click.option(
    "--max-memory",
    type=click.IntRange(64, None),
    default=DEFAULT_MEMORY_MB,
    show_default=True,
    metavar="MB",
    help="Megabytes a worker may allocate for one file; a file that needs more is skipped.",
)
@click.option(
    "--index/--no-index",
    "update_index",
    default=True,
    show_default=True,
    help="At the end, bring the full-text search index up to date and run the analysis stages (rights, "
    "recommendations, entities, events) on what was added; passage vectors wait for `covenant index`.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the ingest log of this run as JSON.")
@click.option("--title", help="Set the title of every file in this run.")
@click.option("--source-org", help="Set the source organisation.")
@click.option(
    "--doc-type",
    type=click.Choice(
        ["annual_country_report", "world_report_chapter", "letter", "shadow_report", "thematic_report", "other"]
    ),
    help="Set the document type.",
)
@click.option("--country", help="Set the country (ISO 3166-1 alpha-2, e.g. KZ).")
@click.option("--period-start", help="Set the start of the period covered (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--period-end", help="Set the end of the period covered.")
@click.option("--publication-date", help="Set the publication date (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--symbol", help="Set the document symbol or report number (e.g. A/HRC/14/15).")
@click.option("--url", help="Set the address the report was published at (http or https).")
@click.option("--accessed", help="Set the date the report was accessed (YYYY-MM-DD; default: the ingest date).")
@click.pass_context
def ingest(
    ctx: click.Context,
    paths: tuple[str, ...],
    strict: bool,
    workers: int | None,
    timeout: float,
    max_memory: int,
    update_index: bool,
    as_json: bool,
    **meta: str | None,
) -> None:
    """Ingest report files and folders (text, HTML, PDF) into the library.

    Metadata is detected from each report; flags here, or a sidecar file `<report>.covenant.json`
    beside a report, override it. Re-ingesting an unchanged file changes nothing. Each file is read in a
    worker process: a file that crashes its reader, takes longer than --timeout or needs more than
    --max-memory is skipped with its reason and the batch goes on. Ctrl-C stops the batch; what was
    stored stays, and the same command finishes the rest.
    """
    from rich.console import Console
    from rich.markup import escape

    from covenant.batch import report_files
    from covenant.workers import Limits

    overrides: dict[str, str | None] = {k: v for k, v in meta.items() if v is not None and k in METADATA_FLAGS}
    found = report_files(paths)
    if not found.files and not found.missing:
        where = ", ".join(paths)
        others = ""
        if found.ignored:
            path, why = found.ignored[0]
            others = f"; {len(found.ignored)} other files left out, e.g. {Path(path).name}: {why}"
        raise_error(f"{where}: no report files (.txt, .html, .pdf) found to ingest{others}")
    err = Console(stderr=True)
    with (
        _library(ctx, write=True, create=True) as lib,
        _progress_bar(err, hidden=as_json) as progress,
    ):
        task = progress.add_task("ingesting", total=len(found.files))

        def on_event(event: Any) -> None:
            if event.status == "reading":  # a page of a scan read by OCR: the bar says the file is moving
                progress.update(task, description=f"ingesting {escape(safe(Path(event.path).name))}: {event.reason}")
                return
            progress.update(task, description="ingesting")
            if event.status != "ignored":
                progress.advance(task)
            if event.status in ("skipped", "ignored") and not as_json:
                progress.console.print(
                    f"[yellow]{event.status}[/] {escape(safe(event.path))}: {escape(safe(event.reason or ''))}",
                    highlight=False,
                    soft_wrap=True,
                )

        summary = lib.ingest(
            paths,
            overrides=overrides,
            strict=strict,
            workers=workers,
            limits=Limits(timeout=timeout, memory_mb=max_memory),
            on_event=on_event,
        )
        changed = summary.counts.get("added", 0) + summary.counts.get("replaced", 0)
        waiting, seconds = 0, 0.0
        if update_index and not summary.interrupted and (changed or lib.pending(semantic=False)["reports"]):
            index_task = progress.add_task("indexing", total=None)

            def on_index(stage: str, done: int, total: int) -> None:
                progress.update(index_task, description=stage, completed=done, total=total)

            lib.index(semantic=False, on_progress=on_index)
            _warn_repairs(lib)
            waiting, seconds = lib.embedding_estimate()
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        for path in summary.missing:
            click.echo(f"error: {safe(path)}: no such file or folder", err=True)
        counts = summary.counts
        parts = [f"{counts.get(s, 0)} {s}" for s in ("added", "replaced", "unchanged", "skipped")]
        if summary.ignored:
            shown = ", ".join(safe(Path(p).name) for p in summary.ignored[:3])
            more = f" and {len(summary.ignored) - 3} more: see `covenant log`" if len(summary.ignored) > 3 else ""
            parts.append(f"{len(summary.ignored)} ignored ({shown}{more})")
        head = "ingest interrupted" if summary.interrupted else "ingest"
        click.echo(f"{head}: " + ", ".join(parts))
        if summary.interrupted:
            click.echo("the reports listed as added are stored whole; run the same command again to finish the rest")
        elif waiting:
            click.echo(
                f"search: the full-text index is up to date; {waiting} passages wait to be embedded for semantic and "
                f"hybrid search (about {_duration(seconds)}): run `covenant index` now, or the first such search will"
            )
    if summary.interrupted:
        sys.exit(130)
    if summary.missing:
        sys.exit(1)


def _non_latin(text: str) -> bool:
    """Whether a query is written mostly in a script other than Latin (Cyrillic, Arabic, CJK...)."""
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(ord(ch) > 0x24F for ch in letters) > len(letters) / 2


def _progress_bar(console: Any, hidden: bool) -> Any:
    """The progress bar of long commands, on stderr: what it does, the bar, done of total, time left."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    return Progress(*columns, console=console, transient=True, disable=hidden)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def raise_error(message: str) -> None:
    from covenant.errors import CovenantError

    raise CovenantError(message)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
@click.pass_context
def reports(ctx: click.Context, as_json: bool) -> None:
    """List the reports in the library."""
    with _library(ctx) as lib:
        items = lib.reports()
        counts = lib.passage_counts()
        skipped = [e for e in lib.log(limit=1000) if e.status == "skipped"]
    if as_json:
        click.echo(
            json.dumps([{**r.to_dict(), "passages": counts.get(r.id, 0)} for r in items], ensure_ascii=False, indent=2)
        )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(items)} reports in {ctx.obj['db']}", title_justify="left")
    for col, width in (
        ("id", 8),
        ("file", 26),
        ("title", 44),
        ("source", 20),
        ("type", 21),
        ("country", 7),
        ("period", 9),
        ("published", 10),
        ("passages", 8),
    ):
        table.add_column(col, min_width=min(width, len(col)), max_width=width, no_wrap=True, overflow="ellipsis")
    for r in items:
        period = "-".join(dict.fromkeys(p[:4] for p in (r.period_start, r.period_end) if p))
        table.add_row(
            r.id[:8],
            safe(r.file_name),
            safe(r.title or ""),
            safe(r.source_org or ""),
            r.doc_type or "",
            r.country or "",
            period,
            r.publication_date or "",
            str(counts.get(r.id, 0)),
        )
    console = Console()
    # In a terminal the table fits its width; piped into a file or a log it keeps every column readable.
    (console if console.is_terminal else Console(width=200)).print(table)
    _print_skips(skipped)


def _print_skips(skipped: list[Any]) -> None:
    if skipped:
        click.echo(f"\nskipped in recent ingests ({len(skipped)}):")
        seen: set[str] = set()
        for event in skipped:
            if event.path not in seen:
                seen.add(event.path)
                click.echo(f"  {safe(event.path)}: {safe(event.reason or '')}")


@main.command()
@click.argument("report")
@click.option("--passages/--outline-only", default=True, help="Show passages under the outline.")
@click.option(
    "--context",
    "around",
    type=click.IntRange(0, 100),
    default=2,
    show_default=True,
    help="With a passage id: how many passages to show before and after it.",
)
@STYLE_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print report, sections, passages, footnotes as JSON.")
@click.pass_context
def show(ctx: click.Context, report: str, passages: bool, around: int, style: str, as_json: bool) -> None:
    """Show one report (id, short id or file name) or one passage (a search hit's id, e.g. d1b46669:p00022).

    A report: its metadata, outline and passages with citations. A passage: its citation, the passages
    around it (--context) and its footnotes.
    """
    with _library(ctx) as lib:
        if lib.is_passage_id(report):
            _show_passage(lib.context(report, around), style, as_json)
            return
        cite_each = ctx.get_parameter_source("style") == click.core.ParameterSource.COMMANDLINE
        r = lib.report(report)
        sections = lib.sections(r)
        items = lib.passages(r)
        notes = lib.footnotes(r)
        citations = [lib.cite(p) for p in items] if cite_each and passages and not as_json else []
    if as_json:
        click.echo(
            json.dumps(
                {
                    "report": r.to_dict(),
                    "sections": [s.to_dict() for s in sections],
                    "passages": [p.to_dict() for p in items],
                    "footnotes": [n.to_dict() for n in notes],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    click.echo(safe(r.title or r.file_name))
    for key in (
        "id",
        "file_name",
        "format",
        "source_org",
        "doc_type",
        "country",
        "period_start",
        "period_end",
        "publication_date",
        "language",
        "pages",
        "ingested_at",
    ):
        value = getattr(r, key)
        if value is not None:
            how = r.metadata_method.get(key)
            click.echo(safe(f"  {key}: {value}" + (f"  [{how}]" if how else "")))
    click.echo(f"\noutline ({len(sections)} headings):")
    for s in sections:
        where = f"p.{s.page}" if s.page else f"l.{s.line_start}"
        click.echo(safe(f"  {'  ' * (s.level - 1)}{s.title}  [{s.code or '-'}; {where}]"))
    if passages:
        click.echo(f"\npassages ({len(items)}):")
        for i, p in enumerate(items):
            click.echo(safe(f"\n[{p.id}] {_where(p)}  {' > '.join(p.section_path)}"))
            click.echo(f"  {safe(p.text)}")
            if citations:
                click.echo(click.style(f"  {safe(_cited(citations[i], style))}", fg="cyan"))
    if notes:
        click.echo(f"\nfootnotes ({len(notes)}):")
        for n in notes:
            click.echo(safe(f"  {n.number}. {n.text}  [l.{n.line_start}-{n.line_end}]"))


def _cited(citation: Any, style: str) -> str:
    """A citation in the style asked for: a reference line, or a CSL-JSON item on one line."""
    if style == "csl":
        return json.dumps(citation.csl_json(), ensure_ascii=False)
    return str(citation.formatted(style))


def _show_passage(found: Any, style: str, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(click.style(safe(_cited(found.citation, style)), fg="cyan"))
    for p in found.before:
        click.echo(click.style(safe(f"\n[{p.id}] {_where(p)}\n  {p.text}"), dim=True))
    p = found.passage
    click.echo(safe(f"\n[{p.id}] {_where(p)}  {' > '.join(p.section_path)}"))
    click.echo(click.style(f"  {safe(p.text)}", bold=True))
    for n in found.footnotes:
        click.echo(safe(f"    note {n.number}: {n.text}"))
    for p in found.after:
        click.echo(click.style(safe(f"\n[{p.id}] {_where(p)}\n  {p.text}"), dim=True))


def _where(p: Any) -> str:
    # a passage read from a scan says so, with Tesseract's mean confidence for its words
    confidence = getattr(p, "ocr_confidence", None)
    ocr = "" if confidence is None else f" (read by OCR, word confidence {confidence:.0f})"
    if p.page_start is not None:
        return (f"p.{p.page_start}" if p.page_start == p.page_end else f"pp.{p.page_start}-{p.page_end}") + ocr
    return (f"l.{p.line_start}" if p.line_start == p.line_end else f"ll.{p.line_start}-{p.line_end}") + ocr


@main.command()
@click.option("--out", "out_dir", required=True, help="Folder for the JSONL files (made if missing; must be empty).")
@click.option("--report", "report_refs", multiple=True, help="Export only these reports (repeatable).")
@click.option("--force", is_flag=True, help="Replace the export files in a folder that is not empty.")
@click.pass_context
def export(ctx: click.Context, out_dir: str, report_refs: tuple[str, ...], force: bool) -> None:
    """Export the library as JSON Lines: reports, sections, passages, footnotes, tags, notes.

    The files are written beside their final names and renamed into place when complete, so a failure
    leaves the folder as it was.
    """
    with _library(ctx) as lib:
        counts = lib.export(out_dir, list(report_refs) or None, force=force)
    click.echo(f"exported to {out_dir}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))


@main.command(name="log")
@click.option("--limit", default=50, show_default=True, help="How many entries, newest first.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def log_cmd(ctx: click.Context, limit: int, as_json: bool) -> None:
    """Show the ingest log: every file tried, with its status and reason."""
    with _library(ctx) as lib:
        events = lib.log(limit)
    if as_json:
        click.echo(json.dumps([e.to_dict() for e in events], ensure_ascii=False, indent=2))
        return
    for e in events:
        click.echo(safe(f"{e.at}  {e.status:<9} {e.path}" + (f": {e.reason}" if e.reason else "")))


@main.command()
@click.argument("report")
@click.pass_context
def remove(ctx: click.Context, report: str) -> None:
    """Remove a report (and everything derived from it) from the library."""
    with _library(ctx, write=True) as lib:
        r = lib.remove(report)
    click.echo(f"removed {r.id} ({safe(r.file_name)})")


@main.command(name="tag")
@click.argument("passage_id")
@click.argument("tags", nargs=-1, required=True)
@click.pass_context
def tag_cmd(ctx: click.Context, passage_id: str, tags: tuple[str, ...]) -> None:
    """Tag a passage (a search hit's id, e.g. d1b46669:p00022) with short labels: torture "Zhovtis case".

    Tags match whatever their case; search with --filter tag=NAME.
    """
    from covenant.annotations import clean_tag

    cleaned = [clean_tag(t) for t in tags]  # one bad tag refuses them all, before anything is written
    with _library(ctx, write=True) as lib:
        pid = lib.passage(passage_id).id
        added = [t for t in cleaned if lib.tag(pid, t)]
    had = [t for t in cleaned if t not in added]
    line = f"tagged {pid}: " + (", ".join(safe(t) for t in added) or "nothing new")
    click.echo(line + (f" (already tagged {', '.join(safe(t) for t in had)})" if had else ""))


@main.command()
@click.argument("passage_id")
@click.argument("tag")
@click.pass_context
def untag(ctx: click.Context, passage_id: str, tag: str) -> None:
    """Take a tag off a passage (an orphaned passage too, by its full id)."""
    from covenant.errors import NotFoundError

    with _library(ctx, write=True) as lib:
        if not lib.untag(passage_id, tag):
            raise NotFoundError(f"{passage_id} does not carry the tag '{safe(tag.strip())}' (see `covenant tags`)")
    click.echo(f"untagged {safe(passage_id)}: {safe(tag.strip())}")


@main.command()
@click.argument("tag", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def tags(ctx: click.Context, tag: str | None, as_json: bool) -> None:
    """List the tags with how many passages carry each; with TAG, the passages that carry it.

    A passage whose report was removed, or replaced by a version without its text, is listed as orphaned.
    """
    with _library(ctx) as lib:
        if tag is None:
            counts = lib.tags()
        else:
            records = lib.tag_records(tag)
            passages = lib.store.passages_by_ids([r.passage_id for r in records])
    if tag is None:
        if as_json:
            click.echo(json.dumps([c.to_dict() for c in counts], ensure_ascii=False, indent=2))
            return
        for c in counts:
            orphaned = f"  ({c.orphaned} orphaned)" if c.orphaned else ""
            click.echo(f"{c.passages:>6}  {safe(c.tag)}{orphaned}")
        if not counts:
            click.echo("no tags yet: tag a passage with `covenant tag PASSAGE_ID TAG`")
        return
    if as_json:
        rows = [
            {**r.to_dict(), "text": passages[r.passage_id].text if r.passage_id in passages else None} for r in records
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not records:
        raise_error(f"no passage carries the tag '{safe(tag.strip())}' (see `covenant tags`)")
    for r in records:
        found = passages.get(r.passage_id)
        if found is None:
            click.echo(f"[{r.passage_id}] orphaned: its report was removed or replaced")
        else:
            click.echo(safe(f"[{r.passage_id}] {_where(found)}  {found.text}"))


@main.command()
@click.argument("passage_id")
@click.argument("text")
@click.pass_context
def note(ctx: click.Context, passage_id: str, text: str) -> None:
    """Write a note on a passage (a search hit's id); notes are searchable (`covenant notes --search`)."""
    with _library(ctx, write=True) as lib:
        made = lib.note(passage_id, text)
    click.echo(f"note {made.id} on {made.passage_id}")


@main.command(name="remove-note")
@click.argument("note_id", type=int)
@click.pass_context
def remove_note(ctx: click.Context, note_id: int) -> None:
    """Remove a note by its number (as `covenant notes` lists it)."""
    with _library(ctx, write=True) as lib:
        gone = lib.remove_note(note_id)
    click.echo(f"removed note {gone.id} on {gone.passage_id}")


@main.command()
@click.argument("passage_id", required=False)
@click.option("--search", "words", metavar="WORDS", help="Only notes holding every one of these words.")
@click.option("--json", "as_json", is_flag=True, help="Print the notes as JSON.")
@click.pass_context
def notes(ctx: click.Context, passage_id: str | None, words: str | None, as_json: bool) -> None:
    """List the notes (on one passage), oldest first; --search finds notes by their words (any case, parts
    of words too)."""
    with _library(ctx) as lib:
        found = lib.notes(passage_id, search=words)
    if as_json:
        click.echo(json.dumps([n.to_dict() for n in found], ensure_ascii=False, indent=2))
        return
    for n in found:
        orphaned = " (orphaned)" if n.orphaned else ""
        click.echo(safe(f"[{n.id}] {n.passage_id}{orphaned}  {n.updated_at}"))
        click.echo("  " + safe(n.text).replace("\n", "\n  "))
    if not found:
        click.echo("no notes match" if words else "no notes yet: write one with `covenant note PASSAGE_ID TEXT`")


@main.command()
@click.argument("query")
@click.option(
    "--mode",
    type=click.Choice(["hybrid", "bm25", "semantic"]),
    default="hybrid",
    show_default=True,
    help="Ranking: BM25 full text, semantic vectors, or both fused.",
)
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="KEY=VALUE",
    help="country=KZ, source=Human Rights Watch, type=letter, section=2.a, year=2003..2005, "
    "period=2004, report=ID, tag=NAME (repeatable; a key given twice matches either).",
)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--group", is_flag=True, help="Group the hits by report.")
@click.option(
    "--collapse",
    is_flag=True,
    help="A text repeated in several reports is one hit, cited from the newest, with the other places listed.",
)
@click.option(
    "--facets/--no-facets",
    default=True,
    show_default=True,
    help="Count the matches by country, source, type, year and section (skip for speed on a large library).",
)
@click.option(
    "--footnotes",
    is_flag=True,
    help="Search the reports' footnotes too (by their words); a footnote's hit is cited to its note.",
)
@STYLE_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print results, citations and facets as JSON.")
@click.pass_context
def search(
    ctx: click.Context,
    query: str,
    style: str,
    mode: str,
    filters: tuple[str, ...],
    limit: int,
    group: bool,
    collapse: bool,
    facets: bool,
    footnotes: bool,
    as_json: bool,
) -> None:
    """Search the library; every hit comes with a citation.

    Query syntax (BM25): words, "exact phrases", AND / OR / NOT, prefix*.
    """
    from rich.console import Console

    from covenant.search.filters import parse_filters

    parsed = parse_filters(filters)  # a malformed filter is refused before anything is opened
    err = Console(stderr=True)
    with _library(ctx, write=_writable(ctx)) as lib:
        parsed = lib.filters(parsed)  # a value the library does not hold is refused before any indexing
        if not lib.read_only:
            with err.status("bringing the search index up to date...", spinner="dots") if not as_json else _null():
                lib.index(semantic=mode != "bm25", on_progress=_progress_printer(err, as_json))
        results = lib.search(
            query, mode=mode, filters=parsed, limit=limit, facets=facets, collapse=collapse, footnotes=footnotes
        )
        _warn_repairs(lib)
    if results.pending.get("reports") and not as_json:
        click.echo(
            f"note: {results.pending['reports']} reports are not in the search index yet (library opened read-only)",
            err=True,
        )
    if as_json:
        data = results.to_dict()
        if group:
            data["groups"] = {rid: [h.passage_id for h in hits] for rid, hits in results.groups().items()}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    hidden = results.footnotes_matching
    if hidden:
        notes = "footnote also matches" if hidden == 1 else "footnotes also match"
        click.echo(f"note: {hidden} {notes}: add --footnotes to see them", err=True)
    if not results.hits:
        click.echo(f"no passages match {safe(query)!r}")
        if mode == "bm25" and _non_latin(query):
            click.echo(
                "the words are matched as written, and most reports are in English: try --mode semantic, "
                "which finds passages across languages",
                err=True,
            )
        return
    grouped = results.groups() if group else {"": results.hits}
    for report_id, hits in grouped.items():
        if report_id:
            first = hits[0].citation
            title = safe(first.title or first.file_name)
            click.echo(click.style(f"\n== {title} ({len(hits)} hits)", bold=True))
        for hit in hits:
            click.echo(click.style(f"\n{hit.rank}. {safe(_cited(hit.citation, style))}", fg="cyan"))
            # Highlights become colour only after the report's own text has been made harmless.
            text = safe(hit.highlighted).replace("[[", "\x1b[1;33m").replace("]]", "\x1b[0m")
            click.echo(f"   {text}", color=None)
            for other in hit.also:
                click.echo(click.style(f"   also: {safe(_cited(other, style))}", dim=True))
            if hit.tags:
                click.echo(click.style(f"   tags: {safe(', '.join(hit.tags))}", fg="magenta"))
            for n in hit.notes:
                click.echo(click.style(f"   note {n.id}: {safe(' '.join(n.text.split()))}", fg="magenta"))
    facet_line = "; ".join(
        f"{name}: " + ", ".join(f"{safe(_facet_value(name, k))} {v}" for k, v in list(counts.items())[:5])
        for name, counts in results.facets.items()
        if counts
    )
    click.echo(f"\n[{results.candidates} candidates] {facet_line}".rstrip())
    for found in results.spellings:
        click.echo(f"searched {safe(found.written)} also as: {safe(', '.join(found.others))}", err=True)


@main.command()
@click.option(
    "--semantic/--no-semantic",
    default=True,
    show_default=True,
    help="Also embed passages for semantic search (about 75 passages/s on 2 cores).",
)
@click.option(
    "--model",
    "model_names",
    multiple=True,
    metavar="NAME",
    help="Choose the library's embedding model (see `covenant models`); later searches use it. Give it twice "
    "to keep two models' vectors: each ranks on its own and the rankings are fused (the first is the main one).",
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def index(ctx: click.Context, semantic: bool, model_names: tuple[str, ...], as_json: bool) -> None:
    """Bring the search index up to date with the library (searches also do this on their own)."""
    from rich.console import Console

    with (
        _library(ctx, write=True, create=True) as lib,
        _progress_bar(Console(stderr=True), hidden=as_json) as progress,
    ):
        if model_names:
            # An unknown or uninstalled model stops here, with the command that installs it.
            lib.set_models(model_names)
        task = progress.add_task("indexing", total=None)

        def on_progress(stage: str, done: int, total: int) -> None:
            progress.update(task, description=stage, completed=done, total=total)

        counts = lib.index(semantic=semantic, on_progress=on_progress)
        _warn_repairs(lib)
    if as_json:
        click.echo(json.dumps(counts))
        return
    click.echo("index: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()))


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def models(ctx: click.Context, as_json: bool) -> None:
    """List the embedding models Covenant can use, whether each is installed, and the library's choice."""
    from covenant.search.embed import DEFAULT_MODEL, MODELS, installed

    chosen = [DEFAULT_MODEL]
    if Path(ctx.obj["db"]).exists():  # listing models never creates a library
        with _library(ctx) as lib:
            chosen = lib.models
    rows = [
        {
            "name": spec.name,
            "languages": spec.languages,
            "dim": spec.dim,
            "installed": installed(spec),
            "install": spec.install,
            "default": spec.name == DEFAULT_MODEL,
            "library": spec.name in chosen,
        }
        for spec in MODELS.values()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        mark = "*" if row["library"] else " "
        state = "installed" if row["installed"] else f"not installed: {row['install']}"
        click.echo(f"{mark} {row['name']}  ({row['languages']}, {row['dim']} dims; {state})")
    click.echo("* = this library's model(s) (change with `covenant index --model NAME [--model NAME2]`)")


@main.command(name="compare")
@click.argument("a")
@click.argument("b")
@click.option("--section", help="Only this section: a code with its subsections (2, 2.a) or a title (Women).")
@click.option(
    "--only",
    metavar="STATUSES",
    help="Show only passages of these statuses, comma-separated: unchanged, changed, added, dropped, moved "
    "(default: all but unchanged; the counts stay whole).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the comparison, its passages and citations as JSON.")
@click.pass_context
def compare_cmd(ctx: click.Context, a: str, b: str, section: str | None, only: str | None, as_json: bool) -> None:
    """Compare two editions of a report (ids, short ids or file names): sections matched by State Department
    code or title; passages unchanged, changed (word diff), moved, added or dropped, each with its citation."""
    from covenant.compare import compare, parse_only, render_text

    statuses = parse_only(only)  # a misspelt status is refused before the library is opened
    with _library(ctx) as lib:
        result = compare(lib, a, b, section=section)
    if as_json:
        click.echo(json.dumps(result.to_dict(statuses), ensure_ascii=False, indent=2))
        return
    for line in render_text(result, statuses):
        click.echo(safe(line))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="The port to listen on.")
@click.option("--read-only", is_flag=True, help="Only read: no login, no uploads, every write refused (403).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, read_only: bool) -> None:
    """Serve the workbench: browse, read, compare and search the library in a web browser; tag and write notes with
    a token (`covenant token create`; docs/web.md).

    Every page has a JSON twin (the same address with Accept: application/json); the API is described at /docs.
    """
    from covenant.web import serve as run_workbench

    run_workbench(ctx.obj["db"], host=host, port=port, writable=not read_only)


@main.group(name="token")
def token_group() -> None:
    """Tokens that let the workbench write tags and notes (`covenant serve`; docs/web.md)."""


@token_group.command(name="create")
@click.option("--name", help="A name to list and revoke it by (default token-1, token-2, ...).")
@click.pass_context
def token_create(ctx: click.Context, name: str | None) -> None:
    """Make a token and print it once: the library keeps only its hash."""
    from covenant.web.auth import create_token

    with _library(ctx, write=True) as lib:
        token, record = create_token(lib, name)
    click.echo(token)
    click.echo(
        f"token {record.name}: give it to the workbench's /login page, or send 'Authorization: Bearer <token>'; "
        "it is not shown again",
        err=True,
    )


@token_group.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def token_list(ctx: click.Context, as_json: bool) -> None:
    """List the tokens by name and date (never the tokens themselves)."""
    from covenant.web.auth import list_tokens

    with _library(ctx) as lib:
        records = list_tokens(lib)
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in records], ensure_ascii=False, indent=2))
        return
    for r in records:
        click.echo(f"{r.name}  created {r.created_at}")


@token_group.command(name="revoke")
@click.argument("name")
@click.pass_context
def token_revoke(ctx: click.Context, name: str) -> None:
    """Revoke a token: the workbench refuses it, and the browser sessions made with it, from the next request."""
    from covenant.web.auth import revoke_token

    with _library(ctx, write=True) as lib:
        gone = revoke_token(lib, name)
    click.echo(f"revoked token {gone.name}")


def _warn_repairs(lib: Any) -> None:
    for line in lib.repairs:
        click.echo(f"warning: {safe(line)}", err=True)


def _facet_value(name: str, key: str) -> str:
    """A facet value as a reader should see it: no blank country or source, no year 0."""
    if key == "" or (name == "year" and key == "0"):
        return "unknown"
    return key


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _progress_printer(console: Any, quiet: bool) -> Any:
    def report(stage: str, done: int, total: int) -> None:
        if not quiet and (done == total or done % 2048 < 256):
            console.print(f"{stage}: {done}/{total} passages", highlight=False)

    return report


GOLD_OPTION = click.option(
    "--gold",
    "gold_dirs",
    multiple=True,
    required=True,
    type=click.Path(file_okay=False),
    help="An annotation set folder in the FORMAT.md layout (repeatable), e.g. ../shared/eval/dev.",
)


@main.group(name="eval")
def eval_group() -> None:
    """Score Covenant against annotation sets (FORMAT.md layout)."""


@eval_group.command(name="ingest")
@GOLD_OPTION
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False),
    default="eval-ingest.json",
    show_default=True,
    help="Where to write the scores as JSON.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def eval_ingest(gold_dirs: tuple[str, ...], out_file: str, as_json: bool) -> None:
    """Score detected metadata (reports.jsonl) and heading trees (sections.jsonl)."""
    from covenant.eval.foundation import citation_coverage, documents_for, score_metadata, score_sections
    from covenant.eval.gold import load_sets

    sets = load_sets([Path(d) for d in gold_dirs])
    docs, missing = documents_for(sets)
    result: dict[str, Any] = {
        "gold": list(gold_dirs),
        "reports": len(docs),
        "missing_files": missing,
        "metadata": score_metadata(sets, docs),
        "sections": score_sections(sets, docs),
        "citations": citation_coverage(docs),
    }
    Path(out_file).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    meta = result["metadata"]
    click.echo(f"metadata accuracy {meta['accuracy']} over {len(docs)} reports")
    for name, value in meta["fields"].items():
        click.echo(f"  {name:<17} {value['correct']}/{value['total']}")
    for m in meta["mistakes"]:
        click.echo(f"    {m['report']} {m['field']}: gold {m['gold']!r}, found {m['found']!r}")
    sec = result["sections"]
    click.echo(f"sections P {sec['precision']} R {sec['recall']} F1 {sec['f1']} code accuracy {sec['code_accuracy']}")
    click.echo("citations (passages with a printed page / paragraph number / country; report URL, symbol):")
    for name, c in result["citations"].items():
        click.echo(
            f"  {name}: {c['printed_page']} / {c['paragraph']} / {c['country']} of {c['passages']}; "
            f"url {'yes' if c['url'] else 'no'}, symbol {c['symbol'] or '-'}"
        )
    if missing:
        click.echo(f"files not found: {', '.join(missing)}")
    click.echo(f"written to {out_file}")


@eval_group.command(name="search")
@GOLD_OPTION
@click.option(
    "--mode",
    "modes",
    multiple=True,
    type=click.Choice(["bm25", "semantic", "hybrid"]),
    help="Modes to score (default: all three).",
)
@click.option(
    "--model",
    "model_names",
    multiple=True,
    metavar="NAME",
    help="Embedding model (default: the default model); twice to fuse two models' rankings.",
)
@click.option("--out", "out_file", type=click.Path(dir_okay=False), default="eval-search.json", show_default=True)
@click.option("--json", "as_json", is_flag=True)
def eval_search(
    gold_dirs: tuple[str, ...], modes: tuple[str, ...], model_names: tuple[str, ...], out_file: str, as_json: bool
) -> None:
    """Score search: nDCG@10, recall@20 and MRR per mode, on a temporary library of the annotated reports."""
    from covenant.eval.gold import load_sets
    from covenant.eval.search import library_for, load_queries, score_search
    from covenant.search.engine import MODES

    sets = load_sets([Path(d) for d in gold_dirs])
    import tempfile

    # A library of its own, so scoring never adds the annotated reports to the user's library.
    chosen = modes or MODES
    semantic = any(m != "bm25" for m in chosen)
    with tempfile.TemporaryDirectory(prefix="covenant-eval-") as tmp:
        lib, mapping = library_for(sets, Path(tmp) / "eval.db", list(model_names) or None)
        with lib:
            lib.index(semantic=semantic)
            result = score_search(lib, load_queries(sets), mapping, chosen)
            result["model"] = ",".join(lib.models) if semantic else None
    result["gold"] = list(gold_dirs)
    Path(out_file).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"{result['queries']} queries; {len(result['unlocated_quotes'])} gold quotes not found in any passage")
    click.echo(f"{'mode':<9} {'nDCG@10':>8} {'recall@20':>10} {'MRR':>7}")
    for mode, s in result["modes"].items():
        click.echo(f"{mode:<9} {s['ndcg@10']:>8.3f} {s['recall@20']:>10.3f} {s['mrr']:>7.3f}")
    click.echo(f"written to {out_file}")


# The rights and recommendation commands live in modules of their own; importing them registers them on `main`
# and `eval`.
from covenant import cli_entities, cli_events, cli_recommendations, cli_rights  # noqa: E402, F401

if __name__ == "__main__":
    main()
