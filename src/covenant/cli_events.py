"""The event commands: `covenant timeline`, `covenant events REPORT`, `covenant eval events` and `covenant eval
timelines`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import click

from covenant.cli import GOLD_OPTION, _library, eval_group, main, safe
from covenant.events import EVENT_TYPES

TIMELINE_COLUMNS = ["date", "type", "quote", "citation", "report_id", "passage_id", "start", "end", "event_group"]


@main.command(name="timeline")
@click.option(
    "--entity", default=None, help="Only what names this entity (any spelling or its id), dated sentences too."
)
@click.option("--type", "kind", type=click.Choice([*EVENT_TYPES, "mention"]), default=None, help="Only one type.")
@click.option("--right", default=None, help="Only events bearing on a right (19, iccpr:19, 1.c, media).")
@click.option("--country", default=None, help="Only reports on one country (name or ISO code).")
@click.option("--from", "date_from", default=None, help="From this date on (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--to", "date_to", default=None, help="Up to this date (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV, one row per line of the timeline.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def timeline_cmd(
    ctx: click.Context,
    entity: str | None,
    kind: str | None,
    right: str | None,
    country: str | None,
    date_from: str | None,
    date_to: str | None,
    as_csv: bool,
    as_json: bool,
) -> None:
    """The library's dated events in date order, each with its citation; with --entity, that entity's history
    across reports. `covenant index` finds the events."""
    with _library(ctx) as lib:
        lines = lib.events.timeline(
            entity=entity, type=kind, right=right, country=country, date_from=date_from, date_to=date_to
        )
    if as_json:
        click.echo(json.dumps([line.to_dict() for line in lines], ensure_ascii=False, indent=2))
        return
    if as_csv:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(TIMELINE_COLUMNS)
        for line in lines:
            row = line.to_dict()
            writer.writerow([row.get(c) if c != "citation" else row["formatted"] for c in TIMELINE_COLUMNS])
        click.echo(out.getvalue(), nl=False)
        return
    for line in lines:
        click.echo(f"{line.date}  {line.type}  {safe(' '.join(line.quote.split()))}")
        click.echo(click.style(f"    {safe(line.citation.formatted())}", fg="cyan"))
    click.echo(f"{len(lines)} dated lines")


@main.command(name="events")
@click.argument("report")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def events_cmd(ctx: click.Context, report: str, as_json: bool) -> None:
    """The events REPORT tells (id, id prefix or file name), in text order: type, date, people, place, ICCPR
    articles and the quote."""
    with _library(ctx) as lib:
        found = lib.events.of_report(report)
    if as_json:
        click.echo(json.dumps([e.to_dict() for e in found], ensure_ascii=False, indent=2))
        return
    for e in found:
        people = "; ".join(
            part
            for part in (
                f"by {', '.join(e.perpetrators)}" if e.perpetrators else "",
                f"to {', '.join(e.victims)}" if e.victims else "",
                f"in {e.place}" if e.place else "",
                f"ICCPR {', '.join(map(str, e.iccpr))}" if e.iccpr else "",
            )
            if part
        )
        click.echo(click.style(f"{e.date or 'undated'}  {e.type}  {e.id}  {e.passage_id}", bold=True))
        if people:
            click.echo(f"    {safe(people)}")
        click.echo(f"    {safe(' '.join(e.quote.split()))}")
    click.echo(f"{len(found)} events")


def _write(result: dict[str, Any], gold_dirs: tuple[str, ...], out_file: str, as_json: bool) -> bool:
    """Save the scores; print them as JSON when asked (then the caller prints nothing more)."""
    result["gold_sets"] = list(gold_dirs)
    Path(out_file).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    return as_json


@eval_group.command(name="events")
@GOLD_OPTION
@click.option("--out", "out_file", type=click.Path(dir_okay=False), default="eval-events.json", show_default=True)
@click.option("--json", "as_json", is_flag=True)
def eval_events(gold_dirs: tuple[str, ...], out_file: str, as_json: bool) -> None:
    """Score the event stage (events.jsonl): event precision, recall and F1 (over the whole report and over the
    sections the gold annotates), date, date precision and place accuracy, perpetrators and victims."""
    from covenant.eval.events import evaluate
    from covenant.eval.gold import load_sets

    result = evaluate(load_sets([Path(d) for d in gold_dirs]))
    if _write(result, gold_dirs, out_file, as_json):
        return
    scoped = result["annotated_sections"]
    click.echo(f"{result['gold']} gold events, {result['predicted']} predicted, {result['matched']} matched")
    click.echo(f"precision {result['precision']:.3f}  recall {result['recall']:.3f}  F1 {result['f1']:.3f}")
    click.echo(f"in annotated sections: precision {scoped['precision']:.3f}  F1 {scoped['f1']:.3f}")
    for key in ("date_accuracy", "date_precision_accuracy", "place_accuracy"):
        if result[key] is not None:
            click.echo(f"{key.replace('_', ' ')} {result[key]:.3f}")
    click.echo(f"written to {out_file}")


@eval_group.command(name="timelines")
@GOLD_OPTION
@click.option("--out", "out_file", type=click.Path(dir_okay=False), default="eval-timelines.json", show_default=True)
@click.option("--json", "as_json", is_flag=True)
def eval_timelines(gold_dirs: tuple[str, ...], out_file: str, as_json: bool) -> None:
    """Score entity timelines (timelines.jsonl): fact recall and the order of consecutive facts."""
    from covenant.eval.gold import load_sets
    from covenant.eval.timelines import evaluate

    result = evaluate(load_sets([Path(d) for d in gold_dirs]))
    if _write(result, gold_dirs, out_file, as_json):
        return
    click.echo(f"{result['timelines']} timelines, {result['facts']} facts")
    if result["fact_recall"] is not None:
        click.echo(f"fact recall {result['fact_recall']:.3f}")
    if result["order_accuracy"] is not None:
        click.echo(f"order accuracy {result['order_accuracy']:.3f}")
    click.echo(f"written to {out_file}")
