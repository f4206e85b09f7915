"""The producer's page for one show (/producer/<show>): the rundown, the shelf during the show, the emerging
questions, the OBS mapping and the show's comment sources."""
from __future__ import annotations

from flask import Blueprint, render_template

from studio.access.auth import require_page
from studio.http import i18n
from studio.http.context import show_or_404
from studio.sources.registry import RECEIVERS, ROOM_REQUIRED

bp = Blueprint("rundown", __name__)


@bp.get("/producer/<show_id>")
@require_page("producer")
def rundown(show_id: str):
    strings = i18n.strings_for("rundown.", "status.", "common.", "intake.", "review.")
    return render_template("rundown/rundown.html", show=show_or_404(show_id), strings=strings,
                           topics=["onair", "ranking", "emerging", "shelf", "health", "review"],
                           receivers=list(RECEIVERS), room_required=ROOM_REQUIRED)
