"""Groups of similar appeals, answered once: each applicant in their language, once."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from reception.accounts.apikeys import create_api_key
from reception.appeals.models import Appeal, AppealEvent
from reception.core.refusals import Refused
from reception.extensions import db
from reception.notifications.models import OutboxMessage
from reception.review import groups, services
from reception.similarity import queries
from reception.similarity.models import AppealGroup
from tests.conftest import TUESDAY_MORNING
from tests.factories import PASSWORD, make_appeal, make_staff, store, workflow_settings
from tests.similarity.test_similar import FLOOD_KK, FLOOD_LATIN, FLOOD_RU

LATER = datetime(2026, 11, 19, 6, 0, tzinfo=UTC)


def login(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def three():
    ru, _ = make_appeal(TUESDAY_MORNING, subject="Кенесары 40", text=FLOOD_RU, email="ru@x.kz")
    kk, _ = make_appeal(
        TUESDAY_MORNING, subject="Кенесары 40", text=FLOOD_KK, language="kk", email="kk@x.kz"
    )
    latin, _ = make_appeal(
        LATER,
        subject="Kenesary 40",
        text=FLOOD_LATIN,
        language="kk",
        email="latin@x.kz",
        channel="phone",
    )
    return ru, kk, latin


@pytest.fixture
def official():
    return make_staff(role="official")


def events(appeal, action):
    return db.session.scalars(
        select(AppealEvent).where(AppealEvent.appeal_id == appeal.id, AppealEvent.action == action)
    ).all()


def updates(appeal):
    return db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.appeal_id == appeal.id, OutboxMessage.template == "appeal_update"
        )
    ).all()


def test_link_by_number_makes_one_group_with_an_event_on_each(three, official):
    ru, kk, latin = three
    groups.link_appeals(
        db.session,
        ru,
        actor=official,
        now=LATER,
        settings=workflow_settings(),
        data={"numbers": f"{kk.number}, {latin.number.lower()}"},
    )
    db.session.commit()
    assert ru.group_id and ru.group_id == kk.group_id == latin.group_id
    assert db.session.get(AppealGroup, ru.group_id).authority_id == ru.authority_id
    for appeal in three:
        (event,) = events(appeal, "group_link")
        assert not event.is_public and event.data["group"] == ru.group_id
    assert [m.number for m in queries.group_members(db.session, kk, official)] == [
        ru.number,
        kk.number,
        latin.number,
    ]
    # Statuses and terms are untouched.
    assert {a.status for a in three} == {"registered"}


def test_a_group_never_crosses_bodies(three, official):
    ru = three[0]
    almaty, _ = make_appeal(TUESDAY_MORNING, region="KZ-75", text=FLOOD_RU, email="a@x.kz")
    with pytest.raises(Refused) as refused:
        groups.link_appeals(
            db.session,
            ru,
            actor=official,
            now=LATER,
            settings=workflow_settings(),
            data={"numbers": almaty.number},
        )
    assert refused.value.field == "numbers"
    db.session.rollback()
    assert ru.group_id is None and almaty.group_id is None
    # Forwarded away later: it is not this body's any more, and cannot join.
    other = make_staff("almaty-akimat", email="o@almaty.kz")
    with pytest.raises(Refused):
        groups.link_appeals(
            db.session,
            almaty,
            actor=other,
            now=LATER,
            settings=workflow_settings(),
            data={"numbers": ru.number},
        )


def test_a_forwarded_appeal_leaves_its_group(three, official):
    ru, kk, latin = three
    groups.link_appeals(
        db.session,
        ru,
        actor=official,
        now=LATER,
        settings=workflow_settings(),
        data={"numbers": kk.number},
    )
    group_id = ru.group_id
    services.forward_appeal(
        db.session,
        kk,
        actor=official,
        now=LATER,
        settings=workflow_settings(),
        authority="almaty-akimat",
        reason="Не наша компетенция.",
    )
    db.session.commit()
    assert kk.group_id is None and ru.group_id == group_id
    (forward,) = events(kk, "forward")
    assert forward.data["left_group"] == group_id


def test_leaving_a_group_is_an_event(three, official):
    ru, kk, latin = three
    groups.link_appeals(
        db.session,
        ru,
        actor=official,
        now=LATER,
        settings=workflow_settings(),
        data={"numbers": f"{kk.number} {latin.number}"},
    )
    groups.leave_group(db.session, kk, actor=official, now=LATER, settings=workflow_settings())
    db.session.commit()
    assert kk.group_id is None and ru.group_id == latin.group_id
    (event,) = events(kk, "group_leave")
    assert event.data["group"] == ru.group_id
    with pytest.raises(Refused):
        groups.leave_group(db.session, kk, actor=official, now=LATER, settings=workflow_settings())


def test_group_answer_answers_each_in_its_language_once(three, official):
    ru, kk, latin = three
    due = {a.number: a.due_on for a in three}
    groups.link_appeals(
        db.session,
        ru,
        actor=official,
        now=LATER,
        settings=workflow_settings(),
        data={"numbers": f"{kk.number} {latin.number}"},
    )
    db.session.commit()
    before = {a.number: len(updates(a)) for a in three}
    with pytest.raises(Refused) as refused:  # two languages, one text
        groups.answer_group(
            db.session,
            ru,
            actor=official,
            now=LATER,
            settings=workflow_settings(),
            store=store(),
            data={"text": "Жол тазартылды."},
        )
    assert refused.value.field == "text_kk"
    db.session.rollback()
    groups.answer_group(
        db.session,
        kk,
        actor=official,
        now=LATER,
        settings=workflow_settings(),
        store=store(),
        data={"text_kk": "Жолдағы су сорылып алынды.", "text_ru": "Воду с дороги откачали."},
    )
    db.session.commit()
    for appeal in three:
        db.session.refresh(appeal)
        assert appeal.status == "answered"
        assert appeal.due_on == due[appeal.number]  # each keeps its own term
        (answer,) = events(appeal, "answer")
        assert answer.data["group"] == ru.group_id
        expected = "Воду с дороги откачали." if appeal.language == "ru" else "Жолдағы су"
        assert answer.comment.startswith(expected)
        mails = updates(appeal)
        assert len(mails) == before[appeal.number] + 1  # one e-mail per applicant
        assert mails[-1].recipient == appeal.email
        assert expected.split()[0] in mails[-1].body_text
    # The same group answer again: nothing changes and nothing is sent twice.
    with pytest.raises(Refused) as again:
        groups.answer_group(
            db.session,
            ru,
            actor=official,
            now=LATER,
            settings=workflow_settings(),
            store=store(),
            data={"text_kk": "Тағы.", "text_ru": "Ещё раз."},
        )
    assert again.value.code == "not_allowed"
    db.session.rollback()
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.template == "appeal_update")
        )
        == sum(before.values()) + 3
    )


def test_group_answer_skips_what_cannot_be_answered_and_one_language_takes_text(three, official):
    ru, kk, latin = three
    other_ru, _ = make_appeal(TUESDAY_MORNING, subject="Кенесары", text=FLOOD_RU, email="x@x.kz")
    groups.link_appeals(
        db.session,
        ru,
        actor=official,
        now=LATER,
        settings=workflow_settings(),
        data={"numbers": f"{other_ru.number} {kk.number}"},
    )
    services.request_info(
        db.session,
        kk,
        actor=official,
        now=LATER,
        settings=workflow_settings(),
        text="Уточните номер дома.",
    )
    db.session.commit()
    groups.answer_group(
        db.session,
        ru,
        actor=official,
        now=LATER,
        settings=workflow_settings(),
        store=store(),
        data={"text": "Воду откачали."},
    )
    db.session.commit()
    assert ru.status == other_ru.status == "answered"
    assert kk.status == "awaiting_citizen"  # keeps its own status


def test_web_pages_link_show_and_answer_the_group(client, three, official):
    ru, kk, latin = three
    login(client, official)
    page = client.get(f"/review/appeals/{ru.number}").get_data(as_text=True)
    assert kk.number in page[page.index('id="similar"') :]
    response = client.post(
        f"/review/appeals/{ru.number}/actions/group_link",
        data={"numbers": [kk.number, latin.number]},
    )
    assert response.status_code == 302
    page = client.get(f"/review/appeals/{latin.number}").get_data(as_text=True)
    group = page[page.index('id="group"') : page.index('id="similar"')]
    assert ru.number in group and kk.number in group
    assert 'name="text_kk"' in group and 'name="text_ru"' in group
    refused = client.post(
        f"/review/appeals/{latin.number}/actions/group_answer", data={"text_kk": "Тазартылды."}
    )
    assert refused.status_code == 422
    refused_html = refused.get_data(as_text=True)
    assert "Тазартылды." in refused_html  # nothing typed is lost
    assert "Russian" in refused_html
    done = client.post(
        f"/review/appeals/{latin.number}/actions/group_answer",
        data={"text_kk": "Тазартылды.", "text_ru": "Очищено."},
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert {a.status for a in db.session.scalars(select(Appeal))} == {"answered"}
    left = client.post(f"/review/appeals/{kk.number}/actions/group_leave")
    assert left.status_code == 302
    db.session.expire_all()
    assert db.session.get(Appeal, kk.id).group_id is None


def test_bad_numbers_get_a_message_and_keep_the_input(client, three, official):
    login(client, official)
    response = client.post(
        f"/review/appeals/{three[0].number}/actions/group_link", data={"numbers": "RC-nope"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "RC-NOPE" in html and "Traceback" not in html


def test_api_group_actions(client, three, official):
    ru, kk, latin = three
    _, secret = create_api_key(db.session, name="DMS", user=official, now=datetime.now(UTC))
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}

    def act(appeal, **payload):
        return client.post(
            f"/api/v1/appeals/{appeal.number}/actions", json=payload, headers=headers
        )

    linked = act(ru, action="group_link", numbers=f"{kk.number},{latin.number}")
    assert linked.status_code == 200, linked.get_json()
    assert linked.get_json()["event"]["action"] == "group_link"
    body = client.get(f"/api/v1/appeals/{kk.number}", headers=headers).get_json()
    assert body["group"]["members"] == [ru.number, kk.number, latin.number]
    assert "group_leave" in body["actions"] and "group_answer" in body["actions"]
    missing = act(ru, action="group_answer", text_kk="Тазартылды.")
    assert missing.status_code == 422 and missing.get_json()["error"]["field"] == "text_ru"
    answered = act(ru, action="group_answer", text_kk="Тазартылды.", text_ru="Очищено.")
    assert answered.status_code == 200
    assert answered.get_json()["event"]["action"] == "answer"
    assert act(ru, action="group_answer", text_kk="x", text_ru="y").status_code == 409
    assert act(kk, action="group_leave").status_code == 200
