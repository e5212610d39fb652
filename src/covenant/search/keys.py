"""The key a passage text's vector is stored under: equal texts (a paragraph repeated yearly) share one vector."""

from __future__ import annotations

import hashlib


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]
