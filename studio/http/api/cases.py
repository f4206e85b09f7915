"""The specialist queue (tier 3): GET /api/shows/<show>/cases, one case with its viewer's comments, claim, mark
(contacted / resolved / not_ours), and the lead's figures GET …/cases/figures. Proof an answer worked:
GET …/proof, and the host's room ask POST …/room-asks."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from studio.access.auth import current_principal, require_api
from studio.errors import Invalid
from studio.http.api.openapi import describe, obj, schema
from studio.http.context import json_body, studio
from studio.ladder.cases import MARKS
from studio.ladder.proof import ask_room, proof_report

bp = Blueprint("api_cases", __name__, url_prefix="/api/shows/<show_id>/cases")
bp_show = Blueprint("api_proof", __name__, url_prefix="/api/shows/<show_id>")
CREW = ("producer", "host", "agent")


def _show(show_id: str) -> str:
    if not studio().engine.show_exists(show_id):
        raise Invalid("no such show", 404)
    return show_id


@bp.get("")
@require_api(*CREW)
def queue(show_id: str):
    return jsonify(show=_show(show_id), **studio().cases.queue(show_id))


@bp.get("/figures")
@require_api("lead")
def figures(show_id: str):
    return jsonify(studio().cases.figures(_show(show_id)))


@bp.get("/<int:case_id>")
@require_api(*CREW)
def one(show_id: str, case_id: int):
    return jsonify(studio().cases.viewer(_show(show_id), case_id))


@bp.post("/<int:case_id>/claim")
@require_api("agent")
def claim(show_id: str, case_id: int):
    return jsonify(studio().cases.claim(_show(show_id), case_id, current_principal().name))


@bp.post("/<int:case_id>/state")
@require_api("agent")
def mark(show_id: str, case_id: int):
    data = json_body()
    state = data.get("state")
    if state not in MARKS:
        raise Invalid(f"send {{\"state\": \"{'|'.join(MARKS)}\"}}")
    return jsonify(studio().cases.mark(_show(show_id), case_id, current_principal().name, state))


CASE = schema("Case", obj(
    ("id", "text", "kind", "reason", "urgency", "state"), id={"type": "integer"}, text={"type": "string"},
    viewer={"type": "string", "description": "the viewer's pseudonym in this studio"},
    slug={"type": ["string", "null"], "description": "the FAQ item the comment also counted for"},
    kind={"enum": ["personal", "angry"]}, reason={"type": "string", "description": "the strongest routing reason"},
    reasons={"type": "array", "items": {"type": "string"}}, urgency={"type": "integer", "minimum": 0, "maximum": 100},
    state={"enum": ["open", "claimed", "contacted", "resolved", "not_ours"]}, agent={"type": ["string", "null"]},
    created_at={"type": "number"}, claimed_at={"type": ["number", "null"]}, red={"type": "boolean"},
    red_at={"type": "number", "description": "when an unclaimed case turns red (3 minutes after routing)"}))
QUEUE = obj(("items",), items={"type": "array", "items": CASE}, closed={"type": "array", "items": CASE},
            open={"type": "integer"}, red={"type": "integer"})
describe("/api/shows/<show_id>/cases", "get", "The specialist queue (the same as the staff-only /live topic cases)",
         responses={200: QUEUE}, roles=CREW, tag="cases")
describe("/api/shows/<show_id>/cases/<case_id>", "get", "One case, its viewer's comments in this show, other cases",
         responses={200: obj(("case", "comments"), case=CASE, comments={"type": "array"},
                             other_cases={"type": "array", "items": CASE})}, roles=CREW, tag="cases")
describe("/api/shows/<show_id>/cases/<case_id>/claim", "post", "Claim a case (409 when another agent has it)",
         responses={200: CASE, 409: None}, roles=("agent",), tag="cases")
describe("/api/shows/<show_id>/cases/<case_id>/state", "post", "Mark a case contacted, resolved or not ours",
         request=obj(("state",), state={"enum": list(MARKS)}), responses={200: CASE, 409: None}, roles=("agent",),
         tag="cases")
describe("/api/shows/<show_id>/cases/figures", "get",
         "Tier 3 figures: first-touch p50/p90, 3-minute touch rate, resolutions per hour, one-to-one baseline",
         responses={200: {"type": "object"}}, roles=("lead",), tag="cases")


@bp_show.get("/proof")
@require_api("lead", "producer", "host")
def proof(show_id: str):
    return jsonify(proof_report(studio().db, _show(show_id)))


@bp_show.post("/room-asks")
@require_api("host")
def room_ask(show_id: str):
    data = json_body() if request.content_length else {}
    slug = data.get("slug")
    if slug is not None and not isinstance(slug, str):
        raise Invalid("slug must be an item slug or null (the answer on air)")
    if slug is None:
        current = studio().onair.state(_show(show_id)).get("current")
        slug = current["slug"] if current else None
    return jsonify(ask_room(studio().db, _show(show_id), slug))


describe("/api/shows/<show_id>/proof", "get",
         "Per answer on air: the item's ask rate before and after beside the other items, resolution signals, "
         "still asking; and each tier's share", responses={200: {"type": "object"}},
         roles=("lead", "producer", "host"), tag="cases")
describe("/api/shows/<show_id>/room-asks", "post",
         "The host asked the room \"解决了扣1\": resolution signals count from now (the body is optional)",
         request=obj((), slug={"type": ["string", "null"]}), responses={200: {"type": "object"}}, roles=("host",),
         tag="cases")
