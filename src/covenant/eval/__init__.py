"""Score Covenant's stages against annotation sets in the shared FORMAT (see docs/eval.md)."""
