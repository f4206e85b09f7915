"""Small helpers every JSON endpoint shares: parse the body strictly, answer errors the same way."""
from __future__ import annotations

from typing import Any

from flask import current_app, request

from studio.access.auth import api_error


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


def json_body(expect: type | tuple[type, ...] = dict) -> Any:
    """The request's JSON body, or BadRequest with a message a person can act on."""
    if not request.mimetype or request.mimetype != "application/json":
        raise BadRequest("send JSON with Content-Type: application/json", 415)
    raw = request.get_data(cache=True)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("body is not valid UTF-8")
    import json
    try:
        data = json.loads(text)
    except ValueError as e:
        raise BadRequest(f"body is not valid JSON: {e}")
    if not isinstance(data, expect):
        names = " or ".join(t.__name__ for t in (expect if isinstance(expect, tuple) else (expect,)))
        raise BadRequest(f"body must be a JSON {'object' if names == 'dict' else 'array' if names == 'list' else names}")
    return data


def studio():
    return current_app.extensions["studio"]


def register_error_handler(bp) -> None:
    @bp.errorhandler(BadRequest)
    def _bad(e: BadRequest):
        return api_error(e.status, e.message)
