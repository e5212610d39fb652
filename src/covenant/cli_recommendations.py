"""The recommendation commands: `covenant recommendations`, `covenant recommendation ID`, `covenant eval
recommendations`."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import click

from covenant.cli import GOLD_OPTION, _library, eval_group, main, safe
from covenant.recommendations.component import STATUSES

COLUMNS = ["id", "report_id", "issuer", "addressee", "iccpr", "status_claimed", "response", "date", "group", "quote"]


@main.command(name="recommendations")
@click.option("--issuer", default=None, help="Only asks made by a body or state whose name holds these words.")
@click.option("--right", default=None, help="Only asks on an ICCPR article (19 or iccpr:19), from the rights labels.")
@click.option(
    "--status",
    type=click.Choice(STATUSES),
    default=None,
    help="Only asks the text claims to be in this state (none: not assessed).",
)
@click.option("--report", default=None, help="Only the asks of one report (id, id prefix or file name).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV, one row per ask.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def recommendations_cmd(
    ctx: click.Context,
    issuer: str | None,
    right: str | None,
    status: str | None,
    report: str | None,
    as_csv: bool,
    as_json: bool,
) -> None:
    """The recommendations the library's reports make or quote: who asked, the articles, the claimed status, the
    state's response and the number of follow-up links (stated / inferred). `covenant index` finds them."""
    with _library(ctx) as lib:
        recs = lib.recommendations.list(issuer=issuer, right=right, status=status, report=report)
        rows = lib.recommendations.rows(recs)
        waiting = len(lib.recommendations.pending())
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if as_csv:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([*COLUMNS, "stated_links", "inferred_links"])
        for row in rows:
            values = [_cell(row[c]) for c in COLUMNS]
            writer.writerow([*values, row["follow_up"]["stated"], row["follow_up"]["inferred"]])
        click.echo(out.getvalue(), nl=False)
        return
    if waiting:
        click.echo(f"{waiting} reports not read yet: run `covenant index` to find their recommendations", err=True)
    if not rows:
        click.echo("no recommendations match")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(rows)} recommendations", title_justify="left")
    for name in ("id", "issuer", "iccpr", "status", "links", "ask"):
        table.add_column(name, overflow="fold", no_wrap=name == "id")
    for row in rows:
        report_id, _, ordinal = row["id"].rpartition(":")
        table.add_row(
            f"{report_id[:8]}:{ordinal}",
            safe(row["issuer"] or "")[:40],
            ",".join(str(a) for a in row["iccpr"]),
            (row["status_claimed"] or row["response"] or "").replace("_", " "),
            f"{row['follow_up']['stated']}/{row['follow_up']['inferred']}",
            safe(row["quote"][:160] + ("..." if len(row["quote"]) > 160 else "")),
        )
    Console(width=150).print(table)


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else value


@main.command(name="recommendation")
@click.argument("recommendation_id")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def recommendation_cmd(ctx: click.Context, recommendation_id: str, as_json: bool) -> None:
    """One recommendation: the ask, where it is cited from, its near-duplicates across the library and its
    follow-up trail (later passages, by date; stated links before inferred ones, each with its score)."""
    with _library(ctx) as lib:
        trail = lib.recommendations.trail(recommendation_id)
    data = trail.to_dict()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    rec = trail.recommendation
    click.echo(f"{rec.id}  ({rec.method})")
    click.echo(f"  {safe(rec.quote)}")
    click.echo(f"  issuer: {safe(rec.issuer or '?')}  addressee: {safe(rec.addressee or '?')}")
    facts = [
        ("ICCPR", ", ".join(str(a) for a in rec.iccpr)),
        ("date", rec.date),
        ("response", rec.response),
        ("claimed status", rec.status_claimed),
        ("cited from", rec.cited_from),
    ]
    shown = "  ".join(f"{name}: {value}" for name, value in facts if value)
    if shown:
        click.echo(f"  {shown}")
    if trail.citation:
        click.echo(f"  source: {safe(trail.citation['formatted'])}")
    others = [r for r in trail.group if r.id != rec.id]
    if others:
        click.echo(f"group {rec.group} ({len(trail.group)} asks):")
        for other in others:
            click.echo(f"  {other.id}  {safe(other.issuer or '?')}: {safe(other.quote[:100])}")
    if not trail.follow_up:
        click.echo("follow-up: none found in later reports of the library")
        return
    click.echo(f"follow-up ({len(trail.follow_up)}):")
    for link, passage, citation in trail.follow_up:
        evidence = link.evidence
        why = ", ".join(
            part
            for part in (
                f"status {evidence['status']}" if evidence.get("status") else "",
                f"similarity {evidence['similarity']:.2f}" if "similarity" in evidence else "",
                "rights " + ",".join(evidence["rights"]) if evidence.get("rights") else "",
                "names " + "; ".join(evidence["names"]) if evidence.get("names") else "",
            )
            if part
        )
        click.echo(f"  {link.date or '?':<10} {link.kind:<8} {link.score:.2f}  {passage.id}  ({why})")
        click.echo(f"      {safe(passage.text[:200])}")
        click.echo(f"      {safe(citation['formatted'])}")


@eval_group.command(name="recommendations")
@GOLD_OPTION
@click.option(
    "--out", "out_file", type=click.Path(dir_okay=False), default="eval-recommendations.json", show_default=True
)
@click.option("--json", "as_json", is_flag=True)
def eval_recommendations(gold_dirs: tuple[str, ...], out_file: str, as_json: bool) -> None:
    """Score recommendation extraction (recommendations.jsonl, non_recommendations.jsonl): recall, precision
    three ways, issuer, rights and claimed-status accuracy."""
    from covenant.eval.gold import load_sets
    from covenant.eval.recommendations import score_recommendations

    result = score_recommendations(load_sets([Path(d) for d in gold_dirs]), rights=True)
    result["gold_sets"] = list(gold_dirs)
    Path(out_file).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return

    def figure(value: Any) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    click.echo(f"{result['gold']} gold asks, {result['matched']} matched; {result['predicted']} predicted")
    for name in (
        "recall",
        "precision",
        "precision_in_span",
        "precision_on_negatives",
        "issuer_accuracy",
        "rights_accuracy",
        "rights_overlap",
        "status_accuracy",
        "status_accuracy_assessed",
    ):
        click.echo(f"  {name:<24} {figure(result[name])}")
    if result["unlocated_quotes"]:
        click.echo(f"  {len(result['unlocated_quotes'])} gold quotes not found in their report")
    click.echo(f"written to {out_file}")
    sys.stdout.flush()
