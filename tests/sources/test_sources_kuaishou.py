"""Kuaishou interactive-play long-poll adapter against a local fake of the SDK server."""
from __future__ import annotations

import os
import time

import pytest

from studio.sources.kuaishou import KuaishouAdapter
from tests.support.fakes.harness import Running, busy_then, frozen_timings, paced, under_faults
from tests.support.fakes.kuaishou import FakeKuaishou
from tests.support.waiting import wait_for


@pytest.fixture
def ks():
    fake = FakeKuaishou()
    yield fake
    fake.close()


def start(fake: FakeKuaishou, **overrides) -> Running:
    return Running(KuaishouAdapter, "ks-room", **{"app_id": fake.app_id, "code": fake.code, "api_url": fake.url,
                                                  **overrides})


def test_polls_with_cursor_and_sleep_hint(ks):
    for i in range(120):
        ks.comment(f"问题 {i}", openid=f"u{i % 7}")
    ks.like()
    run = start(ks)
    run.wait_count(120)  # three pages of up to 50, several comments per answer
    assert run.texts[:2] == ["问题 0", "问题 1"] and run.texts[-1] == "问题 119"
    assert {c.user_id_quality for c in run.comments} == {"stable"}
    wait_for(lambda: len(ks.poll_times) >= 6, what="polls while idle")
    gaps = [b - a for a, b in zip(ks.poll_times, ks.poll_times[1:])]
    assert min(gaps) >= 0.09, f"polled faster than the sleep hint: {gaps}"
    cursors = [r.query["pCursor"] for r in ks.http.calls("/openapi/sdk/v1/poll")]
    assert cursors[:4] == ["", "50", "100", "121"]
    run.stop()
    assert ks.disconnected, "disconnect is called when the adapter stops"


def test_a_page_asked_again_from_the_same_cursor_counts_once(ks):
    ks.stall_cursor_once = True
    for i in range(5):
        ks.comment(f"重复页 {i}")
    run = start(ks)
    run.wait_count(5)
    wait_for(lambda: run.adapter.status.duplicates == 5, what="the replayed page dropped")
    assert len(run.comments) == 5
    run.stop()


def test_expired_token_connects_again(ks):
    run = start(ks)
    run.wait_state("connected")
    ks.expire_tokens()
    wait_for(lambda: len(ks.http.calls("/openapi/sdk/v1/connect")) >= 2, what="a second connect")
    ks.comment("换了令牌")
    run.wait_count(1)
    run.stop()


def test_refused_code_is_fatal(ks):
    run = start(ks, code="stale-code")
    assert run.wait_done() == "failed"
    assert "connect refused" in run.adapter.status.last_error


# --- under faults ----------------------------------------------------------------------------------------------
# The server keeps the room's messages behind the cursor: every comment posted is one the adapter must deliver once.

def _ids(run) -> list[str]:
    return [c.msg_id for c in run.comments]


def _poll_drops(ks: FakeKuaishou, every: float, total: float, **settings) -> None:
    run = start(ks, **settings)
    run.wait_state("connected")
    flip = iter(range(10_000))

    def fault() -> None:  # a reset connection, then two 502s, in turn
        if next(flip) % 2:
            ks.fail_polls = 2
        else:
            ks.reset_polls = 1

    sent = under_faults(lambda i: ks.comment(f"断了{i}", openid=f"u{i % 9}"), fault, every, total)
    run.wait_count(sent, timeout=10)
    assert len(_ids(run)) == len(set(_ids(run))) == sent == ks.comment_ids(), "every comment once"
    assert run.adapter.status.reconnects >= int(total / every) - 1
    assert len(ks.http.calls("/openapi/sdk/v1/connect")) == 1, "the platform session outlived every failed poll"
    run.stop()


def test_failed_polls_every_second_lose_nothing_and_keep_the_token(ks):
    _poll_drops(ks, every=1.0, total=10.0)


@pytest.mark.skipif(not os.environ.get("STUDIO_SLOW_TESTS"), reason="two minutes; STUDIO_SLOW_TESTS=1 runs it")
def test_failed_polls_every_ten_seconds_for_two_minutes(ks):
    ks.sleep_ms = 1000
    _poll_drops(ks, every=10.0, total=120.0, backoff_base=1.0, backoff_cap=60.0)


def test_a_token_the_platform_drops_is_replaced_within_5_s_keeping_the_cursor(ks):
    run = start(ks)
    for i in range(5):
        ks.comment(f"之前{i}")
    run.wait_count(5)
    ks.expire_tokens()
    for i in range(5):
        ks.comment(f"换令牌时{i}")  # posted while the token is bad: still behind the cursor
    expired = time.monotonic()
    wait_for(lambda: len(ks.http.calls("/openapi/sdk/v1/connect")) == 2 and run.adapter.status.state == "connected",
             timeout=5, what="a new token")
    print(f"new token after {time.monotonic() - expired:.2f} s")
    run.wait_count(10)
    assert len(set(_ids(run))) == 10
    assert run.adapter.status.restarts == 1
    assert "10005" in [e["reason"] for e in run.adapter.status.events if e["kind"] == "restart"][0]
    run.stop()


def test_a_closed_play_fails_saying_to_get_a_new_code(ks):
    run = start(ks)
    run.wait_state("connected")
    ks.close_play()
    assert run.wait_done() == "failed"
    assert "new code" in run.adapter.status.last_error


def test_a_frozen_poll_is_silent_within_15_s_and_replaced_within_35_s(ks):
    run = start(ks, silent_min=paced(10.0), poll_timeout=paced(15.0))
    run.wait_state("connected")
    busy_then(run, lambda i: ks.comment(f"问{i}"))
    silent_after, replaced_after = frozen_timings(run, ks.freeze)
    assert silent_after <= paced(15) and replaced_after <= paced(35)
    ks.thaw()
    ks.comment("恢复之后")
    run.wait_count(41)
    assert len(set(_ids(run))) == 41 and len(ks.http.calls("/openapi/sdk/v1/connect")) == 1
    run.stop()
