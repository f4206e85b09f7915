"""The adapter shape on its own: backoff, the bounded dedupe window, health figures, settings precedence and
secrets, the batcher."""
from __future__ import annotations

import threading
import time

import pytest

from studio.blocks.backoff import Backoff
from studio.sources.base import Comment, RecentIds, SourceStatus
from studio.sources.settings import Setting, SettingsError, merge_update, public_view, resolve
from studio.sources.sink import Batcher, SinkRefused
from tests.support.waiting import wait_for


def test_backoff_is_capped_exponential_with_full_jitter():
    top = Backoff(base=1.0, cap=10.0, rng=lambda: 1.0)
    assert [top.next_delay() for _ in range(6)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    assert Backoff(base=1.0, cap=10.0, rng=lambda: 0.0).next_delay() == 0.0
    delays = [Backoff(1.0, 10.0).next_delay() for _ in range(200)]
    assert 0 <= min(delays) and max(delays) <= 1.0 and len(set(delays)) > 150, "jitter spreads retries"
    top.reset()
    assert top.next_delay() == 1.0


def test_recent_ids_forget_the_oldest_beyond_their_size():
    seen = RecentIds(size=3)
    assert [seen.add(k) for k in "abcab"] == [True, True, True, False, False]
    seen.add("d")  # evicts c, the least recently seen
    assert seen.add("a") is False and seen.add("c") is True


def test_status_counts_messages_per_minute_and_fatal_is_final():
    status = SourceStatus("youtube", "chat")
    status.count(5, 2)
    status.count(3, 0)
    assert status.per_minute() == 8 and status.per_minute(now=time.time() + 61) == 0
    snap = status.snapshot()
    assert (snap["received"], snap["duplicates"]) == (8, 2) and snap["last_message_at"]
    status.set("failed", "credentials refused")
    status.set("backoff", "the socket died after that")
    assert (status.state, status.last_error) == ("failed", "credentials refused")


def test_long_ids_are_shortened_to_a_stable_digest():
    item = Comment("wechat", "r", "m" * 300, "u" * 300, "stable", "文字", 1.0).to_item()
    assert len(item["id"]) <= 128 and len(item["user"]) <= 256
    assert item["id"] == Comment("wechat", "r", "m" * 300, "", "stable", "x", 2.0).to_item()["id"]
    assert Comment("web", "", "1", "", "session", "x", 1.0).to_item()["user_quality"] == "absent"


SPECS = {"key": Setting("a key", secret=True, required=True), "url": Setting("an address", "https://default"),
         "interval": Setting("seconds", 20.0, kind=float)}


def test_settings_precedence_default_stored_environment_command_line():
    stored = {"key": "from-db", "url": "https://stored"}
    env = {"STUDIO_DEMO_URL": "https://env", "STUDIO_DEMO_INTERVAL": "5"}
    assert resolve("demo", SPECS, stored, {}, env) == {"key": "from-db", "url": "https://env", "interval": 5.0}
    assert resolve("demo", SPECS, stored, {"url": "https://flag"}, env)["url"] == "https://flag"
    with pytest.raises(SettingsError, match="STUDIO_DEMO_KEY"):
        resolve("demo", SPECS, {}, {}, {})
    with pytest.raises(SettingsError, match="unknown setting"):
        resolve("demo", SPECS, stored, {"colour": "red"}, {})
    with pytest.raises(SettingsError, match="must be a float"):
        resolve("demo", SPECS, stored, {"interval": "soon"}, {})


def test_console_edits_keep_secrets_left_out():
    stored = {"key": "s3cret", "url": "https://a", "interval": 3.0}
    assert merge_update(SPECS, stored, {"url": "https://b"}) == {"key": "s3cret", "url": "https://b"}
    assert merge_update(SPECS, stored, {"key": ""}) == {}
    assert merge_update(SPECS, stored, {"url": "https://b"}, keep_unmentioned=True)["interval"] == 3.0
    assert public_view(SPECS, stored) == ({"url": "https://a", "interval": 3.0}, ["key"])


def comments(n: int, start: int = 0) -> list[Comment]:
    return [Comment("bilibili", "r", f"m{start + i}", "u", "stable", "保修多久", 1.0) for i in range(n)]


def test_batcher_sends_full_batches_at_once_and_partial_ones_after_the_interval():
    batches: list[tuple[float, int]] = []
    batcher = Batcher(lambda items: batches.append((time.monotonic(), len(items))), max_items=100,
                      interval=0.3).start()
    t0 = time.monotonic()
    batcher.add(comments(250))
    wait_for(lambda: sum(n for _, n in batches) == 250, what="all sent")
    assert [n for _, n in batches] == [100, 100, 50]
    assert batches[1][0] - t0 < 0.2 <= batches[2][0] - t0, "full batches go at once, the rest after the interval"
    batcher.add(comments(7, 250))
    batcher.close()
    assert batches[-1][1] == 7 and batcher.sent == 257, "close flushes what is pending"


def test_batcher_reports_a_refusing_studio_as_fatal():
    reasons: list[str] = []
    done = threading.Event()

    def refuse(items):
        raise SinkRefused("HTTP 401: authentication required")

    batcher = Batcher(refuse, interval=0.01, on_fatal=lambda m: (reasons.append(m), done.set())).start()
    batcher.add(comments(3))
    assert done.wait(2) and "401" in reasons[0]
