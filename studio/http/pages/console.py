"""The host console (/console/<show>) and the overlay URL builder (/console/<show>/overlays)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from studio.http import i18n
from studio.access.auth import require_page
from studio.store.catalog import NotFound
from studio.store.shows import get_show, show_dict

bp = Blueprint("console", __name__)


def show_or_404(show_id: str) -> dict:
    with current_app.extensions["studio"].db.session() as s:
        try:
            return show_dict(get_show(s, show_id))
        except NotFound:
            abort(404)


def live_topics(*wanted: str) -> list[str]:
    """The wanted live topics this studio provides (parts that are not installed have none)."""
    provided = current_app.extensions["studio"].live.topics
    return [t for t in wanted if t in provided]


@bp.get("/console/<show_id>")
@require_page("host")
def console(show_id: str):
    strings = i18n.strings_for("console.", "status.", "common.")
    return render_template("console/console.html", show=show_or_404(show_id), strings=strings,
                           topics=live_topics("onair", "ranking", "health", "shelf"))


@bp.get("/console/<show_id>/overlays")
@require_page("host", "producer")
def overlays(show_id: str):
    return render_template("console/overlays.html", show=show_or_404(show_id))
