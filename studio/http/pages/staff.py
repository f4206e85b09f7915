"""Staff login and the staff home page (shows and links to each audience's page)."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for

from studio.access.auth import LOGIN_ROLES, check_login, csrf_ok, end_sessions, login_session, require_page
from studio.http.context import studio
from studio.store.shows import list_shows

bp = Blueprint("staff", __name__)


def _safe_next(target: str | None) -> str:
    # Only same-site paths: a crafted ?next= must not send a fresh login elsewhere.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("staff.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        if not csrf_ok():
            error = "login.failed"
        else:
            user = check_login(studio().db, request.form.get("name", "")[:64],
                               request.form.get("password", "")[:200])
            if user:
                login_session(user)
                return redirect(_safe_next(request.args.get("next")))
            error = "login.failed"
    return render_template("login.html", error=error), (401 if error else 200)


@bp.post("/logout")
def logout():
    if csrf_ok():
        if session.get("user"):
            end_sessions(studio().db, session["user"])
        session.clear()
    return redirect(url_for("staff.login"))


@bp.get("/")
@require_page(*LOGIN_ROLES)
def home():
    return render_template("home.html", shows=list_shows(studio().db))
