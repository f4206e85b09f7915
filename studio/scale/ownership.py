"""Which process owns a show's live state (its demand board and emerging questions).

One process (the embedded default): it owns every show, nothing to coordinate (`LocalOwnership`).

Scaled out: each show has exactly one owner at a time, the holder of a lease in Redis (`LeaseOwnership`).
`SET key token NX PX ttl` takes it; the owner renews it every ttl/3 with a compare-and-renew script (only while the
key still holds its own token) and deletes it on a graceful stop. When the owner dies the lease runs out, and a
process that has seen the show lately takes it over by itself at its next attempt (every ttl/3).

Why a Redis lease rather than a PostgreSQL advisory lock: an advisory lock belongs to a database session, so an owner
would pin one connection per show for the whole show, and a lock held by a process that vanished without closing its
socket lives until TCP keepalive notices, minutes later. A lease ends on a clock we choose (seconds), all of a
process's renewals go in one pipelined round trip, and the processes use Redis anyway for Socket.IO. The price is
that an owner must stop acting as one before its lease can have run out: when renewals fail (Redis away) it gives
the show up after 2/3 of the ttl, counted from the last renewal it sent that succeeded.
"""
from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections.abc import Callable
from typing import Protocol

from redis.exceptions import RedisError

from studio.scale.redis_link import connect, key_prefix
from studio.scale.show_bus import LocalBus, ShowBus

log = logging.getLogger(__name__)

LEASE_TTL = 3.0  # seconds; a dead owner's shows move within about this long plus one attempt interval
WATCH_FOR = 900.0  # a process competes for a show it has seen in the last 15 minutes
Listener = Callable[[str], None]
Spawn = Callable[..., object]

# KEYS[1] lease, ARGV[1] our token, ARGV[2] ttl ms. Renew or release only a lease that is still ours.
RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class Ownership(Protocol):
    def watch(self, show_id: str) -> bool: ...  # note interest in the show; True when this process owns it
    def owns(self, show_id: str) -> bool: ...
    def release(self, show_id: str) -> None: ...
    def on_gain(self, fn: Listener) -> None: ...
    def on_lose(self, fn: Listener) -> None: ...
    def start(self, spawn: Spawn) -> None: ...
    def stop(self) -> None: ...


class LocalOwnership:
    """The only process: owner of every show, always."""

    def watch(self, show_id: str) -> bool:
        return True

    def owns(self, show_id: str) -> bool:
        return True

    def release(self, show_id: str) -> None:
        pass

    def on_gain(self, fn: Listener) -> None:
        pass  # never gained: always held

    def on_lose(self, fn: Listener) -> None:
        pass

    def start(self, spawn: Spawn) -> None:
        pass

    def stop(self) -> None:
        pass


class LeaseOwnership:
    def __init__(self, redis_url: str, prefix: str, ttl: float = LEASE_TTL, watch_for: float = WATCH_FOR):
        self.redis = connect(redis_url)
        self.prefix = f"{prefix}owner:"
        self.ttl = ttl
        self.watch_for = watch_for
        self.token = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._owned: dict[str, float] = {}  # show → monotonic time the last successful take/renewal was sent
        self._watched: dict[str, float] = {}  # show → monotonic time of the last interest
        self._gain: list[Listener] = []
        self._lose: list[Listener] = []
        self._renew = self.redis.register_script(RENEW)
        self._release = self.redis.register_script(RELEASE)
        self._running = False

    def key(self, show_id: str) -> str:
        return self.prefix + show_id

    def on_gain(self, fn: Listener) -> None:
        self._gain.append(fn)

    def on_lose(self, fn: Listener) -> None:
        self._lose.append(fn)

    def owns(self, show_id: str) -> bool:
        """True only while the lease is surely ours: a renewal loop held up (a long CPU burst) must not let this
        process act as owner past the moment another one could take the show."""
        sent = self._owned.get(show_id)
        return sent is not None and time.monotonic() - sent < self.ttl * 2 / 3

    def watch(self, show_id: str) -> bool:
        """Interest in a show: the first time, try to take it at once (a new show gets an owner without waiting);
        later attempts are the background loop's."""
        first = show_id not in self._watched
        self._watched[show_id] = time.monotonic()
        if first and show_id not in self._owned:
            try:
                self._take(show_id)
            except RedisError:
                pass  # Redis away: not the owner; the loop tries again
        return self.owns(show_id)

    def release(self, show_id: str) -> None:
        """Give the show up (idle, or stopping): another process may take it at once."""
        self._watched.pop(show_id, None)
        if self._owned.pop(show_id, None) is not None:
            try:
                self._release(keys=[self.key(show_id)], args=[self.token])
            except RedisError:
                pass  # it runs out by itself within the ttl

    def start(self, spawn: Spawn) -> None:
        if not self._running:
            self._running = True
            spawn(self._run)

    def stop(self) -> None:
        self._running = False
        for show_id in list(self._owned):
            self.release(show_id)

    def _run(self) -> None:
        while self._running:
            try:
                self.cycle()
            except Exception:  # the loop must outlive any surprise, or every lease of this process would lapse
                log.exception("lease cycle failed")
            time.sleep(self.ttl / 3)

    def cycle(self) -> None:
        """One round: renew what this process owns, drop interest that went stale, compete for the rest."""
        now = time.monotonic()
        self._renew_owned()
        for show_id, seen in list(self._watched.items()):
            if show_id in self._owned:
                self._watched[show_id] = now  # interest lasts as long as ownership
            elif now - seen > self.watch_for:
                del self._watched[show_id]
        for show_id in list(self._watched):
            if show_id not in self._owned:
                try:
                    self._take(show_id)
                except RedisError:
                    return  # Redis away: the next round tries again

    def _renew_owned(self) -> None:
        shows = list(self._owned)
        if not shows:
            return
        sent = time.monotonic()
        try:
            pipe = self.redis.pipeline(transaction=False)
            for show_id in shows:
                self._renew(keys=[self.key(show_id)], args=[self.token, int(self.ttl * 1000)], client=pipe)
            results = pipe.execute()
        except RedisError as e:
            for show_id in shows:
                last = self._owned.get(show_id)
                if last is not None and sent - last >= self.ttl * 2 / 3:
                    self._lost(show_id, f"renewal failing ({type(e).__name__})")
            return
        for show_id, renewed in zip(shows, results):
            if show_id not in self._owned:
                continue  # released meanwhile
            if renewed:
                self._owned[show_id] = sent
            else:
                self._lost(show_id, "lease taken or gone (Redis restarted?)")

    def _take(self, show_id: str) -> bool:
        sent = time.monotonic()
        if not self.redis.set(self.key(show_id), self.token, nx=True, px=int(self.ttl * 1000)):
            return False
        if show_id not in self._owned:
            self._owned[show_id] = sent
            log.info("owner of show %s now (%s)", show_id, self.token)
            for fn in self._gain:
                fn(show_id)
        return True

    def _lost(self, show_id: str, why: str) -> None:
        if self._owned.pop(show_id, None) is None:
            return
        log.warning("no longer owner of show %s: %s", show_id, why)
        for fn in self._lose:
            fn(show_id)


def for_config(config: dict) -> tuple[Ownership, ShowBus | LocalBus]:
    """Lease and bus when the studio is scaled out (STUDIO_REDIS_URL set); the single-process null objects else."""
    url = config.get("REDIS_URL")
    if not url:
        return LocalOwnership(), LocalBus()
    prefix = key_prefix(config["DATABASE_URL"])
    return LeaseOwnership(url, prefix), ShowBus(url, prefix)
