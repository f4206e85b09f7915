"""`studio source …`: configure a show's comment sources, print receiver URLs, run one adapter."""
from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click

from studio.sources.registry import ROOM_REQUIRED



def _pairs(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for v in values:
        name, sep, value = v.partition("=")
        if not sep or not name:
            raise click.UsageError(f"--set takes name=value, not {v!r}")
        out[name.strip()] = value
    return out


def _studio():
    from studio.app import create_app
    return create_app().extensions["studio"]


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
    from studio.errors import NotFound
    from studio.comments.source_configs import upsert_config
    from studio.sources.settings import SettingsError
    update = _pairs(values)
    for name in secrets:
        update[name] = click.prompt(f"{platform} {name}", hide_input=True)
    studio = _studio()
    try:
        view = upsert_config(studio.db, studio.config["SECRET_KEY"], show_id, platform, room, update,
                             enabled=not disable)
    except NotFound:
        raise click.UsageError(f"no show '{show_id}'")
    except SettingsError as e:
        raise click.UsageError(str(e))
    click.echo(json.dumps(view, ensure_ascii=False))


@source_group.command("list")
@click.option("--show", "show_id", required=True)
def list_(show_id: str) -> None:
    """The show's sources (secrets only named, never shown)."""
    from studio.errors import NotFound
    from studio.comments.source_configs import list_configs
    studio = _studio()
    try:
        for c in list_configs(studio.db, studio.config["SECRET_KEY"], show_id):
            click.echo(json.dumps(c, ensure_ascii=False))
    except NotFound:
        raise click.UsageError(f"no show '{show_id}'")


@source_group.command("hook-url")
@click.option("--show", "show_id", required=True)
@click.option("--platform", "kind", required=True, type=click.Choice(["wxlivespy", "dycast", "generic"]))
@click.option("--base-url", default=None, help="the studio's address as the capture tool reaches it "
                                               "(default: STUDIO_PUBLIC_URL or http://127.0.0.1:5000)")
def hook_url_command(show_id: str, kind: str, base_url: str | None) -> None:
    """Print a new receiver URL for a capture tool; the previous URL of that show and tool stops working."""
    from studio.errors import NotFound
    from studio.comments.source_configs import rotate_hook_token
    from studio.comments.source_configs import hook_url
    studio = _studio()
    try:
        token = rotate_hook_token(studio.db, show_id, kind)
    except NotFound:
        raise click.UsageError(f"no show '{show_id}'")
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
def run(platform: str, show_id: str, room: str, url: str | None, token: str, values: tuple, verbose: bool) -> None:
    """Run one platform adapter in this process until stopped (SIGTERM / Ctrl-C), posting comments and health
    to the studio. Settings come from the show's stored config, STUDIO_<PLATFORM>_<NAME> and --set."""
    from studio.sources.registry import adapter_class, specs_for
    from studio.sources.runner import run_adapter
    from studio.sources.settings import SettingsError, resolve
    from studio.sources.sink import IngestSink
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if verbose:
        logging.getLogger("urllib3").setLevel(logging.INFO)  # its debug lines carry query strings (api keys)
    if platform in ROOM_REQUIRED and not room:
        raise click.UsageError(f"{platform} needs --room ({ROOM_REQUIRED[platform]})")
    try:
        stored = _local_settings(show_id, platform, room, remote=url is not None)
        settings = resolve(platform, specs_for(platform), stored, _pairs(values))
    except SettingsError as e:
        raise click.UsageError(str(e))
    adapter = adapter_class(platform, settings)(room, settings)
    base = url or os.environ.get("STUDIO_PUBLIC_URL") or "http://127.0.0.1:5000"
    state = run_adapter(adapter, IngestSink(base, token, show_id, f"adapter:{platform}"))
    if state == "fatal":
        click.echo(f"{platform}: {adapter.status.last_error}", err=True)
    sys.exit(2 if state == "fatal" else 0)
