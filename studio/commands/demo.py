"""`studio demo`: everything a newcomer needs to see the studio work, in one command.

Migrates an embedded SQLite database, loads the demo catalog, creates the demo show and a demo login, serves the
studio and feeds it simulated comments so the ranking moves within a minute."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

import faq_catalog

DEMO_CATALOG = Path(faq_catalog.__file__).resolve().parent / "demo"
DEMO_SHOW = "demo"
DEMO_USER, DEMO_PASSWORD = "demo", "demo-password"


def prepare(app) -> str:
    """Idempotent set-up; returns an ingest token for the simulator."""
    from faq_catalog.catalog_io import load_catalog
    from studio.access.auth import create_token, create_user
    from studio.store.shows import create_show, list_shows
    studio = app.extensions["studio"]
    report = studio.catalog.apply_import(load_catalog(DEMO_CATALOG))
    if not report.applied:
        raise click.ClickException(f"demo catalog did not load: {report.rejected[:3]}")
    if DEMO_SHOW not in {s["id"] for s in list_shows(studio.db)}:
        create_show(studio.db, "双11 售后答疑专场（演示）", DEMO_SHOW)
    create_user(studio.db, DEMO_USER, DEMO_PASSWORD, "admin")
    return create_token(studio.db, "ingest", "demo simulator")


def urls(base: str) -> list[tuple[str, str]]:
    return [
        ("Viewer shelf (open on a phone)", f"{base}/live/{DEMO_SHOW}"),
        ("Host console", f"{base}/console/{DEMO_SHOW}"),
        ("Producer rundown", f"{base}/producer/{DEMO_SHOW}"),
        ("Catalog editor", f"{base}/producer/catalog"),
        ("Lead dashboard", f"{base}/lead/{DEMO_SHOW}"),
        ("OBS overlay: on air", f"{base}/overlay/{DEMO_SHOW}/on-air"),
        ("OBS overlay: ranking", f"{base}/overlay/{DEMO_SHOW}/ranking"),
        ("OBS overlay: now / next", f"{base}/overlay/{DEMO_SHOW}/next"),
    ]


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--rate", default=30, show_default=True, help="Simulated comments per second.")
@click.option("--sources/--no-sources", default=True, show_default=True,
              help="Also run the demo show's configured platform sources, supervised.")
def demo_command(host: str, port: int, rate: int, sources: bool) -> None:
    """Set up the demo and serve it with a simulated comment stream."""
    import gevent

    from studio.app import create_app
    from studio.config import load_config
    from studio.server import serve
    from studio.store.migrate import upgrade
    upgrade(load_config()["DATABASE_URL"])
    app = create_app()
    token = prepare(app)
    studio = app.extensions["studio"]
    studio.start()
    base = f"http://{host}:{port}"
    click.echo("\nFAQ Live Studio demo\n")
    for label, url in urls(base):
        click.echo(f"  {label:<32} {url}")
    click.echo(f"\n  Login: {DEMO_USER} / {DEMO_PASSWORD}   (role admin: every page)")
    click.echo(f"  Simulated comments: {rate}/s. Stop with Ctrl-C.\n")
    sim: list[subprocess.Popen] = []
    adapters: list[subprocess.Popen] = []

    def start_simulator() -> None:
        from studio.commands.configured_sources import start_configured
        gevent.sleep(1.0)  # let the server bind first
        sim.append(subprocess.Popen([sys.executable, "-m", "studio.commands.cli", "simulate", "--show", DEMO_SHOW,
                                     "--rate", str(rate), "--url", base, "--token", token],
                                    stdout=subprocess.DEVNULL))
        if sources:
            adapters.extend(start_configured(studio.db, base, token, show_ids=[DEMO_SHOW], log=sys.stderr))
            if adapters:
                click.echo(f"  Platform sources: {len(adapters)} running, supervised (studio source list --show "
                           f"{DEMO_SHOW})")

    def stop() -> None:
        from studio.commands.configured_sources import stop_all
        for p in sim:
            p.terminate()
        stop_all(adapters)
        studio.stop()

    gevent.spawn(start_simulator)
    serve(app, host, port, on_stop=stop)
