"""A lead's report request: the query parameters the JSON report, the CSV export and the printable page share."""
from __future__ import annotations

import time
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import request

from studio.analytics.report import NoBaselineShow, Params
from studio.errors import Invalid
from studio.http.context import studio


def lead_timezone(name: str | None) -> tzinfo:
    """The lead's IANA time zone (?tz=Asia/Shanghai); UTC when absent."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name[:64])
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"unknown time zone {name[:64]!r} (use an IANA name such as Asia/Shanghai)") from None


def _number(name: str, cast, lo: float, hi: float):
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        value = cast(raw)
    except ValueError:
        raise Invalid(f"{name} must be a number") from None
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


def report_for_request(show_id: str) -> tuple[dict, tzinfo]:
    """The (cached) report for this request's query parameters, and the lead's time zone; Invalid otherwise."""
    tz = lead_timezone(request.args.get("tz"))
    try:
        report = studio().reports.get(show_id, report_params(tz))
        # Outages beside the figures, so a dip in demand there is not read as deflection.
        return {**report, "intake_gaps": studio().intake.show_gaps(show_id)}, tz
    except NoBaselineShow as e:
        raise Invalid(f"baseline show '{e}' does not exist", 404) from e
