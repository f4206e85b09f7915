"""Many rooms at once: a host, producer or agent assigned to shows reaches only those shows' console, rundown,
specialist queue (desk), replies and API (403 elsewhere); admins, leads and API tokens reach every show. Checked
once per request, before any handler, from the show id in the path, so no endpoint can forget it."""
from __future__ import annotations

import re

from flask import Flask, abort, current_app, g, jsonify, request

from studio.access.auth import current_principal
from studio.store.staff import shows_for

RESTRICTED_ROLES = ("host", "producer", "agent")
# Paths that are about one show: its pages and its API.
SHOW_PATHS = re.compile(r"^/(?:console|producer|desk|replies)/(?P<a>[a-z0-9][a-z0-9-]{0,31})(?:/|$)"
                        r"|^/api/shows/(?P<b>[a-z0-9][a-z0-9-]{0,31})(?:/|$)")
NOT_SHOWS = {"catalog"}  # /producer/catalog is the catalog editor


def visible_shows() -> set[str] | None:
    """The shows this request's principal may see; None: all of them."""
    if "visible_shows" in g:
        return g.visible_shows
    # Without a session cookie no staff account is asking; not touching the session keeps public answers cacheable
    # (no Vary: Cookie).
    if current_app.config.get("SESSION_COOKIE_NAME", "session") not in request.cookies:
        return None
    p = current_principal()
    shows = None
    if p is not None and p.via == "session" and p.role in RESTRICTED_ROLES:
        shows = shows_for(current_app.extensions["studio"].db, p.name)
    g.visible_shows = shows
    return shows


def may_see(show_id: str) -> bool:
    shows = visible_shows()
    return shows is None or show_id in shows


def init_rooms(app: Flask) -> None:
    @app.before_request
    def _assigned_shows_only():
        m = SHOW_PATHS.match(request.path)
        if m is None:
            return None
        show_id = m.group("a") or m.group("b")
        if show_id in NOT_SHOWS or may_see(show_id):
            return None
        if request.path.startswith("/api/"):
            resp = jsonify(error="you are not assigned to this show")
            resp.status_code = 403
            return resp
        abort(403, "you are not assigned to this show")
