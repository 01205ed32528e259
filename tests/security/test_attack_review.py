"""Regressions found by attacking the running product (issue 11's guarantees).

Each test fails on the code before its fix.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reception.accounts.apikeys import create_api_key
from reception.appeals.models import Appeal
from reception.extensions import db
from reception.review import groups, services
from tests.conftest import TUESDAY_MORNING
from tests.factories import PASSWORD, VALID_IIN, make_appeal, make_staff, workflow_settings

LATER = datetime(2026, 11, 19, 6, 0, tzinfo=UTC)


def login(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


# --- Safe publishing: one text answering a group ---------------------------------------


@pytest.fixture
def grouped():
    """Two consented appeals of one body, taken and grouped, of two different people."""
    official = make_staff()
    first, _ = make_appeal(
        TUESDAY_MORNING,
        full_name="Асқар Мұқанов",
        publish_consent=True,
        email="askar@x.kz",
        iin=VALID_IIN,
    )
    second, _ = make_appeal(
        TUESDAY_MORNING,
        full_name="Бауыржан Сейтқалиев",
        publish_consent=True,
        email="bauyrzhan@x.kz",
        phone="+7 705 111 22 33",
        iin="",
        address="Алматы, Абая 10, 5",
    )
    for appeal in (first, second):
        services.take_appeal(
            db.session, appeal, actor=official, now=TUESDAY_MORNING, settings=workflow_settings()
        )
    db.session.commit()
    groups.link_appeals(
        db.session,
        first,
        actor=official,
        now=LATER,
        settings=workflow_settings(),
        data={"numbers": second.number},
    )
    db.session.commit()
    return official, first, second


GROUP_TEXT = (
    "Уважаемые Мұқанов и Сейтқалиев! По обращению Сейтқалиева (тел. 8 705 111 22 33, "
    f"bauyrzhan@x.kz, ИИН {VALID_IIN}) сообщаем: насос заменён. Участковый Жаксыбеков."
)


def previewed_digest(response) -> str:
    """The preview page's mark that this text was shown."""
    import re

    assert response.status_code == 200
    found = re.search(r'name="previewed" value="([0-9a-f]{64})"', response.get_data(as_text=True))
    assert found, "no preview shown"
    return found.group(1)


def _published(*appeals):
    db.session.expire_all()
    return [db.session.get(Appeal, a.id).published_answer for a in appeals]


@pytest.mark.parametrize("via", ["page", "api"])
def test_a_group_answer_publishes_no_members_personal_data(client, grouped, via):
    """The same text goes to every applicant of a group: each published copy used to hide
    only its own applicant's data, so the other applicant's surname (in any case form) went
    public, and the official's extra words to hide were ignored."""
    official, first, second = grouped
    if via == "page":
        login(client, official)
        form = {"text": GROUP_TEXT, "hide": "Жаксыбеков", "hide_reason": "a third person"}
        path = f"/review/appeals/{first.number}/actions/group_answer"
        form["previewed"] = previewed_digest(client.post(path, data=form))
        response = client.post(path, data=form)
        assert response.status_code == 302
    else:
        _, secret = create_api_key(db.session, name="DMS", user=official, now=TUESDAY_MORNING)
        db.session.commit()
        response = client.post(
            f"/api/v1/appeals/{first.number}/actions",
            json={"action": "group_answer", "text": GROUP_TEXT, "hide": ["Жаксыбеков"]},
            headers={"Authorization": f"Bearer {secret}"},
        )
        assert response.status_code == 200, response.get_json()
    for published in _published(first, second):
        assert published
        for secret_part in (
            "Мұқанов",
            "Сейтқалиев",
            "111 22 33",
            "bauyrzhan",
            VALID_IIN,
            "Жаксыбеков",
        ):
            assert secret_part not in published, published
        assert "насос заменён" in published


def test_a_group_answer_shows_the_preview_before_anything_is_sent(client, grouped):
    """The page sent a group's answer at once: the official never saw what would be
    published, as a single answer shows it, and could not add words to hide."""
    official, first, second = grouped
    login(client, official)
    path = f"/review/appeals/{first.number}/actions/group_answer"
    form = {"text_ru": GROUP_TEXT}
    shown = client.post(path, data=form)
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert "What will be published" in page and 'name="hide"' in page
    for number in (first.number, second.number):
        assert number in page
    assert "[ФИО]" in page
    assert _published(first, second) == [None, None]
    # Changed after the preview: shown again, still nothing sent.
    form["previewed"] = previewed_digest(shown)
    again = client.post(path, data={**form, "hide": "насос"})
    assert again.status_code == 200 and _published(first, second) == [None, None]
    assert client.post(path, data=form).status_code == 302
    assert all(_published(first, second))


# --- Cache-Control: an API key's own requests -------------------------------------------


def test_open311_reads_with_a_key_are_never_cached(client):
    """With its api_key an Open311 client reads its own requests in full (the original
    description, with whatever personal data was typed): those answers were sent without
    `no-store`, as the public list is, so a shared cache could keep and serve them."""
    official = make_staff()
    _, secret = create_api_key(db.session, name="311", user=official, now=TUESDAY_MORNING)
    db.session.commit()
    filed = client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": secret,
            "service_code": "housing-utilities",
            "attribute[region]": "KZ-71",
            "address_string": "Кенесары 40",
            "description": f"Мой ИИН {VALID_IIN}",
            "first_name": "Асқар",
            "last_name": "Мұқанов",
            "email": "askar@x.kz",
        },
    )
    number = filed.get_json()[0]["service_request_id"]
    for path in (f"/open311/v2/requests/{number}", "/open311/v2/requests"):
        for fmt in ("json", "xml"):
            response = client.get(f"{path}.{fmt}?api_key={secret}")
            assert response.status_code == 200
            assert VALID_IIN in response.get_data(as_text=True)
            assert response.headers.get("Cache-Control") == "no-store", path
    # The public reads stay cacheable.
    assert client.get("/open311/v2/services.json").headers.get("Cache-Control") is None


# --- Logs: what a database error quotes --------------------------------------------------


@pytest.fixture
def captured():
    from tests.ops.test_logs import captured as fixture

    yield from fixture.__wrapped__()


def _duplicate_email(*_args, **_kwargs):
    """A real unique violation naming a typed address, as a race on a sign-up would."""
    from sqlalchemy import text

    db.session.execute(text("CREATE TEMPORARY TABLE leak_probe (email TEXT UNIQUE)"))
    for _ in range(2):
        db.session.execute(
            text("INSERT INTO leak_probe VALUES (:email)"), {"email": "victim.leak@example.kz"}
        )


def test_a_server_error_logs_no_value_the_database_quotes(
    client, captured, monkeypatch, postgres_only
):
    """PostgreSQL's error names the refused values ("DETAIL: Key (email)=(...) already
    exists"; "Failing row contains (...)"): the 500 handler logged it with the traceback,
    past SQLAlchemy's hide_parameters."""
    import reception.monitoring.public as public

    monkeypatch.setattr(public, "list_published_answers", _duplicate_email)
    response = client.get("/stats?q=x")
    assert response.status_code == 500
    log = captured.getvalue()
    assert "unhandled error" in log and "UniqueViolation" in log
    assert "victim.leak" not in log


def test_log_lines_hide_what_database_errors_quote():
    from reception.ops.logs import scrub

    for message, secret in (
        (
            'duplicate key value violates unique constraint "users_email_key"\n'
            "DETAIL:  Key (email)=(victim@example.kz) already exists.",
            "victim@example.kz",
        ),
        (
            'new row for relation "appeals" violates check constraint "x"\n'
            "DETAIL:  Failing row contains (1, Асқар Мұқанов, 900101300017).",
            "900101300017",
        ),
        ('invalid input syntax for type integer: "900101300017"', "900101300017"),
    ):
        scrubbed = scrub(message)
        assert secret not in scrubbed and "[hidden]" in scrubbed


# --- A visitor's access to an appeal has an end ----------------------------------------


def test_a_browsers_access_to_an_appeal_ends_whatever_the_cookie_does(app, client, monkeypatch):
    """A visitor who tracked an appeal with its code keeps that right in the signed cookie,
    which has no record on the server: a copy of it, refreshed by any request that changes
    the session (changing the language), kept the appeal readable for ever. The right now
    lasts RECEPTION_SESSION_HOURS from when it was given, as a log-in does."""
    import time

    appeal, code = make_appeal(TUESDAY_MORNING)
    tracked = client.post("/track", data={"number": appeal.number, "code": code})
    assert tracked.status_code == 200
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    page = f"/my/appeals/{appeal.number}"
    assert thief.get(page).status_code == 200
    # The thief changes the language every few hours: each answer signs the cookie anew,
    # so it never reaches the cookie's own 8 hours.
    real_time, offset = time.time, [0.0]
    monkeypatch.setattr(time, "time", lambda: real_time() + offset[0])
    hours = app.config["SESSION_ABSOLUTE_HOURS"]
    for _ in range(hours // 6 + 1):
        offset[0] += 6 * 3600
        thief.get("/lang/kk?next=/track")
        thief.get("/lang/en?next=/track")
    assert thief.get(page).status_code == 404
    assert thief.get(f"/appeals/{appeal.number}/receipt").status_code == 404
    # A fresh right works again.
    assert thief.post("/track", data={"number": appeal.number, "code": code}).status_code == 200
    assert thief.get(page).status_code == 200


# --- Rate limits: counted on the key the request acts with ------------------------------


@pytest.mark.parametrize(
    "decoy",
    [
        {"query_string": {"api_key": "made-up"}},
        {"headers": {"Authorization": "Bearer made-up"}},
    ],
    ids=["key-in-address", "bearer-header"],
)
def test_open311_filing_is_counted_on_the_key_it_files_with(make_app, decoy):
    """The limit read the key from the address or a Bearer header first, the filing from
    the form: a made-up key beside the real one moved the count to the client's address, so a
    key holder with many addresses filed without limit."""
    import uuid

    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
        RATELIMIT_OPEN311_WRITE="2 per minute",
    )
    official = make_staff()
    _, secret = create_api_key(db.session, name="311", user=official, now=TUESDAY_MORNING)
    db.session.commit()
    codes = []
    for n in range(3):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{n + 1}"
        codes.append(
            client.post(
                "/open311/v2/requests.json",
                data={"api_key": secret, "service_code": "no-such-service"},
                **decoy,
            ).status_code
        )
    assert codes == [404, 404, 429]
