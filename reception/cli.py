"""Command-line tasks: `flask --app wsgi <group> <command>`."""

from __future__ import annotations

import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from reception.core.types import utcnow
from reception.core.web import current_settings
from reception.extensions import db

seed_cli = AppGroup("seed", help="Load reference or demo data.")
users_cli = AppGroup("users", help="Manage user accounts.")
apikeys_cli = AppGroup("apikeys", help="Manage API keys.")
outbox_cli = AppGroup("outbox", help="Deliver queued e-mail.")
deadlines_cli = AppGroup("deadlines", help="The daily deadline job.")
totp_cli = AppGroup("totp", help="Keys of the second-factor secrets.")
rollups_cli = AppGroup("rollups", help="The daily rollups the figures are read from.")
config_cli = AppGroup("config", help="The settings: every one, its variable, type and default.")
# A fixed number for pg_try_advisory_xact_lock: any host may start the daily job, one runs it.
DEADLINES_LOCK = 73_110_001


def take_job_lock(key: int) -> bool:
    """Take a PostgreSQL advisory lock for this transaction; other databases need none."""
    if db.engine.dialect.name != "postgresql":
        return True
    from sqlalchemy import text

    return bool(
        db.session.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key}).scalar()
    )


@deadlines_cli.command("remind")
def deadlines_remind_command():
    """Remind executors, alert heads about missed terms, close old unrated answers.

    Safe to run several times a day: each reminder and alert is sent once.
    """
    from reception.appeals.jobs import remind_deadlines
    from reception.ops.worker import deadline_job_done

    if not take_job_lock(DEADLINES_LOCK):
        click.echo("deadlines: another host is running the job now; nothing to do here.")
        return
    from reception.api.idempotency import purge_expired

    now = utcnow()
    report = remind_deadlines(db.session, now=now, settings=current_settings())
    purged = purge_expired(
        db.session, now=now, hours=current_app.config["RECEPTION_IDEMPOTENCY_HOURS"]
    )
    deadline_job_done(db.session, report, now=now, config=current_app.config)
    db.session.commit()
    click.echo(
        f"deadlines: {report.reminders} reminders, {report.alerts} overdue alerts, "
        f"{report.closed} answered appeals closed, {report.return_reminders} return "
        f"reminders, {report.deemed_refused} complaints deemed refused, {report.surveys} "
        f"applicants asked whether resolved, {purged} expired "
        "idempotency keys removed"
    )


@seed_cli.command("reference")
def seed_reference_command():
    """Load regions, categories, the authority tree and routing (idempotent)."""
    from reception.directory.seed import seed_reference

    report = seed_reference(db.session)
    db.session.commit()
    click.echo(
        f"Reference data ready: {report.regions} regions, {report.categories} categories, "
        f"{report.authorities} authorities and {report.routes} routing rules added."
    )


@seed_cli.command("demo")
def seed_demo_command():
    """Create demo users and appeals, and print the demo log-ins (never in production)."""
    from reception.demo import DEMO_PASSWORD, seed_demo

    if not current_app.config["DEMO_DATA_ALLOWED"]:
        raise click.ClickException("Demo data is not allowed in this environment.")
    report = seed_demo(db.session, now=utcnow(), settings_config=current_app.config)
    db.session.commit()
    click.echo(f"Demo data ready: {report.users} users and {report.appeals} appeals added.")
    click.echo(f"Demo log-ins (password: {DEMO_PASSWORD}):")
    for email, role in report.logins:
        click.echo(f"  {role:<9} {email}")
    required = current_app.config["TWO_FACTOR_REQUIRED_ROLES"]
    if required:
        click.echo(
            f"Two-step verification is required for: {', '.join(required)}; they set it up "
            "with an authenticator app at their first log-in."
        )
    else:
        click.echo("Two-step verification is optional here (Security, once logged in).")


@users_cli.command("create")
@click.option(
    "--role", required=True, type=click.Choice(["citizen", "official", "head", "operator", "admin"])
)
@click.option("--email", required=True)
@click.option("--authority", "authority_code", default=None, help="Authority code (staff).")
@click.option("--name", "full_name", default="", help="Full name.")
@click.option("--password", default=None, help="Asked for when not given.")
def users_create_command(role, email, authority_code, full_name, password):
    """Create a user with a role (and the authority for officials and heads)."""
    from reception.accounts.services import AccountError, create_user
    from reception.directory.queries import get_authority

    authority = None
    if authority_code:
        authority = get_authority(db.session, authority_code)
        if authority is None:
            raise click.ClickException(f"No active authority with code {authority_code!r}.")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(
            db.session,
            email=email,
            password=password,
            role=role,
            full_name=full_name,
            authority=authority,
            now=utcnow(),
        )
        db.session.commit()
    except AccountError as refused:
        db.session.rollback()
        raise click.ClickException(
            "; ".join(f"{name}: {message}" for name, message in refused.errors.items())
        ) from None
    click.echo(f"Created {user.role} {user.email}.")


@apikeys_cli.command("create")
@click.option("--name", required=True)
@click.option("--user", "user_email", default=None, help="Act as this user (staff systems).")
def apikeys_create_command(name, user_email):
    """Create an API key and print it once."""
    from reception.accounts.apikeys import create_api_key
    from reception.accounts.services import get_user_by_email

    user = None
    if user_email:
        user = get_user_by_email(db.session, user_email)
        if user is None:
            raise click.ClickException(f"No user with e-mail {user_email!r}.")
    _, secret = create_api_key(db.session, name=name, user=user, now=utcnow())
    db.session.commit()
    click.echo("API key (shown once, store it now):")
    click.echo(secret)


@outbox_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep running and deliver as messages arrive.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between rounds.")
def outbox_send_command(loop, interval):
    """Deliver the e-mail that is due, with retries and backoff."""
    from reception.notifications.outbox import DeliveryPolicy, deliver_due
    from reception.notifications.transports import transport_for
    from reception.ops.worker import LoggedTransport, outbox_round_done

    config = current_app.config
    policy = DeliveryPolicy(
        max_attempts=config["OUTBOX_MAX_ATTEMPTS"],
        backoff_seconds=config["OUTBOX_BACKOFF_SECONDS"],
        batch_size=config["OUTBOX_BATCH_SIZE"],
    )
    transport = LoggedTransport(transport_for(config))
    while True:
        try:
            now = utcnow()
            report = deliver_due(db.session, transport, now=now, policy=policy)
            outbox_round_done(db.session, report, now=now)
        except Exception as error:  # keep a looping worker alive when the database blinks
            db.session.rollback()
            if not loop:
                raise
            current_app.logger.error("outbox round failed: %s", error)
        else:
            if report.sent or report.retried or report.failed or not loop:
                click.echo(
                    f"outbox: {report.sent} sent, {report.retried} to retry, {report.failed} failed"
                )
            if report.sent == policy.batch_size:
                continue  # more may be waiting
        if not loop:
            return
        time.sleep(interval)
        db.session.remove()


@totp_cli.command("new-key")
def totp_new_key_command():
    """Print a fresh key for RECEPTION_TOTP_KEYS (put it first in the list)."""
    from reception.accounts.secret_box import new_key

    click.echo(new_key())


@totp_cli.command("rotate")
def totp_rotate_command():
    """Re-encrypt every second-factor secret with the first key of RECEPTION_TOTP_KEYS.

    Run it after putting a new key first; then the old keys may be removed. Safe to run
    again: secrets already under the first key are left as they are.
    """
    from sqlalchemy import select

    from reception.accounts.models import User
    from reception.accounts.secret_box import SecretBox

    box = SecretBox.from_config(current_app.config)
    users = db.session.scalars(
        select(User).where(User.totp_secret.is_not(None)).with_for_update()
    ).all()
    changed = 0
    for user in users:
        if not box.is_current(user.totp_secret):
            user.totp_secret = box.rotate(user.totp_secret)
            changed += 1
    db.session.commit()
    click.echo(f"totp: {changed} of {len(users)} secrets re-encrypted with the newest key")


@rollups_cli.command("rebuild")
def rollups_rebuild():
    """Recompute the rollups from the appeals (after a bulk load or a restore)."""
    from reception.monitoring.rollups import CELL, DAY, grains, rebuild, refresh_statistics

    rebuild(db.session)
    db.session.commit()
    refresh_statistics(db.session)
    db.session.commit()
    [cells_grain] = grains((DAY,), (CELL,))
    cells = db.session.scalar(db.select(db.func.count()).select_from(cells_grain.counters))
    click.echo(f"rollups: rebuilt, {cells} cells")


@config_cli.command("table")
@click.option("--all", "every_setting", is_flag=True, help="Also the settings made in config.py.")
def config_table_command(every_setting: bool):
    """Print the settings as the README's Markdown table (one row per environment variable)."""
    from config import markdown_table

    click.echo(markdown_table(every_setting=every_setting), nl=False)


@config_cli.command("show")
def config_show_command():
    """Print the settings this process runs with (secrets only as set or not set)."""
    from config import DATABASE_URL, SETTINGS

    for setting in SETTINGS:
        if setting.key is None or setting.key not in current_app.config:
            continue
        value = current_app.config[setting.key]
        if setting.kind is DATABASE_URL and value:
            from sqlalchemy.engine import make_url

            value = make_url(value).render_as_string(hide_password=True)
        elif setting.kind.secret:
            value = "(set)" if value else "(not set)"
        click.echo(f"{setting.key} = {value!r}")


def register_commands(app: Flask) -> None:
    for group in (
        seed_cli,
        users_cli,
        apikeys_cli,
        outbox_cli,
        deadlines_cli,
        totp_cli,
        rollups_cli,
        config_cli,
    ):
        app.cli.add_command(group)
