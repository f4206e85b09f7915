"""The control room (/control): every live show at once."""
from __future__ import annotations

from flask import Blueprint, render_template

from studio.access.auth import require_page
from studio.http import i18n

bp = Blueprint("control", __name__)


@bp.get("/control")
@require_page("host", "producer", "agent", "lead")
def control():
    return render_template("control/control.html", strings=i18n.strings_for("control.", "common."))
