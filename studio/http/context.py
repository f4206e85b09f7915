"""What a request handler reaches for: the studio of this process and the request's JSON body."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from flask import current_app, request

from studio.errors import Invalid
from studio.store.shows import get_show, show_dict

if TYPE_CHECKING:
    from studio.services import Studio


def studio() -> Studio:
    return current_app.extensions["studio"]


def show_or_404(show_id: str) -> dict:
    """The show a staff page is about; NotFound (a 404 page) otherwise."""
    with studio().db.session() as s:
        return show_dict(get_show(s, show_id))


def json_body(expect: type | tuple[type, ...] = dict) -> Any:
    """The request's JSON body, or Invalid with a message a person can act on."""
    if not request.mimetype or request.mimetype != "application/json":
        raise Invalid("send JSON with Content-Type: application/json", 415)
    raw = request.get_data(cache=True)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("body is not valid UTF-8") from None
    try:
        data = json.loads(text)
    except ValueError as e:
        raise Invalid(f"body is not valid JSON: {e}") from None
    if not isinstance(data, expect):
        names = " or ".join(t.__name__ for t in (expect if isinstance(expect, tuple) else (expect,)))
        raise Invalid(f"body must be a JSON {'object' if names == 'dict' else 'array' if names == 'list' else names}")
    return data
