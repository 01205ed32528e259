"""Search through the database's index: the same appeals for the same words on both databases.

These tests run on SQLite (FTS5) and, in CI, on PostgreSQL (tsvector + GIN, pg_trgm); each
compares what the database returns with the same expected sets, so both agree.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text

from reception.appeals import search
from reception.appeals.models import Appeal
from reception.extensions import db
from tests.conftest import TUESDAY_MORNING
from tests.factories import PASSWORD, VALID_IIN, make_appeal, make_staff

TEXTS = {
    "heating": ("Нет отопления в доме", "С 1 ноября батареи холодные.", "Серік Ахметов"),
    "road": ("Жол жөндеу қажет", "Көшедегі шұңқырлар: жөндеуді сұраймыз!", "Әсел Қасымова"),
    "lift": ("Broken lift, 5th floor", "The lift has been broken since Monday.", "John Smith"),
    "water": ("Ыстық су жоқ", "Үйде ыстық су үш күн бойы жоқ.", "Асқар Мұқанов"),
    "mixed": ("Отопление и жол", "E-mail: user@mail.kz; тел. 8-701", "Ахмет Жолдасов"),
}
QUERIES = {
    "отопл": {"heating", "mixed"},
    "ОТОПЛЕНИЯ": {"heating"},
    "жол": {"road", "mixed"},
    "жөндеу": {"road"},
    "шұңқыр": {"road"},
    "ахмет": {"heating", "mixed"},
    "ахметов серік": {"heating"},
    "lift broken": {"lift"},
    "LIFT, broken!": {"lift"},
    "ыстық су": {"water"},
    "user": {"mixed"},
    "mail kz": {"mixed"},
    "мұқанов": {"water"},
    "мукан": set(),  # diacritics are letters in Kazakh: у is not ұ
    "батареи холод": {"heating"},
    "elevator": set(),
    "100%": set(),
    "_": set(),
}


@pytest.fixture
def appeals():
    made = {}
    for key, (subject, body, name) in TEXTS.items():
        appeal, _ = make_appeal(TUESDAY_MORNING, subject=subject, text=body, full_name=name)
        made[key] = appeal.id
    return made


def found(q, scope=search.STAFF):
    query = search.apply(select(Appeal.id), db.session, search.parse(q), scope=scope)
    return set(db.session.scalars(query))


@pytest.mark.parametrize("q", sorted(QUERIES))
def test_the_same_words_find_the_same_appeals(appeals, q):
    assert found(q) == {appeals[k] for k in QUERIES[q]}


def test_the_index_follows_changes_to_an_appeal(appeals):
    appeal = db.session.get(Appeal, appeals["lift"])
    appeal.subject = "Elevator stuck"
    db.session.commit()
    assert found("elevator") == {appeal.id}
    assert found("broken") == {appeal.id}  # still in the text
    appeal.text = "Nothing else."
    db.session.commit()
    assert found("broken") == set()
    for statement in (
        "DELETE FROM delivery_attempts WHERE message_id IN "
        "(SELECT id FROM outbox_messages WHERE appeal_id = :id)",
        "DELETE FROM outbox_messages WHERE appeal_id = :id",
        "DELETE FROM appeal_events WHERE appeal_id = :id",
        "DELETE FROM appeals WHERE id = :id",
    ):
        db.session.execute(text(statement), {"id": appeal.id})
    db.session.commit()
    assert found("elevator") == set()


def test_a_number_or_an_iin_is_an_exact_lookup(appeals):
    appeal = db.session.get(Appeal, appeals["road"])
    assert search.parse(appeal.number).kind == "number"
    assert found(appeal.number) == {appeal.id}
    assert found(appeal.number.lower()) == {appeal.id}
    assert search.parse(VALID_IIN).kind == "iin"
    assert found(VALID_IIN) == set(appeals.values())  # every test appeal has this IIN
    assert found(appeal.number[3:]) == {appeal.id}  # a part of the number: "2026-0000000N"
    assert found(appeal.number[-4:]) >= {appeal.id}


def test_the_public_search_reads_only_the_published_copies(appeals):
    appeal = db.session.get(Appeal, appeals["water"])
    appeal.published_subject = "Ыстық су жоқ"
    appeal.published_answer = "Су беру қалпына келтірілді."
    appeal.publish_consent = True
    db.session.commit()
    assert found("келтір", search.PUBLISHED) == {appeal.id}
    assert found("ыстық", search.PUBLISHED) == {appeal.id}
    # The name and the text are not published: the public search cannot reach them.
    assert found("мұқанов", search.PUBLISHED) == set()
    assert found("бойы", search.PUBLISHED) == set()
    assert found(appeal.number, search.PUBLISHED) == set()
    assert found(VALID_IIN, search.PUBLISHED) == set()


def test_highlight_marks_the_words_found_and_escapes_the_rest():
    parsed = search.parse("lift <p>")
    marked = search.highlight("<i>Broken</i> lifts & lifting", parsed)
    assert str(marked) == (
        "&lt;i&gt;Broken&lt;/i&gt; <mark>lifts</mark> &amp; <mark>lifting</mark>"
    )
    long = "word " * 100 + "needle " + "word " * 100
    fragment = str(search.highlight(long, search.parse("needle"), limit=60))
    assert "<mark>needle</mark>" in fragment and fragment.startswith("…")
    assert len(fragment) < 120
    assert str(search.highlight("RC-2026-00000001", search.parse("RC-2026-00000001"))) == (
        "RC-2026-00000001"
    )


@given(st.text(max_size=60))
def test_any_text_parses_to_safe_terms(typed):
    parsed = search.parse(typed)
    for term in parsed.terms:
        assert re.fullmatch(r"[^\W_]+", term) and term == term.lower()
    assert len(parsed.terms) <= search.MAX_TERMS


@given(st.text(max_size=40))
def test_any_search_is_answered_without_an_error(typed):
    query = search.apply(select(Appeal.id), db.session, search.parse(typed))
    db.session.scalars(query).all()
    query = search.apply(select(Appeal.id), db.session, search.parse(typed), scope=search.PUBLISHED)
    db.session.scalars(query).all()


def test_the_queue_counts_no_further_than_the_cap(client, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 2)
    monkeypatch.setattr(search.capped_count, "__defaults__", (2,))
    for _ in range(3):
        make_appeal(TUESDAY_MORNING, subject="Heating")
    user = make_staff(role="official")
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    html = client.get("/review/").get_data(as_text=True)
    assert "more than 2 appeals" in html
    html = client.get("/review/?q=heat").get_data(as_text=True)
    assert "<mark>Heating</mark>" in html


def test_postgres_uses_the_indexes(postgres_only, appeals):
    """The search is a GIN index lookup, not a scan of appeals (with scans made costly)."""
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    for q in ("отопл", "RC-2026-00000001", VALID_IIN, "2026-0000"):
        compiled = search.apply(select(Appeal.id), db.session, search.parse(q)).compile(
            db.engine, compile_kwargs={"literal_binds": True}
        )
        plan = "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
        assert "Seq Scan on appeals" not in plan, (q, plan)
    # The queue's order for a body and for all, and Open311's window, come from an index.
    for sql in (
        "SELECT id FROM appeals WHERE authority_id = 1 ORDER BY due_on, id LIMIT 25 OFFSET 100",
        "SELECT id FROM appeals ORDER BY due_on, id LIMIT 25 OFFSET 100",
        "SELECT id FROM appeals WHERE received_at >= now() - interval '7 days' "
        "ORDER BY received_at DESC, id DESC LIMIT 50",
    ):
        plan = "\n".join(db.session.scalars(text(f"EXPLAIN {sql}")))
        assert "Seq Scan on appeals" not in plan, plan
    db.session.rollback()


def test_a_common_word_is_matched_on_the_rows_read_not_in_the_index(
    postgres_only, appeals, monkeypatch
):
    """A word PostgreSQL's statistics know to begin words in most appeals is matched as a
    filter (the index would collect every appeal that has it): the same appeals are found."""
    common = {"отопления": 0.6, "отопление": 0.6}
    monkeypatch.setattr(search, "_common_words", lambda session, column: common)
    for q in ("отопл", "ахмет отопл", "отопление жол"):
        sql = str(search.apply(select(Appeal.id), db.session, search.parse(q)).compile(db.engine))
        assert "|| ''::tsvector" in sql, sql
    assert found("отопл") == {appeals["heating"], appeals["mixed"]}
    assert found("ахмет отопл") == {appeals["heating"], appeals["mixed"]}
    assert found("отопление жол") == {appeals["mixed"]}
    # A rare word alone is still looked up in the index.
    sql = str(search.apply(select(Appeal.id), db.session, search.parse("лифт")).compile(db.engine))
    assert "||" not in sql


def test_the_statistics_name_no_common_word_in_a_small_archive(postgres_only, appeals):
    search._statistics.clear()
    db.session.execute(text("ANALYZE appeals"))
    assert search._common_words(db.session, "search_vector") == {}
