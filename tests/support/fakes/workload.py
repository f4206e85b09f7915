"""A live room's comment stream for the end-to-end test and the benchmark: questions about three catalog items in
fixed shares plus chatter, from a pool of viewers, sent by the fake Bilibili at a steady rate in frames of several
comments (plain, zlib and brotli in turn), with some frames sent again later (platform redelivery). Frames are
encoded before the clock starts, so the fake's own encoding does not count against the adapter."""
from __future__ import annotations

import random
import time
from collections import Counter

from .bilibili import FakeBilibili

# Texts checked against the demo catalog (`studio match --catalog faq_catalog/demo`): each matches its item.
TEMPLATES = {
    "appliance-warranty": ("吹风机坏了保修吗", "保修多久呀", "电动牙刷坏了能修吗"),
    "size-guide": ("平时穿M码选哪个尺码", "尺码偏大还是偏小", "165穿什么码"),
    "invoice": ("能开发票吗", "发票怎么开"),
    None: ("主播今天好漂亮", "哈哈哈哈哈", "晚上好呀"),
}
SHARES = {"appliance-warranty": 0.5, "size-guide": 0.3, "invoice": 0.15, None: 0.05}


def plan(n: int, seed: int = 11) -> list[tuple[str | None, str]]:
    """n (slug, text) pairs in the exact shares, shuffled."""
    counts = {slug: int(n * share) for slug, share in SHARES.items()}
    counts[None] += n - sum(counts.values())
    rng = random.Random(seed)
    out = [(slug, rng.choice(TEMPLATES[slug])) for slug, k in counts.items() for _ in range(k)]
    rng.shuffle(out)
    return out


def expected(n: int) -> Counter:
    return Counter(slug for slug, _ in plan(n) if slug)


def frames(n: int, frame: int = 20, resend_every: int = 25, resend_lag: int = 10,
           viewers: int = 2000) -> list[tuple[bytes, int]]:
    """The stream of n comments as encoded WebSocket frames, with the number of new comments in each. Every
    `resend_every`-th frame is followed by the frame before it again (the adapter's window still holds its ids) and
    the one `resend_lag` frames back (with a small window, only the studio's unique constraint catches those)."""
    comments = plan(n)
    out, sent = [], []
    for k in range(0, n, frame):
        dms = [FakeBilibili.dm(k + j, text, open_id=f"viewer-{(k + j) * 7919 % viewers}")
               for j, (_, text) in enumerate(comments[k:k + frame])]
        index = len(sent)
        out.append((FakeBilibili.frame(dms, ver=(0, 2, 3)[index % 3]), len(dms)))
        sent.append(dms)
        if index and index % resend_every == 0 and index >= resend_lag:
            out.append((FakeBilibili.frame(sent[index - 1], ver=2), 0))
            out.append((FakeBilibili.frame(sent[index - resend_lag], ver=2), 0))
    return out


def stream(fake: FakeBilibili, encoded: list[tuple[bytes, int]], rate: float) -> float:
    """Send the frames so that new comments go out at `rate` per second; returns the seconds it took."""
    start, count = time.monotonic(), 0
    for data, new in encoded:
        fake.send_frame(data)
        count += new
        time.sleep(max(0.0, start + count / rate - time.monotonic()))
    return time.monotonic() - start
