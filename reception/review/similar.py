"""What the staff appeal page and the JSON API show of similar appeals and groups."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy.orm import Session

from reception.accounts.models import User
from reception.appeals.models import Appeal
from reception.review import groups
from reception.similarity import queries


def page_context(
    session: Session, appeal: Appeal, user: User, *, today: date, config: Mapping
) -> dict:
    """The template variables of templates/review/_similar.html."""
    settings = queries.SimilarSettings.from_config(config)
    similar = queries.find_similar(session, appeal, user, today=today, settings=settings)
    queries.load_for_page(session, [s.appeal for s in similar])
    members = queries.group_members(session, appeal, user)
    answerable = groups.answerable_members(session, appeal, user) if members else []
    return {
        "similar": similar,
        "group_members": members,
        "group_answerable": answerable,
        "group_languages": sorted({m.language for m in answerable}),
        "routing_hint": queries.routing_hint(session, appeal, today=today, settings=settings),
    }


def api_fields(
    session: Session, appeal: Appeal, user: User, *, today: date, config: Mapping
) -> dict:
    """`similar`, `group` and `routing_hint` of the API's appeal."""
    settings = queries.SimilarSettings.from_config(config)
    similar = queries.find_similar(session, appeal, user, today=today, settings=settings)
    members = queries.group_members(session, appeal, user)
    hint = queries.routing_hint(session, appeal, today=today, settings=settings)
    return {
        "similar": [{"number": s.appeal.number, "score": s.score} for s in similar],
        "group": (
            {"id": appeal.group_id, "members": [m.number for m in members]}
            if appeal.group_id is not None
            else None
        ),
        "routing_hint": ({"authority": hint.authority.code, "count": hint.count} if hint else None),
    }
