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

i18n.add({
    "viewer.live": ("直播中", "Live"),
    "viewer.planned": ("即将开播", "Starting soon"),
    "viewer.ended": ("已结束", "Ended"),
    "viewer.on_air": ("讲解中", "Answering now"),
    "viewer.count": ("共 {n} 个常见问题", "{n} common questions"),
    "viewer.hint": ("点开看完整解答", "Tap one for the full answer"),
    "viewer.search": ("搜索问题，如：优惠券、退货", "Search, e.g. coupon, return, link 3"),
    "viewer.search.go": ("搜索", "Search"),
    "viewer.search.none": ("没有找到相关问题，换个说法试试，或联系人工客服", "Nothing found: try other words"),
    "viewer.search.found": ("找到 {n} 个相关问题", "{n} matching questions"),
    "viewer.number": ("{n}号", "#{n}"),
    "viewer.link": ("{n}号链接", "Link #{n}"),
    "viewer.open": ("看解答", "Open"),
    "viewer.back": ("全部问题", "All questions"),
    "viewer.short": ("简答", "In short"),
    "viewer.helpful.q": ("这解决了你的问题吗?", "Did this solve your problem?"),
    "viewer.helpful.yes": ("解决了", "Yes, solved"),
    "viewer.helpful.no": ("没解决", "Not solved"),
    "viewer.helpful.thanks": ("感谢反馈，祝你购物愉快！", "Thanks for your feedback!"),
    "viewer.helpful.sorry": ("抱歉没帮上忙，点下面联系人工客服，一对一帮你处理。",
                             "Sorry it did not help. A person can help you one-to-one:"),
    "viewer.escalate": ("联系人工客服", "Contact customer service"),
    "viewer.missing.item": ("这个问题暂时不在货架上", "This question is not on the shelf"),
    "viewer.missing.show": ("找不到这场直播", "This show does not exist"),
    "cat.售前": ("售前", "Pre-sale"),
    "cat.售中": ("售中", "Order"),
    "cat.售后": ("售后", "After-sale"),
})


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
