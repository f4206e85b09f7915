"""Teaching the matcher during the show: GET /api/shows/<show>/review (the crew's review queue), POST …/decisions
("this comment asks item X" or, with faq null, "no item"), POST …/decisions/<id>/undo, GET …/decisions."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from studio.access.auth import current_principal, require_api
from studio.errors import Invalid
from studio.http.api.openapi import describe, obj, schema
from studio.http.context import json_body, studio
from studio.store.decisions import MAX_LIST, MAX_TEXT

bp = Blueprint("api_teaching", __name__, url_prefix="/api/shows/<show_id>")
TEACHERS = ("producer",)
READERS = ("producer", "host")


def _engine_of(show_id: str):
    engine = studio().engine
    if not engine.show_exists(show_id):
        raise Invalid("no such show", 404)
    return engine


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise Invalid(f"{name} must be a whole number {low}-{high}")
    return int(raw)


@bp.get("/review")
@require_api(*READERS)
def get_review(show_id: str):
    engine = _engine_of(show_id)
    n = _int_arg("n", 30, 1, 100)
    return jsonify(show=show_id, items=engine.review(show_id, n))


@bp.post("/decisions")
@require_api(*TEACHERS)
def post_decision(show_id: str):
    engine = _engine_of(show_id)
    data = json_body()
    unknown = sorted(set(data) - {"text", "faq"})
    if unknown:
        raise Invalid(f"unknown field '{unknown[0][:40]}': send {{\"text\": ..., \"faq\": slug or null}}")
    text, faq = data.get("text"), data.get("faq", ...)
    if not isinstance(text, str) or not text.strip():
        raise Invalid("text must be the comment's text")
    if len(text) > MAX_TEXT:
        raise Invalid(f"text is too long ({len(text)} characters, at most {MAX_TEXT})")
    if faq is ...:
        raise Invalid("faq is required: the item's slug, or null for \"not a question for any item\"")
    if faq is not None and (not isinstance(faq, str) or not faq or len(faq) > 64):
        raise Invalid("faq must be an item's slug or null")
    guess = engine.matcher.match(text).slug  # what the matcher said before: a counter-example of it if wrong
    decision = studio().decisions.decide(text, faq, current_principal().name, show_id, guess)
    engine.just_taught(decision["normalized"], faq)
    return jsonify(decision), 201


@bp.post("/decisions/<int:decision_id>/undo")
@require_api(*TEACHERS)
def undo_decision(show_id: str, decision_id: int):
    engine = _engine_of(show_id)
    decision = studio().decisions.undo(decision_id, current_principal().name, show_id)
    engine.just_taught_undone(decision["normalized"])
    return jsonify(decision)


@bp.get("/decisions")
@require_api(*READERS)
def list_decisions(show_id: str):
    _engine_of(show_id)
    scope = request.args.get("scope", "show")
    if scope not in ("show", "catalog"):
        raise Invalid("scope must be show or catalog")
    n = _int_arg("n", 100, 1, MAX_LIST)
    items = studio().decisions.list(show_id if scope == "show" else None, limit=n)
    return jsonify(show=show_id, items=items)


_guess = {"oneOf": [{"type": "null"}, obj(("slug", "question"), slug={"type": "string"},
                                              question={"type": "string"}, number={"type": ["integer", "null"]},
                                              score={"type": "number"})]}
ENTRY = schema("ReviewEntry", obj(
    ("key", "kind", "text", "normalized", "askers", "count", "samples", "guess"),
    key={"type": "string", "description": "stable id of the entry while it is listed"},
    kind={"type": "string", "enum": ["comment", "cluster"],
          "description": "comment: one normalized text the matcher is unsure about; cluster: an emerging question"},
    text={"type": "string", "description": "a comment as a viewer wrote it: what a decision teaches"},
    normalized={"type": "string"}, question={"type": ["string", "null"], "description": "a cluster's question"},
    askers={"type": "integer", "description": "distinct viewers"}, count={"type": "integer"},
    last_at={"type": "number"}, samples={"type": "array", "items": {"type": "string"}},
    guess={**_guess, "description": "the matcher's current guess (unmatched: the item with the most evidence)"}))
DECISION = schema("Decision", obj(
    ("id", "text", "normalized", "faq", "who", "at", "undone"),
    id={"type": "integer"}, text={"type": "string"}, normalized={"type": "string"},
    faq={"type": ["string", "null"], "description": "the item taught; null: not a question for any item"},
    guess={"type": ["string", "null"], "description": "the item the matcher gave the comment before"},
    show={"type": ["string", "null"]}, who={"type": "string"}, at={"type": "number"},
    undone={"type": "boolean"}, undone_by={"type": ["string", "null"]}, undone_at={"type": ["number", "null"]}))
_list = obj(("show", "items"), show={"type": "string"}, items={"type": "array", "items": DECISION})

describe("/api/shows/<show_id>/review", "get", "The review queue: comments the matcher is unsure about, grouped "
         "by normalized text, and emerging clusters, most distinct viewers first (also the /live topic review)",
         roles=READERS, query={"n": {"type": "integer", "minimum": 1, "maximum": 100}},
         responses={200: obj(("show", "items"), show={"type": "string"},
                             items={"type": "array", "items": ENTRY})}, tag="teaching")
describe("/api/shows/<show_id>/decisions", "post", "Teach the matcher: this comment asks item faq (null: no item); "
         "every process's matcher applies it within seconds", roles=TEACHERS,
         request=obj(("text", "faq"), text={"type": "string", "maxLength": MAX_TEXT},
                     faq={"type": ["string", "null"], "maxLength": 64}),
         responses={201: DECISION, 404: {"$ref": "#/components/schemas/Error"}}, tag="teaching")
describe("/api/shows/<show_id>/decisions/<decision_id>/undo", "post", "Undo a decision: the matcher goes back to "
         "what it said before (an earlier decision on the same text, or none)", roles=TEACHERS,
         responses={200: DECISION, 409: {"$ref": "#/components/schemas/Error"}}, tag="teaching")
describe("/api/shows/<show_id>/decisions", "get", "The crew's decisions, newest first (scope=catalog: of every show)",
         roles=READERS, query={"scope": {"type": "string", "enum": ["show", "catalog"]},
                               "n": {"type": "integer", "minimum": 1, "maximum": MAX_LIST}},
         responses={200: _list}, tag="teaching")
