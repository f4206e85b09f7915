"""Staff logins (session cookie), API tokens (Bearer) and role checks for pages, APIs and sockets."""
from __future__ import annotations

import functools
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, current_app, g, jsonify, redirect, request, session, url_for
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from studio.access.hashing import new_token, token_digest
from studio.store.models import ApiToken, User, utcnow

ROLES = ("producer", "host", "lead", "agent", "admin", "ingest")
LOGIN_ROLES = ("producer", "host", "lead", "agent", "admin")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Principal:
    name: str
    role: str
    via: str  # "session" or "token"

    def has(self, roles: tuple[str, ...]) -> bool:
        return self.role == "admin" or self.role in roles


def create_user(db, name: str, password: str, role: str) -> None:
    if role not in LOGIN_ROLES:
        raise ValueError(f"role must be one of {', '.join(LOGIN_ROLES)}")
    if not name or len(name) > 64:
        raise ValueError("name must be 1-64 characters")
    if len(password) < 8:
        raise ValueError("password must be at least 8 characters")
    with db.session() as s:
        user = s.scalar(select(User).where(User.name == name))
        if user is None:
            s.add(User(name=name, password_hash=generate_password_hash(password), role=role))
        else:
            user.password_hash, user.role, user.active = generate_password_hash(password), role, True
            user.session_epoch += 1


def check_login(db, name: str, password: str) -> User | None:
    with db.session() as s:
        user = s.scalar(select(User).where(User.name == name, User.active.is_(True)))
        if user and check_password_hash(user.password_hash, password):
            return user
    return None


def create_token(db, role: str, label: str = "") -> str:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    token = new_token()
    with db.session() as s:
        s.add(ApiToken(token_hash=token_digest(token), prefix=token[:10], role=role, label=label))
    return token


def revoke_token(db, token_or_prefix: str) -> int:
    with db.session() as s:
        rows = s.scalars(select(ApiToken).where(
            (ApiToken.token_hash == token_digest(token_or_prefix)) | (ApiToken.prefix == token_or_prefix),
            ApiToken.revoked_at.is_(None))).all()
        for t in rows:
            t.revoked_at = utcnow()
        return len(rows)


def principal_from_token(db, token: str) -> Principal | None:
    with db.session() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token),
                                              ApiToken.revoked_at.is_(None)))
        if row is None:
            return None
        return Principal(name=f"token:{row.prefix}", role=row.role, via="token")


def session_principal() -> Principal | None:
    """The staff login of the request's session cookie, if it is still current (not logged out)."""
    if session.get("user") and _session_current(session["user"], session.get("epoch")):
        return Principal(name=session["user"], role=session.get("role", ""), via="session")
    return None


def still_current(p: Principal, epoch) -> bool:
    """A session principal taken at a socket's connect is still valid now (a logout everywhere ends it)."""
    return p.via != "session" or _session_current(p.name, epoch)


def current_principal() -> Principal | None:
    if "principal" in g:
        return g.principal
    p = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        p = principal_from_token(current_app.extensions["studio"].db, header[7:].strip())
    else:
        p = session_principal()
    g.principal = p
    return p


_EPOCHS: dict[str, tuple[float, int | None]] = {}
EPOCH_TTL = 5.0  # a logout reaches every process within this many seconds


def _session_current(name: str, epoch) -> bool:
    """The cookie's epoch is the user's current one (and the user is active): logout ends copied cookies too."""
    now = time.monotonic()
    cached = _EPOCHS.get(name)
    if cached is None or now - cached[0] > EPOCH_TTL:
        with current_app.extensions["studio"].db.session() as s:
            row = s.execute(select(User.session_epoch, User.active).where(User.name == name)).first()
        cached = _EPOCHS[name] = (now, row.session_epoch if row and row.active else None)
    return cached[1] is not None and cached[1] == epoch


def end_sessions(db, name: str) -> None:
    """Log the user out everywhere."""
    with db.session() as s:
        user = s.scalar(select(User).where(User.name == name))
        if user is not None:
            user.session_epoch += 1
    _EPOCHS.pop(name, None)


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def csrf_ok() -> bool:
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
    return bool(sent) and hmac.compare_digest(sent, session.get("csrf", ""))


def login_session(user: User) -> None:
    session.clear()  # a fresh session on login: no fixation
    session["user"], session["role"], session["epoch"] = user.name, user.role, user.session_epoch
    session.permanent = True
    csrf_token()


def api_error(status: int, message: str):
    resp = jsonify(error=message)
    resp.status_code = status
    return resp


def require_api(*roles: str) -> Callable:
    """JSON API guard: 401 without credentials, 403 with the wrong role or a missing CSRF token on a session write."""
    def deco(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*a, **kw):
            p = current_principal()
            if p is None:
                return api_error(401, "authentication required: log in or send Authorization: Bearer <token>")
            if not p.has(roles):
                return api_error(403, f"this needs the role {' or '.join(roles)}")
            if p.via == "session" and request.method not in SAFE_METHODS and not csrf_ok():
                return api_error(403, "missing or wrong CSRF token (X-CSRF-Token header)")
            return fn(*a, **kw)
        return wrapper
    return deco


def require_page(*roles: str) -> Callable:
    """Staff page guard: redirect to the login page, 403 page for the wrong role."""
    def deco(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*a, **kw):
            p = current_principal()
            if p is None or p.via != "session":
                return redirect(url_for("staff.login", next=request.full_path))
            if not p.has(roles):
                abort(403)
            return fn(*a, **kw)
        return wrapper
    return deco
