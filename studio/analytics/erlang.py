"""Erlang C (M/M/N queue): how long one-to-one customers wait for a given traffic, handle time and team size.

Offered load A = λ · AHT (erlangs). For N agents and A < N:
  P_wait = N·B / (N − A·(1 − B)), with B the Erlang B blocking probability, computed by the recursion
  B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)): no factorials or powers, so it stays exact enough for N in the
  thousands where Aᴺ/N! would overflow.
  ASA = P_wait · AHT / (N − A);  SL(t) = 1 − P_wait · e^(−(N − A)·t / AHT).
For A ≥ N there is no steady state: the queue grows by λ − N/AHT customers per unit of time, and that is reported
instead of a wait.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

MAX_AGENTS = 100_000


def erlang_b(load: float, agents: int) -> float:
    """Probability that all `agents` are busy in a loss system offered `load` erlangs."""
    b = 1.0
    for k in range(1, agents + 1):
        b = load * b / (k + load * b)
    return b


def probability_of_waiting(load: float, agents: int) -> float:
    """Erlang C: the chance an arriving customer finds every agent busy (1.0 when the queue is unstable)."""
    if agents <= 0 or load >= agents:
        return 1.0
    if load <= 0:
        return 0.0
    b = erlang_b(load, agents)
    return agents * b / (agents - load * (1.0 - b))


def average_speed_of_answer(load: float, agents: int, aht: float) -> float:
    """Mean wait in the units of `aht`; infinite when the queue is unstable."""
    if load >= agents:
        return math.inf
    return probability_of_waiting(load, agents) * aht / (agents - load)


def service_level(load: float, agents: int, aht: float, target: float) -> float:
    """Share of customers answered within `target` (same unit as `aht`); 0 when the queue is unstable."""
    if load >= agents:
        return 0.0
    return 1.0 - probability_of_waiting(load, agents) * math.exp(-(agents - load) * target / aht)


def agents_needed(load: float, aht: float, target: float, level: float) -> int:
    """Fewest agents that answer at least `level` (0–1) of customers within `target`."""
    if not 0 < level < 1:
        raise ValueError("service level target must be between 0 and 1")
    n = max(1, math.floor(load) + 1)
    while service_level(load, n, aht, target) < level:
        n += 1
        if n > MAX_AGENTS:
            raise ValueError("load too high to staff")
    return n


@dataclass(frozen=True)
class QueueModel:
    """One staffing scenario. Times in seconds, rates per hour."""
    contacts_per_hour: float
    aht_seconds: float
    agents: int
    target_seconds: float
    load_erlangs: float
    occupancy: float | None          # A / N; None when saturated (agents are busy all the time)
    saturated: bool
    queue_growth_per_hour: float     # > 0 only when saturated: customers added to the queue every hour
    p_wait: float
    asa_seconds: float | None        # None when saturated (no steady state)
    service_level: float             # share answered within target_seconds

    def to_dict(self) -> dict:
        return asdict(self)


def model(contacts_per_hour: float, aht_seconds: float, agents: int, target_seconds: float = 180.0) -> QueueModel:
    """Erlang C figures for a team, or a saturation report when the traffic exceeds what it can handle."""
    if contacts_per_hour < 0 or aht_seconds <= 0 or agents < 1 or target_seconds < 0:
        raise ValueError("need contacts ≥ 0, AHT > 0, agents ≥ 1 and a target ≥ 0")
    if agents > MAX_AGENTS:
        raise ValueError(f"at most {MAX_AGENTS} agents")
    load = contacts_per_hour * aht_seconds / 3600.0
    saturated = load >= agents
    growth = contacts_per_hour - agents * 3600.0 / aht_seconds if saturated else 0.0
    return QueueModel(
        contacts_per_hour=contacts_per_hour, aht_seconds=aht_seconds, agents=agents, target_seconds=target_seconds,
        load_erlangs=load, occupancy=None if saturated else load / agents, saturated=saturated,
        queue_growth_per_hour=growth, p_wait=probability_of_waiting(load, agents),
        asa_seconds=None if saturated else average_speed_of_answer(load, agents, aht_seconds),
        service_level=service_level(load, agents, aht_seconds, target_seconds))
