"""Domain errors: each carries a message a user can act on."""

from __future__ import annotations

# Defined in storage, which may not import the core; named here too so that the core and the
# handlers import every domain error from one place.
from storage.errors import DeskError as DeskError
from storage.errors import StorageRejected as StorageRejected
from storage.errors import StorageUnavailable as StorageUnavailable


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
