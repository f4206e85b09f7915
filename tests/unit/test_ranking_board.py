"""DemandBoard on its own, with a clock the test moves."""
import math
import time

import pytest

from studio.comments.ranking import MAX_ASKERS, REPEAT_WEIGHT, DemandBoard


class Clock:
    def __init__(self, t: float = 1_700_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def board(clock):
    return DemandBoard(half_life=60, window=300, cooldown=180, clock=clock)


def by_slug(board, n=50):
    return {row["slug"]: row for row in board.top(n)}


def test_demand_halves_every_half_life(board, clock):
    board.add("a", clock.t, "u1")
    assert by_slug(board)["a"]["demand"] == pytest.approx(1.0, abs=1e-3)
    clock.t += 60
    assert board.demand("a") == pytest.approx(0.5, rel=1e-9)
    clock.t += 120
    assert board.demand("a") == pytest.approx(0.125, rel=1e-9)


def test_late_comment_counts_with_its_own_age(board, clock):
    board.add("a", clock.t - 60, "u1")
    assert board.demand("a") == pytest.approx(0.5, rel=1e-9)


def test_long_stream_renormalises_without_overflow(board, clock):
    """13 hours at one comment a minute: e^{k(t-L)} alone would overflow after ~17 h at H=60; the board must
    stay finite and equal to the sum computed directly."""
    start = clock.t
    times = []
    for i in range(13 * 60):
        clock.t = start + 60 * i
        board.add("a", clock.t, f"u{i}")
        times.append(clock.t)
    expected = sum(2 ** (-(clock.t - t) / 60) for t in times)
    assert math.isfinite(board.demand("a"))
    assert board.demand("a") == pytest.approx(expected, rel=1e-9)


def test_ranking_orders_by_score(board, clock):
    for i in range(5):
        board.add("hot", clock.t, f"h{i}", text=f"hot {i}")
    for i in range(2):
        board.add("warm", clock.t, f"w{i}")
    board.add("cold", clock.t - 120, "c0")
    assert [r["slug"] for r in board.top(3)] == ["hot", "warm", "cold"]
    assert [r["slug"] for r in board.top(2)] == ["hot", "warm"]
    row = by_slug(board)["hot"]
    assert row["count_1m"] == 5 and row["askers"] == 5
    assert [s["text"] for s in row["samples"]] == ["hot 4", "hot 3", "hot 2"]  # newest first, three kept


def test_one_viewer_repeating_is_one_asker_and_little_demand(board, clock):
    for _ in range(8):
        board.add("spam", clock.t, "same-viewer")
    for i in range(3):
        board.add("real", clock.t, f"v{i}")
    rows = by_slug(board)
    assert rows["spam"]["askers"] == 1 and rows["spam"]["count_1m"] == 8
    assert rows["spam"]["demand"] == pytest.approx(1 + 7 * REPEAT_WEIGHT, abs=1e-3)
    assert rows["real"]["askers"] == 3
    assert board.top(1)[0]["slug"] == "real"


def test_anonymous_comments_raise_demand_but_are_not_askers(board, clock):
    for _ in range(4):
        board.add("a", clock.t, "", "absent")
    board.add("a", clock.t, "named", "stable")
    row = by_slug(board)["a"]
    assert row["askers"] == 1 and row["count_1m"] == 5 and row["demand"] == pytest.approx(5, abs=1e-3)


def test_askers_and_counts_leave_the_window(board, clock):
    board.add("a", clock.t, "u1")
    clock.t += 61
    board.add("a", clock.t, "u2")
    row = by_slug(board)["a"]
    assert row["count_1m"] == 1 and row["askers"] == 2
    clock.t += 250  # u1 asked 311 s ago: outside the 300 s window
    row = by_slug(board)["a"]
    assert row["askers"] == 1 and row["count_1m"] == 0
    # the same viewer asking again after the window is a fresh ask at full weight
    before = board.demand("a")
    board.add("a", clock.t, "u1")
    assert board.demand("a") - before == pytest.approx(1.0, abs=1e-6)


def test_askers_are_bounded(board, clock):
    for i in range(MAX_ASKERS + 50):
        board.add("a", clock.t, f"v{i}")
    assert by_slug(board)["a"]["askers"] == MAX_ASKERS


def test_trend_rising_then_falling(board, clock):
    # a quiet background for four minutes, then a jump: rising
    for minute in range(4):
        clock.t += 60
        board.add("a", clock.t, f"bg{minute}")
    clock.t += 30
    for i in range(10):
        board.add("a", clock.t, f"burst{i}")
    assert by_slug(board)["a"]["trend"] == "rising"
    # four busy minutes, then a quiet one: falling
    other = DemandBoard(half_life=60, clock=clock)
    for minute in range(4):
        for i in range(12):
            other.add("b", clock.t, f"m{minute}-{i}")
        clock.t += 60
    other.add("b", clock.t, "last")
    clock.t += 5
    assert by_slug(other)["b"]["trend"] == "falling"
    steady = DemandBoard(half_life=60, clock=clock)
    steady.add("c", clock.t, "one")
    assert by_slug(steady)["c"]["trend"] == "steady"


def test_answered_item_sinks_then_recovers(board, clock):
    for i in range(6):
        board.add("answered", clock.t, f"a{i}")
    for i in range(3):
        board.add("waiting", clock.t, f"w{i}")
    board.note_on_air("answered", clock.t)
    rows = by_slug(board)
    assert rows["answered"]["cooldown"] == 180 and rows["answered"]["score"] == 0
    assert board.top(1)[0]["slug"] == "waiting"
    # people keep asking while it cools: the score climbs back linearly with the elapsed share
    clock.t += 90
    for i in range(20):
        board.add("answered", clock.t, f"late{i}")
    row = by_slug(board)["answered"]
    assert row["cooldown"] == 90
    assert row["score"] == pytest.approx(row["demand"] * 0.5, rel=1e-3)
    clock.t += 91
    row = by_slug(board)["answered"]
    assert row["cooldown"] == 0 and row["score"] == pytest.approx(row["demand"], rel=1e-6)


def test_boost_adds_and_going_on_air_spends_it(board, clock):
    board.add("a", clock.t, "u1")
    board.boost("b", 5)
    assert board.top(1)[0]["slug"] == "b" and board.top(1)[0]["boost"] == 5
    board.boost("b", 2)  # set, not add
    assert by_slug(board)["b"]["score"] == pytest.approx(2)
    board.note_on_air("b", clock.t)
    assert by_slug(board)["b"]["boost"] == 0


def test_idle_items_are_forgotten(board, clock):
    board.add("a", clock.t, "u1")
    clock.t += 60 * 12  # 12 half-lives and past the window: nothing left to show
    assert board.top() == [] and len(board) == 0


def test_invalid_settings_are_refused():
    with pytest.raises(ValueError):
        DemandBoard(half_life=0)


def test_withdraw_takes_back_one_comment(board, clock):
    board.add("a", clock.t - 30, "u1", text="几号发")
    board.add("a", clock.t - 10, "u2", text="发货吗")
    board.withdraw("a", clock.t - 30, "u1", "几号发")
    row = by_slug(board)["a"]
    assert row["demand"] == pytest.approx(math.exp(-math.log(2) * 10 / 60), abs=1e-3)
    assert row["count_1m"] == 1 and row["askers"] == 1
    assert [s["text"] for s in row["samples"]] == ["发货吗"]
    board.withdraw("a", clock.t - 10, "u2", "发货吗")
    board.withdraw("a", clock.t - 10, "u2", "发货吗")  # twice: never below nothing
    assert board.demand("a") == 0.0
    board.withdraw("missing", clock.t, "u3")  # an item not on the board: nothing to take back


def test_a_guessed_match_counts_but_is_no_sample_for_the_host():
    from studio.comments.board import CommentSeen, ShowDemand
    from studio.comments.emerging import EmergingQuestions

    clock = Clock(time.time())
    st = ShowDemand(DemandBoard(clock=clock), EmergingQuestions())
    st.apply([CommentSeen("a", clock.t, "u1", "stable", "发货了吗", None),
              CommentSeen("a", clock.t, "u2", "stable", "去年买的还没用完", "去年买的还没用完", True, False)])
    row = by_slug(st.board)["a"]
    assert row["count_1m"] == 2 and row["askers"] == 2
    assert [s["text"] for s in row["samples"]] == ["发货了吗"]
    assert [g["normalized"] for g in st.review.top()] == ["去年买的还没用完"]  # the crew still sees it
