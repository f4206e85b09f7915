"""GET /api/openapi.json: the JSON API described as OpenAPI 3.1, built from what each API module registers.

An API module describes each endpoint next to its code, once, at import time:

    describe("/api/faq/<slug>", "get", "One catalog item", responses={200: ref("FaqItem")}, tag="catalog")

Flask-style `<name>` path parameters become OpenAPI path parameters. Error responses follow from the arguments:
a request body adds 400/415, `roles` adds 401/403; every error is `{"error": "..."}`.
"""
from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from flask import Blueprint, jsonify

bp = Blueprint("api_openapi", __name__)

_OPERATIONS: dict[str, dict[str, dict]] = {}
_SCHEMAS: dict[str, dict] = {}
_PATH_PARAM = re.compile(r"<(?:[a-z]+:)?([a-zA-Z_]+)>")

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def schema(name: str, definition: Schema) -> Schema:
    """Register a named schema (components/schemas) and return a reference to it."""
    _SCHEMAS[name] = definition
    return ref(name)


def obj(required: tuple[str, ...] = (), **properties: Schema) -> Schema:
    """A JSON object schema, written compactly: obj(("id",), id={"type": "string"})."""
    out: Schema = {"type": "object", "properties": properties}
    if required:
        out["required"] = list(required)
    return out


def describe(path: str, method: str, summary: str, *, request: Schema | None = None,
             responses: dict[int, Schema | None] | None = None, roles: tuple[str, ...] = (),
             query: dict[str, Schema] | None = None, tag: str = "", content_type: str = "application/json",
             description: str = "") -> None:
    """Add one operation. `responses` maps status → body schema (None: no body); `query` maps name → schema."""
    names = _PATH_PARAM.findall(path)
    op: dict[str, Any] = {"summary": summary, "operationId": _operation_id(method, path)}
    if description:
        op["description"] = description
    if tag:
        op["tags"] = [tag]
    params = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in names]
    params += [{"name": n, "in": "query", "required": False, "schema": s} for n, s in (query or {}).items()]
    if params:
        op["parameters"] = params
    if request is not None:
        op["requestBody"] = {"required": True, "content": {content_type: {"schema": request}}}
    statuses: dict[int, Schema | None] = dict(responses or {200: None})
    errors = [404] if names else []
    if request is not None:
        errors += [400, 413, 415] if content_type == "application/json" else [400, 413]
    if roles:
        errors += [401, 403]
        op["security"] = [{"bearerToken": []}, {"staffSession": []}]
        op["x-roles"] = list(roles)
    for code in errors:
        statuses.setdefault(code, ref("Error"))
    op["responses"] = {str(code): _response(code, body) for code, body in sorted(statuses.items())}
    _OPERATIONS.setdefault(_PATH_PARAM.sub(r"{\1}", path), {})[method.lower()] = op


def _operation_id(method: str, path: str) -> str:
    words = re.findall(r"[a-zA-Z]+", _PATH_PARAM.sub(r"by_\1", path.removeprefix("/api/")))
    return method.lower() + "".join(w[:1].upper() + w[1:] for w in words)


def _response(code: int, body: Schema | None) -> dict:
    out: dict[str, Any] = {"description": HTTPStatus(code).phrase}
    if body is not None:
        if body.get("format") == "binary" or body.get("x-media-type"):
            media = body.get("x-media-type", "application/octet-stream")
            out["content"] = {media: {"schema": {k: v for k, v in body.items() if k != "x-media-type"}}}
        else:
            out["content"] = {"application/json": {"schema": body}}
    return out


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "FAQ Live Studio API", "version": "1",
                 "description": "Catalog, shows and shelves, viewer events and the live on-air poll. Writes need a "
                                "staff session (with the X-CSRF-Token header) or `Authorization: Bearer <token>`."},
        "paths": {path: dict(ops) for path, ops in sorted(_OPERATIONS.items())},
        "components": {
            "schemas": dict(sorted(_SCHEMAS.items())),
            "securitySchemes": {
                "bearerToken": {"type": "http", "scheme": "bearer",
                                "description": "`studio token create --role ROLE`"},
                "staffSession": {"type": "apiKey", "in": "cookie", "name": "session",
                                 "description": "Logged-in staff; writes also need the X-CSRF-Token header."},
            },
        },
    }


schema("Error", obj(("error",), error={"type": "string"}))


@bp.get("/api/openapi.json")
def openapi_json():
    return jsonify(document())


describe("/api/openapi.json", "get", "This document", responses={200: {"type": "object"}}, tag="meta")
