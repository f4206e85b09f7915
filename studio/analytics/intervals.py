"""The uncertainty of a deflected-contacts estimate: exact Poisson limits for each count, combined for the
difference "expected from the baseline − observed" with the MOVER method (Zou & Donner 2008)."""
from __future__ import annotations

import math

Z95 = 1.959963984540054
EXACT_POISSON_UP_TO = 100


def poisson_interval(n: int) -> tuple[float, float]:
    """Exact (Garwood) 95% interval for a Poisson mean after observing n, by bisection on the Poisson CDF; past
    EXACT_POISSON_UP_TO, Byar's approximation, which is within 0.1% there and costs nothing."""
    alpha = 0.025
    if n > EXACT_POISSON_UP_TO:
        m = n + 1
        return (n * (1 - 1 / (9 * n) - Z95 / (3 * math.sqrt(n))) ** 3,
                m * (1 - 1 / (9 * m) + Z95 / (3 * math.sqrt(m))) ** 3)

    def cdf(k: int, mu: float) -> float:  # P(X ≤ k)
        if k < 0:
            return 0.0
        term = total = math.exp(-mu)
        for i in range(1, k + 1):
            term *= mu / i
            total += term
        return min(total, 1.0)

    def solve(too_low, lo: float, hi: float) -> float:
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if too_low(mid) else (lo, mid)
        return (lo + hi) / 2

    top = n + 20 * math.sqrt(n + 1) + 20
    lower = 0.0 if n == 0 else solve(lambda mu: 1 - cdf(n - 1, mu) < alpha, 0.0, top)
    upper = solve(lambda mu: cdf(n, mu) > alpha, 0.0, top)
    return lower, upper


def deflection_estimate(baseline_count: int, baseline_seconds: float, observed: int, exposure_seconds: float) -> dict:
    """expected − observed, with a 95% MOVER interval (Zou & Donner 2008) built from the exact Poisson limits."""
    k = exposure_seconds / baseline_seconds
    expected = baseline_count * k
    b_lo, b_hi = poisson_interval(baseline_count)
    o_lo, o_hi = poisson_interval(observed)
    d = expected - observed
    return {"expected": expected, "estimate": d,
            "low": d - math.hypot(expected - b_lo * k, o_hi - observed),
            "high": d + math.hypot(b_hi * k - expected, observed - o_lo)}
