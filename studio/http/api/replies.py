"""Answers in chat (tier 1): a show's mode, an item's auto-reply and templates, the moderator panel's replies and
their outcome."""
from __future__ import annotations

from flask import Blueprint, jsonify

from studio.access.auth import current_principal, require_api
from studio.errors import Invalid
from studio.http.api.openapi import describe, obj, schema
from studio.http.context import json_body, studio
from studio.ladder.posters import PLATFORMS
from studio.ladder.replies import ACTIONS, MODES

bp = Blueprint("api_replies", __name__, url_prefix="/api")
MODERATORS = ("producer", "host")


def _show(show_id: str) -> str:
    if not studio().engine.show_exists(show_id):
        raise Invalid("no such show", 404)
    return show_id


@bp.get("/shows/<show_id>/replies")
@require_api(*MODERATORS)
def panel(show_id: str):
    return jsonify(show=_show(show_id), **studio().replies.panel(show_id))


@bp.get("/shows/<show_id>/replies/settings")
@require_api(*MODERATORS)
def get_settings(show_id: str):
    return jsonify(studio().replies.settings(_show(show_id)))


@bp.put("/shows/<show_id>/replies/settings")
@require_api(*MODERATORS)
def put_settings(show_id: str):
    data = json_body()
    if data.get("mode") not in MODES:
        raise Invalid(f"send {{\"mode\": \"{'|'.join(MODES)}\"}}")
    return jsonify(studio().replies.set_mode(_show(show_id), data["mode"]))


@bp.post("/shows/<show_id>/replies/<int:reply_id>")
@require_api(*MODERATORS)
def act(show_id: str, reply_id: int):
    data = json_body()
    if data.get("action") not in ACTIONS:
        raise Invalid(f"send {{\"action\": \"{'|'.join(ACTIONS)}\"}}")
    return jsonify(studio().replies.act(_show(show_id), reply_id, data["action"], current_principal().name))


@bp.put("/shows/<show_id>/replies/posters/<platform>")
@require_api("producer")
def put_poster(show_id: str, platform: str):
    """twitch {channel, nick, token, scopes} or youtube {live_chat_id, token, scopes}: the token is stored sealed
    and never answered back (only whether it is set, and its scopes)."""
    return jsonify(studio().replies.set_poster(_show(show_id), platform, json_body()))


@bp.delete("/shows/<show_id>/replies/posters/<platform>")
@require_api("producer")
def delete_poster(show_id: str, platform: str):
    if platform not in PLATFORMS:
        raise Invalid(f"the studio posts to {' and '.join(PLATFORMS)} only", 404)
    return jsonify(studio().replies.set_poster(_show(show_id), platform, None))


@bp.get("/faq/<slug>/auto-reply")
@require_api(*MODERATORS)
def get_item(slug: str):
    return jsonify(studio().replies.get_item(slug))


@bp.put("/faq/<slug>/auto-reply")
@require_api("producer")
def put_item(slug: str):
    data = json_body()
    return jsonify(studio().replies.set_item(slug, data.get("enabled"), data.get("templates")))


REPLY = schema("ChatReply", obj(
    ("id", "text", "state"), id={"type": "integer"}, text={"type": "string"}, comment={"type": "string"},
    slug={"type": "string"}, platform={"type": "string"},
    state={"enum": ["suggested", "copied", "approved", "posted", "rejected", "rate_limited", "dismissed"]},
    error={"type": "string"}, created_at={"type": "number"}))
SETTINGS = obj(("mode",), mode={"enum": list(MODES)}, can_post={"type": "array", "items": {"type": "string"}},
               posters={"type": "object", "description": "per platform its settings without the token: token is "
                                                         "\"set\" or \"not set\", with the token's scopes"})
ITEM = obj(("enabled",), enabled={"type": "boolean"},
           templates={"type": "array", "maxItems": 10, "items": {"type": "string", "maxLength": 200},
                      "description": "placeholders {name} (masked) {number} {topic} {answer}; none: the studio's own"})
describe("/api/shows/<show_id>/replies", "get", "The moderator panel: open replies in paste order, then decided ones",
         responses={200: obj(("items",), items={"type": "array", "items": REPLY},
                             done={"type": "array", "items": REPLY})}, roles=MODERATORS, tag="replies")
describe("/api/shows/<show_id>/replies/settings", "get", "The show's answers-in-chat mode (off by default)",
         responses={200: SETTINGS}, roles=MODERATORS, tag="replies")
describe("/api/shows/<show_id>/replies/settings", "put", "Set the mode: off, suggest, approve or auto",
         request=obj(("mode",), mode={"enum": list(MODES)}), responses={200: SETTINGS}, roles=MODERATORS,
         tag="replies")
describe("/api/shows/<show_id>/replies/<reply_id>", "post", "A moderator's decision on a suggested reply",
         request=obj(("action",), action={"enum": list(ACTIONS)}), responses={200: REPLY, 409: None},
         roles=MODERATORS, tag="replies")
describe("/api/shows/<show_id>/replies/posters/twitch", "put",
         "Let the studio post approved replies into Twitch chat (a user token with chat:edit; stored sealed, never "
         "returned)",
         request=obj(("channel", "token", "scopes"), channel={"type": "string"}, nick={"type": "string"},
                     token={"type": "string"}, scopes={"type": "array", "items": {"type": "string"}}),
         responses={200: SETTINGS}, roles=("producer",), tag="replies")
describe("/api/shows/<show_id>/replies/posters/twitch", "delete", "Stop posting into Twitch chat",
         responses={200: SETTINGS}, roles=("producer",), tag="replies")
describe("/api/shows/<show_id>/replies/posters/youtube", "put",
         "Let the studio post approved replies into YouTube live chat (liveChatMessages.insert with an OAuth token "
         "that has youtube.force-ssl; stored sealed, never returned)",
         request=obj(("live_chat_id", "token", "scopes"), live_chat_id={"type": "string"},
                     token={"type": "string"}, scopes={"type": "array", "items": {"type": "string"}}),
         responses={200: SETTINGS}, roles=("producer",), tag="replies")
describe("/api/shows/<show_id>/replies/posters/youtube", "delete", "Stop posting into YouTube live chat",
         responses={200: SETTINGS}, roles=("producer",), tag="replies")
describe("/api/faq/<slug>/auto-reply", "get", "An item's auto-reply and templates", responses={200: ITEM},
         roles=MODERATORS, tag="replies")
describe("/api/faq/<slug>/auto-reply", "put", "Turn an item's auto-reply on or off, set its templates",
         request=ITEM, responses={200: ITEM}, roles=("producer",), tag="replies")
