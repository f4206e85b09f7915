"""The producer's catalog editor (/producer/catalog). The page is a client of the JSON API (/api/faq,
/api/preview, /api/catalog/*): everything it does, automation can do too, with the same checks."""
from __future__ import annotations

from flask import Blueprint, render_template

from faq_catalog.model import CATEGORIES, CATEGORY_CODES, STATUSES
from studio.access.auth import require_page
from studio.http import i18n

bp = Blueprint("producer", __name__)


@bp.get("/producer/catalog")
@require_page("producer")
def catalog_page():
    page_data = {
        # the script's words (the preview draws the viewer page's link and "in short" too)
        "strings": i18n.strings_for("pc.", "viewer.link", "viewer.short"),
        "categories": {c: i18n.translate(f"cat.{c}") for c in CATEGORIES},
        "category_codes": CATEGORY_CODES,  # the preview styles a category as the viewer page does
        "statuses": {s: i18n.translate(f"status.{s}") for s in STATUSES},
    }
    return render_template("producer/catalog.html", categories=CATEGORIES, statuses=STATUSES, page_data=page_data)
