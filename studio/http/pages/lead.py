"""Lead pages: the live deflection dashboard of a show and its printable report."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, render_template, request

from studio.access.auth import require_page
from studio.analytics.report import DEFINITIONS, REASONS
from studio.errors import Invalid
from studio.http import i18n
from studio.http.context import show_or_404, studio
from studio.http.report_request import report_for_request
from studio.ladder.proof import tier_shares

bp = Blueprint("lead", __name__)
TIERS = ("answered_in_chat", "answered_on_air", "handled_by_specialist", "escalated_to_one_to_one")


def _reason(code: str | None, text: str | None = None) -> str:
    """Why a figure is missing, in the lead's language: the message files translate the analytics' reason code;
    English (or a code no file knows) is the analytics' own sentence."""
    if not code:
        return text or ""
    return i18n.lookup(f"reason.{code}", i18n.current_lang()) or REASONS.get(code) or text or code


def _localtime(ts: float | None, tz, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return datetime.fromtimestamp(ts, tz).strftime(fmt) if ts is not None else "—"


@bp.get("/lead/<show_id>")
@require_page("lead")
def dashboard(show_id: str):
    show = show_or_404(show_id)
    lang = i18n.current_lang()
    strings = i18n.strings_for("lead.", "status.")
    strings.update({f"reason.{code}": _reason(code) for code in REASONS})
    return render_template("lead/dashboard.html", show=show, strings=strings,
                           definitions={k: v[0 if lang == "zh" else 1] for k, v in DEFINITIONS.items()},
                           tz=request.args.get("tz", "")[:64])


@bp.get("/lead/<show_id>/report")
@require_page("lead")
def report(show_id: str):
    try:
        data, tz = report_for_request(show_id)
    except Invalid as e:
        abort(e.status, e.message)
    lang = i18n.current_lang()
    return render_template("lead/report.html", r=data, tz_name=str(tz), tiers=tier_shares(studio().db, show_id),
                           tier_names=TIERS,
                           reason=_reason, local=lambda ts, fmt="%Y-%m-%d %H:%M": _localtime(ts, tz, fmt),
                           definitions={k: v[lang] for k, v in data["definitions"].items()})
