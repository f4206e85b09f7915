"""The studio's error vocabulary. Services raise these; the HTTP layer maps each to its status once
(studio/http/errors.py), so endpoints are written for the happy path."""
from __future__ import annotations

from typing import Any


class StudioError(Exception):
    status = 400

    def __init__(self, message: str, **extra: Any):
        super().__init__(message)
        self.message = message
        self.extra = extra  # more fields for the JSON answer (e.g. the current state on a conflict)


class Invalid(StudioError):
    """The request cannot be acted on as sent; the message says what to change."""

    def __init__(self, message: str, status: int = 400, **extra: Any):
        super().__init__(message, **extra)
        self.status = status


class NotFound(StudioError, LookupError):
    """No such show, item or record."""
    status = 404


class Conflict(StudioError):
    """The action was based on a state someone else has changed since."""
    status = 409


class AlreadyExists(StudioError):
    status = 409
