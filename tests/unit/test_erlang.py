"""Erlang C against published worked examples, and against the textbook factorial formula computed exactly.

Sources:
[CCH] Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example": 100 calls per 30 minutes,
      AHT 180 s, target 80% answered within 20 s. A = 200 calls/h × 180 s / 3600 = 10 erlangs. With N = 11 it gives
      P_w = 68.21%, SL(20 s) = 1 − 0.6821·e^(−(11−10)·20/180) = 1 − 0.6821·0.8948 = 39.0%, and it adds agents until
      the target is met at N = 14 (SL 88.8%).
[LB]  Lester Bromley, "The Erlang-C Formula" (call-centre worked example): 360 calls per half hour, 4-minute calls,
      55 agents, 15 s target. A = 720/h × 4 min / 60 = 48 erlangs, occupancy 48/55 = 87.3%, P_w ≈ 0.2387,
      ASA = 0.2387 × 240 / (55 − 48) ≈ 8.2 s, SL(15 s) = 1 − 0.2387·e^(−7·15/240) = 1 − 0.2387·0.6456 ≈ 84.6%.
[PR]  shared/research/performance.md §4: 10,000 inquiries an hour at 60 s with 171 agents: ASA ≈ 9.0 s, 84.7%
      within 20 s; at 160 agents the queue grows by 400 an hour.
"""
from __future__ import annotations

import math
from fractions import Fraction

import pytest

from studio.analytics import erlang


def textbook_p_wait(a: Fraction, n: int) -> Fraction:
    """P_w = [Aᴺ/N! · N/(N−A)] / [Σ_{k<N} Aᵏ/k! + Aᴺ/N! · N/(N−A)], in exact rational arithmetic."""
    top = a ** n / math.factorial(n) * Fraction(n) / (n - a)
    return top / (sum(a ** k / math.factorial(k) for k in range(n)) + top)


def test_call_centre_helper_example():
    load = 100 / 1800 * 180  # 10 erlangs
    assert load == pytest.approx(10)
    assert erlang.probability_of_waiting(load, 11) == pytest.approx(0.6821, abs=5e-5)
    assert erlang.service_level(load, 11, 180, 20) == pytest.approx(1 - 0.6821 * math.exp(-20 / 180), abs=1e-4)
    assert erlang.service_level(load, 11, 180, 20) == pytest.approx(0.390, abs=5e-4)
    # ASA = 0.6821 × 180 / (11 − 10) = 122.8 s
    assert erlang.average_speed_of_answer(load, 11, 180) == pytest.approx(122.8, abs=0.05)
    # the article's staffing loop: 12 → 64.0%, 13 → 79.6%, 14 → 88.8%: 14 agents meet 80/20
    assert erlang.service_level(load, 12, 180, 20) == pytest.approx(0.640, abs=5e-4)
    assert erlang.service_level(load, 13, 180, 20) == pytest.approx(0.796, abs=5e-4)
    assert erlang.service_level(load, 14, 180, 20) == pytest.approx(0.888, abs=5e-4)
    assert erlang.agents_needed(load, 180, 20, 0.8) == 14


def test_bromley_example():
    m = erlang.model(contacts_per_hour=720, aht_seconds=240, agents=55, target_seconds=15)
    assert m.load_erlangs == pytest.approx(48)
    assert m.occupancy == pytest.approx(0.8727, abs=1e-4)
    assert m.p_wait == pytest.approx(0.2387, abs=5e-5)
    assert m.asa_seconds == pytest.approx(8.18, abs=0.01)
    assert m.service_level == pytest.approx(0.846, abs=5e-4)
    assert not m.saturated and m.queue_growth_per_hour == 0


@pytest.mark.parametrize("a, n", [(Fraction(10), 11), (Fraction(48), 55), (Fraction(500, 3), 171),
                                  (Fraction(2), 3), (Fraction(399, 2), 200)])
def test_matches_the_factorial_formula_exactly(a, n):
    assert erlang.probability_of_waiting(float(a), n) == pytest.approx(float(textbook_p_wait(a, n)), rel=1e-10)


def test_research_note_figures_and_saturation():
    staffed = erlang.model(10_000, 60, 171, target_seconds=20)
    assert staffed.asa_seconds == pytest.approx(9.0, abs=0.05)
    assert staffed.service_level == pytest.approx(0.847, abs=5e-4)
    deflected = erlang.model(9_000, 60, 171, target_seconds=20)
    assert deflected.asa_seconds == pytest.approx(0.2, abs=0.05)
    # A = 166.7 ≥ 160: no steady state; 160 agents × 60 per hour = 9,600 handled, 10,000 arrive
    under = erlang.model(10_000, 60, 160)
    assert under.saturated and under.asa_seconds is None and under.occupancy is None
    assert under.queue_growth_per_hour == pytest.approx(400)
    assert under.p_wait == 1.0 and under.service_level == 0.0
    assert erlang.average_speed_of_answer(5, 5, 60) == math.inf  # exactly at capacity is unstable too


def test_stable_for_hundreds_and_thousands_of_agents():
    # Aᴺ/N! overflows a float past N ≈ 170; the Erlang B recursion does not
    for n in (300, 1_000, 5_000):
        p = erlang.probability_of_waiting(n * 0.95, n)
        assert 0 < p < 1 and math.isfinite(p)
    assert erlang.probability_of_waiting(950, 1000) == pytest.approx(float(textbook_p_wait(Fraction(950), 1000)),
                                                                     rel=1e-9)
    n = erlang.agents_needed(2_000, 300, 180, 0.8)
    assert erlang.service_level(2_000, n, 300, 180) >= 0.8 > erlang.service_level(2_000, n - 1, 300, 180)


def test_edges_and_bad_input():
    assert erlang.probability_of_waiting(0, 3) == 0.0
    idle = erlang.model(0, 300, 2)
    assert idle.asa_seconds == 0 and idle.service_level == 1.0
    for args in ((-1, 300, 2), (10, 0, 2), (10, 300, 0)):
        with pytest.raises(ValueError):
            erlang.model(*args)
    with pytest.raises(ValueError):
        erlang.agents_needed(10, 180, 20, 1.0)
