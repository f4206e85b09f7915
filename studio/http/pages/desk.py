"""The service ladder's crew pages: the specialist queue (/desk/<show>), where agents claim and close the cases the
triage routed, and the moderator panel (/replies/<show>) of the answers in chat."""
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


@bp.get("/replies/<show_id>")
@require_page("producer", "host")
def replies(show_id: str):
    strings = i18n.strings_for("replies.", "common.", "status.")
    return render_template("desk/replies.html", show=show_or_404(show_id), strings=strings)
