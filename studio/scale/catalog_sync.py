"""Catalog changes reach every process when the studio is scaled out.

The process that committed a change publishes "catalog changed" on Redis; every other process runs the catalog's
change listeners (the matcher rebuilds, page and on-air caches drop). A message can be lost (Redis restarting, a
change made by `studio catalog import` while Redis was away), so each process also reads a cheap fingerprint of the
catalog table every few seconds and refreshes when it moved. Without STUDIO_REDIS_URL, `LocalCatalogSync` does nothing.
"""
from __future__ import annotations

import logging
import secrets
import time

from redis.exceptions import RedisError

from studio.scale.redis_link import TIMEOUT, connect, key_prefix

log = logging.getLogger(__name__)

POLL = 5.0  # seconds between fingerprint reads


class LocalCatalogSync:
    """One process: every change is already local."""

    def start(self, spawn) -> None:
        pass

    def stop(self) -> None:
        pass


class CatalogSync:
    @staticmethod
    def for_config(config: dict, catalog) -> CatalogSync | LocalCatalogSync:
        url = config.get("REDIS_URL")
        return CatalogSync(url, key_prefix(config["DATABASE_URL"]), catalog) if url else LocalCatalogSync()

    def __init__(self, redis_url: str, prefix: str, catalog, poll: float = POLL):
        self.redis = connect(redis_url)
        self._listener = connect(redis_url, TIMEOUT + 1.0)  # waits up to a second per read: its socket outlasts that
        self.channel = f"{prefix}catalog"
        self.catalog = catalog
        self.poll = poll
        self.token = secrets.token_hex(8)  # our own messages come back to us: skip them
        self._fingerprint: tuple | None = None
        self._running = False
        catalog.on_local_change(self.publish)

    def publish(self) -> None:
        """After this process committed a change (its own listeners have run)."""
        self._fingerprint = self._read_fingerprint()
        try:
            self.redis.publish(self.channel, self.token)
        except RedisError as e:  # the other processes' fingerprint polls notice it instead
            log.warning("could not announce a catalog change (%s)", type(e).__name__)

    def start(self, spawn) -> None:
        if not self._running:
            self._running = True
            self._fingerprint = self._read_fingerprint()
            spawn(self._run)

    def stop(self) -> None:
        self._running = False

    def _run(self) -> None:
        pubsub = None
        next_poll = time.monotonic() + self.poll
        while self._running:
            try:
                if pubsub is None:
                    pubsub = self._listener.pubsub(ignore_subscribe_messages=True)
                    pubsub.subscribe(self.channel)
                message = pubsub.get_message(timeout=1.0)
                if message is not None and message.get("data") != self.token:
                    self._refresh(self._read_fingerprint())
            except RedisError:
                pubsub = self._close(pubsub)
                time.sleep(1.0)
            if time.monotonic() >= next_poll:
                next_poll = time.monotonic() + self.poll
                fingerprint = self._read_fingerprint()
                if fingerprint is not None and fingerprint != self._fingerprint:
                    self._refresh(fingerprint)
        self._close(pubsub)

    def _refresh(self, fingerprint: tuple | None) -> None:
        self._fingerprint = fingerprint
        log.info("catalog changed in another process: refreshing")
        try:
            self.catalog.changed_elsewhere()
        except Exception:  # a failing listener must not end the sync
            log.exception("catalog listeners failed")

    def _read_fingerprint(self) -> tuple | None:
        try:
            return self.catalog.fingerprint()
        except Exception:  # noqa: BLE001 - database away: the next poll tries again
            return None

    @staticmethod
    def _close(pubsub) -> None:
        if pubsub is not None:
            try:
                pubsub.close()
            except (RedisError, OSError):
                pass
        return None
