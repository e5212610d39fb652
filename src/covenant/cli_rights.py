"""The rights commands: `covenant rights`, `covenant label`, `covenant train rights`, `covenant eval rights`."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import click

from covenant.cli import GOLD_OPTION, _library, _progress_bar, eval_group, main, safe

SCHEME_CHOICE = click.Choice(["iccpr", "dos_section", "theme", "icescr"])


@main.command()
@click.argument("report", required=False)
@click.option("--scheme", type=SCHEME_CHOICE, default=None, help="Only this scheme (default: all; iccpr for --matrix).")
@click.option("--matrix", is_flag=True, help="Passages per right x year x source over the whole library.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (one row per right, year and source).")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def rights(
    ctx: click.Context, report: str | None, scheme: str | None, matrix: bool, as_csv: bool, as_json: bool
) -> None:
    """Passages per right in a REPORT, or (--matrix) per right, year and source across the library.

    Counts are of the labels in effect: the model's that reached its threshold, less those a user removed,
    plus those a user set (`covenant label`).
    """
    if matrix == (report is not None):
        raise click.UsageError("give a REPORT, or --matrix for the whole library")
    with _library(ctx) as lib:
        if matrix:
            cells = lib.rights.matrix(scheme or "iccpr")
            _print_matrix(cells, as_csv, as_json)
            return
        found = lib.report(report)
        rows = lib.rights.summary(found, scheme)
    if as_json:
        click.echo(json.dumps({"report": found.id, "rights": rows}, ensure_ascii=False, indent=2))
        return
    if as_csv:
        _write_csv(
            ["scheme", "code", "name", "passages"], [[r["scheme"], r["code"], r["name"], r["passages"]] for r in rows]
        )
        return
    click.echo(f"{safe(found.title or found.file_name)} ({found.id[:12]}): passages per right")
    if not rows:
        click.echo("  no labels yet: run `covenant index` to label the library's passages")
    current = None
    for r in rows:
        if r["scheme"] != current:
            current = r["scheme"]
            click.echo(f"{current}:")
        click.echo(f"  {r['code']:<18} {r['passages']:>5}  {safe(r['name'])}")


def _print_matrix(cells: list[Any], as_csv: bool, as_json: bool) -> None:
    from covenant.rights.crosswalk import describe

    if as_json:
        click.echo(json.dumps([c.to_dict() for c in cells], ensure_ascii=False, indent=2))
        return
    if as_csv:
        _write_csv(
            ["scheme", "code", "name", "year", "source", "passages"],
            [[c.scheme, c.code, describe(c.scheme, c.code), c.year or "", c.source, c.passages] for c in cells],
        )
        return
    columns = sorted({(c.source, c.year or 0) for c in cells}, key=lambda k: (k[0], k[1]))
    codes = list(dict.fromkeys(c.code for c in cells))
    counts = {(c.code, c.source, c.year or 0): c.passages for c in cells}
    from rich.console import Console
    from rich.table import Table

    if not cells:
        click.echo("no labels yet: run `covenant index` to label the library's passages")
        return
    table = Table(title=f"passages per right ({cells[0].scheme}) by source and year", title_justify="left")
    table.add_column("right", no_wrap=True, max_width=34)
    for source, year in columns:
        table.add_column(f"{source[:24]} {year or '?'}", justify="right", min_width=6)
    table.add_column("total", justify="right")
    for code in codes:
        values = [counts.get((code, source, year), 0) for source, year in columns]
        table.add_row(
            f"{code} {describe(cells[0].scheme, code)}"[:40], *[str(v or "") for v in values], str(sum(values))
        )
    Console(width=max(100, 36 + 14 * len(columns))).print(table)


def _write_csv(header: list[str], rows: list[list[Any]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    click.echo(out.getvalue(), nl=False)


@main.command()
@click.argument("passage_id")
@click.argument("rights_given", nargs=-1, metavar="[RIGHT]...")
@click.option("--remove", is_flag=True, help="Take these labels off the passage (the model's too).")
@click.option("--reset", is_flag=True, help="Drop your corrections of these labels: the model decides again.")
@click.option("--all", "all_scores", is_flag=True, help="Show the model's runners-up too, with their scores.")
@click.option("--json", "as_json", is_flag=True, help="Print the passage's labels as JSON.")
@click.pass_context
def label(
    ctx: click.Context,
    passage_id: str,
    rights_given: tuple[str, ...],
    remove: bool,
    reset: bool,
    all_scores: bool,
    as_json: bool,
) -> None:
    """Show a passage's rights, or set RIGHTs on it (--remove: take them off; --reset: back to the model).

    A RIGHT is an ICCPR article (19 or iccpr:19), a State Department section (1.c or dos:1.c), an ICESCR article
    (icescr:8) or a theme (media, theme:women). Your labels win over the model's, survive re-labelling and
    re-training, and are exported as training data.
    """
    if remove and reset:
        raise click.UsageError("--remove and --reset do not go together")
    if (remove or reset) and not rights_given:
        raise click.UsageError("name the RIGHTs to remove or reset")
    with _library(ctx, write=bool(rights_given)) as lib:
        for right in rights_given:
            if reset:
                lib.rights.forget(passage_id, right)
            elif remove:
                lib.rights.remove(passage_id, right)
            else:
                lib.rights.set(passage_id, right)
        passage = lib.passage(passage_id)
        labels = lib.rights.of(passage, all_scores=all_scores)
    if as_json:
        click.echo(
            json.dumps(
                {"passage_id": passage.id, "labels": [lab.to_dict() for lab in labels]}, ensure_ascii=False, indent=2
            )
        )
        return
    from covenant.rights.crosswalk import describe

    click.echo(f"{passage.id}")
    if not labels:
        click.echo("  no labels (run `covenant index` to label new passages)")
    for lab in labels:
        mark = "" if lab.assigned else "  (below threshold)"
        click.echo(
            f"  {lab.scheme:<11} {lab.code:>6}  {lab.score:.2f}  {lab.method}  {safe(describe(lab.scheme, lab.code))}"
            f"{mark}"
        )


@main.group(name="train")
def train_group() -> None:
    """Train Covenant's models from a corpus."""


@train_group.command(name="rights")
@click.option(
    "--corpus",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="State Department pages to ingest into the training library first (e.g. ../shared/corpus/state-dept-html).",
)
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False),
    default="rights-v1.npz",
    show_default=True,
    help="Where to write the model (set COVENANT_RIGHTS_MODEL to it to use it instead of the shipped one).",
)
@click.option(
    "--vector-every",
    type=click.IntRange(1, 1000),
    default=1,
    show_default=True,
    help="Embed 1 in N passages for the vector model (1: all of them; vectors already stored are reused).",
)
@click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write the training report (test scores per class) as JSON here.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the training report as JSON.")
@click.pass_context
def train_rights_cmd(
    ctx: click.Context, corpus: str | None, out_file: str, vector_every: int, report_file: str | None, as_json: bool
) -> None:
    """Train the rights model on the library's State Department reports: fit on 2017-2019, calibrate on 2020,
    test on 2021-2022 (--db names the training library; --corpus ingests the pages into it first)."""
    from rich.console import Console

    from covenant.rights.train import TrainingPlan, train_rights

    with _library(ctx, write=True, create=corpus is not None) as lib:
        if corpus is not None:
            summary = lib.ingest([corpus])
            click.echo(
                f"ingest: {summary.counts.get('added', 0)} added, {summary.counts.get('unchanged', 0)} unchanged",
                err=True,
            )
        with _progress_bar(Console(stderr=True), hidden=as_json) as progress:
            task = progress.add_task("training", total=None)

            def on_progress(stage: str, done: int, total: int) -> None:
                progress.update(task, description=stage, completed=done, total=total)

            model, report = train_rights(lib.store, TrainingPlan(vector_every=vector_every), on_progress)
    model.save(Path(out_file))
    report["out"] = out_file
    if report_file:
        Path(report_file).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    passages = report["passages"]
    click.echo(
        f"trained {report['model']} on {passages['fit']} + {passages['calibration']} passages "
        f"({report['vector_passages']} with vectors) in {report['seconds']} s; written to {out_file}"
    )
    for part, scores in report["test"].items():
        click.echo(
            f"  test {part:<9} section accuracy {scores['dos_section']['accuracy']:.3f}  section macro-F1 "
            f"{scores['dos_section']['macro_f1']:.3f}  ICCPR macro-F1 {scores['iccpr']['macro_f1']:.3f}  "
            f"({scores['passages']} passages)"
        )


@eval_group.command(name="rights")
@GOLD_OPTION
@click.option("--out", "out_file", type=click.Path(dir_okay=False), default="eval-rights.json", show_default=True)
@click.option("--json", "as_json", is_flag=True)
def eval_rights(gold_dirs: tuple[str, ...], out_file: str, as_json: bool) -> None:
    """Score rights labels (passages.jsonl): ICCPR macro-F1 and per article, section accuracy, with the reports'
    headings and from the text alone."""
    from covenant.eval.gold import load_sets
    from covenant.eval.rights import score_rights

    result = score_rights(load_sets([Path(d) for d in gold_dirs]))
    result["gold"] = list(gold_dirs)
    Path(out_file).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for name in ("with_headings", "text_only"):
        part = result[name]
        section = part.get("dos_section")
        click.echo(
            f"{name}: {part['passages']} passages; ICCPR macro-F1 {part['iccpr']['macro_f1']:.3f} "
            f"micro-F1 {part['iccpr']['micro_f1']:.3f}"
            + (f"; section accuracy {section['accuracy']:.3f}" if section else "")
            + (f"; {len(part['unlocated'])} gold quotes not found" if part["unlocated"] else "")
        )
        click.echo("  " + "  ".join(f"{a}:{v['f1']:.2f}" for a, v in part["iccpr"]["per_article"].items()))
    click.echo(f"written to {out_file}")
    sys.stdout.flush()
