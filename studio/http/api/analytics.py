"""Deflection analytics API (leads) and the one-to-one traffic endpoints (webhook, CSV upload, topic mappings)."""
from __future__ import annotations

import csv
import io
import threading
import time
from dataclasses import replace
from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, Response, jsonify, request

from studio.analytics import contacts
from studio.analytics.report import NoBaselineShow, Params, deflection_report
from studio.access.auth import api_error, require_api
from studio.http.context import json_body, studio
from studio.errors import Invalid

bp = Blueprint("api_analytics", __name__, url_prefix="/api")

CACHE_SECONDS = 3.0  # several leads refreshing every few seconds share one computation
_cache: dict[tuple, tuple[float, dict]] = {}
_cache_lock = threading.Lock()

CSV_COLUMNS = ("number", "slug", "question", "asked", "on_air_seconds", "first_on_air", "unique_page_views",
               "helpful_yes", "helpful_no", "escalations", "one_to_one_contacts", "deflected_contacts_estimate",
               "deflected_low", "deflected_high", "worth_score")


def lead_timezone(name: str | None) -> tzinfo:
    """The lead's IANA time zone (?tz=Asia/Shanghai); UTC when absent."""
    if not name:
        return timezone.utc
    try:
        return ZoneInfo(name[:64])
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"unknown time zone {name[:64]!r} (use an IANA name such as Asia/Shanghai)")


def _number(name: str, cast, lo: float, hi: float):
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        value = cast(raw)
    except ValueError:
        raise Invalid(f"{name} must be a number")
    if not lo <= value <= hi:
        raise Invalid(f"{name} must be between {lo:g} and {hi:g}")
    return value


def report_params(tz: tzinfo) -> Params:
    """Query parameters shared by the JSON report, the CSV export and the printable report."""
    now = time.time()
    baseline_show = request.args.get("baseline_show", "").strip() or None
    return Params(now=now, bucket=_number("bucket", int, 60, 86400),
                  tz_offset=datetime.fromtimestamp(now, tz).utcoffset().total_seconds(),
                  baseline_hours=_number("baseline_hours", float, 0.5, 24 * 90) or 24.0,
                  baseline_show=baseline_show[:32] if baseline_show else None,
                  agents=_number("agents", int, 1, 100_000), aht=_number("aht", float, 1, 86400),
                  target_seconds=_number("target", float, 0, 86400) or 180.0,
                  service_target=_number("service_target", float, 0.01, 0.99) or 0.8)


def cached_report(show_id: str, params: Params) -> dict:
    key = (show_id, replace(params, now=0.0))  # every parameter but the clock
    with _cache_lock:
        hit = _cache.get(key)
        if hit and hit[0] > params.now:
            return hit[1]
    result = deflection_report(studio().db, show_id, params)
    with _cache_lock:
        if len(_cache) > 64:
            _cache.clear()
        _cache[key] = (params.now + CACHE_SECONDS, result)
    return result


def report_for_request(show_id: str) -> tuple[dict, tzinfo]:
    """The (cached) report for this request's query parameters, and the lead's time zone; Invalid otherwise."""
    tz = lead_timezone(request.args.get("tz"))
    try:
        return cached_report(show_id, report_params(tz)), tz
    except NoBaselineShow as e:
        raise Invalid(f"baseline show '{e}' does not exist", 404)


@bp.get("/shows/<show_id>/deflection")
@require_api("lead")
def deflection(show_id: str):
    """The deflection report. Query parameters, all optional: tz (IANA zone; buckets start on its local clock),
    bucket (seconds), baseline_hours (default 24) or baseline_show (an earlier show's id), agents and aht (seconds;
    default: the contacts' mean handle time) for the Erlang C wait-time impact, target (seconds, default 180),
    service_target (0–1, default 0.8)."""
    report, _tz = report_for_request(show_id)
    return jsonify(report)


def _cell(value) -> object:
    # A cell starting with = + - @ would run as a formula in a spreadsheet; text is quoted instead.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


@bp.get("/shows/<show_id>/deflection.csv")
@require_api("lead")
def deflection_csv(show_id: str):
    report, tz = report_for_request(show_id)
    out = io.StringIO()
    out.write("\ufeff")  # spreadsheet programs read the Chinese questions correctly only with a BOM
    w = csv.writer(out)
    w.writerow(CSV_COLUMNS)
    for item in report["items"]:
        row = dict(item)
        if row["first_on_air"] is not None:
            row["first_on_air"] = datetime.fromtimestamp(row["first_on_air"], tz).isoformat(timespec="seconds")
        w.writerow([_cell(row.get(c)) for c in CSV_COLUMNS])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="deflection-{show_id}.csv"',
                             "Cache-Control": "no-store"})


@bp.post("/one-to-one/contacts")
@require_api("ingest")
def contacts_webhook():
    items = json_body(list)
    if len(items) > contacts.MAX_WEBHOOK_ITEMS:
        return api_error(413, f"at most {contacts.MAX_WEBHOOK_ITEMS} contacts per request")
    st = studio()
    return jsonify(contacts.ingest_items(st.db, items, st.pseudonym))


@bp.post("/one-to-one/import")
@require_api("lead")
def contacts_upload():
    """A helpdesk export sent as the request body (text/csv); ?tz= for times written without an offset."""
    if request.mimetype not in ("text/csv", "application/octet-stream", "text/plain"):
        return api_error(415, "send the export as the body with Content-Type: text/csv")
    tz = lead_timezone(request.args.get("tz"))
    st = studio()
    try:
        report = contacts.import_csv(st.db, io.BytesIO(request.get_data()), st.pseudonym, tz)
    except contacts.UnreadableFile as e:
        return api_error(400, str(e))
    return jsonify(report)


@bp.get("/one-to-one/topics")
@require_api("lead")
def get_topics():
    return jsonify(contacts.topics(studio().db))


@bp.put("/one-to-one/topics")
@require_api("lead")
def put_topics():
    data = json_body((dict, list))
    entries = data.get("mappings") if isinstance(data, dict) else data
    try:
        result = contacts.set_topics(studio().db, entries)
    except ValueError as e:
        return api_error(400, str(e))
    with _cache_lock:
        _cache.clear()  # mappings change every past contact's item
    return jsonify(result)
