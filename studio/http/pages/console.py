"""The host console (/console/<show>) and the overlay URL builder (/console/<show>/overlays)."""
from __future__ import annotations

from flask import Blueprint, render_template

from studio.http.context import show_or_404
from studio.http import i18n
from studio.access.auth import require_page

bp = Blueprint("console", __name__)

i18n.add({
    "console.title": ("主控台", "Host console"),
    "console.ranking": ("观众在问", "Audience is asking"),
    "console.ranking_hint": ("按 1–9 立即解答", "press 1–9 to answer now"),
    "console.ranking_empty": ("还没有匹配到的提问", "No matched questions yet"),
    "console.onair": ("正在解答", "On air"),
    "console.idle": ("现在没有在解答的问题", "Nothing on air"),
    "console.idle_hint": ("从左侧排行或待答队列选一个问题", "Pick a question from the ranking or the queue"),
    "console.end_answer": ("结束解答", "End answer"),
    "console.next": ("下一个", "Next in queue"),
    "console.queue": ("待答队列", "Queue"),
    "console.queue_hint": ("制作人安排 · Shift+1–9 解答", "from the producer · Shift+1–9 to answer"),
    "console.queue_empty": ("队列是空的", "The queue is empty"),
    "console.health": ("信号", "Inputs"),
    "console.history": ("已解答", "Answered"),
    "console.keys": ("快捷键", "Shortcuts"),
    "console.key_rank": ("解答排行第 N 个问题", "answer ranked question N"),
    "console.key_queue": ("解答队列第 N 个问题", "answer queued question N"),
    "console.key_next": ("解答队列下一个", "answer the next in queue"),
    "console.key_end": ("结束当前解答", "end the current answer"),
    "console.start_show": ("开播", "Start show"),
    "console.end_show": ("结束直播", "End show"),
    "console.reconnecting": ("连接中断，正在重新连接… 画面可能不是最新的",
                             "Connection lost, reconnecting… the screen may be out of date"),
    "console.overlays": ("OBS 叠加层", "OBS overlays"),
    "console.rundown": ("节目单", "Rundown"),
    "console.answer": ("解答", "Answer"),
    "console.link": ("{n}号", "#{n}"),
    "console.askers": ("{n} 人问", "{n} asking"),
    "console.per_minute": ("{n} 条/分", "{n}/min"),
    "console.cooldown": ("刚答过", "just answered"),
    "console.ago": ("{n} 秒前", "{n} s ago"),
    "console.never": ("还没有评论", "no comments yet"),
    "console.no_inputs": ("还没有评论来源", "No comment source yet"),
    "console.obs_none": ("OBS 未设置（只用浏览器叠加层）", "OBS not set up (browser overlays only)"),
    "console.obs_on": ("OBS 已连接", "OBS connected"),
    "console.obs_off": ("OBS 未连接", "OBS disconnected"),
    "console.on_air_now": ("解答中", "on air"),
    "console.confirm_end": ("再按一次结束直播", "Press again to end the show"),
    "status.planned": ("未开播", "Not started"),
    "status.live": ("直播中", "LIVE"),
    "status.ended": ("已结束", "Ended"),
    "overlays.title": ("OBS 叠加层", "OBS overlays"),
    "overlays.intro": ("选好样式，复制网址，在 OBS 里添加「浏览器」来源，宽 1920 高 1080。",
                       "Pick a style, copy the URL, add a Browser source in OBS at 1920×1080."),
    "overlays.kind": ("画面", "Overlay"),
    "overlays.kind_onair": ("正在解答（问题、答案、二维码）", "On air (question, answer, QR code)"),
    "overlays.kind_ranking": ("大家都在问（排行）", "Top questions"),
    "overlays.kind_next": ("正在解答 / 下一个", "Now / up next"),
    "overlays.theme": ("主题", "Theme"),
    "overlays.accent": ("强调色", "Accent"),
    "overlays.text": ("文字颜色", "Text colour"),
    "overlays.scale": ("缩放", "Scale"),
    "overlays.position": ("位置", "Position"),
    "overlays.parts": ("显示内容", "Show"),
    "overlays.count": ("条数", "Rows"),
    "overlays.url": ("OBS 浏览器来源网址", "URL for the OBS browser source"),
    "overlays.copy": ("复制", "Copy"),
    "overlays.copied": ("已复制", "Copied"),
    "overlays.loader": ("下载离线启动页", "Download the loader file"),
    "overlays.loader_hint": ("OBS 比直播间服务器先启动时，用「本地文件」加载这个启动页：它会一直等到服务器可用再打开叠加层。",
                             "If OBS may start before the studio, load this file as a Local file: it waits until "
                             "the studio answers, then opens the overlay."),
    "overlays.preview": ("预览（棋盘格代表透明）", "Preview (checkerboard = transparent)"),
})


@bp.get("/console/<show_id>")
@require_page("host")
def console(show_id: str):
    strings = {k: i18n.translate(k) for k in i18n.STRINGS if k.startswith(("console.", "status."))}
    return render_template("console/console.html", show=show_or_404(show_id), strings=strings,
                           topics=["onair", "ranking", "health", "shelf"])


@bp.get("/console/<show_id>/overlays")
@require_page("host", "producer")
def overlays(show_id: str):
    return render_template("console/overlays.html", show=show_or_404(show_id))
