"""/api/shows/<show>/obs: the show's OBS mapping (never its password), connection state and a connection test."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from studio.access.auth import require_api
from studio.errors import Invalid
from studio.http.api.openapi import describe, obj, schema
from studio.http.context import json_body, studio

bp = Blueprint("api_obs", __name__, url_prefix="/api/shows/<show_id>/obs")
EDITORS = ("producer", "host")  # the mapping is set up on the console or the rundown page


def _answer(fn, show_id: str, *args):
    try:
        out = fn(show_id, *args)
    except ValueError as e:
        raise Invalid(str(e)) from None
    return ("", 204) if out is None else jsonify(out)


@bp.get("")
@require_api(*EDITORS)
def get_mapping(show_id: str):
    return _answer(studio().obs_link.get, show_id)


@bp.put("")
@require_api(*EDITORS)
def put_mapping(show_id: str):
    return _answer(studio().obs_link.configure, show_id, json_body())


@bp.delete("")
@require_api(*EDITORS)
def delete_mapping(show_id: str):
    return _answer(studio().obs_link.remove, show_id)


@bp.post("/test")
@require_api(*EDITORS)
def test(show_id: str):
    """Scenes and inputs for the mapping form's pick lists; body fields (unsaved edits) override the stored ones."""
    return _answer(studio().obs_link.test, show_id, json_body() if request.content_length else {})


_names = {k: {"type": ["string", "null"]} for k in ("question_input", "answer_input", "scene", "scene_item",
                                                    "on_air_scene")}
MAPPING = schema("ObsMapping", obj(
    ("configured", "host", "port", "password_set", "enabled", "connected", "last_error"),
    configured={"type": "boolean"}, host={"type": "string"}, port={"type": "integer"},
    password_set={"type": "boolean"}, enabled={"type": "boolean"}, connected={"type": "boolean"},
    last_error={"type": ["string", "null"]}, **_names))
describe("/api/shows/<show_id>/obs", "get", "The show's OBS mapping (never the password) and connection state",
         responses={200: MAPPING}, roles=EDITORS, tag="obs")
describe("/api/shows/<show_id>/obs", "put", "Set the OBS mapping; a missing password keeps the stored one",
         request=obj((), host={"type": "string"}, port={"type": "integer"}, password={"type": "string"},
                     enabled={"type": "boolean"}, **_names),
         responses={200: MAPPING}, roles=EDITORS, tag="obs")
describe("/api/shows/<show_id>/obs", "delete", "Remove the mapping and stop mirroring into OBS",
         responses={204: None}, roles=EDITORS, tag="obs")
describe("/api/shows/<show_id>/obs/test", "post", "Connect once: OBS scenes and inputs for pick lists",
         request=obj((), host={"type": "string"}, port={"type": "integer"}, password={"type": "string"}, **_names),
         responses={200: obj(("ok", "error", "scenes", "inputs", "missing"), ok={"type": "boolean"},
                             error={"type": ["string", "null"]}, scenes={"type": "array", "items": {"type": "string"}},
                             inputs={"type": "array", "items": obj(("name", "kind"), name={"type": "string"},
                                                                     kind={"type": "string"})},
                             missing={"type": "array", "items": {"type": "string"}})},
         roles=EDITORS, tag="obs")
