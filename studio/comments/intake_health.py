"""Intake health across processes: every adapter's latest report, kept in the database so each studio process,
the live "health" topic and `studio source list` tell the same story, and intake gaps (a source down, backing
off, failed, silent, or no longer reporting) so an outage's dip in demand is not read as deflection.

A gap opens when a report leaves connected/receiving, or when an adapter stops reporting (stale), and closes when a
report says connected or receiving again. A capture-tool receiver has no process to report: its gap opens when a
normally busy receiver turns silent and closes with its next comment (`list` looks, and the health topic calls it
every few seconds while a show is live). A silence starts at the last comment, not when it was noticed.
`request_stop` is `studio source stop`: the answer to the adapter's next report tells it to stop."""
from __future__ import annotations

import time

from sqlalchemy import select

from studio.comments.receivers import ReceiverHealth
from studio.sources.health import LINK_UP
from studio.sources.registry import STALE_INTERVALS
from studio.sources.settings import COMMON
from studio.store.models import IntakeGap, SourceState

DELIVERING = ("connected", "receiving")
# Adapters whose comments arrive at a receiver of the studio rather than through the adapter (Douyin pushes to
# /hooks/douyin/<app>): platform → receiver. When that receiver goes silent, the adapter is asked to `renew`.
PUSHED_TO = {"douyin": "douyin"}
FINAL = ("failed", "stopped")


def _gap_start(report: dict, now: float) -> float:
    """When the source stopped delivering: its last comment for a silence, else when it changed state."""
    since = float(report.get("since") or now)
    if report.get("state") == "silent" and report.get("last_message_at"):
        return min(since, float(report["last_message_at"]))
    return since


def _receiver_reason(view: dict) -> str:
    said = [e["reason"] for e in view.get("events") or [] if e.get("kind") == "silent"]
    return f"silent: {said[-1] if said else 'no comments'} (capture receiver {view['platform']})"[:500]


def _gap_reason(report: dict) -> str:
    error = report.get("last_error") or ""
    return (report["state"] + (f": {error}" if error else ""))[:500]


class IntakeHealth:
    def __init__(self, db, receivers: ReceiverHealth):
        self.db = db
        self.receivers = receivers
        self._renewed: dict[tuple[str, str], float | None] = {}  # the silence each renewal was asked for

    # --- adapters report ---------------------------------------------------------------------------------
    def report(self, show_id: str, report: dict) -> dict:
        """Store one adapter's report; the answer tells the adapter whether to stop, or to renew its platform
        session because the receiver its comments reach went silent."""
        now = time.time()
        platform, room = report["platform"], report.get("room", "")
        with self.db.session() as s:
            row = self._row(s, show_id, platform, room)
            if row is None:
                row = SourceState(show_id=show_id, platform=platform, room=room, stop_requested=False)
                s.add(row)
            elif report["state"] == "connecting" and row.state in FINAL:
                row.stop_requested = False  # a new run of the adapter after a stop
            row.state, row.report, row.reported_at = report["state"], report, now
            self._track_gap(s, show_id, platform, room, report["state"] in DELIVERING, _gap_start(report, now),
                            _gap_reason(report))
            stop = bool(row.stop_requested)
        renew = None if stop else self._renew_for(show_id, platform)
        return {"stop": stop, **({"renew": renew} if renew else {})}

    def _renew_for(self, show_id: str, platform: str) -> str | None:
        """Why the adapter should open a new platform session (once per silence of its receiver), or None."""
        kind = PUSHED_TO.get(platform)
        view = next((v for v in self.receivers.list(show_id) if v["platform"] == kind), None) if kind else None
        if view is None or view["state"] != "silent" or self._renewed.get((show_id, platform)) == \
                view["last_message_at"]:
            return None
        self._renewed[(show_id, platform)] = view["last_message_at"]
        return f"the studio's {kind} receiver has had no push for {view['last_message_ago'] or 0:.0f} s"

    def request_stop(self, show_id: str, platform: str, room: str) -> bool:
        with self.db.session() as s:
            row = self._row(s, show_id, platform, room)
            if row is None:
                return False
            row.stop_requested = True
            return True

    @staticmethod
    def _row(s, show_id: str, platform: str, room: str) -> SourceState | None:
        return s.scalar(select(SourceState).where(SourceState.show_id == show_id, SourceState.platform == platform,
                                                  SourceState.room == room))

    @staticmethod
    def _track_gap(s, show_id: str, platform: str, room: str, delivering: bool, at: float, reason: str) -> None:
        open_gap = s.scalar(select(IntakeGap).where(
            IntakeGap.show_id == show_id, IntakeGap.platform == platform, IntakeGap.room == room,
            IntakeGap.ended_at.is_(None)))
        if delivering and open_gap is not None:
            open_gap.ended_at = max(at, open_gap.started_at)
        elif not delivering and open_gap is None:
            s.add(IntakeGap(show_id=show_id, platform=platform, room=room, started_at=at, reason=reason))

    # --- what the screens show ---------------------------------------------------------------------------
    def list(self, show_id: str, now: float | None = None) -> list[dict]:
        """Per source: platform, room, kind, state, connected, last_message_ago, per_minute, normal_per_minute,
        reconnects, restarts, events, last_error, stale (an adapter that stopped reporting)."""
        now = time.time() if now is None else now
        with self.db.session() as s:
            rows = list(s.scalars(select(SourceState).where(SourceState.show_id == show_id)))
            views = [self._view(r, now) for r in rows]
            for view in views:
                if view["stale"]:  # the process is gone: from its last report on, nothing came in
                    self._track_gap(s, show_id, view["platform"], view["room"], False, view["reported_at"],
                                    "stopped reporting (the adapter process is gone)")
            receivers = self.receivers.list(show_id)
            for view in receivers:
                if view["state"] in ("silent", *DELIVERING):
                    self._track_gap(s, show_id, view["platform"], view["room"], view["state"] != "silent",
                                    _gap_start(view, now), _receiver_reason(view))
        views.sort(key=lambda e: (e["platform"], e["room"]))
        return views + receivers

    @staticmethod
    def _view(row: SourceState, now: float) -> dict:
        entry = {**(row.report or {}), "platform": row.platform, "room": row.room, "state": row.state,
                 "kind": "adapter", "reported_at": row.reported_at, "stop_requested": row.stop_requested}
        interval = float(entry.get("health_interval") or COMMON["health_interval"].default)
        stale = row.state not in FINAL and now - row.reported_at > STALE_INTERVALS * interval
        last = entry.get("last_message_at")
        entry.update(stale=stale, connected=row.state in LINK_UP and not stale,
                     last_message_ago=round(now - last, 1) if last else None)
        return entry

    def show_gaps(self, show_id: str) -> list[dict]:
        """The gaps inside the show's on-air time (start to end, or now while it is live); NotFound if no show."""
        from studio.store.shows import get_show
        with self.db.session() as s:
            show = get_show(s, show_id)
            start, end = show.started_at, show.ended_at
        if start is None:
            return []
        return self.gaps(show_id, start, end if end is not None else time.time())

    def gaps(self, show_id: str, start: float | None = None, end: float | None = None) -> list[dict]:
        """Intake gaps of the show overlapping [start, end], clipped to it; an open gap ends at `end` (or now)."""
        now = time.time()
        with self.db.session() as s:
            rows = list(s.scalars(select(IntakeGap).where(IntakeGap.show_id == show_id)
                                  .order_by(IntakeGap.started_at)))
        out = []
        for g in rows:
            g_end = g.ended_at if g.ended_at is not None else (end or now)
            lo, hi = max(g.started_at, start or g.started_at), min(g_end, end or g_end)
            if hi <= lo:
                continue
            out.append({"platform": g.platform, "room": g.room, "start": round(lo, 3), "end": round(hi, 3),
                        "seconds": round(hi - lo, 1), "open": g.ended_at is None, "reason": g.reason})
        return out
