"""Deflection analytics API (leads) and the one-to-one traffic endpoints (webhook, CSV upload, topic mappings)."""
from __future__ import annotations

import csv
import io
from datetime import datetime

from flask import Blueprint, Response, jsonify, request

from studio.access.auth import api_error, require_api
from studio.analytics import contacts
from studio.http.context import json_body, studio
from studio.http.report_request import lead_timezone, report_for_request

bp = Blueprint("api_analytics", __name__, url_prefix="/api")

CSV_COLUMNS = ("number", "slug", "question", "asked", "on_air_seconds", "first_on_air", "unique_page_views",
               "helpful_yes", "helpful_no", "escalations", "one_to_one_contacts", "deflected_contacts_estimate",
               "deflected_low", "deflected_high", "worth_score")


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
    studio().reports.clear()  # mappings change every past contact's item
    return jsonify(result)
