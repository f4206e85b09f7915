"""Ingest's HTTP path with the service ladder working, beside the same path with nothing for it to do, same server,
same run: POST /api/shows/<show>/comments latency p50/p95 for batches of 50.

  quiet    a show whose answers in chat are off, comments that no rule routes (the ladder's cost is one cached
           verdict per comment);
  busy     a show in suggest mode with auto-reply on for every item, and batches where half the comments are
           routed to the specialist queue (personal cases, complaints) and the other half matched questions that
           get a composed reply.
Routed cases and composed replies are written by background writers: the HTTP answer never waits for them.

    .venv/bin/python bench/bench_ladder_latency.py [--requests 400] [--batch 50]
"""
from __future__ import annotations

import argparse
import http.client
import json
import time

from running_studio import running_studio

QUIET = ["主播好漂亮", "这个颜色好看", "几号发货", "优惠券能叠加吗", "哈哈哈", "666", "七天无理由吗", "怎么查物流"]
BUSY = ["我的快递三天没动了", "再不退款我就投诉", "我10号拍的还没发货", "收到的杯子碎了我的", "几号发货",
        "什么时候发货呀", "优惠券能叠加吗", "七天无理由吗"]


def percentile(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(q * (len(v) - 1) + 0.5))]


def run(port: int, token: str, show: str, texts: list[str], n: int, batch: int, tag: str) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    out = []
    for i in range(n):
        items = [{"id": f"{tag}-{i}-{k}", "user": f"{tag}-v{(i * batch + k) % 5000}", "name": "小明",
                  "text": texts[k % len(texts)], "platform": "douyin"} for k in range(batch)]
        body = json.dumps(items, ensure_ascii=False).encode()
        start = time.perf_counter()
        conn.request("POST", f"/api/shows/{show}/comments", body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        out.append((time.perf_counter() - start) * 1000)
        assert resp.status == 200, resp.status
    conn.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--batch", type=int, default=50)
    args = ap.parse_args()
    with running_studio("bench-ladder-latency-", {"STUDIO_RATE_LIMIT_SCALE": "100"}) as srv:
        producer = srv.session(srv.tokens["producer"])
        for show in ("quiet", "busy"):
            assert producer.post(f"{srv.url}/api/shows", json={"title": show, "id": show}).status_code == 201
        for item in producer.get(f"{srv.url}/api/faq").json()["items"]:
            producer.put(f"{srv.url}/api/faq/{item['slug']}/auto-reply", json={"enabled": True})
        producer.put(f"{srv.url}/api/shows/busy/replies/settings", json={"mode": "suggest"})
        token = srv.tokens["ingest"]
        quiet, busy = [], []
        for r in range(4):  # interleaved rounds: the machine's load falls on both alike
            quiet += run(srv.port, token, "quiet", QUIET, args.requests // 4, args.batch, f"q{r}")
            busy += run(srv.port, token, "busy", BUSY, args.requests // 4, args.batch, f"b{r}")
        cases = srv.session(srv.tokens["agent"]).get(f"{srv.url}/api/shows/busy/cases").json()
        replies = srv.session(srv.tokens["host"]).get(f"{srv.url}/api/shows/busy/replies").json()
    print(f"{args.requests} POSTs of {args.batch} comments per show, interleaved in 4 rounds")
    print(f"{'':8}{'p50 ms':>10}{'p95 ms':>10}")
    for label, lat in (("quiet", quiet), ("busy", busy)):
        print(f"{label:8}{percentile(lat, 0.5):10.2f}{percentile(lat, 0.95):10.2f}")
    print(f"busy p95 / quiet p95: {percentile(busy, 0.95) / percentile(quiet, 0.95):.2f}×; "
          f"cases open in the busy show: {cases['open']}, replies waiting: {len(replies['items'])} "
          f"(rate limits skipped {sum(replies['skipped'].values())})")


if __name__ == "__main__":
    main()
