"""`studio source …`: configure a show's comment sources, print receiver URLs, run one adapter."""
from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click

from studio.sources.registry import ROOM_REQUIRED

SETTINGS_ENV = "STUDIO_SOURCE_SETTINGS"  # resolved settings, from the supervisor to its adapter process


def _pairs(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for v in values:
        name, sep, value = v.partition("=")
        if not sep or not name:
            raise click.UsageError(f"--set takes name=value, not {v!r}")
        out[name.strip()] = value
    return out


def _studio():
    from studio.commands.migrated import migrated_app
    return migrated_app().extensions["studio"]


@click.group("source")
def source_group() -> None:
    """Live platform comment sources: official adapters and capture-tool receivers."""


@source_group.command("add")
@click.option("--show", "show_id", required=True)
@click.option("--platform", required=True, help="bilibili, youtube, twitch, douyin, kuaishou, wxlivespy, dycast, "
                                                "generic")
@click.option("--room", default="", help="room / chat id / channel (per platform)")
@click.option("--set", "values", multiple=True, metavar="NAME=VALUE", help="a setting (repeatable)")
@click.option("--secret", "secrets", multiple=True, metavar="NAME", help="a secret setting, asked for hidden")
@click.option("--disable", is_flag=True, help="keep the config but do not use it")
def add(show_id: str, platform: str, room: str, values: tuple, secrets: tuple, disable: bool) -> None:
    """Add a source to a show or change its settings (others are kept). Secrets are stored encrypted."""
    from studio.comments.source_configs import upsert_config
    from studio.errors import NotFound
    from studio.sources.settings import SettingsError
    update = _pairs(values)
    for name in secrets:
        update[name] = click.prompt(f"{platform} {name}", hide_input=True)
    studio = _studio()
    try:
        view = upsert_config(studio.db, studio.config["SECRET_KEY"], show_id, platform, room, update,
                             enabled=not disable)
    except NotFound:
        raise click.UsageError(f"no show '{show_id}'") from None
    except SettingsError as e:
        raise click.UsageError(str(e)) from e
    click.echo(json.dumps(view, ensure_ascii=False))


LIST_FIELDS = ("state", "stale", "since", "last_message_ago", "per_minute", "normal_per_minute", "reconnects",
               "restarts", "last_error")


def _live(view: dict | None) -> dict:
    if view is None:
        return {"state": "not running"}
    live = {k: view.get(k) for k in LIST_FIELDS}
    live["events"] = (view.get("events") or [])[-5:]
    return live


@source_group.command("list")
@click.option("--show", "show_id", required=True)
def list_(show_id: str) -> None:
    """The show's sources with their live state (one JSON object a line; secrets only named, never shown).
    A source that reports without a stored config (settings from its environment) is listed too."""
    from studio.comments.source_configs import list_configs
    from studio.errors import NotFound
    studio = _studio()
    try:
        configs = list_configs(studio.db, studio.config["SECRET_KEY"], show_id)
    except NotFound:
        raise click.UsageError(f"no show '{show_id}'") from None
    health = {(h["platform"], h.get("room", "")): h for h in studio.intake.list(show_id)}
    for c in configs:
        click.echo(json.dumps({**c, **_live(health.pop((c["platform"], c["room"]), None))}, ensure_ascii=False))
    for (platform, room), h in sorted(health.items()):
        click.echo(json.dumps({"platform": platform, "room": room, "configured": False, **_live(h)},
                              ensure_ascii=False))


@source_group.command("stop")
@click.option("--show", "show_id", required=True)
@click.option("--platform", required=True)
@click.option("--room", default="")
def stop(show_id: str, platform: str, room: str) -> None:
    """Stop a running adapter, wherever it runs: its next health report (within seconds) is answered "stop", it
    ends its platform session and exits, and its supervisor does not restart it."""
    from studio.sources.registry import normalize_room
    studio = _studio()
    room = normalize_room(platform, room)
    if not studio.intake.request_stop(show_id, platform, room):
        raise click.UsageError(f"no {platform} source{' ' + room if room else ''} has reported for show "
                               f"'{show_id}' (see `studio source list --show {show_id}`)")
    click.echo(f"asked {platform}{' ' + room if room else ''} to stop; it stops at its next health report")


@source_group.command("hook-url")
@click.option("--show", "show_id", required=True)
@click.option("--platform", "kind", required=True, type=click.Choice(["wxlivespy", "dycast", "generic"]))
@click.option("--base-url", default=None, help="the studio's address as the capture tool reaches it "
                                               "(default: STUDIO_PUBLIC_URL or http://127.0.0.1:5000)")
def hook_url_command(show_id: str, kind: str, base_url: str | None) -> None:
    """Print a new receiver URL for a capture tool; the previous URL of that show and tool stops working."""
    from studio.comments.source_configs import hook_url, rotate_hook_token
    from studio.errors import NotFound
    studio = _studio()
    try:
        token = rotate_hook_token(studio.db, show_id, kind)
    except NotFound:
        raise click.UsageError(f"no show '{show_id}'") from None
    base = base_url or studio.config.get("PUBLIC_URL") or "http://127.0.0.1:5000"
    click.echo(hook_url(base, show_id, kind, token))


def _local_settings(show_id: str, platform: str, room: str, remote: bool) -> dict:
    """The stored config, when this machine holds the studio's database; {} on a remote adapter machine."""
    if remote and not os.environ.get("STUDIO_DATABASE_URL") \
            and not (Path(os.environ.get("STUDIO_VAR_DIR", "var")) / "studio.db").exists():
        return {}
    from studio.comments.source_configs import stored_settings
    studio = _studio()
    return stored_settings(studio.db, studio.config["SECRET_KEY"], show_id, platform, room)


@source_group.command("run")
@click.option("--platform", required=True, type=click.Choice(["bilibili", "youtube", "twitch", "douyin", "kuaishou"]))
@click.option("--show", "show_id", required=True)
@click.option("--room", default="", help="room / live chat id / channel login")
@click.option("--url", default=None, help="the studio (default: STUDIO_PUBLIC_URL or http://127.0.0.1:5000)")
@click.option("--token", envvar="STUDIO_INGEST_TOKEN", required=True, help="an ingest token (or STUDIO_INGEST_TOKEN)")
@click.option("--set", "values", multiple=True, metavar="NAME=VALUE", help="a setting (repeatable)")
@click.option("-v", "--verbose", is_flag=True)
@click.option("--no-supervise", is_flag=True, help="run the adapter in this process, without restarts")
def run(platform: str, show_id: str, room: str, url: str | None, token: str, values: tuple, verbose: bool,
        no_supervise: bool) -> None:
    """Run one platform adapter until stopped (SIGTERM / Ctrl-C / `studio source stop`), posting comments and
    health to the studio; a crashed adapter is restarted with backoff. Settings come from the show's stored
    config, STUDIO_<PLATFORM>_<NAME> and --set."""
    from studio.sources.registry import adapter_class, normalize_room, specs_for
    from studio.sources.runner import run_adapter
    from studio.sources.settings import SettingsError, resolve
    from studio.sources.sink import IngestSink
    from studio.sources.supervisor import EXIT_ENDED, EXIT_FAILED, EXIT_STOPPED
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if verbose:
        logging.getLogger("urllib3").setLevel(logging.INFO)  # its debug lines carry query strings (api keys)
    if platform in ROOM_REQUIRED and not room:
        raise click.UsageError(f"{platform} needs --room ({ROOM_REQUIRED[platform]})")
    try:
        # A supervised child gets the settings its supervisor resolved: a restart needs no database.
        handed = os.environ.pop(SETTINGS_ENV, None) if no_supervise else None
        if handed:
            settings = json.loads(handed)
        else:
            stored = _local_settings(show_id, platform, room, remote=url is not None)
            settings = resolve(platform, specs_for(platform), stored, _pairs(values))
        if float(settings["backoff_base"]) <= 0 or float(settings["backoff_cap"]) < float(settings["backoff_base"]):
            raise SettingsError("backoff_base must be above 0 and backoff_cap at least backoff_base")
    except SettingsError as e:
        raise click.UsageError(str(e)) from e
    base = url or os.environ.get("STUDIO_PUBLIC_URL") or "http://127.0.0.1:5000"
    sink = IngestSink(base, token, show_id, f"adapter:{platform}")
    room = normalize_room(platform, room)
    if not no_supervise:
        from studio.sources.supervisor import supervise
        argv = [sys.executable, "-m", "studio.commands.cli", *sys.argv[1:], "--no-supervise"]
        sys.exit(supervise(argv, sink, platform, room, env={SETTINGS_ENV: json.dumps(settings)}))
    adapter = adapter_class(platform, settings)(room, settings)
    state = run_adapter(adapter, sink)
    if state == "failed":
        click.echo(f"{platform}: {adapter.status.last_error}", err=True)
    sys.exit(EXIT_STOPPED if state == "stopped" else EXIT_FAILED if state == "failed" else EXIT_ENDED)
