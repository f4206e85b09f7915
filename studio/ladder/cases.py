"""The specialist queue: comments the triage rules routed (faq_catalog.triage) become cases that an agent claims,
contacts and closes (resolved, or not ours).

A routed comment's case is stored in the transaction that stores the comment (studio.comments.ingest): a case is
never lost to a crash between the two. `stored` hears of them afterwards and touches the show's "cases" topic.

Figures for the lead (`figures`): first-touch time (routed → claimed) p50 and p90, the share touched within
TOUCH_TARGET seconds, resolutions per hour, beside the one-to-one baseline (the helpdesk's first-response wait of
the contacts in the show's window: p50, p90, share within the same target, contacts handled per hour).
"""
from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import case, func, select, update

from studio.blocks.off_loop import off_loop
from studio.errors import Conflict, Invalid, NotFound
from studio.store.models import Case, Comment, OneToOneContact, Show

TOUCH_TARGET = 180.0  # the platforms' 3-minute reply standard: an open case this old turns red
STATES = ("open", "claimed", "contacted", "resolved", "not_ours")
MARKS = ("contacted", "resolved", "not_ours")
CLOSED = ("resolved", "not_ours")
LISTED_ACTIVE = 200  # open and claimed cases in the live queue: the agents' next work, not the whole backlog
LISTED_CLOSED = 30  # closed cases kept in the live queue (newest first), for the agents' own record
VIEWER_COMMENTS = 200
BASELINE_BEFORE = 24 * 3600.0  # without contacts during the show, the day before it is the baseline


def case_dict(c: Case, now: float) -> dict:
    return {"id": c.id, "show": c.show_id, "platform": c.platform, "viewer": c.user_hash, "text": c.text,
            "slug": c.slug, "kind": c.kind, "reason": c.reason, "reasons": list(c.reasons or ()),
            "urgency": c.urgency, "state": c.state, "agent": c.agent, "comment_ts": c.comment_ts,
            "created_at": c.created_at, "claimed_at": c.claimed_at, "contacted_at": c.contacted_at,
            "closed_at": c.closed_at, "age": round(now - c.created_at, 1),
            "red": c.state == "open" and now - c.created_at >= TOUCH_TARGET,
            "red_at": c.created_at + TOUCH_TARGET}


def percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..1) of the values; None without any."""
    if not values:
        return None
    v = sorted(values)
    pos = (len(v) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return round(v[lo] + (v[hi] - v[lo]) * (pos - lo), 2)


class CaseDesk:
    def __init__(self, db, on_change: Callable[[str], None], on_not_ours: Callable[[str], None] | None = None):
        self.db = db
        self.on_change = on_change
        self.on_not_ours = on_not_ours

    # -- routed comments in ---------------------------------------------------------------------------------

    def stored(self, show_id: str, cases: list[dict]) -> None:
        """Cases stored with their comments: {show_id, platform, user_hash, text, normalized, slug, kind, reason,
        reasons, urgency, comment_ts, created_at}."""
        if cases:
            self.on_change(show_id)

    # -- the queue ------------------------------------------------------------------------------------------

    def queue(self, show_id: str, now: float | None = None) -> dict:
        """Open and claimed cases (open first, red before the rest, then by urgency, then oldest; at most
        LISTED_ACTIVE), then the latest closed ones; `open` and `red` count them all, `oldest_open_at` is when the
        longest-waiting unclaimed one came in (None without any)."""
        now = time.time() if now is None else now
        return off_loop(self._queue, show_id, now)

    def _queue(self, show_id: str, now: float) -> dict:
        red_before = now - TOUCH_TARGET
        with self.db.session() as s:
            active = s.scalars(select(Case).where(Case.show_id == show_id, Case.state.not_in(CLOSED)).order_by(
                case((Case.state == "open", 0), else_=1), case((Case.created_at <= red_before, 0), else_=1),
                Case.urgency.desc(), Case.created_at).limit(LISTED_ACTIVE)).all()
            closed = s.scalars(select(Case).where(Case.show_id == show_id, Case.state.in_(CLOSED))
                               .order_by(Case.closed_at.desc()).limit(LISTED_CLOSED)).all()
            n_open, n_red, oldest = s.execute(
                select(func.count(), func.sum(case((Case.created_at <= red_before, 1), else_=0)),
                       func.min(Case.created_at)).where(Case.show_id == show_id, Case.state == "open")).one()
            items = [case_dict(c, now) for c in active]
            done = [case_dict(c, now) for c in closed]
        return {"items": items, "closed": done, "open": n_open or 0, "red": int(n_red or 0),
                "oldest_open_at": oldest, "target_seconds": TOUCH_TARGET, "at": now}

    def get(self, show_id: str, case_id: int) -> dict:
        with self.db.session() as s:
            return case_dict(self._case(s, show_id, case_id), time.time())

    def viewer(self, show_id: str, case_id: int) -> dict:
        """The case and everything its viewer wrote in this show (oldest first), with their other cases."""
        now = time.time()
        with self.db.session() as s:
            c = self._case(s, show_id, case_id)
            comments = []
            if c.user_hash:
                rows = s.execute(select(Comment.ts, Comment.text, Comment.slug, Comment.platform)
                                 .where(Comment.show_id == show_id, Comment.user_hash == c.user_hash)
                                 .order_by(Comment.ts.desc()).limit(VIEWER_COMMENTS)).all()
                comments = [{"ts": r.ts, "text": r.text, "slug": r.slug, "platform": r.platform}
                            for r in reversed(rows)]
                others = s.scalars(select(Case).where(Case.show_id == show_id, Case.user_hash == c.user_hash,
                                                      Case.id != c.id).order_by(Case.created_at)).all()
            else:
                others = []
            return {"case": case_dict(c, now), "comments": comments,
                    "other_cases": [case_dict(o, now) for o in others]}

    def claim(self, show_id: str, case_id: int, agent: str) -> dict:
        """Take an open case (claiming one's own again is fine); Conflict when another agent has it or it is closed."""
        now = time.time()
        with self.db.session() as s:
            c = self._case(s, show_id, case_id, lock=True)
            if c.state in CLOSED:
                raise Conflict(f"case {case_id} is already {c.state}", case=case_dict(c, now))
            if c.agent and c.agent != agent:
                raise Conflict(f"case {case_id} is claimed by {c.agent}", case=case_dict(c, now))
            if c.state == "open":
                c.state, c.agent, c.claimed_at = "claimed", agent, now
            out = case_dict(c, now)
        self.on_change(show_id)
        return out

    def mark(self, show_id: str, case_id: int, agent: str, state: str) -> dict:
        """contacted / resolved / not_ours, by the agent who has the case (an open case is claimed on the way)."""
        if state not in MARKS:
            raise Invalid(f"state must be one of {', '.join(MARKS)}")
        now = time.time()
        with self.db.session() as s:
            c = self._case(s, show_id, case_id, lock=True)
            if c.agent and c.agent != agent:
                raise Conflict(f"case {case_id} is claimed by {c.agent}", case=case_dict(c, now))
            if c.state in CLOSED:
                raise Conflict(f"case {case_id} is already {c.state}", case=case_dict(c, now))
            if c.state == "contacted" and state == "contacted":
                return case_dict(c, now)
            if c.claimed_at is None:
                c.claimed_at = now
            c.agent = c.agent or agent  # a case its agent left behind (hand_back) is whoever closes it
            if state == "contacted":
                c.contacted_at = now
            else:
                c.closed_at = now
            c.state = state
            out = case_dict(c, now)
            normalized = c.normalized
        if state == "not_ours" and self.on_not_ours is not None:
            self.on_not_ours(normalized)
        self.on_change(show_id)
        return out

    def hand_back(self, show_id: str, agents: list[str]) -> dict:
        """Agents who leave a show (their squad moved) leave its cases to the show's queue: a claimed case is open
        again (claim cleared, age kept: an old one is red at once), a contacted one stays contacted with no agent,
        for whoever works the show to close. Returns {"reopened", "released"}."""
        if not agents:
            return {"reopened": 0, "released": 0}
        with self.db.session() as s:
            mine = (Case.show_id == show_id, Case.agent.in_(agents))
            reopened = s.execute(update(Case).where(*mine, Case.state == "claimed")
                                 .values(state="open", agent=None, claimed_at=None)).rowcount
            released = s.execute(update(Case).where(*mine, Case.state == "contacted").values(agent=None)).rowcount
        if reopened or released:
            self.on_change(show_id)
        return {"reopened": reopened, "released": released}

    def not_ours_texts(self) -> set[str]:
        """What the crew taught: texts of the cases marked not ours (the triage stops routing them)."""
        with self.db.session() as s:
            return set(s.scalars(select(Case.normalized).where(Case.state == "not_ours", Case.normalized != ""))
                       .all())

    @staticmethod
    def _case(s, show_id: str, case_id: int, lock: bool = False) -> Case:
        q = select(Case).where(Case.id == case_id, Case.show_id == show_id)
        c = s.scalar(q.with_for_update() if lock else q)
        if c is None:
            raise NotFound(f"no case {case_id} in show {show_id}")
        return c

    # -- the lead's figures ------------------------------------------------------------------------------------

    def figures(self, show_id: str, now: float | None = None) -> dict:
        now = time.time() if now is None else now
        with self.db.session() as s:
            show = s.get(Show, show_id)
            if show is None:
                raise NotFound(f"no show {show_id}")
            cases = s.execute(select(Case.state, Case.created_at, Case.claimed_at, Case.closed_at, Case.kind)
                              .where(Case.show_id == show_id)).all()
            start = show.started_at or min((c.created_at for c in cases), default=now)
            end = show.ended_at or now
            baseline = self._baseline(s, start, end)
        touches = [c.claimed_at - c.created_at for c in cases if c.claimed_at is not None]
        # A case still open within its 3 minutes is undecided: it counts neither way yet.
        decided = [c for c in cases if c.claimed_at is not None or now - c.created_at >= TOUCH_TARGET]
        in_time = sum(1 for c in decided if c.claimed_at is not None and c.claimed_at - c.created_at <= TOUCH_TARGET)
        resolved = sum(1 for c in cases if c.state == "resolved")
        hours = max(end - start, 0.0) / 3600
        by_state = {st: sum(1 for c in cases if c.state == st) for st in STATES}
        return {"show": show_id, "cases": len(cases), "by_state": by_state,
                "by_kind": {k: sum(1 for c in cases if c.kind == k) for k in ("personal", "angry")},
                "first_touch_p50": percentile(touches, 0.5), "first_touch_p90": percentile(touches, 0.9),
                "touched_in_target": in_time, "touch_decided": len(decided),
                "touch_rate_3m": round(in_time / len(decided), 4) if decided else None,
                "resolved": resolved, "hours": round(hours, 4),
                "resolved_per_hour": round(resolved / hours, 2) if hours > 0 else None,
                "target_seconds": TOUCH_TARGET, "window": {"start": start, "end": end}, "baseline": baseline}

    @staticmethod
    def _baseline(s, start: float, end: float) -> dict:
        """The one-to-one channel's first-response wait over the show's window, or the day before it."""
        def contacts(lo: float, hi: float):
            return s.execute(select(OneToOneContact.wait_seconds).where(
                OneToOneContact.ts >= lo, OneToOneContact.ts < hi)).scalars().all()
        source, lo, hi = "show", start, end
        waits = contacts(lo, hi)
        if not waits:
            source, lo, hi = "day_before", start - BASELINE_BEFORE, start
            waits = contacts(lo, hi)
        known = [w for w in waits if w is not None]
        hours = (hi - lo) / 3600
        return {"source": source if waits else None, "contacts": len(waits), "with_wait": len(known),
                "wait_p50": percentile(known, 0.5), "wait_p90": percentile(known, 0.9),
                "within_target": round(sum(w <= TOUCH_TARGET for w in known) / len(known), 4) if known else None,
                "handled_per_hour": round(len(waits) / hours, 2) if waits and hours > 0 else None,
                "window": {"start": lo, "end": hi}}


def count_open(db, show_id: str) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Case).where(Case.show_id == show_id, Case.state == "open"))
