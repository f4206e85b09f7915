"""The producer's catalog editor (/producer/catalog). The page is a client of the JSON API (/api/faq,
/api/preview, /api/catalog/*): everything it does, automation can do too, with the same checks."""
from __future__ import annotations

from flask import Blueprint, render_template

from faq_catalog.model import CATEGORIES, CATEGORY_CODES, STATUSES

from studio.http import i18n
from studio.access.auth import require_page

bp = Blueprint("producer", __name__)

# Strings the page's script shows; handed over as JSON so the script itself stays language-free.
SCRIPT_STRINGS = {
    "pc.saved": ("已保存：版本 {rev}", "Saved: revision {rev}"),
    "pc.created": ("已新建", "Created"),
    "pc.conflict": ("没有保存：在你编辑期间，别人保存了这个问题（现在是版本 {current}，你编辑的是版本 {base}）。"
                    "你的修改还在表单里。载入最新版本会用对方的内容替换表单。",
                    "Not saved: someone else saved this item while you were editing (now revision {current}, "
                    "you edited revision {base}). Your changes are still in the form; loading the newest "
                    "revision replaces them."),
    "pc.reload": ("载入最新版本", "Load the newest revision"),
    "pc.reloaded": ("已载入版本 {rev}", "Loaded revision {rev}"),
    "pc.discard": ("放弃未保存的修改？", "Discard unsaved changes?"),
    "pc.on": ("上架", "On shelf"),
    "pc.off": ("未上架", "Off shelf"),
    "pc.toggle_conflict": ("「{slug}」刚被别人改过，列表已刷新，请再试一次。",
                           "'{slug}' was just changed by someone else; the list is refreshed, try again."),
    "pc.dup": ("重号", "dup."),
    "pc.renumbered": ("已重新编号：{n} 个上架问题", "Renumbered {n} on-shelf items"),
    "pc.import.checking": ("正在检查 {name} …", "Checking {name} …"),
    "pc.import.rejected": ("导入被拒绝：{n} 处错误，什么都没有改。改好文件后重新上传。",
                           "Import rejected: {n} errors, nothing was changed. Fix the file and upload it again."),
    "pc.import.plan": ("检查通过：将新建 {created} 个、更新 {updated} 个，{unchanged} 个不变。",
                       "Checked: {created} to create, {updated} to update, {unchanged} unchanged."),
    "pc.import.apply": ("确认导入", "Import now"),
    "pc.import.done": ("已导入：新建 {created} 个、更新 {updated} 个，{unchanged} 个不变。",
                       "Imported: {created} created, {updated} updated, {unchanged} unchanged."),
    "pc.import.nothing": ("文件和问题库一致，没有需要导入的变化。", "The file matches the catalog: nothing to import."),
    "pc.col.file": ("文件", "File"),
    "pc.col.line": ("行", "Line"),
    "pc.col.message": ("问题", "Problem"),
    "pc.error": ("出错了：{msg}", "Error: {msg}"),
    "pc.count": ("{shown} / {total} 个问题", "{shown} of {total} items"),
    "pc.new": ("新问题", "New item"),
    "pc.rev": ("版本 {rev} · {when}", "Revision {rev} · {when}"),
}

i18n.add({
    **SCRIPT_STRINGS,
    "pc.title": ("问题库", "FAQ catalog"),
    "pc.add": ("新建问题", "New item"),
    "pc.search": ("搜索问题、关键词、slug", "Search question, keywords, slug"),
    "pc.all_status": ("全部状态", "All statuses"),
    "pc.all_category": ("全部分类", "All categories"),
    "pc.renumber": ("重新编号", "Renumber"),
    "pc.renumber.hint": ("拖动上架问题调整顺序，保存后按顺序编为 1、2、3…号。",
                         "Drag the on-shelf items into order; saving numbers them 1, 2, 3 …"),
    "pc.renumber.save": ("保存编号", "Save numbers"),
    "pc.cancel": ("取消", "Cancel"),
    "pc.import": ("导入 CSV / zip", "Import CSV / zip"),
    "pc.export_csv": ("导出 CSV", "Export CSV"),
    "pc.export_zip": ("导出 Markdown (zip)", "Export Markdown (zip)"),
    "pc.col.number": ("号", "No."),
    "pc.col.question": ("问题", "Question"),
    "pc.col.category": ("分类", "Category"),
    "pc.col.status": ("货架", "Shelf"),
    "pc.col.rev": ("版本", "Rev."),
    "pc.f.slug": ("slug（链接名，创建后不改）", "Slug (link name, fixed once created)"),
    "pc.f.number": ("链接号", "Link number"),
    "pc.f.category": ("分类", "Category"),
    "pc.f.status": ("状态", "Status"),
    "pc.f.question": ("问题", "Question"),
    "pc.f.answer": ("简答（一两句，用于直播画面）", "Short answer (one or two lines, for overlays)"),
    "pc.f.keywords": ("关键词（用 | 或逗号分隔）", "Keywords (separated by | or commas)"),
    "pc.f.examples": ("观众问法（每行一个）", "Example phrasings (one per line)"),
    "pc.f.escalation": ("人工客服链接", "One-to-one link"),
    "pc.f.body": ("解答页（Markdown）", "Solution page (Markdown)"),
    "pc.save": ("保存", "Save"),
    "pc.close": ("关闭", "Close"),
    "pc.view": ("观众页", "Viewer page"),
    "pc.preview": ("手机预览", "Phone preview"),
    "pc.pick": ("从左边选一个问题编辑，或新建一个。", "Pick an item on the left, or add one."),
    "status.draft": ("草稿", "Draft"),
    "status.on_shelf": ("上架", "On shelf"),
    "status.archived": ("已归档", "Archived"),
})


@bp.get("/producer/catalog")
@require_page("producer")
def catalog_page():
    page_data = {
        "strings": {key: i18n.translate(key) for key in (*SCRIPT_STRINGS, "viewer.link", "viewer.short")},
        "categories": {c: i18n.translate(f"cat.{c}") for c in CATEGORIES},
        "category_codes": CATEGORY_CODES,  # the preview styles a category as the viewer page does
        "statuses": {s: i18n.translate(f"status.{s}") for s in STATUSES},
    }
    return render_template("producer/catalog.html", categories=CATEGORIES, statuses=STATUSES, page_data=page_data)
