"""The entity commands: `covenant entities` (with `merge` and `split`), `covenant dossier NAME`, `covenant eval
entities`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import click

from covenant.cli import GOLD_OPTION, _library, eval_group, main, safe
from covenant.entities.component import TYPES
from covenant.model import Entity

COLUMNS = ["id", "canonical", "type", "mentions", "reports", "aliases", "method"]


def entity_row(entity: Entity) -> dict[str, Any]:
    return {**entity.to_dict(), "report_count": len(entity.reports)}


@main.group(name="entities", invoke_without_command=True)
@click.option("--type", "kind", type=click.Choice(TYPES, case_sensitive=False), default=None, help="Only one type.")
@click.option("--report", default=None, help="Only the entities one report names (id, id prefix or file name).")
@click.option("--limit", type=int, default=None, help="At most this many, most mentioned first.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV, one row per entity (aliases joined by ' | ').")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def entities_cmd(
    ctx: click.Context, kind: str | None, report: str | None, limit: int | None, as_csv: bool, as_json: bool
) -> None:
    """The people, bodies, places, laws and outlets the library's reports name, each with every spelling and its
    mentions per report, most mentioned first. `covenant index` finds them."""
    if ctx.invoked_subcommand is not None:
        return
    with _library(ctx) as lib:
        found = lib.entities.all(type=kind, report=report)
        waiting = len(lib.entities.pending())
    found = found[:limit] if limit else found
    if as_json:
        click.echo(json.dumps([entity_row(e) for e in found], ensure_ascii=False, indent=2))
        return
    if as_csv:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for e in found:
            reports = " | ".join(f"{r}:{n}" for r, n in e.reports.items())
            writer.writerow([e.id, e.canonical, e.type, e.mentions, reports, " | ".join(e.aliases), e.method])
        click.echo(out.getvalue(), nl=False)
        return
    for e in found:
        others = [a for a in e.aliases if a != e.canonical]
        also = f"  ({safe(', '.join(others))})" if others else ""
        click.echo(f"{e.id}  {e.type:<6} {e.mentions:>4} in {len(e.reports)}  {safe(e.canonical)}{also}")
    click.echo(f"{len(found)} entities" + (f"; {waiting} reports not read yet (covenant index)" if waiting else ""))


@entities_cmd.command(name="merge")
@click.argument("names", nargs=-1, required=True)
@click.pass_context
def merge_cmd(ctx: click.Context, names: tuple[str, ...]) -> None:
    """Join the entities holding these spellings into one (kept in the library's override file)."""
    with _library(ctx, write=True) as lib:
        entity = lib.entities.merge(*names)
        path = lib.entities.overrides_path
    click.echo(f"{entity.id}  {safe(entity.canonical)}: {safe(', '.join(entity.aliases))}")
    click.echo(f"written to {path}")


@entities_cmd.command(name="split")
@click.argument("spelling")
@click.option("--from", "from_name", required=True, help="A spelling of the entity the mentions leave.")
@click.option("--report", default=None, help="Only the mentions in this report.")
@click.pass_context
def split_cmd(ctx: click.Context, spelling: str, from_name: str, report: str | None) -> None:
    """Take the mentions written SPELLING out of an entity into one of their own (kept in the override file)."""
    with _library(ctx, write=True) as lib:
        entity = lib.entities.split(spelling, from_name, report)
        path = lib.entities.overrides_path
    click.echo(f"{entity.id}  {safe(entity.canonical)}: {safe(', '.join(entity.aliases))}")
    click.echo(f"written to {path}")


@main.command(name="dossier")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def dossier_cmd(ctx: click.Context, name: str, as_json: bool) -> None:
    """Who NAME is (any spelling, or an entity id): every spelling, every report and passage naming them with its
    citation, and the entities named in the same passages."""
    with _library(ctx) as lib:
        dossier = lib.entities.dossier(name)
    if as_json:
        click.echo(json.dumps(dossier.to_dict(), ensure_ascii=False, indent=2))
        return
    e = dossier.entity
    click.echo(click.style(f"{safe(e.canonical)}  ({e.type}, {e.id})", bold=True))
    click.echo("spellings: " + safe(", ".join(f"{s} ({n})" for s, n in dossier.spellings.items())))
    for group in dossier.reports:
        title = group.report.title or group.report.file_name
        click.echo(click.style(f"\n== {safe(title)}: {group.mentions} mentions", bold=True))
        for passage in group.passages + group.footnotes:
            click.echo(click.style(f"  {passage.passage_id}  {safe(passage.citation.formatted())}", fg="cyan"))
            click.echo(f"    {safe(' '.join(passage.text.split())[:240])}")
    if dossier.events:
        click.echo(click.style(f"\n== events ({len(dossier.events)}), in date order", bold=True))
        for event in dossier.events:
            click.echo(f"  {event.date or 'undated':<21} {event.type:<30} {event.passage_id}")
            click.echo(f"    {safe(' '.join(event.quote.split())[:240])}")
    if dossier.co_occurring:
        click.echo("\nnamed with: " + safe(", ".join(f"{o.canonical} ({n})" for o, n in dossier.co_occurring)))


@eval_group.command(name="entities")
@GOLD_OPTION
@click.option("--out", "out_file", type=click.Path(dir_okay=False), default="eval-entities.json", show_default=True)
@click.option("--json", "as_json", is_flag=True)
def eval_entities(gold_dirs: tuple[str, ...], out_file: str, as_json: bool) -> None:
    """Score entity recognition and resolution (entities.jsonl, aliases.jsonl): entity recall and type accuracy,
    alias-pair precision, recall and F1, for the whole stage and for resolution alone."""
    from covenant.eval.entities import evaluate
    from covenant.eval.gold import load_sets

    result = evaluate(load_sets([Path(d) for d in gold_dirs]))
    result["gold_sets"] = list(gold_dirs)
    Path(out_file).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"{result['reports']} reports, {result['mentions']} mentions, {result['entities']} entities")
    recall = result["entity_recall"]
    if recall["gold"]:
        click.echo(
            f"entity recall {recall['recall']:.3f} of {recall['gold']}; type accuracy {recall['type_accuracy']:.3f}; "
            f"spellings joined {recall['spellings_joined']:.3f}"
        )
    click.echo(f"{'alias pairs':<24} {'precision':>9} {'recall':>7} {'F1':>6}")
    for label, key in (("whole stage", "aliases"), ("resolution alone", "aliases_resolver_only")):
        s = result[key]
        click.echo(f"{label:<24} {s['precision']:>9.3f} {s['recall']:>7.3f} {s['f1']:>6.3f}")
    click.echo(f"written to {out_file}")
