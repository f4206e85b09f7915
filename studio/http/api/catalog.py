"""/api/faq: the catalog as JSON (item JSON = front-matter keys + body + revision), and the producer's catalog
tools: /api/catalog/import|export|renumber and /api/preview."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from faq_catalog.catalog_io import items_to_csv, items_to_zip, parse_upload
from faq_catalog.model import CATEGORIES, CATEGORY_CODES, FRONT_MATTER_KEYS, STATUSES, ItemError, build_item
from faq_catalog.render import render_markdown
from studio.access.auth import api_error, current_principal, require_api
from studio.blocks.off_loop import off_loop
from studio.errors import NotFound
from studio.http.api.openapi import describe, obj, ref, schema
from studio.http.context import json_body, studio
from studio.store.catalog import CatalogConflict

bp = Blueprint("api_catalog", __name__, url_prefix="/api")
WRITERS = ("producer",)
MAX_PREVIEW = 200_000


def _public_only() -> bool:
    # Drafts and archived items are the producers' business: anonymous readers see what is on the shelf.
    return current_principal() is None


@bp.get("/faq")
def list_items():
    status = request.args.get("status")
    if status and status not in STATUSES:
        return api_error(400, "status must be draft, on_shelf or archived")
    if _public_only():
        if status not in (None, "on_shelf"):
            return jsonify(items=[])
        status = "on_shelf"
    return jsonify(items=[i.to_dict() for i in studio().catalog.all(status)])


@bp.post("/faq")
@require_api(*WRITERS)
def create_item():
    data = json_body()
    data.pop("revision", None)
    try:
        item = studio().catalog.create(build_item(data))
    except ItemError as e:
        return jsonify(error=str(e), field=e.field), 400
    return jsonify(item.to_dict()), 201


@bp.get("/faq/<slug>")
def get_item(slug: str):
    try:
        item = studio().catalog.get(slug)
    except NotFound:
        item = None
    if item is None or (_public_only() and item.status != "on_shelf"):
        return api_error(404, f"no item '{slug[:64]}'")
    return jsonify(item.to_dict())


@bp.put("/faq/<slug>")
@require_api(*WRITERS)
def update_item(slug: str):
    data = json_body()
    base = data.pop("revision", None)
    if not isinstance(base, int) or isinstance(base, bool):
        return api_error(400, "revision is required: the revision your edit is based on")
    data.setdefault("slug", slug)
    try:
        item = studio().catalog.update(slug, build_item(data), base)
    except ItemError as e:
        return jsonify(error=str(e), field=e.field), 400
    except CatalogConflict as e:
        return jsonify(error=f"conflict: someone else saved this item (revision {e.current.revision}) after "
                             f"the revision {base} you edited; reload to see their changes",
                       current=e.current.to_dict()), 409
    return jsonify(item.to_dict())


@bp.delete("/faq/<slug>")
@require_api(*WRITERS)
def delete_item(slug: str):
    base = request.args.get("revision")
    if base is not None and not base.isdigit():
        return api_error(400, "revision must be a whole number")
    try:
        studio().catalog.delete(slug, int(base) if base is not None else None)
    except CatalogConflict as e:
        return jsonify(error="conflict: the item changed since you loaded it", current=e.current.to_dict()), 409
    return "", 204


@bp.post("/preview")
@require_api(*WRITERS)
def preview():
    body = json_body().get("body")
    if not isinstance(body, str):
        return api_error(400, "body must be the Markdown text")
    if len(body) > MAX_PREVIEW:
        return api_error(400, f"body is too long (at most {MAX_PREVIEW} characters)")
    return jsonify(html=render_markdown(body))


@bp.post("/catalog/import")
@require_api(*WRITERS)
def import_catalog():
    """All or nothing: any error rejects the whole upload (422) with file and line for each error."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return api_error(400, "send the catalog as a multipart form field named 'file' (.csv, .zip or .md)")
    # The 10 MB request limit bounds it; parsed in a native thread (it is CPU work: Markdown, YAML, CSV), so the
    # event loop keeps its turns meanwhile.
    parsed = off_loop(parse_upload, upload.filename, upload.read())
    dry_run = request.args.get("dry_run") in ("1", "true")
    result = studio().catalog.apply_import(parsed, dry_run=dry_run)
    report = result.to_dict()
    report["dry_run"] = dry_run
    report["taught"] = studio().decisions.import_taught(parsed.taught).added if result.applied else 0
    if report["rejected"]:
        n = report["rejected"]
        return jsonify(error=f"import rejected: {n} error{'s' if n > 1 else ''}; nothing was changed", **report), 422
    return jsonify(report)


@bp.get("/catalog/export")
@require_api(*WRITERS)
def export_catalog():
    fmt = request.args.get("format", "csv")
    items = studio().catalog.all()
    taught = studio().decisions.active() if request.args.get("decisions", "1") not in ("0", "false") else []
    if fmt == "csv":
        return Response(items_to_csv(items, taught=taught).encode("utf-8"), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=faq-catalog.csv"})
    if fmt == "zip":
        return Response(items_to_zip(items, taught), mimetype="application/zip",
                        headers={"Content-Disposition": "attachment; filename=faq-catalog.zip"})
    return api_error(400, "format must be csv or zip")


@bp.post("/catalog/renumber")
@require_api(*WRITERS)
def renumber():
    slugs = json_body().get("slugs")
    if not isinstance(slugs, list) or not all(isinstance(x, str) for x in slugs) or not 0 < len(slugs) <= 999:
        return api_error(400, "slugs must be a list of 1-999 item slugs, in the new order")
    try:
        items = studio().catalog.renumber(slugs)
    except ValueError as e:
        return api_error(400, str(e))
    return jsonify(items=[{"slug": i.slug, "number": i.number, "revision": i.revision} for i in items])


_words = {"type": "array", "items": {"type": "string", "maxLength": 80}, "maxItems": 60}
_fields = dict(
    slug={"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 64},
    number={"type": ["integer", "null"], "minimum": 1, "maximum": 999, "description": "the shelf link number (N号)"},
    question={"type": "string", "maxLength": 200},
    answer={"type": "string", "maxLength": 300, "description": "one or two lines, for overlays"},
    category={"type": "string", "enum": [*CATEGORIES, *CATEGORY_CODES.values()]},
    keywords=_words, examples=_words,
    status={"type": "string", "enum": list(STATUSES)},
    escalation_url={"type": "string", "description": "http(s) link to the one-to-one channel"},
    body={"type": "string", "description": "the solution page, Markdown"},
)
ITEM_INPUT = schema("FaqItemInput", obj(("slug", "question"), **_fields))
ITEM_UPDATE = schema("FaqItemUpdate", obj(("question", "revision"), **_fields, revision={
    "type": "integer", "description": "the revision this edit is based on; a newer stored one answers 409"}))
ITEM = schema("FaqItem", obj((*FRONT_MATTER_KEYS, "body", "revision"), **_fields, revision={"type": "integer"},
                             created_at={"type": ["string", "null"]}, updated_at={"type": ["string", "null"]}))
CONFLICT = schema("Conflict", obj(("error", "current"), error={"type": "string"}, current=ITEM))
REPORT = schema("ImportReport", obj(
    ("created", "updated", "unchanged", "rejected", "errors", "applied"),
    created={"type": "integer"}, updated={"type": "integer"}, unchanged={"type": "integer"},
    rejected={"type": "integer"}, applied={"type": "boolean"}, dry_run={"type": "boolean"},
    taught={"type": "integer", "description": "decisions of the crew added from the catalog's taught/not_this lists"},
    errors={"type": "array", "items": obj(("file", "message"), file={"type": "string"},
                                          line={"type": ["integer", "null"]}, message={"type": "string"})}))
_list = obj(("items",), items={"type": "array", "items": ITEM})

describe("/api/faq", "get", "List catalog items (anonymous readers: on-shelf items only)",
         query={"status": _fields["status"]}, responses={200: _list, 400: ref("Error")}, tag="catalog")
describe("/api/faq", "post", "Create an item", request=ITEM_INPUT, roles=WRITERS,
         responses={201: ITEM, 409: ref("Error")}, tag="catalog")
describe("/api/faq/<slug>", "get", "One item", responses={200: ITEM}, tag="catalog")
describe("/api/faq/<slug>", "put", "Replace an item, based on the revision it was loaded at", request=ITEM_UPDATE,
         roles=WRITERS, responses={200: ITEM, 409: CONFLICT}, tag="catalog")
describe("/api/faq/<slug>", "delete", "Delete an item", roles=WRITERS, query={"revision": {"type": "integer"}},
         responses={204: None, 409: CONFLICT}, tag="catalog")
describe("/api/preview", "post", "Render Markdown as the sanitized HTML a viewer would get", roles=WRITERS,
         request=obj(("body",), body={"type": "string"}),
         responses={200: obj(("html",), html={"type": "string"})}, tag="catalog")
describe("/api/catalog/import", "post", "Import a .csv, a .zip of .md files or one .md file (all or nothing)",
         roles=WRITERS, content_type="multipart/form-data",
         request=obj(("file",), file={"type": "string", "contentMediaType": "application/octet-stream"}),
         query={"dry_run": {"type": "boolean"}}, responses={200: REPORT, 422: REPORT}, tag="catalog")
describe("/api/catalog/export", "get", "Download the catalog as CSV (UTF-8 with BOM) or a zip of Markdown files",
         roles=WRITERS, query={"format": {"type": "string", "enum": ["csv", "zip"]}, "decisions": {
             "type": "boolean", "description": "with the crew's decisions per item (taught, not_this); default true"}},
         responses={200: {"type": "string", "format": "binary", "x-media-type": "text/csv"}, 400: ref("Error")},
         tag="catalog")
describe("/api/catalog/renumber", "post", "Give the listed items the link numbers 1..N in this order",
         roles=WRITERS, request=obj(("slugs",), slugs={"type": "array", "items": {"type": "string"}}),
         responses={200: obj(("items",), items={"type": "array", "items": obj(
             ("slug", "number", "revision"), slug={"type": "string"}, number={"type": "integer"},
             revision={"type": "integer"})}), 404: ref("Error")}, tag="catalog")
