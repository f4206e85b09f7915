"""Lead pages: the live deflection dashboard of a show and its printable report."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, render_template, request

from studio.http import i18n
from studio.analytics.report import DEFINITIONS
from studio.http.report_request import report_for_request
from studio.http.context import show_or_404
from studio.errors import Invalid
from studio.access.auth import require_page

bp = Blueprint("lead", __name__)

i18n.add({
    "lead.title": ("客服分流看板", "Deflection dashboard"),
    "lead.report": ("打印报告", "Printable report"),
    "lead.report_title": ("客服分流报告", "Deflection report"),
    "lead.live": ("直播中", "Live"),
    "lead.ended": ("已结束", "Ended"),
    "lead.planned": ("未开播", "Planned"),
    "lead.window": ("统计窗口", "Window"),
    "lead.updated": ("更新于", "Updated"),
    "lead.tz": ("时区", "Time zone"),
    "lead.score": ("自助服务比", "Self-service score"),
    "lead.share": ("自助解决占比", "Self-service share"),
    "lead.deflected": ("减少的一对一咨询（估计）", "Deflected contacts (estimate)"),
    "lead.contacts": ("一对一咨询", "One-to-one contacts"),
    "lead.people": ("人", "people"),
    "lead.viewers": ("打开解答页的观众", "Solution page viewers"),
    "lead.self_served": ("自助解决", "self-served"),
    "lead.chart_demand": ("评论需求（匹配到问题的评论）", "Demand (comments matched to items)"),
    "lead.on_air_hint": ("深色 = 正在讲解", "dark = answer on air"),
    "lead.chart_pages": ("解答页浏览", "Solution page views"),
    "lead.chart_contacts": ("一对一咨询量", "One-to-one contacts"),
    "lead.chart_deflection": ("累计减少的咨询（估计）", "Deflected contacts, cumulative (estimate)"),
    "lead.funnel": ("问题漏斗", "Funnel per item"),
    "lead.csv": ("导出 CSV", "Export CSV"),
    "lead.col_number": ("链接", "Link"),
    "lead.col_question": ("问题", "Question"),
    "lead.col_asked": ("评论问到", "Asked"),
    "lead.col_on_air": ("讲解（秒）", "On air (s)"),
    "lead.col_views": ("浏览人数", "Page viewers"),
    "lead.col_yes": ("有用", "Helpful"),
    "lead.col_no": ("没用", "Not helpful"),
    "lead.col_escalations": ("转人工", "Escalations"),
    "lead.col_contacts": ("一对一", "One-to-one"),
    "lead.col_deflected": ("减少（估计）", "Deflected (est.)"),
    "lead.col_score": ("值得讲", "Worth next"),
    "lead.next": ("值得接下来讲", "Worth answering next"),
    "lead.wait": ("等待时间影响（Erlang C）", "Wait-time impact (Erlang C)"),
    "lead.agents": ("在岗客服（人）", "Agents on duty"),
    "lead.aht": ("平均处理时长（秒）", "Average handle time (s)"),
    "lead.apply": ("计算", "Calculate"),
    "lead.with_show": ("有直播", "With the show"),
    "lead.without_show": ("没有直播", "Without the show"),
    "lead.per_hour": ("每小时咨询", "Contacts per hour"),
    "lead.asa": ("平均等待", "Average wait"),
    "lead.sl": ("180 秒内接起", "Answered within 180 s"),
    "lead.p_wait": ("需要排队的比例", "Share who wait"),
    "lead.needed": ("达标所需客服", "Agents needed for target"),
    "lead.saturated": ("超负荷：队列每小时增加 {n} 人", "Overloaded: the queue grows by {n} an hour"),
    "lead.segments": ("直播讲解记录", "On-air answers"),
    "lead.baseline": ("基线", "Baseline"),
    "lead.no_data": ("还没有数据", "No data yet"),
    "lead.print": ("打印", "Print"),
    "lead.definitions": ("指标定义", "Definitions"),
})


# The analytics give reasons in English (API clients read them); the pages show them in the lead's language.
REASONS_ZH = {
    "not answered on air": "未上播讲解",
    "no one-to-one data in the baseline period": "基线期间没有一对一咨询数据",
    "no one-to-one contacts in the window": "窗口内没有一对一咨询",
    "no page views and no contacts yet": "还没有浏览和咨询",
    "the chosen show has no recorded activity": "所选往期直播没有数据",
    "enter agents on duty and the average handle time": "请填写在岗客服人数和平均处理时长",
    "the show has no recorded activity yet": "这场直播还没有数据",
}


def _reason(text: str | None) -> str:
    if not text:
        return ""
    return REASONS_ZH.get(text, text) if i18n.current_lang() == "zh" else text


def _localtime(ts: float | None, tz, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return datetime.fromtimestamp(ts, tz).strftime(fmt) if ts is not None else "—"


@bp.get("/lead/<show_id>")
@require_page("lead")
def dashboard(show_id: str):
    show = show_or_404(show_id)
    lang = i18n.current_lang()
    strings = {k.removeprefix("lead."): i18n.translate(k) for k in i18n.STRINGS if k.startswith("lead.")}
    strings["reasons"] = {en: _reason(en) for en in REASONS_ZH}
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
    return render_template("lead/report.html", r=data, tz_name=str(tz),
                           reason=_reason, local=lambda ts, fmt="%Y-%m-%d %H:%M": _localtime(ts, tz, fmt),
                           definitions={k: v[lang] for k, v in data["definitions"].items()})
