"""The host console (/console/<show>) and the overlay URL builder (/console/<show>/overlays)."""
from __future__ import annotations

from flask import Blueprint, render_template

from studio.access.auth import require_page
from studio.http import i18n
from studio.http.context import show_or_404

bp = Blueprint("console", __name__)


@bp.get("/console/<show_id>")
@require_page("host", "agent")
def console(show_id: str):
    strings = i18n.strings_for("console.", "status.", "common.", "intake.", "review.", "rundown.src_state_", "triage.")
    # "cases": the specialist queue beside the ranking, as figures and reasons only (who wrote what stays on the desk)
    return render_template("console/console.html", show=show_or_404(show_id), strings=strings,
                           topics=["onair", "ranking", "health", "shelf", "review", "cases"])


@bp.get("/console/<show_id>/overlays")
@require_page("host", "producer")
def overlays(show_id: str):
    return render_template("console/overlays.html", show=show_or_404(show_id))
