"""/api/shows/<show>/runsheet and /products: the run sheet (排品表) import, the products as cards read them, a
producer's edits, and the sheet's answer to a product question."""
from __future__ import annotations

import json

from flask import Blueprint, jsonify, request

from faq_catalog.normalize import normalize
from studio.access.auth import require_api
from studio.errors import Invalid
from studio.http.api.openapi import describe, obj
from studio.http.context import json_body, studio
from studio.products.products import MAX_SHEET_BYTES

bp = Blueprint("api_products", __name__, url_prefix="/api/shows")
SHEET_TYPES = {"text/csv": "sheet.csv", "application/vnd.ms-excel": "sheet.csv", "text/plain": "sheet.csv",
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "sheet.xlsx"}


def _sheet_upload() -> tuple[bytes, str, dict | None]:
    """The sheet from a multipart form (field `file`, optional `mapping` as JSON text) or a raw body."""
    if (request.content_length or 0) > MAX_SHEET_BYTES + 64 * 1024:
        raise Invalid(f"the run sheet is larger than {MAX_SHEET_BYTES // (1024 * 1024)} MB", 413)
    mapping_text = None
    if request.mimetype == "multipart/form-data":
        f = request.files.get("file")
        if f is None:
            raise Invalid("send the sheet as the form field 'file'")
        data, filename = f.read(MAX_SHEET_BYTES + 1), f.filename or ""
        mapping_text = request.form.get("mapping")
    elif request.mimetype in SHEET_TYPES:
        data, filename = request.get_data(), request.args.get("filename", SHEET_TYPES[request.mimetype])
        mapping_text = request.args.get("mapping")
    else:
        raise Invalid("send the sheet as multipart/form-data (field 'file') or as text/csv or .xlsx", 415)
    mapping = None
    if mapping_text:
        try:
            mapping = json.loads(mapping_text)
        except ValueError:
            raise Invalid("mapping must be JSON: {\"header\": \"field\", ...}") from None
    if not filename.lower().endswith((".csv", ".xlsx", ".txt")):
        raise Invalid("the run sheet must be a .csv or .xlsx file")
    return data, filename, mapping


@bp.post("/<show_id>/runsheet")
@require_api("producer")
def import_runsheet(show_id: str):
    data, filename, mapping = _sheet_upload()
    return jsonify(studio().products.import_sheet(show_id, data, filename, mapping))


@bp.get("/<show_id>/products")
def products(show_id: str):
    snap = studio().products.snapshot(show_id)
    if snap is None:
        raise Invalid("no such show", 404)
    return jsonify(show=show_id, **snap)


@bp.patch("/<show_id>/products/<int:number>")
@require_api("producer")
def update_product(show_id: str, number: int):
    return jsonify(studio().products.update(show_id, number, json_body()))


@bp.get("/<show_id>/products/answer")
def answer(show_id: str):
    q = request.args.get("q", "")
    if not q.strip() or len(q) > 200:
        raise Invalid("q must be a comment of 1-200 characters")
    st = studio().products
    pm, on_air, upcoming = st.matcher(show_id)
    ask = pm.match(normalize(q), on_air, upcoming) if pm else None
    if ask is None:
        return jsonify(ask=None, answer=None)
    return jsonify(ask={"number": ask.number, "field": ask.field, "named": ask.named},
                   answer=st.answer(show_id, ask))


_report = obj(("added", "removed", "changed", "unchanged", "mapping"),
              added={"type": "array", "items": {"type": "integer"}},
              removed={"type": "array", "items": {"type": "integer"}},
              changed={"type": "array", "items": {"type": "object"}}, unchanged={"type": "integer"},
              mapping={"type": "object"}, mapping_source={"type": "string", "enum": ["given", "remembered", "guessed"]},
              signature={"type": "string"}, rows={"type": "integer"})
describe("/api/shows/<show_id>/runsheet", "post",
         "Import the run sheet (CSV or .xlsx, at most 5 MB): updates the show's products in place, reports changes",
         description="multipart/form-data with `file` and optional `mapping` (JSON header → field); fields: number, "
                     "name, shop, category, price, discount, gift, stock, shipping, start_time, status. A mapping "
                     "is remembered per header signature.",
         request=obj(("file",), file={"type": "string", "format": "binary"}, mapping={"type": "string"}),
         content_type="multipart/form-data", roles=("producer",), responses={200: _report}, tag="products")
describe("/api/shows/<show_id>/products", "get", "The show's products, rundown (on air, next) and demand",
         responses={200: obj(("items",), items={"type": "array", "items": {"type": "object"}},
                             on_air={"type": ["integer", "null"]}, next={"type": "array"},
                             chase={"type": "array"})}, tag="products")
describe("/api/shows/<show_id>/products/<number>", "patch", "Set facts of one product ('' clears to 待确认)",
         request={"type": "object", "additionalProperties": {"type": "string"}}, roles=("producer",),
         responses={200: {"type": "object"}}, tag="products")
describe("/api/shows/<show_id>/products/answer", "get", "The sheet's answer to a product question",
         query={"q": {"type": "string", "maxLength": 200}},
         responses={200: obj(("ask", "answer"), ask={"type": ["object", "null"]},
                             answer={"type": ["string", "null"]})}, tag="products")
