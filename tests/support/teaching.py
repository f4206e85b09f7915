"""Words for teaching tests: a Latin word the demo catalog's matcher does not know, different in every test."""
from __future__ import annotations

import secrets
import string
from functools import lru_cache

from faq_catalog.catalog_io import load_catalog
from faq_catalog.matcher import Matcher
from faq_catalog.normalize import normalize
from faq_catalog.triage import Triage
from tests.support.liveserver import REPO


@lru_cache(maxsize=1)
def _demo_matcher() -> Matcher:
    return Matcher(load_catalog(REPO / "faq_catalog" / "demo").items)


def _routed(w: str) -> bool:
    """Whether the specialist lane would take any of the phrases (a word holding "sb" reads as an insult): a routed
    comment counts, but never stands as a sample, and tests look for their samples."""
    triage = Triage()
    return any(triage.classify(t, normalize(t)) is not None
               for t in (f"{w}好了没", f"{w}发货了吗", f"{w}能用吗", f"{w}能寄到新疆吗", f"{w}哈哈哈"))


def unknown_word() -> str:
    """A word the matcher reads as an unknown Latin token (no initials of a catalog word, nothing folded by
    normalization): "<w>好了没" is unmatched and flagged for review, so are "<w>能用吗" and "<w>能寄到新疆吗" (flagged,
    maybe with a weak guess), "<w>发货了吗" asks shipping-time, "<w>哈哈哈" asks nothing. Random over 26^7 words,
    so two tests on one server never share one (decisions are catalog-wide)."""
    m = _demo_matcher()
    for _ in range(500):
        w = "v" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(7))
        unsure, asks, chatter = m.match(f"{w}好了没"), m.match(f"{w}发货了吗"), m.match(f"{w}哈哈哈")
        if (normalize(w) == w and f"|{w}|" in m.explain(f"{w}好了没")[0] and unsure.slug is None and unsure.review
                and m.match(f"{w}能用吗").review and m.match(f"{w}能寄到新疆吗").review
                and asks.slug == "shipping-time" and not chatter.is_question and chatter.slug is None
                and not _routed(w)):
            return w
    raise AssertionError("no unknown word found")
