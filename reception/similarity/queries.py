"""Reads: the appeals like this one, the members of its group, the routing hint.

One interface over both databases, with the same scores: PostgreSQL compares the stored
`similarity_text` with pg_trgm (`%` through a GIN trigram index, then `similarity()`); SQLite,
or a PostgreSQL without pg_trgm, reads a bounded set of candidates and scores them in Python
with the same formula (reception.domain.similarity).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, func, or_, select, text
from sqlalchemy.orm import Session, selectinload

from reception.accounts.models import User
from reception.appeals.models import Appeal
from reception.appeals.visibility import visible_appeals
from reception.directory.models import Authority
from reception.domain.similarity import rank
from reception.domain.workflow import OPEN_STATUSES


@dataclass(frozen=True)
class SimilarSettings:
    threshold: float = 0.25
    window_days: int = 90
    limit: int = 5
    # At most this many of the body's appeals are scored, newest first (both databases).
    max_candidates: int = 1000
    hint_days: int = 365
    hint_min: int = 2
    # The routing hint counts the bodies of at most this many similar forwarded appeals.
    hint_neighbours: int = 20

    @classmethod
    def from_config(cls, config: Mapping) -> SimilarSettings:
        return cls(
            threshold=float(config.get("RECEPTION_SIMILAR_THRESHOLD", cls.threshold)),
            window_days=int(config.get("RECEPTION_SIMILAR_WINDOW_DAYS", cls.window_days)),
            hint_days=int(config.get("RECEPTION_ROUTING_HINT_DAYS", cls.hint_days)),
            hint_min=int(config.get("RECEPTION_ROUTING_HINT_MIN", cls.hint_min)),
        )


@dataclass(frozen=True)
class Similar:
    appeal: Appeal
    score: float


@dataclass(frozen=True)
class RoutingHint:
    authority: Authority
    count: int


_TRGM: dict[str, bool] = {}


def uses_pg_trgm(session: Session) -> bool:
    """True on PostgreSQL with pg_trgm installed (asked once per database)."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    key = bind.engine.url.render_as_string(hide_password=True)  # an Engine or a Connection
    if key not in _TRGM:
        _TRGM[key] = bool(
            session.scalar(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"))
        )
    return _TRGM[key]


def _scored(
    session: Session, query: Select, target: str, settings: SimilarSettings, limit: int
) -> list[tuple[int, float]]:
    """(appeal id, score) of the query's appeals like `target`, best first.

    The candidates are the query's newest `max_candidates` appeals (an index range scan,
    so the cost does not grow with the archive); PostgreSQL scores them with pg_trgm's
    similarity(), anything else in Python with the same formula.
    """
    if not target:
        return []
    candidates = (
        query.with_only_columns(Appeal.id, Appeal.similarity_text)
        .where(Appeal.similarity_text != "")
        .order_by(Appeal.registered_on.desc(), Appeal.id.desc())
        .limit(settings.max_candidates)
    )
    if uses_pg_trgm(session):
        rows = candidates.subquery()
        score = func.similarity(rows.c.similarity_text, target)
        found = session.execute(
            select(rows.c.id, score)
            .where(score >= settings.threshold)
            .order_by(score.desc(), rows.c.id.desc())
            .limit(limit)
        ).all()
        return [(row[0], float(row[1])) for row in found]
    return rank(
        target, session.execute(candidates).all(), threshold=settings.threshold, limit=limit
    )


def find_similar(
    session: Session, appeal: Appeal, user: User, *, today: date, settings: SimilarSettings
) -> list[Similar]:
    """The open and recent appeals of the same body about the same thing, that this user
    may see; best first, at most `settings.limit`, the appeal's own group left out."""
    since = today - timedelta(days=settings.window_days)
    query = visible_appeals(select(Appeal), user).where(
        Appeal.authority_id == appeal.authority_id,
        Appeal.id != appeal.id,
        or_(Appeal.status.in_(sorted(OPEN_STATUSES)), Appeal.registered_on >= since),
    )
    if appeal.group_id is not None:
        query = query.where(or_(Appeal.group_id.is_(None), Appeal.group_id != appeal.group_id))
    scored = _scored(session, query, appeal.similarity_text, settings, settings.limit)
    if not scored:
        return []
    found = {
        a.id: a
        for a in session.scalars(select(Appeal).where(Appeal.id.in_([i for i, _ in scored]))).all()
    }
    return [Similar(found[i], round(score, 3)) for i, score in scored if i in found]


def group_members(session: Session, appeal: Appeal, user: User) -> list[Appeal]:
    """The appeals of this appeal's group that the user may see, the appeal included."""
    if appeal.group_id is None:
        return []
    return list(
        session.scalars(
            visible_appeals(select(Appeal), user)
            .where(Appeal.group_id == appeal.group_id)
            .order_by(Appeal.received_at, Appeal.id)
        )
    )


def routing_hint(
    session: Session, appeal: Appeal, *, today: date, settings: SimilarSettings
) -> RoutingHint | None:
    """ "Often forwarded to ...": the body that similar appeals forwarded away from this
    body went to, when at least `hint_min` of them did; None otherwise."""
    since = today - timedelta(days=settings.hint_days)
    query = select(Appeal).where(
        Appeal.forwarded_from_id == appeal.authority_id,
        Appeal.registered_on >= since,
        Appeal.id != appeal.id,
        Appeal.authority_id != appeal.authority_id,
    )
    scored = _scored(session, query, appeal.similarity_text, settings, settings.hint_neighbours)
    if not scored:
        return None
    bodies = session.execute(
        select(Appeal.authority_id).where(Appeal.id.in_([i for i, _ in scored]))
    ).scalars()
    authority_id, count = Counter(bodies).most_common(1)[0]
    if count < settings.hint_min:
        return None
    return RoutingHint(session.get(Authority, authority_id), count)


def load_for_page(session: Session, appeals: list[Appeal]) -> None:
    """Load what the similar list shows of each appeal in one query."""
    if appeals:
        session.scalars(
            select(Appeal)
            .where(Appeal.id.in_([a.id for a in appeals]))
            .options(selectinload(Appeal.category))
        ).all()
