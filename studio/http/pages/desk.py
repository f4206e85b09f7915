"""The specialist queue page (/desk/<show>): agents claim and close the cases the triage routed."""
from __future__ import annotations

from flask import Blueprint, render_template

from studio.access.auth import require_page
from studio.http import i18n
from studio.http.context import show_or_404

bp = Blueprint("desk", __name__)


@bp.get("/desk/<show_id>")
@require_page("agent", "producer", "host")
def desk(show_id: str):
    strings = i18n.strings_for("desk.", "triage.", "common.", "status.")
    return render_template("desk/desk.html", show=show_or_404(show_id), strings=strings)
