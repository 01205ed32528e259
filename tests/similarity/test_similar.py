"""Similar appeals for staff: the normalisation, the measured corpus, the page and the API."""

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.similar import THRESHOLD, evaluate, postgres_scores, python_scores
from reception.accounts.apikeys import create_api_key
from reception.domain.similarity import normalise, trigram_similarity
from reception.extensions import db
from reception.similarity import queries
from tests.conftest import TUESDAY_MORNING
from tests.factories import PASSWORD, make_appeal, make_staff, make_user
from tests.similarity.corpus import CORPUS

FLOOD_RU = "После дождя затопило дорогу на улице Кенесары возле дома 40, машины не проедут."
FLOOD_KK = "Кенесары көшесі 40 үйдің жанындағы жолды су басып қалды, көліктер өте алмай тұр."
FLOOD_LATIN = "Kenesary köşesi 40 üidiñ janyndağy joldy su basyp qaldy, kölikter öte almai tūr."
WATER_OFF = "В доме по Кенесары 40 третий день нет холодной воды в кране, отключили водоснабжение."


def login(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def file(text, subject="Кенесары 40", **kwargs):
    appeal, _ = make_appeal(TUESDAY_MORNING, subject=subject, text=text, **kwargs)
    return appeal


# --- the text --------------------------------------------------------------------------


def test_kazakh_in_either_alphabet_reads_the_same():
    assert normalise(FLOOD_KK) == normalise(FLOOD_LATIN)
    assert normalise("ҚОҚЫС!!! шығарылмайды.") == normalise("қоқыс шығарылмайды")


def test_word_endings_and_word_order_do_not_matter_much():
    one = normalise("Нет отопления в квартирах, батареи холодные")
    other = normalise("холодные батареи; отоплением квартиры не обеспечены")
    assert trigram_similarity(one, other) > 0.5


def test_kazakh_and_russian_words_of_one_thing_meet():
    assert trigram_similarity(normalise(FLOOD_RU), normalise(FLOOD_KK)) >= THRESHOLD
    assert trigram_similarity(normalise(FLOOD_RU), normalise(WATER_OFF)) < trigram_similarity(
        normalise(FLOOD_RU), normalise(FLOOD_KK)
    )


@given(st.text(max_size=300))
def test_any_text_normalises_to_plain_ascii_words_and_scores_in_range(text):
    value = normalise(text)
    assert re.fullmatch(r"[a-z0-9 ]*", value)
    score = trigram_similarity(value, normalise(FLOOD_RU))
    assert 0.0 <= score <= 1.0
    if value:
        assert trigram_similarity(value, value) == 1.0


# --- measured on the corpus -------------------------------------------------------------


def test_corpus_is_large_enough_and_in_both_languages():
    assert len(CORPUS) >= 300
    assert {i.language for i in CORPUS} == {"kk", "ru"}
    assert len({i.group for i in CORPUS if i.group}) >= 30


def test_python_scorer_reaches_the_goal_on_the_corpus():
    figures = evaluate(CORPUS, python_scores(CORPUS), THRESHOLD)
    assert figures["recall"] >= 0.90, figures
    assert figures["precision"] >= 0.80, figures


@pytest.mark.postgres
def test_pg_trgm_reaches_the_goal_and_agrees_with_python(postgres_only):
    url = db.engine.url.render_as_string(hide_password=False)
    pg = postgres_scores(CORPUS, url)
    figures = evaluate(CORPUS, pg, THRESHOLD)
    assert figures["recall"] >= 0.90, figures
    assert figures["precision"] >= 0.80, figures
    py = python_scores(CORPUS)
    first = CORPUS[0].id
    assert dict((b, round(s, 4)) for s, b in pg[first]) == {b: round(s, 4) for s, b in py[first]}


# --- the staff page and the API ---------------------------------------------------------


@pytest.fixture
def flood():
    """Three appeals about one flood (ru, kk, kk in Latin), one about water at the same
    address, and a flood in another city (another body)."""
    return {
        "ru": file(FLOOD_RU, channel="web"),
        "kk": file(FLOOD_KK, language="kk", email="kk@example.kz"),
        "latin": file(FLOOD_LATIN, language="kk", email="latin@example.kz"),
        "water": file(WATER_OFF, email="water@example.kz"),
        "almaty": file(FLOOD_RU, region="KZ-75", email="almaty@example.kz"),
    }


def test_similar_are_stored_at_filing_and_found_best_first(flood):
    official = make_staff(role="official")
    assert flood["ru"].similarity_text == normalise("Кенесары 40", FLOOD_RU)
    settings = queries.SimilarSettings()
    found = queries.find_similar(
        db.session, flood["kk"], official, today=TUESDAY_MORNING.date(), settings=settings
    )
    numbers = [s.appeal.number for s in found]
    assert numbers[0] == flood["latin"].number
    assert flood["ru"].number in numbers
    assert flood["almaty"].number not in numbers  # another body
    assert all(0 < s.score <= 1 for s in found)
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)


def test_at_most_five_and_only_recent_or_open(flood):
    official = make_staff(role="official")
    for n in range(6):
        file(FLOOD_RU + f" Дом {n}.", email=f"n{n}@example.kz")
    settings = queries.SimilarSettings()
    found = queries.find_similar(
        db.session, flood["ru"], official, today=TUESDAY_MORNING.date(), settings=settings
    )
    assert len(found) == 5
    # Decided and older than the window: gone.
    flood["latin"].status, flood["latin"].answered_at = "answered", TUESDAY_MORNING
    db.session.commit()
    later = TUESDAY_MORNING.date().replace(year=2027)
    found = queries.find_similar(db.session, flood["kk"], official, today=later, settings=settings)
    assert flood["latin"].number not in [s.appeal.number for s in found]


def test_staff_page_shows_the_similar_appeals(client, flood):
    login(client, make_staff(role="official"))
    html = client.get(f"/review/appeals/{flood['kk'].number}").get_data(as_text=True)
    section = html[html.index('id="similar"') :]
    assert flood["latin"].number in section and flood["ru"].number in section
    assert flood["almaty"].number not in section
    assert 'name="numbers"' in section  # the official may group them from here


def test_operator_sees_only_the_similar_appeals_they_registered(client, flood):
    operator = make_user(role="operator", email="op@example.kz", authority_code="astana-akimat")
    mine, _ = make_appeal(
        TUESDAY_MORNING, actor=operator, subject="Кенесары 40", text=FLOOD_RU, channel="phone"
    )
    found = queries.find_similar(
        db.session,
        mine,
        operator,
        today=TUESDAY_MORNING.date(),
        settings=queries.SimilarSettings(),
    )
    assert found == []  # the others were filed by citizens, not by this operator


def test_citizens_never_see_other_peoples_appeals(client, flood):
    citizen = make_user(email="citizen@example.kz")
    own, _ = make_appeal(TUESDAY_MORNING, actor=citizen, subject="Кенесары 40", text=FLOOD_RU)
    login(client, citizen)
    html = client.get(f"/appeals/{own.number}").get_data(as_text=True)
    assert own.number in html
    for other in flood.values():
        assert other.number not in html
    assert client.get(f"/review/appeals/{own.number}").status_code == 403
    assert "similar" not in html.lower()


def test_api_appeal_has_similar_numbers_and_scores(client, flood):
    official = make_staff(role="official")
    _, secret = create_api_key(db.session, name="DMS", user=official, now=datetime.now(UTC))
    db.session.commit()
    body = client.get(
        f"/api/v1/appeals/{flood['kk'].number}", headers={"Authorization": f"Bearer {secret}"}
    ).get_json()
    similar = body["similar"]
    assert 1 <= len(similar) <= 5
    assert similar[0]["number"] == flood["latin"].number
    assert all(set(s) == {"number", "score"} and 0 < s["score"] <= 1 for s in similar)
    assert flood["almaty"].number not in {s["number"] for s in similar}
    assert body["group"] is None and body["routing_hint"] is None


def test_python_scorer_is_used_without_pg_trgm(flood, monkeypatch):
    monkeypatch.setattr(queries, "uses_pg_trgm", lambda session: False)
    official = make_staff(role="official")
    found = queries.find_similar(
        db.session,
        flood["kk"],
        official,
        today=TUESDAY_MORNING.date(),
        settings=queries.SimilarSettings(),
    )
    assert found and found[0].appeal.number == flood["latin"].number


# --- the routing hint -------------------------------------------------------------------

PENSION = "Пенсию за октябрь не перечислили, прошу разобраться, живу на Бейбитшилик 9."
PENSION_KK = "Қазан айындағы зейнетақы аударылмады, Бейбітшілік 9 тұрамын, көмектесіңіз."


def forward(appeal, official, to="almaty-akimat"):
    from reception.review import services
    from tests.factories import workflow_settings

    services.forward_appeal(
        db.session,
        appeal,
        actor=official,
        now=TUESDAY_MORNING,
        settings=workflow_settings(),
        authority=to,
        reason="Не наша компетенция.",
    )
    db.session.commit()


def test_routing_hint_names_where_similar_appeals_were_forwarded(client, flood):
    official = make_staff(role="official")
    for n, text in enumerate((PENSION, PENSION_KK, PENSION + " Срочно.")):
        forward(file(text, subject="Пенсия", email=f"p{n}@example.kz"), official)
    new = file(PENSION, subject="Пенсия за октябрь", email="new@example.kz")
    settings = queries.SimilarSettings()
    hint = queries.routing_hint(db.session, new, today=TUESDAY_MORNING.date(), settings=settings)
    assert hint is not None
    assert hint.authority.code == "almaty-akimat" and hint.count == 3
    # An appeal about something else gets no hint; nor does one never forwarded from here.
    assert (
        queries.routing_hint(
            db.session, flood["ru"], today=TUESDAY_MORNING.date(), settings=settings
        )
        is None
    )
    login(client, official)
    html = client.get(f"/review/appeals/{new.number}").get_data(as_text=True)
    assert 'id="routing-hint"' in html and "Almaty" in html


def test_one_forward_is_not_yet_a_hint(flood):
    official = make_staff(role="official")
    forward(file(PENSION, subject="Пенсия", email="p@example.kz"), official)
    new = file(PENSION_KK, subject="Зейнетақы", language="kk", email="new@example.kz")
    assert (
        queries.routing_hint(
            db.session, new, today=TUESDAY_MORNING.date(), settings=queries.SimilarSettings()
        )
        is None
    )
