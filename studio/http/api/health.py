"""GET /healthz (the process answers) and /healthz/deps (503 with the problems while a service it needs is away)."""
from __future__ import annotations

from flask import Blueprint, jsonify

from studio.http.context import studio

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(ok=True)


@bp.get("/healthz/deps")
def deps():
    status = studio().degraded.status()
    return jsonify(status), 503 if status["degraded"] else 200
