"""What the public may see: per-body figures and answers published with consent.

Only the published copies (made once by the redaction scanner, see
reception.appeals.publishing) are read and searched here: a search can never match, and so
never reveal one character at a time, a text that is not shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from reception.appeals import search
from reception.appeals.models import Appeal
from reception.core import paging
from reception.domain.workflow import ANSWERED_STATUSES

# Ranked by relevance when the matches are this few (ranking scores every match).
RANK_UP_TO = 1_000


@dataclass
class PublishedAnswer:
    number: str
    subject: str
    category: object
    authority: object
    answered_at: object
    text: str
    subject_marked: Markup | None = None
    text_marked: Markup | None = None


def list_published_answers(session: Session, *, q: str, page: int, page_size: int) -> paging.Page:
    """Answered appeals whose applicants agreed to publication, newest first, searchable.

    Searched through the index of the published copies only; the words found are marked.
    The total is counted up to 10,000 (paging.COUNT_CAP), and a page past the last one is
    the last one; a search with few matches is ranked by relevance.
    """
    query = select(Appeal).where(
        Appeal.publish_consent,
        Appeal.status.in_(ANSWERED_STATUSES),
        Appeal.published_answer.is_not(None),
        Appeal.published_subject.is_not(None),
    )
    parsed = search.parse(q, allow_identifiers=False)
    query = search.apply(query, session, parsed, scope=search.PUBLISHED)
    total, more = search.capped_count(session, query)
    order = [Appeal.answered_at.desc(), Appeal.id.desc()]
    ranked = search.rank(session, parsed, scope=search.PUBLISHED)
    if ranked is not None and not more and total <= RANK_UP_TO:
        order.insert(0, ranked)
    found = paging.paginate(
        session,
        query.options(selectinload(Appeal.category), selectinload(Appeal.authority)),
        page=page,
        per_page=page_size,
        order_by=order,
        counted=(total, more),
    )
    found.items = [
        PublishedAnswer(
            number=appeal.number,
            subject=appeal.published_subject,
            category=appeal.category,
            authority=appeal.authority,
            answered_at=appeal.answered_at,
            text=appeal.published_answer,
            subject_marked=search.highlight(appeal.published_subject, parsed),
            text_marked=search.highlight(appeal.published_answer, parsed),
        )
        for appeal in found.items
    ]
    return found
