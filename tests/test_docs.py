"""Every command and option of the CLI is documented: named in the README or a page under docs/."""

from __future__ import annotations

from pathlib import Path

import click

from covenant.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _documentation() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8") + "".join(
        page.read_text(encoding="utf-8") for page in sorted((ROOT / "docs").glob("*.md"))
    )


def _commands(command: click.Command, path: list[str]) -> list[tuple[str, click.Command]]:
    if isinstance(command, click.Group):
        found = []
        for name, sub in command.commands.items():
            found += _commands(sub, [*path, name])
        return found
    return [(" ".join(["covenant", *path]), command)]


def test_every_command_and_option_is_documented() -> None:
    docs = _documentation()
    missing = []
    for name, command in _commands(main, []):
        if name not in docs:
            missing.append(name)
        for param in command.params:
            flags = [o for o in (*param.opts, *getattr(param, "secondary_opts", [])) if o.startswith("--")]
            if flags and not any(flag in docs for flag in flags):
                missing.append(f"{name} {flags[0]}")
    assert missing == [], "document these in README.md or docs/: " + ", ".join(missing)
