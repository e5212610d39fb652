"""The one exception family: every message is written for the user (what file, what went wrong, what to do)."""

from __future__ import annotations


class CovenantError(Exception):
    """Base of every error Covenant reports to a user."""


class BadInputError(CovenantError):
    """A file that cannot be read as a report; the batch goes on without it."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")

    def __reduce__(self) -> tuple[type[BadInputError], tuple[str, str]]:
        # Errors travel back from worker processes by pickling, which by default replays only `args`.
        return (type(self), (self.path, self.reason))


class StoreError(CovenantError):
    """The library database cannot be opened or written."""


class NotFoundError(CovenantError):
    """A report, passage or other record named by the user does not exist."""


class QueryError(CovenantError):
    """A search query or filter that cannot be understood."""


class IndexDamagedError(CovenantError):
    """The search index was found damaged while it was read; it has been reset and must be filled again."""


class IndexBusyError(CovenantError):
    """Another process holds the search index's writer lock for longer than Covenant waits."""
