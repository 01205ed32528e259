"""List pages run a fixed number of queries, whatever the number of rows (no N+1)."""

from datetime import UTC, datetime, timedelta

import pytest

from reception.extensions import db
from reception.review import services
from tests.factories import PASSWORD, make_appeal, make_staff, make_user, store, workflow_settings
from tests.querycount import count_queries

NOW = datetime.now(UTC)


def login(client, user):
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )


def fill(count, citizen=None, official=None):
    for _ in range(count):
        appeal, _ = make_appeal(NOW - timedelta(days=2), actor=citizen, publish_consent="y")
        if official is not None:
            services.take_appeal(
                db.session, appeal, actor=official, now=NOW, settings=workflow_settings()
            )
            services.answer_appeal(
                db.session,
                appeal,
                actor=official,
                now=NOW,
                settings=workflow_settings(),
                store=store(),
                text="Answer",
            )
    db.session.commit()


def queries_for(client, url):
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize(
    "role, url",
    [
        ("official", "/review/"),
        ("citizen", "/my/appeals"),
        ("admin", "/monitoring/"),
        ("admin", "/monitoring/overdue"),
        ("anonymous", "/stats"),
        ("anonymous", "/open311/v2/requests.json"),
    ],
)
def test_list_pages_do_not_grow_with_the_rows(client, app, role, url):
    citizen = make_user(email="citizen@example.kz")
    official = make_staff(role="official")
    users = {
        "official": official,
        "citizen": citizen,
        "admin": make_user(role="admin", email="admin@example.kz"),
    }
    if role != "anonymous":
        login(client, users[role])
    fill(2, citizen, official if url in ("/stats", "/open311/v2/requests.json") else None)
    few = queries_for(client, url)
    fill(8, citizen, official if url in ("/stats", "/open311/v2/requests.json") else None)
    many = queries_for(client, url)
    assert many == few, f"{url}: {few} queries with 2 appeals, {many} with 10"
