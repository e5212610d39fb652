"""Read annotation sets (FORMAT.md layout); any file may be absent."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from covenant.errors import CovenantError


@dataclass(slots=True)
class GoldSet:
    root: Path
    reports: list[dict[str, Any]] = field(default_factory=list)

    @property
    def shared(self) -> Path:
        """Gold `file` paths are relative to the shared folder, two levels above a set (shared/eval/<set>)."""
        return self.root.resolve().parents[1]

    def report_file(self, record: dict[str, Any]) -> Path:
        return self.shared / record["file"]

    def per_report(self, report: str, name: str) -> list[dict[str, Any]]:
        return read_jsonl(self.root / report / name)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    records = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise CovenantError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
    return records


def load_sets(dirs: list[Path]) -> list[GoldSet]:
    sets = []
    for d in dirs:
        if not d.is_dir():
            raise CovenantError(f"{d}: no such annotation folder")
        sets.append(GoldSet(d, read_jsonl(d / "reports.jsonl")))
    return sets
