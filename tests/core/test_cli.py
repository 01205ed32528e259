"""The command-line tasks of the contract."""

from sqlalchemy import func, select

from reception.accounts.models import ApiKey, User
from reception.directory.models import Authority, RoutingRule
from reception.extensions import db
from reception.notifications.models import OutboxMessage


def run(app, *args, input=None):
    result = app.test_cli_runner().invoke(args=list(args), input=input)
    assert result.exit_code == 0, result.output
    return result.output


def test_seed_reference_is_idempotent(app):
    rules = db.session.scalar(select(func.count(RoutingRule.id)))
    output = run(app, "seed", "reference")
    assert "0 regions, 0 categories, 0 authorities and 0 routing rules added" in output
    assert db.session.scalar(select(func.count(RoutingRule.id))) == rules
    astana = db.session.scalar(select(Authority).where(Authority.code == "astana-akimat"))
    assert astana.region.code == "KZ-71" and astana.superior.code == "kz-government"


def test_seed_demo_creates_the_contract_logins_and_appeals(app):
    output = run(app, "seed", "demo")
    for email in (
        "admin@demo.kz",
        "head@demo.kz",
        "official@demo.kz",
        "operator@demo.kz",
        "citizen@demo.kz",
    ):
        assert email in output
    assert "Two-step verification is optional here" in output
    head = db.session.scalar(select(User).where(User.email == "head@demo.kz"))
    assert head.role == "head" and head.authority.code == "astana-akimat"
    assert (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "pending")
        )
        == 0
    )
    again = run(app, "seed", "demo")
    assert "0 users and 0 appeals added" in again


def test_users_create_makes_a_staff_account(app):
    run(
        app,
        "users",
        "create",
        "--role",
        "official",
        "--email",
        "o@example.kz",
        "--authority",
        "astana-akimat",
        "--password",
        "a-long-password-1",
    )
    user = db.session.scalar(select(User).where(User.email == "o@example.kz"))
    assert user.role == "official" and user.authority.code == "astana-akimat"


def test_users_create_explains_a_refusal(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--role",
            "head",
            "--email",
            "h@example.kz",
            "--password",
            "a-long-password-1",
        ]
    )
    assert result.exit_code != 0
    assert "must belong to a state body" in result.output


def test_apikeys_create_prints_the_key_once_and_stores_its_hash(app):
    output = run(app, "apikeys", "create", "--name", "Mobile app")
    secret = output.strip().splitlines()[-1]
    key = db.session.scalar(select(ApiKey))
    assert secret.startswith("rk_") and secret not in key.key_hash


def test_outbox_send_delivers_pending_mail(app):
    from tests.conftest import TUESDAY_MORNING
    from tests.factories import make_appeal

    make_appeal(TUESDAY_MORNING)
    output = run(app, "outbox", "send")
    assert "1 sent" in output


def test_deadline_job_runs_on_one_host_at_a_time(app, postgres_only):
    from sqlalchemy import text

    from reception.cli import DEADLINES_LOCK

    with db.engine.connect() as other_host:
        other_host.execute(text("SELECT pg_advisory_lock(:key)"), {"key": DEADLINES_LOCK})
        try:
            output = run(app, "deadlines", "remind")
        finally:
            other_host.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": DEADLINES_LOCK})
    assert "another host is running the job" in output
    assert "reminders" in run(app, "deadlines", "remind")
