"""/api/faq: the catalog as JSON. Item JSON = front-matter keys + body + revision."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from faq_catalog.model import ItemError, build_item

from ..auth import api_error, require_api
from ..catalog_store import AlreadyExists, CatalogConflict, NotFound
from .common import BadRequest, json_body, register_error_handler, studio

bp = Blueprint("api_catalog", __name__, url_prefix="/api/faq")
register_error_handler(bp)
WRITERS = ("producer",)


@bp.get("")
def list_items():
    status = request.args.get("status")
    if status and status not in ("draft", "on_shelf", "archived"):
        return api_error(400, "status must be draft, on_shelf or archived")
    return jsonify(items=[i.to_dict() for i in studio().catalog.all(status)])


@bp.post("")
@require_api(*WRITERS)
def create_item():
    data = json_body()
    data.pop("revision", None)
    try:
        item = studio().catalog.create(build_item(data))
    except ItemError as e:
        return jsonify(error=str(e), field=e.field), 400
    except AlreadyExists:
        return api_error(409, f"an item with slug '{data.get('slug')}' already exists")
    return jsonify(item.to_dict()), 201


@bp.get("/<slug>")
def get_item(slug: str):
    try:
        return jsonify(studio().catalog.get(slug).to_dict())
    except NotFound:
        return api_error(404, f"no item '{slug[:64]}'")


@bp.put("/<slug>")
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
    except NotFound:
        return api_error(404, f"no item '{slug[:64]}'")
    except AlreadyExists:
        return api_error(409, f"an item with slug '{data.get('slug')}' already exists")
    except CatalogConflict as e:
        return jsonify(error=f"conflict: someone else saved this item (revision {e.current.revision}) after "
                             f"the revision {base} you edited; reload to see their changes",
                       current=e.current.to_dict()), 409
    return jsonify(item.to_dict())


@bp.delete("/<slug>")
@require_api(*WRITERS)
def delete_item(slug: str):
    base = request.args.get("revision")
    try:
        studio().catalog.delete(slug, int(base) if base and base.isdigit() else None)
    except NotFound:
        return api_error(404, f"no item '{slug[:64]}'")
    except CatalogConflict as e:
        return jsonify(error="conflict: the item changed since you loaded it", current=e.current.to_dict()), 409
    return "", 204
