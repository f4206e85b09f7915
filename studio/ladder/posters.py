"""The platforms where the studio itself may post approved replies, and what each needs: a poster is built from a
platform's settings (a token with its scopes, the channel or live chat to write in), checked on the way in.

    twitch   {channel, nick, token, scopes}     IRC with chat:edit or user:write:chat (studio.sources.twitch_chat)
    youtube  {live_chat_id, token, scopes}      liveChatMessages.insert with youtube.force-ssl (…youtube_chat)

`public(platform, settings, scopes)` is what any API may show of them: everything but the token, which is only
"set" (or not), with its scopes.
"""
from __future__ import annotations

from studio.errors import Invalid, NotFound
from studio.sources.twitch_chat import TwitchChatPoster
from studio.sources.youtube_chat import YoutubeChatPoster

FIELDS = {"twitch": ("channel", "nick", "token"), "youtube": ("live_chat_id", "token")}
PLATFORMS = tuple(FIELDS)


def checked(platform: str, data: dict) -> tuple[dict, list[str]]:
    """A request's settings for a platform's poster (Invalid when something is missing or of the wrong kind)."""
    if platform not in FIELDS:
        raise NotFound(f"the studio posts to {' and '.join(PLATFORMS)} only")
    scopes = data.get("scopes")
    if not isinstance(scopes, list) or not all(isinstance(x, str) and len(x) <= 200 for x in scopes):
        raise Invalid("scopes must be the token's scopes, a list of texts")
    settings = {k: data.get(k) for k in FIELDS[platform]}
    if not all(v is None or isinstance(v, str) for v in settings.values()):
        raise Invalid(f"{', '.join(FIELDS[platform])} must be texts")
    settings = {k: v or "" for k, v in settings.items()}
    build(platform, settings, scopes)  # every check the poster makes, before anything is stored
    return settings, scopes[:20]


def build(platform: str, settings: dict, scopes: list[str]):
    try:
        if platform == "twitch":
            return TwitchChatPoster(settings["channel"], settings["token"], settings["nick"], scopes)
        if platform == "youtube":
            return YoutubeChatPoster(settings["live_chat_id"], settings["token"], scopes)
    except ValueError as e:
        raise Invalid(str(e)) from None
    raise NotFound(f"the studio posts to {' and '.join(PLATFORMS)} only")


def public(platform: str, settings: dict, scopes: list[str]) -> dict:
    shown = {k: v for k, v in settings.items() if k != "token"}
    return {"platform": platform, **shown, "token": "set" if settings.get("token") else "not set",
            "scopes": list(scopes)}
