"""The errors storage raises. DeskError, the base of every error whose message a user may
see, lives here, below the core, so that a failed write can be one; bot.errors re-exports
both under their usual names."""

from __future__ import annotations


class DeskError(Exception):
    """Base for errors whose message is safe and useful to show a user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StorageUnavailable(DeskError):
    """The database could not be reached or refused the write; nothing was recorded."""


class StorageRejected(DeskError):
    """The database refused what was to be written (a value it cannot store), not an outage:
    trying again unchanged will fail again, so the message says so and the error is logged."""
