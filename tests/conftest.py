"""Shared test fixtures: the real reference corpus (beside the project) and real libraries on SQLite."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from covenant.library import Library
from covenant.model import Document
from covenant.pipeline import build_document

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
KAZAKHSTAN = SHARED / "corpus" / "kazakhstan"
STATE_DEPT = SHARED / "corpus" / "state-dept-html"
EXTERNAL = SHARED / "corpus" / "external"
EVAL_DEV = SHARED / "eval" / "dev"
SAMPLES = ROOT / "samples"
REFERENCE_IDS = [
    "000_81691023f15c1c92",
    "001_30dfef030156c0a4",
    "002_e77f42745581b012",
    "003_45cd954fc36bba18",
    "004_c44e466740d2cce1",
]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: long tests over whole corpora (run in CI too)")


needs_corpus = pytest.mark.skipif(not KAZAKHSTAN.exists(), reason="reference corpus ../shared is absent")


@pytest.fixture(scope="session")
def reference_docs() -> dict[str, Document]:
    if not KAZAKHSTAN.exists():
        pytest.skip("reference corpus ../shared is absent")
    return {rid: build_document(KAZAKHSTAN / f"{rid}.txt") for rid in REFERENCE_IDS}


@pytest.fixture()
def library(tmp_path: Path) -> Iterator[Library]:
    """An empty library of its own for one test."""
    with Library(tmp_path / "library.db") as lib:
        yield lib


def indexed_library(db: Path, paths: list[Path], *, semantic: bool, models: list[str] | None = None) -> Library:
    """A library of these files with its indexes brought up to date once, as the search fixtures share it:
    their searches then answer from what is indexed (`update=False`)."""
    lib = Library(db, models=models)
    summary = lib.ingest(paths, workers=1)
    assert not summary.missing and all(e.status == "added" for e in summary.events), summary.to_dict()
    lib.index(semantic=semantic)
    return lib


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def copies_of_the_shadow_report(folder: Path, count: int = 12) -> list[Path]:
    """`count` distinct files, each the 400 KB shadow report 004 with a line of its own: a batch that takes a
    few seconds, to interrupt or kill mid-way."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (KAZAKHSTAN / "004_c44e466740d2cce1.txt").read_text(encoding="utf-8")
    files = []
    for n in range(count):
        path = folder / f"copy{n:02d}.txt"
        path.write_text(text + f"\nCopy number {n}.\n", encoding="utf-8")
        files.append(path)
    return files


HRDSATTACK_TRAIN = SHARED / "bench" / "hrdsattack" / "train.json"


def hrdsattack_article(folder: Path, article_id: int, heading: bool = True) -> Document:
    """A HRDsAttack article (train split) as a news page carries it, and as benchmarks/hrdsattack.py saves it: its
    title as the page's title and heading (`heading=False`: the page's title alone), its publication time in an
    `article:published_time` meta tag."""
    if not HRDSATTACK_TRAIN.exists():
        pytest.skip("../shared/bench/hrdsattack is absent")
    samples = json.loads(HRDSATTACK_TRAIN.read_text(encoding="utf-8"))
    sample = next(s["sample"] for s in samples if s["sample"]["Input.GLOBALEVENTID"] == article_id)
    title = html.escape(sample["Input.title"])
    published = html.escape(sample["Input.publish_date"].replace(" ", "T"), quote=True)
    path = folder / f"{article_id}.html"
    path.write_text(
        f'<html><head><title>{title}</title><meta property="article:published_time" content="{published}"></head>'
        f"<body>{f'<h1>{title}</h1>' if heading else ''}{sample['Input.article_interface']}</body></html>",
        encoding="utf-8",
    )
    return build_document(path)
