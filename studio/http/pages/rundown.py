"""The producer's page for one show (/producer/<show>): the rundown, the shelf during the show, the emerging
questions, the OBS mapping and the show's comment sources."""
from __future__ import annotations

from flask import Blueprint, render_template

from studio.http import i18n
from studio.access.auth import require_page
from studio.sources.registry import RECEIVERS, ROOM_REQUIRED
from studio.http.context import show_or_404

bp = Blueprint("rundown", __name__)

i18n.add({
    "rundown.title": ("节目单", "Rundown"),
    "rundown.queue": ("待答队列", "Queue"),
    "rundown.queue_hint": ("拖动排序；选中一行后 Alt+↑/↓ 移动，Delete 移除", "Drag to reorder; on a row, Alt+↑/↓ moves it, Delete removes it"),
    "rundown.queue_empty": ("队列是空的：从右边的排行或问题库加入", "Empty: add from the ranking or the catalog"),
    "rundown.on_air": ("正在解答", "On air"),
    "rundown.ranking": ("观众在问", "Audience is asking"),
    "rundown.ranking_empty": ("还没有匹配到的提问", "No matched questions yet"),
    "rundown.emerging": ("新出现的问题（问题库里还没有）", "Emerging questions (not in the catalog)"),
    "rundown.emerging_empty": ("暂时没有", "None right now"),
    "rundown.catalog": ("问题库", "Catalog"),
    "rundown.search": ("搜索问题…", "Search questions…"),
    "rundown.add": ("加入队列", "Queue"),
    "rundown.queued": ("已在队列", "Queued"),
    "rundown.remove": ("移除", "Remove"),
    "rundown.up": ("上移", "Move up"),
    "rundown.down": ("下移", "Move down"),
    "rundown.shelf_on": ("上架", "Put on shelf"),
    "rundown.shelf_off": ("下架", "Take off shelf"),
    "rundown.make_item": ("建成问题", "Make an item"),
    "rundown.askers": ("{n} 人问", "{n} asking"),
    "rundown.conflict": ("别人刚改了节目单，已按最新的重新应用你的操作", "Someone else just changed the rundown; "
                         "your change was re-applied to theirs"),
    "rundown.new_item": ("新建问题", "New item"),
    "rundown.slug": ("链接名（英文、数字、-）", "Slug (a-z, 0-9, -)"),
    "rundown.question": ("问题", "Question"),
    "rundown.answer": ("简短回答（上屏）", "Short answer (on screen)"),
    "rundown.keywords": ("关键词（用 | 分隔）", "Keywords (separated by |)"),
    "rundown.examples": ("观众原话（每行一条）", "Viewers' phrasings (one per line)"),
    "rundown.also_shelf": ("上架到本场货架", "Put on this show's shelf"),
    "rundown.also_queue": ("加入待答队列", "Add to the queue"),
    "rundown.create": ("创建", "Create"),
    "rundown.cancel": ("取消", "Cancel"),
    "rundown.full_editor": ("在问题库编辑器里打开", "Open in the catalog editor"),
    "rundown.created": ("已创建 {n}", "Created {n}"),
    "rundown.obs": ("OBS 连接", "OBS link"),
    "rundown.obs_hint": ("让 OBS 里的文字来源跟着显示正在解答的问题（不用 OBS 文字来源时可以不设置，只用浏览器叠加层）。",
                         "Mirror the on-air question into OBS text sources (optional: browser overlays need none)."),
    "rundown.obs_host": ("主机", "Host"),
    "rundown.obs_port": ("端口", "Port"),
    "rundown.obs_password": ("WebSocket 密码", "WebSocket password"),
    "rundown.obs_password_keep": ("已保存（留空不修改）", "saved (leave empty to keep)"),
    "rundown.obs_question": ("问题文字来源", "Question text source"),
    "rundown.obs_answer": ("回答文字来源", "Answer text source"),
    "rundown.obs_scene": ("场景", "Scene"),
    "rundown.obs_item": ("解答时显示的来源", "Source shown while on air"),
    "rundown.obs_on_air_scene": ("解答时切换到的场景", "Scene to switch to when on air"),
    "rundown.obs_test": ("测试连接", "Test connection"),
    "rundown.obs_save": ("保存", "Save"),
    "rundown.obs_connected": ("已连接", "connected"),
    "rundown.obs_disconnected": ("未连接", "disconnected"),
    "rundown.obs_found": ("找到 {n} 个场景和来源，可以在下拉里选", "Found {n} scenes and sources: pick from the lists"),
    "rundown.saved": ("已保存", "Saved"),
    "rundown.overlays": ("OBS 叠加层网址", "Overlay URLs"),
    "rundown.console": ("主控台", "Host console"),
    "rundown.sources": ("评论来源", "Comment sources"),
    "rundown.sources_hint": ("直播平台的评论从这里进来：官方接口由单独的适配进程读取，抓取工具（wxlivespy、dycast、油猴脚本）发到接入网址。",
                             "Where the platforms' comments come in: official APIs are read by an adapter process, "
                             "capture tools (wxlivespy, dycast, userscripts) post to a receiver URL."),
    "rundown.sources_empty": ("还没有来源", "No sources yet"),
    "rundown.sources_connected": ("{n} 已连接", "{n} connected"),
    "rundown.src_add": ("添加来源", "Add a source"),
    "rundown.src_edit": ("修改", "Edit"),
    "rundown.src_editing": ("修改来源", "Edit source"),
    "rundown.src_platform": ("平台", "Platform"),
    "rundown.src_adapters": ("官方接口（适配进程）", "Official API (adapter process)"),
    "rundown.src_receivers": ("抓取工具（接入网址）", "Capture tool (receiver URL)"),
    "rundown.src_room": ("直播间", "Room"),
    "rundown.src_room_needed": ("必填：{n}", "required: {n}"),
    "rundown.src_more": ("更多设置（一般不用改）", "More settings (rarely changed)"),
    "rundown.src_enabled": ("启用", "Enabled"),
    "rundown.src_disabled": ("已停用", "disabled"),
    "rundown.src_remove_confirm": ("再点一次移除", "Click again to remove"),
    "rundown.src_removed": ("已移除", "Removed"),
    "rundown.src_never": ("还没有评论", "no comments yet"),
    "rundown.src_last": ("最后一条 {n} 秒前", "last message {n} s ago"),
    "rundown.src_rate": ("每分钟 {n} 条", "{n}/min"),
    "rundown.src_received": ("共收到 {n} 条", "{n} received"),
    "rundown.src_waiting": ("等待数据", "waiting"),
    "rundown.src_not_running": ("适配进程未运行", "adapter not running"),
    "rundown.src_stale": ("适配进程已失联", "adapter stopped reporting"),
    "rundown.src_state_connecting": ("连接中", "connecting"),
    "rundown.src_state_connected": ("已连接", "connected"),
    "rundown.src_state_backoff": ("重连等待中", "retrying"),
    "rundown.src_state_fatal": ("已停止（需处理）", "stopped (needs attention)"),
    "rundown.src_state_stopped": ("已停止", "stopped"),
    "rundown.src_not_saved": ("未保存配置（设置来自环境变量或命令行）", "not saved here (settings from env or command line)"),
    "rundown.src_secrets": ("已保存的密钥：{n}", "saved secrets: {n}"),
    "rundown.src_hook_new": ("生成接入网址", "Get receiver URL"),
    "rundown.src_hook_rotate": ("换新接入网址（旧的会失效）", "New receiver URL (the old one stops working)"),
    "rundown.src_hook_once": ("只显示这一次，复制到抓取工具里；旧网址已失效。", "Shown once: paste it into the capture tool; "
                              "the previous URL no longer works."),
    "rundown.src_run": ("在能访问本工作室的电脑上启动适配进程（TOKEN = studio token create --role ingest 生成的令牌）：",
                        "Start the adapter on a machine that reaches this studio (TOKEN = an ingest token from "
                        "studio token create --role ingest):"),
    "rundown.src_douyin_push": ("数据推送地址（填到抖音开发者后台）：", "Data push URL (for the Douyin developer console):"),
    "rundown.src_copy": ("复制", "Copy"),
    "rundown.src_copied": ("已复制", "Copied"),
    "rundown.src_p_bilibili": ("哔哩哔哩 开放平台", "Bilibili Open-Live"),
    "rundown.src_p_youtube": ("YouTube", "YouTube"),
    "rundown.src_p_twitch": ("Twitch", "Twitch"),
    "rundown.src_p_douyin": ("抖音 直播小玩法推送", "Douyin interactive push"),
    "rundown.src_p_kuaishou": ("快手 互动玩法", "Kuaishou interactive play"),
    "rundown.src_p_wxlivespy": ("视频号 · wxlivespy", "WeChat Channels · wxlivespy"),
    "rundown.src_p_dycast": ("抖音 · dycast", "Douyin · dycast"),
    "rundown.src_p_generic": ("通用 JSON（油猴脚本等）", "Generic JSON (userscripts…)"),
})


@bp.get("/producer/<show_id>")
@require_page("producer")
def rundown(show_id: str):
    strings = {k: i18n.translate(k) for k in i18n.STRINGS if k.startswith(("rundown.", "status."))}
    return render_template("rundown/rundown.html", show=show_or_404(show_id), strings=strings,
                           topics=["onair", "ranking", "emerging", "shelf", "health"],
                           receivers=list(RECEIVERS), room_required=ROOM_REQUIRED)
