"""Overlay pages for OBS browser sources: public, read-only, styled by URL parameters, fed by /live snapshots.

Nothing here writes: the pages subscribe to the read-only /live namespace. The loader file is for OBS setups that
start before the studio: it is loaded from disk and waits until the studio answers, then opens the overlay.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache
from urllib.parse import quote, urlsplit

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, abort, current_app, render_template, request

from faq_catalog.model import SLUG_RE
from studio.config import REPO_ROOT
from studio.errors import NotFound
from studio.http import i18n
from studio.http.context import studio
from studio.store.shows import SHOW_ID_RE

bp = Blueprint("overlays", __name__, template_folder="templates")

# overlay kind → the live topics it reads
KINDS = {"on-air": ("onair",), "ranking": ("ranking", "shelf", "onair"), "next": ("onair",)}
LOADER = REPO_ROOT / "static" / "overlay-loader.html"
LOADER_SLOT = '<meta name="overlay-target" content="">'


def base_url() -> str:
    """Where viewers reach the studio: PUBLIC_URL behind a proxy, else the host this request came to."""
    return (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")


def _check_show(show_id: str) -> None:
    if not SHOW_ID_RE.match(show_id):
        abort(404)


@bp.get("/overlay/<show_id>/<kind>")
def overlay(show_id: str, kind: str):
    _check_show(show_id)
    if kind not in KINDS:
        abort(404)
    # The audience's language, not the OBS machine's: Chinese unless the URL says ?lang=en
    lang = request.args.get("lang") if request.args.get("lang") in i18n.LANGS else "zh"
    strings = i18n.strings_for("overlay.", "common.number", lang=lang)
    resp = Response(render_template(f"overlay/{kind}.html", show_id=show_id, kind=kind, strings=strings,
                                    overlay_lang=lang, topics=list(KINDS[kind])))
    resp.headers["Cache-Control"] = "no-cache"
    return resp


@bp.get("/overlay/<show_id>/qr/<slug>.svg")
def qr(show_id: str, slug: str):
    """QR code of the item's solution page as seen from this show; white quiet zone so phones read it on video."""
    _check_show(show_id)
    if not SLUG_RE.match(slug) or len(slug) > 64:
        abort(404)
    try:
        studio().catalog.get(slug)
    except NotFound:
        abort(404)
    svg = qr_svg(f"{base_url()}/faq/{quote(slug)}?show={quote(show_id)}")
    resp = Response(svg, mimetype="image/svg+xml")
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp


@lru_cache(maxsize=512)
def qr_svg(url: str) -> str:
    img = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2,
                      error_correction=qrcode.constants.ERROR_CORRECT_M)
    return img.to_string(encoding="unicode")


@bp.get("/overlay/loader.html")
def loader():
    """The loader page with its target written in, as a file to save and load in OBS as a local file."""
    target = request.args.get("target", "")
    parts = urlsplit(target)
    kind = re.match(r"^/overlay/[a-z0-9][a-z0-9-]{0,31}/([a-z-]+)$", parts.path or "")
    if parts.scheme not in ("http", "https") or not parts.netloc or not kind or kind.group(1) not in KINDS:
        return Response("target must be the full http(s) URL of an overlay page\n", 400, mimetype="text/plain")
    page = LOADER.read_text(encoding="utf-8")
    page = page.replace(LOADER_SLOT, f'<meta name="overlay-target" content="{html.escape(target, quote=True)}">')
    name = "faq-overlay-" + re.sub(r"[^a-z0-9-]", "", parts.path.split("/")[2] + "-" + kind.group(1)) + ".html"
    return Response(page, mimetype="text/html",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
