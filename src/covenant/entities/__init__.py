"""Entity stage: mentions of people, bodies, places, laws and outlets in passages, resolved across a library."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from covenant.entities.mentions import Recogniser
from covenant.entities.overrides import Override, load_overrides
from covenant.entities.resolve import Resolution, resolve
from covenant.model import Document

__all__ = ["Override", "Recogniser", "Resolution", "load_overrides", "resolve", "resolve_documents"]


def resolve_documents(
    documents: Iterable[Document], recogniser: Recogniser | None = None, overrides: Path | None = None
) -> Resolution:
    """Mentions in every passage of these documents, resolved into entities (with a user's override file)."""
    recogniser = recogniser or Recogniser()
    mentions = recogniser.documents(documents)
    return resolve(mentions, load_overrides(overrides) if overrides is not None else None)
