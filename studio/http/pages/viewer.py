"""The viewer side: a show's shelf (/live/<show>) and the solution pages (/faq/<slug>), mobile-first.

Both pages are rendered once per content version and language and then served from memory (see viewer_state):
the host saying "点3号链接" sends a whole room to one page within seconds. Both set the anonymous viewer id
cookie that POST /api/events counts by.
"""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from faq_catalog.model import CATEGORY_CODES
from faq_catalog.search import MAX_QUERY
from studio.http import i18n
from studio.http.context import studio
from studio.viewers.events import VIEWER_COOKIE, VIEWER_COOKIE_AGE, new_viewer_id, valid_viewer_id

bp = Blueprint("viewer", __name__)


def _viewer_response(html: bytes | str, status: int = 200) -> Response:
    resp = Response(html, status=status, mimetype="text/html")
    # The page sets a per-viewer cookie, so shared caches must not keep it; the in-process cache does the work.
    resp.headers["Cache-Control"] = "private, no-cache"
    if not valid_viewer_id(request.cookies.get(VIEWER_COOKIE)):
        resp.set_cookie(VIEWER_COOKIE, new_viewer_id(), max_age=VIEWER_COOKIE_AGE, httponly=True,
                        samesite="Lax", secure=request.is_secure)
    return resp


def _missing(message_key: str, show_id: str = "") -> Response:
    return _viewer_response(render_template("viewer/missing.html", message=message_key, show_id=show_id), 404)


@bp.get("/live/<show_id>")
def shelf_page(show_id: str):
    st = studio()
    shelf = st.viewer.shelf(show_id)
    if shelf is None:
        return _missing("viewer.missing.show")
    now = st.viewer.now(show_id)
    on_air = now.on_air if now else None
    q = request.args.get("q", "")[:MAX_QUERY].strip()

    def render() -> str:
        # Without JavaScript the search box submits here: the shelf comes back filtered, best match first.
        cards = shelf.cards
        if q:
            order = {slug: i for i, slug in enumerate(shelf.search.find(q))}
            cards = sorted((c for c in cards if c.slug in order), key=lambda c: order[c.slug])
        return render_template("viewer/shelf.html", shelf=shelf, cards=cards, on_air=on_air, q=q,
                               category_class=CATEGORY_CODES)

    if q:  # queries are unbounded: never cached
        return _viewer_response(render())
    return _viewer_response(st.viewer.page(("shelf", show_id, shelf.generation, i18n.current_lang(), on_air),
                                           render))


@bp.get("/faq/<slug>")
def faq_page(slug: str):
    st = studio()
    show_id = request.args.get("show", "")
    shelf = st.viewer.shelf(show_id) if show_id else None
    item = st.viewer.item(slug)
    if item is None:
        return _missing("viewer.missing.item", shelf.show_id if shelf else "")
    if shelf is None:
        show_id = ""  # an old or mistyped show link still shows the answer, just without attribution
    number = shelf.numbers.get(slug, item.number) if shelf else item.number

    def render() -> str:
        return render_template("viewer/faq.html", item=item, number=number, shelf=shelf, show_id=show_id,
                               body_html=st.viewer.page_html(item.slug, item.revision, item.body),
                               category_class=CATEGORY_CODES)

    key = ("faq", slug, item.revision, i18n.current_lang(), show_id, shelf.generation if shelf else 0)
    return _viewer_response(st.viewer.page(key, render))
