"""What the crew teaches the matcher during a show: "this comment asks item X" or "this asks no shelf item"."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Feedback:
    text: str
    faq: str | None  # the item's slug, or None: not a question for any catalog item
