"""Kuaishou interactive-play long-poll adapter against a local fake of the SDK server."""
from __future__ import annotations

import pytest

from studio.sources.kuaishou import KuaishouAdapter
from tests.support.fakes.harness import Running
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
