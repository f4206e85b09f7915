"""Chinese by default, English on request (?lang=en, kept in a cookie).

The words live in message files, one per language: studio/http/strings/zh.json and en.json, flat
{"area.key": "text"} with {name} placeholders. Words several pages share have one key under "common." (观众在问,
{n}号 …) or "status." (直播中 …); a page's own words are under its area ("console.", "rundown.", "lead.", "pc.",
"viewer.", "overlay." …). Chinese is the reference: every key has a Chinese text, and a key without an English
one falls back to Chinese (the analytics' reasons, "reason.<code>", take their English from the analytics' own
table instead).
"""
from __future__ import annotations

import json
from pathlib import Path

from flask import request

from studio.blocks.bounded_cache import BoundedCache

LANGS = ("zh", "en")
STRINGS_DIR = Path(__file__).with_name("strings")


def _load() -> dict[str, dict[str, str]]:
    by_lang = {lang: json.loads((STRINGS_DIR / f"{lang}.json").read_text(encoding="utf-8")) for lang in LANGS}
    return {key: {lang: by_lang[lang][key] for lang in LANGS if key in by_lang[lang]} for key in by_lang["zh"]}


# {key: {"zh": text, "en": text}}
STRINGS: dict[str, dict[str, str]] = _load()


def add(strings: dict[str, tuple[str, str]]) -> None:
    """Register {key: (zh, en)} from code. The message files are the place for a page's words; this stays for
    strings a module must own (tests, plug-ins)."""
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


def lookup(key: str, lang: str) -> str | None:
    """The text of key in lang exactly, or None: no fallback."""
    entry = STRINGS.get(key)
    return entry.get(lang) if entry else None


def text_in(key: str, lang: str) -> str:
    """The text of key in lang, else in Chinese, else the key itself (visible, never blank)."""
    entry = STRINGS.get(key)
    return entry.get(lang, entry["zh"]) if entry else key


def translate(key: str, **kw) -> str:
    text = text_in(key, current_lang())
    return text.format(**kw) if kw else text


def strings_for(*prefixes: str, lang: str | None = None) -> dict[str, str]:
    """Every string whose key starts with one of prefixes, in lang (default: the request's), for a page's JSON
    island: a script gets its words handed over and stays language-free."""
    lang = lang or current_lang()
    return {key: text_in(key, lang) for key in STRINGS if key.startswith(prefixes)}
