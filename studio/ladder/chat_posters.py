"""The chat posters of every show, kept in the database with their tokens sealed (studio.access.sealed), so a
restart (or another process of the scaled mode) posts as before. Each process builds its posters from the rows and
looks again every RELOAD seconds: a token set or removed elsewhere is followed within that."""
from __future__ import annotations

import json
import logging
import threading
import time

from sqlalchemy import select

from studio.access.sealed import Unreadable, seal, unseal
from studio.errors import NotFound
from studio.ladder import posters
from studio.store.models import ChatPoster, Show

log = logging.getLogger(__name__)

PURPOSE = "chat poster settings"
RELOAD = 5.0


class ChatPosters:
    def __init__(self, db, secret_key: str):
        self.db = db
        self._secret = secret_key
        self._built: dict[tuple[str, str], tuple[float, object, dict, list]] = {}  # key → (updated_at, poster, …)
        self._loaded = 0.0
        self._lock = threading.Lock()

    def set(self, show_id: str, platform: str, settings: dict, scopes: list[str]) -> None:
        sealed = seal(self._secret, PURPOSE, json.dumps(settings))
        now = time.time()
        with self.db.session() as s:
            if s.get(Show, show_id) is None:
                raise NotFound(f"no show {show_id}")
            row = s.get(ChatPoster, (show_id, platform))
            if row is None:
                s.add(ChatPoster(show_id=show_id, platform=platform, settings_sealed=sealed, scopes=scopes,
                                 updated_at=now))
            else:
                row.settings_sealed, row.scopes, row.updated_at = sealed, scopes, now
        self.reload()

    def remove(self, show_id: str, platform: str) -> None:
        with self.db.session() as s:
            row = s.get(ChatPoster, (show_id, platform))
            if row is not None:
                s.delete(row)
        self.reload()

    def get(self, show_id: str, platform: str):
        built = self._current().get((show_id, platform))
        return built[1] if built else None

    def has(self, show_id: str, platform: str) -> bool:
        return (show_id, platform) in self._current()

    def platforms(self, show_id: str) -> list[str]:
        return sorted(p for s, p in self._current() if s == show_id)

    def public(self, show_id: str) -> dict[str, dict]:
        """What may be shown: every setting but the token, which is only "set", and the token's scopes."""
        return {p: posters.public(p, settings, scopes)
                for (s, p), (_, _, settings, scopes) in sorted(self._current().items()) if s == show_id}

    def _current(self) -> dict:
        if time.monotonic() - self._loaded > RELOAD:
            try:
                self.reload()
            except Exception:  # noqa: BLE001 - the database away: the posters built last keep serving
                log.exception("reading the chat posters")
                self._loaded = time.monotonic()
        return self._built

    def reload(self) -> None:
        """Build the posters of rows new or changed since the last look; close those whose row went."""
        with self._lock:
            with self.db.session() as s:
                rows = s.execute(select(ChatPoster.show_id, ChatPoster.platform, ChatPoster.settings_sealed,
                                        ChatPoster.scopes, ChatPoster.updated_at)).all()
            built = {}
            for r in rows:
                key = (r.show_id, r.platform)
                old = self._built.get(key)
                if old is not None and old[0] == r.updated_at:
                    built[key] = old
                    continue
                try:
                    settings = json.loads(unseal(self._secret, PURPOSE, r.settings_sealed))
                    poster = posters.build(r.platform, settings, list(r.scopes or ()))
                except (Unreadable, ValueError) as e:  # another secret key, or settings no longer accepted
                    log.warning("chat poster %s/%s cannot be used (%s): set its token again", *key, e)
                    continue
                if old is not None:
                    old[1].close()
                built[key] = (r.updated_at, poster, settings, list(r.scopes or ()))
            for key, old in self._built.items():
                if key not in built:
                    old[1].close()
            self._built = built
            self._loaded = time.monotonic()
