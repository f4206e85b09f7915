"""The message files (studio/http/strings/*.json): both languages have the same keys with the same placeholders,
every key a template or a page module asks for exists, and every analytics reason code has its translation."""
from __future__ import annotations

import json
import re
from pathlib import Path

from studio.analytics.report import REASONS
from studio.http import i18n

REPO = Path(__file__).resolve().parents[2]
FILES = {lang: json.loads((REPO / "studio" / "http" / "strings" / f"{lang}.json").read_text(encoding="utf-8"))
         for lang in i18n.LANGS}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_both_languages_have_the_same_keys_and_placeholders():
    zh, en = FILES["zh"], FILES["en"]
    # the reasons' English is the analytics' own sentence (REASONS), so en.json has none
    assert set(en) == {k for k in zh if not k.startswith("reason.")}
    for key, text in en.items():
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(zh[key])), key
        assert text.strip() and zh[key].strip(), key


def test_every_reason_code_of_the_analytics_is_translated():
    assert {k.removeprefix("reason.") for k in FILES["zh"] if k.startswith("reason.")} == set(REASONS)


def test_shared_words_have_one_key():
    texts = {}
    for key, text in FILES["zh"].items():
        texts.setdefault((text, FILES["en"].get(key)), []).append(key)
    shared = {words: keys for words, keys in texts.items() if len(keys) > 1}
    # two keys with the same words in both languages are fine within one page (a column and a field label),
    # never across pages: those belong under common.
    # (pc.on is one side of the shelf switch, beside pc.off "未上架"; it says the status's word by coincidence)
    across = {words: keys for words, keys in shared.items()
              if len({k.split(".")[0] for k in keys}) > 1 and keys != ["pc.on", "status.on_shelf"]}
    assert not across, across
    assert FILES["zh"]["common.asking"] == "观众在问" and FILES["zh"]["status.live"] == "直播中"


def _keys_used(pattern: str, glob: str) -> set[str]:
    used = set()
    for path in REPO.glob(glob):
        used |= set(re.findall(pattern, path.read_text(encoding="utf-8")))
    return used


def test_every_key_the_templates_and_scripts_ask_for_exists():
    from_templates = (_keys_used(r"\bt\('([\w.]*\w)'\s*[,)]", "studio/templates/**/*.html")
                      | _keys_used(r"\bt\('([\w.]*\w)'\s*[,)]", "overlays/templates/**/*.html"))
    from_scripts = _keys_used(r'\b(?:t|fmt)\("([a-z]+\.[\w.]*\w)"\s*[,)]', "static/js/pages/**/*.js")
    assert from_templates and from_scripts
    import studio.app  # noqa: F401  (every page module, and so every string registered in code, is loaded)
    missing = sorted(k for k in from_templates | from_scripts if k not in i18n.STRINGS)
    assert not missing, missing


def test_strings_for_selects_by_prefix_in_the_given_language():
    got = i18n.strings_for("overlay.", "common.number", lang="en")
    assert got["common.number"] == "#{n}" and got["overlay.scan"] == FILES["en"]["overlay.scan"]
    assert all(k.startswith(("overlay.", "common.number")) for k in got)
    assert i18n.strings_for("reason.", lang="en")["reason.not_on_air"] == FILES["zh"]["reason.not_on_air"]
    assert i18n.lookup("reason.not_on_air", "en") is None
