"""Safe publishing: the public (statistics, their search, Open311) sees only the published
copies, made once by the redaction scanner; the official previews them first."""

import json
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reception.accounts.apikeys import create_api_key
from reception.appeals.models import AppealEvent
from reception.extensions import db
from reception.review import services
from tests.factories import PASSWORD, VALID_IIN, make_appeal, make_staff, store, workflow_settings

NOW = datetime.now(UTC)
ANSWER = (
    f"Уважаемый Асқар Серікұлы! Ответ направлен Мұқановқа (ИИН {VALID_IIN}), тел. 8 (701) 234-56-78. "
    "По адресу ул. Кенесары, дом 40, кв. 12 крыша отремонтирована. Мұқановтың өтініші "
    "қаралды. Исполнитель Петров А.Б."
)


def login(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def official():
    from reception.accounts.services import get_user_by_email

    return get_user_by_email(db.session, "publisher@example.kz") or make_staff(
        email="publisher@example.kz"
    )


def answered(text=ANSWER, **overrides):
    appeal, _ = make_appeal(NOW - timedelta(days=20), publish_consent="y", **overrides)
    services.answer_appeal(
        db.session,
        appeal,
        actor=official(),
        now=NOW - timedelta(days=18),
        settings=workflow_settings(),
        store=store(),
        text=text,
    )
    db.session.commit()
    return appeal


def found(client, q):
    html = client.get("/stats", query_string={"q": q}).get_data(as_text=True)
    # The words found are marked: read the text without the marks.
    return "крыша отремонтирована" in html.replace("<mark>", "").replace("</mark>", "")


def test_stats_search_matches_only_the_published_text(client):
    appeal = answered(subject="Протекает крыша, звонить 87012345678, Мұқанов")
    assert appeal.published_answer and VALID_IIN not in appeal.published_answer
    html = client.get("/stats").get_data(as_text=True)
    assert "крыша отремонтирована" in html
    for personal in ("Мұқанов", "Асқар", "Кенесары", "234-56-78", VALID_IIN, "87012345678"):
        assert personal not in html
    assert found(client, "отремонтирована") and found(client, "[ФИО]")
    # No oracle: pieces of the hidden IIN, the surname in any form, the street, the phone.
    for q in (VALID_IIN[:4], VALID_IIN[4:9], VALID_IIN, "Мұқанов", "мұқановқа", "Асқар",
              "Серікұлы", "Кенесары", "дом 40", "кв. 12", "234-56", "8701", "Петров"):  # fmt: skip
        assert not found(client, q), q


def test_the_answer_event_records_each_redaction_without_the_hidden_text():
    appeal = answered()
    event = db.session.scalars(
        db.select(AppealEvent).where(
            AppealEvent.appeal_id == appeal.id, AppealEvent.action == "answer"
        )
    ).one()
    records = event.data["redactions"]
    assert {r["kind"] for r in records} >= {"name", "iin", "phone", "address"}
    assert all(r["reason"] and r["source"] == "scanner" for r in records)
    stored = json.dumps(records, ensure_ascii=False)
    for personal in (VALID_IIN, "Мұқанов", "Кенесары", "234-56-78"):
        assert personal not in stored


@pytest.fixture
def api_key():
    _, secret = create_api_key(db.session, name="City app", now=NOW)
    db.session.commit()
    return secret


def test_open311_shows_the_published_subject_of_consented_appeals(client):
    subject = "Мұқанов Асқар, +7 701 234 56 78, askar@example.kz: нет отопления"
    appeal, _ = make_appeal(NOW - timedelta(days=2), publish_consent="y", subject=subject)
    for fmt in ("json", "xml"):
        for url in (
            f"/open311/v2/requests.{fmt}",
            f"/open311/v2/requests/{appeal.number}.{fmt}?extensions=true",
        ):
            response = client.get(url)
            body = (
                json.dumps(response.get_json(), ensure_ascii=False)
                if fmt == "json"
                else response.get_data(as_text=True)
            )
            assert "нет отопления" in body, url
            for personal in ("Мұқанов", "Асқар", "701 234", "askar@example.kz"):
                assert personal not in body, (url, personal)


def test_one_forbidden_character_does_not_break_the_xml_feed(client):
    make_appeal(NOW - timedelta(days=2), publish_consent="y", subject="Bad \ufffe\uffff char")
    make_appeal(NOW - timedelta(days=2), publish_consent="y", subject="Good one")
    response = client.get("/open311/v2/requests.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.data)
    descriptions = [r.findtext("description") for r in root.iter("request")]
    assert "Good one" in descriptions


def strict_json(data: bytes):
    """Parse as a strict parser would: UTF-8, no lone surrogates, no NaN."""

    def check(value):
        if isinstance(value, str):
            value.encode("utf-8")  # a lone surrogate fails here
        elif isinstance(value, dict):
            for key, inner in value.items():
                check(key)
                check(inner)
        elif isinstance(value, list):
            for inner in value:
                check(inner)
        return value

    def refuse(constant):
        raise ValueError(constant)

    return check(json.loads(data.decode("utf-8"), parse_constant=refuse))


# Any character, with those XML 1.0 forbids (and lone surrogates) drawn often.
FORBIDDEN = "\x00\x01\x08\x0b\x0c\x1f\ufffe\uffff\ud800\udfff"
TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec=None, categories=None, exclude_characters="\r"),
        st.sampled_from(FORBIDDEN),
    ),
    min_size=1,
    max_size=60,
)
# Each drawn text holds at least one of them.
TEXT = st.tuples(TEXT, st.sampled_from(FORBIDDEN), TEXT).map("".join)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(subject=TEXT, description=TEXT)
def test_every_open311_answer_parses_whatever_was_typed(client, api_key, subject, description):
    from reception.appeals.services import FilingSettings, file_appeal
    from reception.appeals.submission import Submission
    from tests.factories import appeal_data

    # Straight through the service (the form's decoding would replace lone surrogates).
    try:
        file_appeal(
            db.session,
            Submission.from_mapping(
                appeal_data(subject=subject, text=description + " text", publish_consent="y")
            ),
            now=NOW - timedelta(days=1),
            actor=None,
            settings=FilingSettings.from_config(client.application.config),
            store=store(),
        )
        db.session.commit()
    except Exception:  # noqa: BLE001 - refused input (or a database refusing it) is fine
        db.session.rollback()
    posted = client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": api_key,
            "service_code": "roads-transport",
            "attribute[region]": "KZ-71",
            "address_string": "Астана",
            "first_name": "Асқар",
            "email": "askar@example.kz",
            "description": description.encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
        },
    )
    assert posted.status_code in (200, 400)
    for query in ("", f"?api_key={api_key}&extensions=true"):
        xml = client.get(f"/open311/v2/requests.xml{query}")
        assert xml.status_code == 200
        ElementTree.fromstring(xml.data)
        listed = client.get(f"/open311/v2/requests.json{query}")
        assert listed.status_code == 200
        strict_json(listed.data)


@given(st.text(alphabet=st.one_of(st.characters(codec=None), st.sampled_from(FORBIDDEN))))
def test_the_xml_writer_makes_a_valid_document_of_any_string(text):
    from reception.api.formats import json_safe, to_xml

    ElementTree.fromstring(to_xml("service_requests", [{"description": text}]).encode("utf-8"))
    json.dumps(json_safe({"d": text}), ensure_ascii=False).encode("utf-8")


def test_the_official_sees_the_preview_before_a_consented_answer_is_sent(client):
    appeal, _ = make_appeal(NOW - timedelta(days=2), publish_consent="y")
    login(client, official())
    url = f"/review/appeals/{appeal.number}/actions/answer"
    form = {"text": ANSWER, "hide": "крыша\nотремонтирована"}
    first = client.post(url, data=form)
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and "redaction-preview" in html
    assert "Not sent yet" in html
    assert '<mark class="redaction redaction--iin"' in html
    assert '<mark class="redaction redaction--manual"' in html
    db.session.refresh(appeal)
    assert appeal.status == "registered"  # nothing sent yet
    digest = html.split('name="previewed" value="')[1].split('"')[0]
    # The text changed after the preview: it is shown again, not sent.
    again = client.post(url, data={**form, "text": ANSWER + " Ещё.", "previewed": digest})
    assert again.status_code == 200 and "redaction-preview" in again.get_data(as_text=True)
    sent = client.post(url, data={**form, "previewed": digest, "hide_reason": "заявка"})
    assert sent.status_code == 302
    db.session.refresh(appeal)
    assert appeal.status == "answered"
    assert "[скрыто]" in appeal.published_answer and "крыша" not in appeal.published_answer
    event = appeal.events[-1]
    manual = [r for r in event.data["redactions"] if r["kind"] == "manual"]
    assert manual and manual[0]["reason"] == "заявка" and manual[0]["actor"] == official().id


def test_an_answer_not_to_be_published_needs_no_preview(client):
    appeal, _ = make_appeal(NOW - timedelta(days=2))
    login(client, official())
    sent = client.post(f"/review/appeals/{appeal.number}/actions/answer", data={"text": ANSWER})
    assert sent.status_code == 302


def test_the_api_answer_is_redacted_and_takes_a_hide_list(client):
    appeal, _ = make_appeal(NOW - timedelta(days=2), publish_consent="y")
    _, secret = create_api_key(db.session, name="DMS", user=official(), now=NOW)
    db.session.commit()
    response = client.post(
        f"/api/v1/appeals/{appeal.number}/actions",
        headers={"Authorization": f"Bearer {secret}"},
        json={"action": "answer", "text": ANSWER, "hide": ["крыша", 5]},
    )
    assert response.status_code == 200
    db.session.refresh(appeal)
    assert VALID_IIN not in appeal.published_answer
    assert "Мұқанов" not in appeal.published_answer and "крыша" not in appeal.published_answer


def test_the_migration_publishes_existing_appeals_through_the_scanner():
    import importlib.util
    from pathlib import Path

    path = next(Path(__file__).resolve().parents[2].glob("migrations/versions/c5e2a7f14b90_*.py"))
    spec = importlib.util.spec_from_file_location("publishing_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)

    appeal = answered(subject="Мұқанов: крыша")
    unanswered, _ = make_appeal(NOW - timedelta(days=2), subject="Звоните 87012345678")
    db.session.execute(
        db.update(type(appeal)).values(published_subject=None, published_answer=None)
    )
    db.session.commit()
    migration.fill_published(db.session.connection())
    db.session.commit()
    db.session.refresh(appeal)
    db.session.refresh(unanswered)
    assert appeal.published_subject == "[ФИО]: крыша"
    assert "крыша отремонтирована" in appeal.published_answer
    assert VALID_IIN not in appeal.published_answer and "Мұқанов" not in appeal.published_answer
    assert unanswered.published_subject == "Звоните [телефон]"
    assert unanswered.published_answer is None
