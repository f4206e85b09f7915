"""Chinese by default, English on request (?lang=en, kept in a cookie). Strings live in one table per page area."""
from __future__ import annotations

from flask import request

from studio.blocks.bounded_cache import BoundedCache

LANGS = ("zh", "en")
STRINGS: dict[str, dict[str, str]] = {}


def add(strings: dict[str, tuple[str, str]]) -> None:
    """Register {key: (zh, en)}; each page area adds its own strings at import time."""
    for key, (zh, en) in strings.items():
        STRINGS[key] = {"zh": zh, "en": en}


_CHOSEN: BoundedCache[tuple, str] = BoundedCache(1000)


def current_lang() -> str:
    """Remembered per combination of its inputs: every translated string asks, and on a cached viewer page
    parsing Accept-Language again would cost more than serving the page."""
    key = (request.args.get("lang"), request.cookies.get("lang"), request.headers.get("Accept-Language"))
    return _CHOSEN.get_or_make(key, _choose_lang)


def _choose_lang() -> str:
    lang = request.args.get("lang") or request.cookies.get("lang")
    if lang in LANGS:
        return lang
    best = request.accept_languages.best_match(["zh", "en"], default="zh")
    return best if best in LANGS else "zh"


def translate(key: str, **kw) -> str:
    entry = STRINGS.get(key)
    text = entry.get(current_lang(), entry["zh"]) if entry else key
    return text.format(**kw) if kw else text


add({
    "app.name": ("FAQ 直播间", "FAQ Live Studio"),
    "nav.catalog": ("问题库", "Catalog"),
    "nav.shows": ("直播场次", "Shows"),
    "nav.logout": ("退出", "Log out"),
    "login.title": ("工作人员登录", "Staff login"),
    "login.name": ("用户名", "Name"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Log in"),
    "login.failed": ("用户名或密码不对", "Wrong name or password"),
    "login.throttled": ("尝试次数太多，请稍后再试", "Too many attempts, try again later"),
    "error.403": ("你没有权限打开这个页面", "You do not have access to this page"),
    "error.404": ("找不到这个页面", "Page not found"),
    "lang.switch": ("English", "中文"),
})
