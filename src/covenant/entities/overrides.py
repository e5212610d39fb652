"""A user's corrections to entity resolution (merge, split, canonical name), kept in a JSON Lines file.

The file names mentions by how they are written, never by entity id, so it still applies after the reports are
ingested again and the automatic resolution is run anew. One object a line:

    {"merge": ["Zharmakhan Tuyakbai", "Zharmakhan Tuyakbay"]}
    {"split": "Abishev", "from": "Kenzhebek Abishev", "report": "003_45cd954fc36bba18"}
    {"canonical": "Nursultan Nazarbayev", "for": "Nazarbaev"}

`merge`: the entities holding any of these spellings become one. `split`: the mentions written this way (in
that report, when `report` is given) leave the entity that holds the `from` spelling and form an entity of
their own. `canonical`: the entity holding the `for` spelling takes this name. Lines apply in order.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from covenant.errors import CovenantError
from covenant.model import EntityMention


@dataclass(frozen=True, slots=True)
class Override:
    action: str  # merge | split | canonical
    names: tuple[str, ...]  # merge: the spellings; split: (spelling, from); canonical: (name, for)
    report: str | None = None


def load_overrides(path: Path) -> list[Override]:
    """Read an override file; a line that is not a known override is an error naming the file and line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CovenantError(f"{path}: cannot read the entity override file ({exc.strerror})") from exc
    overrides = []
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CovenantError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
        overrides.append(_override(record, f"{path}:{n}"))
    return overrides


def _override(record: object, where: str) -> Override:
    if isinstance(record, dict):
        merge, split, canonical = record.get("merge"), record.get("split"), record.get("canonical")
        if isinstance(merge, list) and len(merge) >= 2 and all(isinstance(x, str) for x in merge):
            return Override("merge", tuple(merge))
        if isinstance(split, str) and isinstance(record.get("from"), str):
            report = record.get("report")
            return Override("split", (split, record["from"]), report if isinstance(report, str) else None)
        if isinstance(canonical, str) and isinstance(record.get("for"), str):
            return Override("canonical", (canonical, record["for"]))
    raise CovenantError(
        f'{where}: not an entity override; expected {{"merge": [name, name, ...]}}, '
        '{"split": name, "from": name} or {"canonical": name, "for": name}'
    )


def apply_overrides(
    clusters: list[list[int]],
    mentions: list[EntityMention],
    overrides: list[Override],
    form: Callable[[str], str],
) -> tuple[list[list[int]], list[bool]]:
    """Clusters of mention indices after the user's merges and splits, and for each whether an override
    changed it; `canonical` lines are applied to the entities afterwards (`canonical_names`)."""
    owner = {i: c for c, members in enumerate(clusters) for i in members}
    groups = {c: set(members) for c, members in enumerate(clusters)}
    next_id = len(clusters)
    touched: set[int] = set()

    def holding(name: str) -> set[int]:
        wanted = form(name)
        return {owner[i] for i, m in enumerate(mentions) if i in owner and form(m.text) == wanted}

    for override in overrides:
        if override.action == "merge":
            found = sorted(set().union(*(holding(n) for n in override.names)))
            touched.update(found)
            for c in found[1:]:
                for i in groups.pop(c, set()):
                    owner[i] = found[0]
                    groups[found[0]].add(i)
        elif override.action == "split":
            name, source = override.names
            wanted = form(name)
            for c in holding(source):
                moving = {
                    i
                    for i in groups[c]
                    if form(mentions[i].text) == wanted and override.report in (None, mentions[i].report_id)
                }
                if moving and moving != groups[c]:
                    groups[c] -= moving
                    groups[next_id] = moving
                    touched.update((c, next_id))
                    for i in moving:
                        owner[i] = next_id
                    next_id += 1
    kept = [(c, members) for c, members in sorted(groups.items()) if members]
    return [sorted(members) for _, members in kept], [c in touched for c, _ in kept]


def canonical_names(overrides: list[Override]) -> dict[str, str]:
    """Spelling -> the canonical name the user gave the entity that holds it."""
    return {o.names[1]: o.names[0] for o in overrides if o.action == "canonical"}
