"""Errors become HTTP answers here, once: the studio's own (studio/errors.py), werkzeug's, and a database that is
away for a moment. API paths get {"error": message, ...}; pages get the error page."""
from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from studio.errors import StudioError

log = logging.getLogger(__name__)
HTTP_MESSAGES = {413: "request body too large (at most 10 MB)", 404: "not found", 405: "method not allowed",
                 400: "bad request"}
DATABASE_AWAY = "the database is unavailable for a moment; nothing was changed, try again shortly"


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.is_json


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(StudioError, _studio_error)
    app.register_error_handler(HTTPException, _http_error)
    # A database that is away is a 503 to retry, not a 500: sources resend, pages say "in a moment".
    for error in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(error, _database_unavailable)


def _studio_error(e: StudioError):
    if wants_json() or request.path.startswith("/hooks/"):
        return jsonify(error=e.message, **e.extra), e.status
    return render_template("error.html", code=e.status, message=e.message), e.status


def _http_error(e: HTTPException):
    if wants_json():
        return jsonify(error=HTTP_MESSAGES.get(e.code, e.description)), e.code
    return render_template("error.html", code=e.code, message=e.description), e.code


def _database_unavailable(e: Exception):
    log.warning("database unavailable: %s", type(e).__name__)
    if wants_json():
        resp = jsonify(error=DATABASE_AWAY)
    else:  # no templates: the page frame itself may ask the database (who is logged in)
        resp = Response("<!doctype html><meta charset=utf-8><title>503</title>"
                        f"<p>稍等片刻再试。</p><p>{DATABASE_AWAY}</p>",
                        mimetype="text/html")
    resp.status_code = 503
    resp.headers["Retry-After"] = "2"
    return resp
