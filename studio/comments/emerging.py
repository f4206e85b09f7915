"""Emerging questions: what the room asks that the catalog does not answer yet.

Comments that look like questions but match no item are clustered as they arrive. A comment is a set of
character bigrams of its normalized text (bigrams made only of question-frame characters like 什么/怎么
say nothing about the topic and are left out). A cluster keeps how often each bigram occurred among its
members; a comment joins the cluster with the highest cosine similarity to that profile if it clears
`threshold`, else starts a new one. An inverted index bigram → clusters keeps this to the few clusters
that share a bigram, and identical normalized texts skip the comparison altogether.

Memory is bounded: at most `max_clusters` clusters (idle ones expire, the weakest go first when full),
`MAX_GRAMS` bigrams, `MAX_ASKERS` askers and `MAX_FORMS` distinct phrasings per cluster.

A cluster is surfaced once `min_askers` distinct viewers asked it (viewers without a usable id are not
counted, as in the ranking), with sample comments, a suggested question and a draft for a new FAQ item.
"""
from __future__ import annotations

import math
import re
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import opencc

from faq_catalog.match_lexicon import FRAME_CHARS
from faq_catalog.model import MAX_QUESTION, SLUG_RE
from studio.blocks.bounded_cache import BoundedCache
from studio.blocks.slices import Slices

MAX_GRAMS = 300
MAX_ASKERS = 1000
MAX_FORMS = 30
MAX_CACHE = 50_000
# Particles and forms of address that frame a question in chat but are not part of it.
_ADDRESS = r"(?:请问|问一下|问下|主播|姐妹们|姐妹|宝宝们|宝宝|家人们|小姐姐|老师|亲)"
_FILLER = re.compile(rf"^{_ADDRESS}+|[吗呢吧啊呀哦嘛哈]+$")
_RAW_ADDRESS = re.compile(rf"^(?:\s*@?{_ADDRESS}[\s,，:：]*)+")
# A unit is one CJK character or one run of Latin letters and digits ("return", "7"): n-grams never cut a word.
_UNIT = re.compile(r"[a-z0-9]+|.")
# What a suggested question keeps: words, spaces and ordinary punctuation; emoji and symbols go.
_NOT_TEXT = re.compile(r"[^\w\s，,、。.？?！!：:（）()《》“”\"'%+\-]")
_END_PUNCT = re.compile(r"[\s，,、。.？?！!~～]+$")


def _units(normalized: str) -> list[str]:
    return _UNIT.findall(_FILLER.sub("", normalized) or normalized)


def features(normalized: str) -> frozenset[str]:
    """The topic-bearing unit bigrams of a normalized comment."""
    u = _units(normalized)
    return frozenset(u[i] + u[i + 1] for i in range(len(u) - 1)
                     if not (u[i] in FRAME_CHARS and u[i + 1] in FRAME_CHARS))


@dataclass
class _Cluster:
    id: int
    first_at: float
    last_at: float
    count: int = 0
    grams: Counter = field(default_factory=Counter)
    sumsq: int = 0  # Σ count², for the profile's norm
    askers: dict = field(default_factory=dict)  # user_hash -> True, insertion-ordered
    forms: dict = field(default_factory=dict)  # normalized text -> [count, a raw comment]
    samples: deque = field(default_factory=lambda: deque(maxlen=5))

    def similarity(self, dot: int, n_features: int) -> float:
        return dot / (math.sqrt(n_features) * math.sqrt(self.sumsq)) if self.sumsq else 0.0


class EmergingQuestions:
    def __init__(self, min_askers: int = 3, threshold: float = 0.5, max_clusters: int = 300,
                 idle_expiry: float = 1800.0, clock: Callable[[], float] = time.time):
        self.min_askers = min_askers
        self.threshold = threshold
        self.max_clusters = max_clusters
        self.idle_expiry = idle_expiry
        self._clock = clock
        self._clusters: dict[int, _Cluster] = {}
        self._index: dict[str, set[int]] = {}
        self._by_text: BoundedCache[str, int] = BoundedCache(MAX_CACHE)
        self._next_id = 1

    def __len__(self) -> int:
        return len(self._clusters)

    def add(self, normalized: str, text: str, user_hash: str = "", user_quality: str = "stable",
            ts: float | None = None) -> int | None:
        """File one unmatched question; returns its cluster id (None when nothing topical is left)."""
        ts = self._clock() if ts is None else ts
        cid = self._by_text.get(normalized)
        cluster = self._clusters.get(cid) if cid is not None else None
        if cluster is None:
            grams = features(normalized)
            if not grams:
                return None
            cluster = self._nearest(grams) or self._new_cluster(ts)
            self._absorb(cluster, grams)
            self._by_text.put(normalized, cluster.id)
        elif len(cluster.forms) < MAX_FORMS or normalized in cluster.forms:
            self._absorb(cluster, features(normalized))
        cluster.count += 1
        cluster.last_at = max(cluster.last_at, ts)
        if user_hash and user_quality != "absent" and len(cluster.askers) < MAX_ASKERS:
            cluster.askers[user_hash] = True
        form = cluster.forms.get(normalized)
        if form is not None:
            form[0] += 1
        elif len(cluster.forms) < MAX_FORMS:
            cluster.forms[normalized] = [1, text]
        cluster.samples.append({"text": text, "ts": ts})
        return cluster.id

    def _nearest(self, grams: frozenset[str]) -> _Cluster | None:
        dots: Counter = Counter()
        for g in grams:
            for cid in self._index.get(g, ()):
                dots[cid] += self._clusters[cid].grams[g]
        best, best_sim = None, self.threshold
        for cid, dot in dots.items():
            sim = self._clusters[cid].similarity(dot, len(grams))
            if sim >= best_sim:
                best, best_sim = self._clusters[cid], sim
        return best

    def _new_cluster(self, ts: float) -> _Cluster:
        if len(self._clusters) >= self.max_clusters:
            self._evict(ts)
        cluster = _Cluster(id=self._next_id, first_at=ts, last_at=ts)
        self._next_id += 1
        self._clusters[cluster.id] = cluster
        return cluster

    def _absorb(self, cluster: _Cluster, grams: frozenset[str]) -> None:
        counts = cluster.grams
        for g in grams:
            c = counts.get(g)
            if c is None:
                if len(counts) >= MAX_GRAMS:
                    continue
                c = 0
                self._index.setdefault(g, set()).add(cluster.id)
            counts[g] = c + 1
            cluster.sumsq += 2 * c + 1

    def _evict(self, now: float) -> None:
        """Drop idle clusters; if still full, the weakest fifth (fewest askers, then least recent)."""
        doomed = [c for c in self._clusters.values() if now - c.last_at > self.idle_expiry]
        if len(self._clusters) - len(doomed) >= self.max_clusters:
            ranked = sorted(self._clusters.values(), key=lambda c: (len(c.askers), c.last_at))
            doomed = ranked[:max(1, self.max_clusters // 5)]
        for c in doomed:
            self._drop(c)

    def _drop(self, cluster: _Cluster) -> None:
        del self._clusters[cluster.id]
        for g in cluster.grams:
            ids = self._index.get(g)
            if ids is not None:
                ids.discard(cluster.id)
                if not ids:
                    del self._index[g]
        # _by_text entries pointing at it are ignored on lookup and vanish with the next cache reset.

    def drop_covered(self, is_covered: Callable[[str], bool]) -> int:
        """After the catalog changed: forget clusters most of whose phrasings now match an item."""
        gone = 0
        for c in list(self._clusters.values()):
            forms = list(c.forms.values())
            covered = sum(n for n, text in forms if is_covered(text))
            if covered * 2 > sum(n for n, _ in forms):
                self._drop(c)
                gone += 1
        return gone

    def surfaced(self, now: float | None = None, limit: int = 20) -> list[dict]:
        """Clusters asked by at least `min_askers` viewers, most askers first."""
        now = self._clock() if now is None else now
        live = [c for c in self._clusters.values()
                if len(c.askers) >= self.min_askers and now - c.last_at <= self.idle_expiry]
        live.sort(key=lambda c: (-len(c.askers), -c.last_at))
        out, slices = [], Slices()  # describing a cluster reads all its phrasings: give way between them
        for c in live[:limit]:
            out.append(self._describe(c))
            slices.tick()
        return out

    def _describe(self, c: _Cluster) -> dict:
        question = suggest_question(c)
        keywords = suggest_keywords(c)
        examples = [text for _, text in sorted(c.forms.values(), key=lambda f: -f[0])[:5]]
        return {"id": c.id, "question": question, "askers": len(c.askers), "count": c.count,
                "first_at": c.first_at, "last_at": c.last_at, "samples": list(reversed(c.samples)),
                "keywords": keywords,
                "draft": {"slug": draft_slug(keywords), "question": question, "keywords": keywords,
                          "examples": examples, "status": "draft"}}


def suggest_question(c: _Cluster) -> str:
    """The phrasing closest to the cluster's profile, weighted by how often it was asked, tidied."""
    def weight(form: tuple[str, list]) -> float:
        grams = features(form[0])
        dot = sum(c.grams.get(g, 0) for g in grams)
        return form[1][0] * c.similarity(dot, len(grams) or 1)

    _, (_, raw) = max(c.forms.items(), key=weight)
    return tidy_question(raw)


@lru_cache(maxsize=1)
def _to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def tidy_question(raw: str) -> str:
    """A comment made presentable as a catalog question: Simplified (as the catalog is written), no emoji."""
    text = _to_simplified().convert(_RAW_ADDRESS.sub("", _NOT_TEXT.sub("", raw)))
    text = _END_PUNCT.sub("", " ".join(text.split()))
    return (text[:MAX_QUESTION - 1] + "？") if text else ""


def suggest_keywords(c: _Cluster, limit: int = 3) -> list[str]:
    """Topic words shared by at least half of the cluster's comments and, when it has several phrasings, by
    more than one of them: runs of 2-4 characters without question-frame characters, or a Latin word; the
    most shared first, longer before shorter, none overlapping another."""
    total = sum(n for n, _ in c.forms.values())
    df: Counter = Counter()  # comments containing the substring
    forms: Counter = Counter()  # distinct phrasings containing it
    for form, (n, _) in c.forms.items():
        u = _units(form)
        grams = {"".join(u[i:i + size]) for size in (1, 2, 3, 4) for i in range(len(u) - size + 1)
                 if not any(x in FRAME_CHARS for x in u[i:i + size])}
        for g in grams:
            if len(g) > 1:
                df[g] += n
                forms[g] += 1
    min_forms = 2 if len(c.forms) > 1 else 1
    shared = [g for g, n in df.items() if n * 2 >= total and forms[g] >= min_forms]
    shared.sort(key=lambda g: (-df[g], -len(g), g))
    chosen: list[str] = []
    for g in shared:
        if not any(_overlap(g, k) for k in chosen):
            chosen.append(g)
        if len(chosen) == limit:
            break
    return chosen


def _overlap(a: str, b: str) -> bool:
    """Two keywords share a character pair (or one holds the other)."""
    return a in b or b in a or any(a[i:i + 2] in b for i in range(len(a) - 1))


def draft_slug(keywords: list[str]) -> str:
    """A readable slug from the first keyword's pinyin; the producer may change it."""
    from pypinyin import lazy_pinyin
    words = [re.sub(r"[^a-z0-9]", "", w.lower()) for w in lazy_pinyin(keywords[0])] if keywords else []
    slug = "-".join(w for w in words if w)[:60].strip("-")
    return slug if slug and SLUG_RE.match(slug) else "new-question"
