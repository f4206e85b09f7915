"""`studio`: the command line. Commands that need the app build it themselves, so `studio match` stays light."""
from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

import click

from faq_catalog.catalog_io import export_catalog, load_catalog


def _app():
    from studio.commands.migrated import migrated_app
    return migrated_app()


def _studio(app):
    return app.extensions["studio"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """FAQ Live Studio: run a customer-service livestream."""


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations up to the newest schema."""
    from studio.config import load_config
    from studio.store.migrate import upgrade
    upgrade(load_config()["DATABASE_URL"])
    click.echo("database is at the newest schema")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def run(host: str, port: int) -> None:
    """Migrate, then serve everything (pages, API, Socket.IO) from one process."""
    from studio.server import serve
    app = _app()
    studio = _studio(app)
    studio.start()
    click.echo(f"FAQ Live Studio on http://{host}:{port}/", err=True)
    serve(app, host, port, on_stop=studio.stop)


@cli.group()
def catalog() -> None:
    """Import and export the FAQ catalog (Markdown folder or CSV)."""


@catalog.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Report what would change, change nothing.")
def catalog_import(path: Path, dry_run: bool) -> None:
    """Import PATH (folder of .md files or .csv); idempotent by slug, all or nothing."""
    st = _studio(_app())
    parsed = load_catalog(path)
    report = st.catalog.apply_import(parsed, dry_run=dry_run)
    d = report.to_dict()
    taught = st.decisions.import_taught(parsed.taught) if report.applied else None
    for err in report.rejected:
        where = f"{err['file']}:{err['line']}" if err["line"] else err["file"]
        click.echo(f"rejected  {where}: {err['message']}", err=True)
    click.echo(f"created {d['created']}, updated {d['updated']}, unchanged {d['unchanged']}, "
               f"rejected {d['rejected']}" + ("" if report.applied else " — nothing was applied")
               + (f"; decisions added {taught.added}, unchanged {taught.unchanged}" if taught else ""))
    sys.exit(0 if report.applied or dry_run and not report.rejected else 1)


@catalog.command("export")
@click.argument("path", type=click.Path(path_type=Path))
def catalog_export(path: Path) -> None:
    """Export to PATH: a .csv file, or a folder of Markdown files."""
    st = _studio(_app())
    n = export_catalog(st.catalog.all(), path, st.decisions.active())
    click.echo(f"exported {n} items to {path}")


@cli.group()
def user() -> None:
    """Staff accounts."""


@user.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["producer", "host", "lead", "agent", "admin"]))
@click.option("--password", envvar="STUDIO_USER_PASSWORD", help="Asked for when absent.")
def user_create(name: str, role: str, password: str | None) -> None:
    """Create NAME (or reset its password and role)."""
    from studio.access.auth import create_user
    if not password:
        password = getpass.getpass(f"password for {name}: ")
    try:
        create_user(_studio(_app()).db, name, password, role)
    except ValueError as e:
        raise click.UsageError(str(e)) from e
    click.echo(f"user {name} ({role}) ready")


@cli.group()
def token() -> None:
    """API tokens for automation (sent as Authorization: Bearer <token>)."""


@token.command("create")
@click.option("--role", required=True, type=click.Choice(["producer", "host", "lead", "agent", "admin", "ingest"]))
@click.option("--label", default="")
def token_create(role: str, label: str) -> None:
    """Print a new token (only the token: it is shown once and stored hashed)."""
    from studio.access.auth import create_token
    click.echo(create_token(_studio(_app()).db, role, label))


@token.command("revoke")
@click.argument("token_or_prefix")
def token_revoke(token_or_prefix: str) -> None:
    from studio.access.auth import revoke_token
    n = revoke_token(_studio(_app()).db, token_or_prefix)
    click.echo(f"revoked {n} token(s)")
    sys.exit(0 if n else 1)


@cli.group()
def show() -> None:
    """Shows."""


@show.command("create")
@click.argument("title")
@click.option("--id", "show_id", default=None, help="Choose the id (default: generated).")
def show_create(title: str, show_id: str | None) -> None:
    """Create a show; its id is printed alone on the last line."""
    from studio.store.shows import create_show
    try:
        s = create_show(_studio(_app()).db, title, show_id)
    except ValueError as e:
        raise click.UsageError(str(e)) from e
    click.echo(f"created show '{s.title}' with the catalog's on-shelf items")
    click.echo(s.id)


@cli.group()
def contacts() -> None:
    """One-to-one service traffic (helpdesk exports) for the deflection analytics."""


@contacts.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tz", default="UTC", show_default=True, help="Time zone of times written without an offset.")
def contacts_import(path: Path, tz: str) -> None:
    """Import a helpdesk CSV export; importing the same file again adds nothing.
    Accepted columns are listed in `studio/contacts.py`."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from studio.analytics.contacts import UnreadableFile, import_csv
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.UsageError(f"unknown time zone {tz!r} (use an IANA name such as Asia/Shanghai)") from None
    studio = _studio(_app())
    with path.open("rb") as f, click.progressbar(length=path.stat().st_size, label="importing", file=sys.stderr) as bar:
        try:
            report = import_csv(studio.db, f, studio.pseudonym, zone, progress=bar.update)
        except UnreadableFile as e:
            raise click.ClickException(str(e)) from e
    for err in report["errors"]:
        click.echo(f"rejected  line {err['line']}: {err['reason']}", err=True)
    click.echo(f"rows {report['rows']}: added {report['accepted']}, already there {report['duplicate']}, "
               f"rejected {report['rejected']}")
    sys.exit(1 if report["rejected"] and not report["accepted"] + report["duplicate"] else 0)


def _register_commands() -> None:
    from studio.commands.replay import replay_command
    from studio.commands.simulate import simulate_command
    cli.add_command(replay_command, "replay")
    cli.add_command(simulate_command, "simulate")
    from studio.commands.cluster import cluster_command
    cli.add_command(cluster_command, "cluster")
    from studio.commands.sources import source_group
    cli.add_command(source_group, "source")
    from faq_catalog.cli import eval_command, match_command
    from studio.commands.demo import demo_command
    cli.add_command(match_command, "match")
    cli.add_command(eval_command, "eval-matcher")
    cli.add_command(demo_command, "demo")


def explain(e: BaseException) -> str:
    """One line for an error that reached the top: what happened and what to run or check."""
    from sqlalchemy.exc import OperationalError, ProgrammingError
    text = str(getattr(e, "orig", None) or e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    if isinstance(e, (OperationalError, ProgrammingError)):
        if "no such table" in text or "does not exist" in text or "no such column" in text:
            return f"the database schema is not up to date ({text}): run `studio db upgrade`"
        return f"cannot use the database ({text}): check STUDIO_DATABASE_URL and that the database is running"
    if isinstance(e, OSError):
        return f"{text}: check the path and its permissions"
    return f"{type(e).__name__}: {text} (STUDIO_DEBUG=1 shows the details)"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("run", "demo"):
        from gevent import monkey
        monkey.patch_all()
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    _register_commands()
    try:
        cli(prog_name="studio")
    except Exception as e:  # noqa: BLE001 - a user's mistake gets one line, not a traceback
        if os.environ.get("STUDIO_DEBUG"):
            raise
        click.echo(f"studio: error: {explain(e)}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
