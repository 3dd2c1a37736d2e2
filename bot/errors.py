"""Domain errors: each carries a message a user can act on."""

from __future__ import annotations


class DeskError(Exception):
    """Base for errors whose message is safe and useful to show a user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(DeskError):
    """A setting is missing or malformed; start-up stops with this one line."""


class NotFound(DeskError):
    """The incident (or other record) does not exist or is not visible to the caller."""


class NotAuthorized(DeskError):
    """The caller may not perform this action."""


class InvalidInput(DeskError):
    """User input failed validation; `fields` maps a field name to its problem."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


class InvalidTransition(DeskError):
    """The incident's state does not allow this action."""


class StorageUnavailable(DeskError):
    """The database could not be reached or refused the write; nothing was recorded."""
