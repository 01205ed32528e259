"""A GeoReport v2 client written from the specification files, lists, reads and follows."""

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
from sqlalchemy import select

from reception.accounts.apikeys import create_api_key
from reception.appeals.models import Appeal
from reception.extensions import db
from reception.notifications.models import OutboxMessage
from reception.review import services
from tests.factories import make_appeal, make_staff, store, workflow_settings

BASE = "/open311/v2"
PERSONAL = ("Асқар", "askar@example.kz", "900101300017", "+7 701", "Кенесары")


@pytest.fixture
def api_key():
    _, secret = create_api_key(db.session, name="City app", now=datetime.now(UTC))
    db.session.commit()
    return secret


def new_request(client, api_key, fmt="json", **overrides):
    data = {
        "api_key": api_key,
        "service_code": "roads-transport",
        "attribute[region]": "KZ-71",
        "address_string": "Астана, Кенесары 40",
        "first_name": "Асқар",
        "last_name": "Мұқанов",
        "email": "askar@example.kz",
        "phone": "+7 701 234 56 78",
        "attribute[iin]": "900101300017",
        "description": "Pothole at the bus stop\nA deep pothole next to the stop.",
    }
    data.update(overrides)
    return client.post(f"{BASE}/requests.{fmt}", data=data)


def test_discovery_lists_the_endpoint_in_both_formats(client):
    discovery = client.get(f"{BASE}/discovery.json").get_json()
    endpoint = discovery["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert set(endpoint["formats"]) == {"application/json", "text/xml"}
    xml = ElementTree.fromstring(client.get(f"{BASE}/discovery.xml").data)
    assert xml.tag == "discovery" and xml.find("endpoints/endpoint/url") is not None


def test_services_are_the_categories_in_the_clients_language(client):
    services_ru = client.get(f"{BASE}/services.json?locale=ru").get_json()
    housing = next(s for s in services_ru if s["service_code"] == "housing-utilities")
    assert housing["service_name"] == "Жилищно-коммунальное хозяйство"
    assert housing["metadata"] is True and housing["type"] == "realtime"
    kk = client.get(f"{BASE}/services.json", headers={"Accept-Language": "kk"}).get_json()
    assert any(s["service_name"] == "Жер қатынастары" for s in kk)
    xml = ElementTree.fromstring(client.get(f"{BASE}/services.xml").data)
    assert xml.tag == "services" and len(xml.findall("service")) == len(services_ru)


def test_service_definition_lists_the_attributes(client):
    definition = client.get(f"{BASE}/services/land.json").get_json()
    attributes = {a["code"]: a for a in definition["attributes"]}
    assert set(attributes) == {"region", "kind", "iin", "language"}
    assert attributes["region"]["required"] is True
    assert attributes["region"]["datatype"] == "singlevaluelist"
    assert len(attributes["region"]["values"]) == 20
    xml = ElementTree.fromstring(client.get(f"{BASE}/services/land.xml").data)
    assert xml.tag == "service_definition"
    assert len(xml.findall("attributes/attribute")) == 4


def test_unknown_service_is_a_404_error_list(client):
    response = client.get(f"{BASE}/services/nope.json")
    assert response.status_code == 404
    assert response.get_json()[0]["code"] == 404
    xml = ElementTree.fromstring(client.get(f"{BASE}/services/nope.xml").data)
    assert xml.tag == "errors" and xml.find("error/code").text == "404"


def test_client_files_a_request_through_the_same_rules_as_the_web_form(client, api_key):
    response = new_request(client, api_key)
    assert response.status_code == 200
    [created] = response.get_json()
    number = created["service_request_id"]
    assert number.startswith("RC-")
    assert "due by" in created["service_notice"]
    appeal = db.session.scalar(select(Appeal).where(Appeal.number == number))
    assert appeal.channel == "api" and appeal.authority.code == "astana-akimat"
    assert appeal.subject == "Pothole at the bus stop"
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.appeal_id == appeal.id))
    assert mail.recipient == "askar@example.kz"


def test_creating_needs_a_valid_key(client):
    assert new_request(client, "").status_code == 403
    response = new_request(client, "rk_wrong", fmt="xml")
    assert response.status_code == 403
    assert ElementTree.fromstring(response.data).tag == "errors"


def test_bad_requests_get_400_with_every_problem(client, api_key):
    response = new_request(
        client, api_key, **{"attribute[region]": "", "email": "x", "attribute[iin]": "123"}
    )
    assert response.status_code == 400
    descriptions = " ".join(e["description"] for e in response.get_json())
    assert "attribute[region]" in descriptions and "email" in descriptions
    assert "attribute[iin]" in descriptions
    no_place = new_request(client, api_key, address_string="")
    assert no_place.status_code == 400
    too_long = new_request(client, api_key, description="x" * 4001)
    assert too_long.status_code == 400
    assert new_request(client, api_key, service_code="nope").status_code == 404
    assert db.session.scalar(select(Appeal.id)) is None


def test_lat_long_stand_in_for_the_address(client, api_key):
    response = new_request(client, api_key, address_string="", lat="51.1", long="71.4")
    assert response.status_code == 200


def test_get_without_a_key_shows_only_published_appeals_and_no_personal_data(client, api_key):
    [created] = new_request(client, api_key).get_json()
    published, _ = make_appeal(
        datetime.now(UTC) - timedelta(days=1),
        publish_consent="y",
        subject="Published subject",
        text="Personal details Асқар",
    )
    listed = client.get(f"{BASE}/requests.json").get_json()
    numbers = [r["service_request_id"] for r in listed]
    assert numbers == [published.number]
    body = client.get(f"{BASE}/requests.json").get_data(as_text=True)
    for personal in PERSONAL:
        assert personal not in body
    assert listed[0]["description"] == "Published subject"
    assert client.get(f"{BASE}/requests/{created['service_request_id']}.json").status_code == 404


def test_get_with_the_key_shows_its_own_requests_without_personal_data(client, api_key):
    [created] = new_request(client, api_key).get_json()
    own = client.get(f"{BASE}/requests/{created['service_request_id']}.json?api_key={api_key}")
    assert own.status_code == 200
    [request] = own.get_json()
    assert request["status"] == "open"
    assert request["agency_responsible"] == "Astana City Akimat"
    assert request["expected_datetime"].endswith("+05:00")
    assert request["address"] is None
    for personal in PERSONAL:
        assert personal not in own.get_data(as_text=True)


def test_client_follows_a_request_to_its_answer_with_notes(client, api_key):
    [created] = new_request(client, api_key).get_json()
    appeal = db.session.scalar(select(Appeal).where(Appeal.number == created["service_request_id"]))
    official = make_staff()
    services.answer_appeal(
        db.session,
        appeal,
        actor=official,
        now=datetime.now(UTC),
        settings=workflow_settings(),
        store=store(),
        text="Repaired.",
    )
    db.session.commit()
    url = f"{BASE}/requests/{appeal.number}.json?api_key={api_key}&extensions=true"
    [request] = client.get(url).get_json()
    assert request["status"] == "closed"
    assert request["status_notes"] == "Answer given"
    assert [n["type"] for n in request["notes"]] == ["register", "answer"]
    xml = ElementTree.fromstring(client.get(url.replace(".json", ".xml")).data)
    assert xml.tag == "service_requests" and xml.find("request/status").text == "closed"


def test_request_list_filters(client, api_key):
    new_request(client, api_key)
    new_request(client, api_key, service_code="land")

    def ids(query):
        return [
            r["service_code"]
            for r in client.get(f"{BASE}/requests.json?api_key={api_key}&{query}").get_json()
        ]

    assert sorted(ids("")) == ["land", "roads-transport"]
    assert ids("service_code=land") == ["land"]
    assert sorted(ids("status=open")) == ["land", "roads-transport"]
    assert ids("status=closed") == []
    assert len(ids("page_size=1")) == 1 and len(ids("page_size=1&page=2")) == 1
    old = (datetime.now(UTC) - timedelta(days=200)).isoformat()
    assert ids(f"end_date={old}") == []


@pytest.mark.parametrize(
    "query",
    [
        "start_date=yesterday",
        "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
        "start_date=2026-06-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",
        "status=pending",
        "page=0",
        "page_size=1000",
    ],
)
def test_bad_list_parameters_are_400(client, query):
    response = client.get(f"{BASE}/requests.json?{query}")
    assert response.status_code == 400
    assert isinstance(response.get_json(), list)


def test_tokens_are_never_needed(client):
    assert client.get(f"{BASE}/tokens/abc.json").status_code == 404


def test_a_public_request_read_again_shows_a_change_at_once(client):
    """Each worker keeps the answer to a public read per version of the appeal; a step, or
    the consent taken back, is seen by the very next read, in each format and language."""
    appeal, _ = make_appeal(datetime.now(UTC) - timedelta(days=1), publish_consent="y")
    db.session.commit()
    url = f"{BASE}/requests/{appeal.number}"
    first = client.get(f"{url}.json").get_json()
    assert client.get(f"{url}.json").get_json() == first
    assert first[0]["status"] == "open" and first[0]["status_notes"] == "Appeal registered"
    xml_before = client.get(f"{url}.xml").data
    russian = client.get(f"{url}.json", headers={"Accept-Language": "ru"}).get_json()
    assert russian[0]["agency_responsible"] != first[0]["agency_responsible"]

    services.answer_appeal(
        db.session,
        appeal,
        actor=make_staff(),
        now=datetime.now(UTC),
        settings=workflow_settings(),
        store=store(),
        text="Repaired.",
    )
    db.session.commit()
    [after] = client.get(f"{url}.json").get_json()
    assert after["status"] == "closed" and after["status_notes"] == "Answer given"
    assert client.get(f"{url}.xml").data != xml_before
    assert client.get(f"{url}.json?extensions=true").get_json()[0]["notes"][-1]["type"] == "answer"

    appeal.publish_consent = False
    db.session.commit()
    assert client.get(f"{url}.json").status_code == 404


def test_a_machine_call_opens_no_session(client):
    """Open311 answers the same with or without a browser's log-in cookie, never reads or
    sets the session cookie, and so is not marked to vary by cookie."""
    from tests.factories import PASSWORD, make_user

    appeal, _ = make_appeal(datetime.now(UTC) - timedelta(days=1), publish_consent="y")
    db.session.commit()
    url = f"{BASE}/requests/{appeal.number}.json"
    anonymous = client.get(url)
    user = make_user(role="citizen", email="reader@example.kz")
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code
    logged_in = client.get(url)
    assert logged_in.get_json() == anonymous.get_json()
    for response in (anonymous, logged_in):
        assert "Cookie" not in response.headers.get("Vary", "")
        assert "Set-Cookie" not in response.headers
    assert "Log out" in client.get("/").get_data(as_text=True)  # the browser is still logged in


def test_an_event_at_the_same_moment_still_raises_the_version(client):
    """The kept answer is keyed by the version: an event whose time equals the appeal's
    last change still raises it."""
    from reception.appeals.events import record_event

    appeal, _ = make_appeal(datetime.now(UTC) - timedelta(days=1), publish_consent="y")
    db.session.commit()
    before = appeal.version
    record_event(
        db.session,
        appeal,
        "note",
        now=appeal.updated_at,
        actor=None,
        from_status=appeal.status,
        public=True,
    )
    db.session.commit()
    assert appeal.version == before + 1
