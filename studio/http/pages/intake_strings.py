"""Strings of the intake alarm shown on the console and the rundown when a comment source fails or goes silent
during a live show (static/js/intake/alert.js)."""
from studio.http import i18n

PREFIX = "intake."

i18n.add({
    "intake.title": ("弹幕接入异常", "Comment intake problem"),
    "intake.during_show": ("直播中：排行可能停在旧数据上", "The show is live: the ranking may be frozen on old data"),
    "intake.last": ("最后一条弹幕 {0} 前", "last comment {0} ago"),
    "intake.never": ("还没有收到弹幕", "no comment yet"),
    "intake.normal": ("平时 {0} 条/分", "usually {0}/min"),
    "intake.counts": ("重连 {0} 次 · 重启 {1} 次", "{0} reconnects · {1} restarts"),
    "intake.state_failed": ("已失败", "failed"),
    "intake.state_silent": ("异常安静", "silent"),
    "intake.state_stale": ("进程已停止上报", "stopped reporting"),
    "intake.state_down": ("连接中断", "link down"),
    "intake.do_failed": ("处理上面的错误，然后重新启动接入：studio source run …", "Fix the error above, then start the source again: studio source run …"),
    "intake.do_silent": ("正在检测连接；若持续安静，请确认直播间仍在推流、弹幕未关闭", "The link is being checked; if it stays quiet, check the room is still streaming and comments are open"),
    "intake.do_stale": ("接入进程不见了：在运行它的机器上重新启动 studio source run …", "The adapter process is gone: start studio source run … again on its machine"),
    "intake.do_down": ("正在自动重连；这段时间的弹幕可能缺失", "Reconnecting by itself; comments of this time may be missing"),
})

# The lead's view of the same outages (dashboard and printable report).
i18n.add({
    "lead.intake_gaps": ("弹幕接入中断", "Intake gaps"),
    "lead.intake_gaps_def": ("这些时段某个弹幕来源没有送达弹幕：其间的需求下降是故障，不是分流效果。",
                             "A comment source delivered nothing in these stretches: a dip in demand there is an "
                             "outage, not deflection."),
    "lead.gap_source": ("来源", "Source"),
    "lead.gap_start": ("开始", "Start"),
    "lead.gap_end": ("结束", "End"),
    "lead.gap_seconds": ("秒", "Seconds"),
    "lead.gap_reason": ("原因", "Reason"),
})
