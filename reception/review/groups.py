"""Groups of appeals about one problem, answered once.

An official links appeals of their body into a group, takes one out (an event on it), and
answers the group: every appeal of the group that can be answered now is answered through
the normal answer service, in its applicant's language, in the caller's one transaction.
Each appeal keeps its own due date, status and history; a group never crosses bodies.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from reception.accounts.models import User
from reception.appeals.models import Appeal, AppealEvent
from reception.appeals.queries import get_appeal_by_number
from reception.appeals.visibility import staff_may_view
from reception.appeals.workflow import (
    WorkflowSettings,
    apply_transition,
    ensure_allowed,
    optional_text,
)
from reception.core.files import AttachmentStore, Upload
from reception.core.i18n import lazy_gettext as _l
from reception.core.labels import LANGUAGE_LABELS
from reception.core.refusals import Refused
from reception.domain.workflow import Action, is_allowed
from reception.review import services
from reception.similarity.models import AppealGroup

MAX_LINK = 50
_SEPARATORS = re.compile(r"[\s,;]+")


def _numbers(data: Mapping) -> list[str]:
    """The registration numbers typed or ticked: one field, or several of the same name."""
    values = data.getlist("numbers") if hasattr(data, "getlist") else [data.get("numbers")]
    found: dict[str, None] = {}
    for value in values:
        for number in _SEPARATORS.split(str(value or "").strip()):
            if number:
                found.setdefault(number[:64].upper(), None)
    return list(found)


def _link(
    session: Session,
    appeal: Appeal,
    group: AppealGroup,
    *,
    actor: User,
    now: datetime,
    settings: WorkflowSettings,
    others: list[str],
) -> AppealEvent:
    return apply_transition(
        session,
        appeal,
        "group_link",
        actor=actor,
        role=actor.role,
        now=now,
        settings=settings,
        data={"group": group.id, "with": others},
        changes={"group_id": group.id},
    )


def link_appeals(
    session: Session,
    appeal: Appeal,
    *,
    actor: User,
    now: datetime,
    settings: WorkflowSettings,
    data: Mapping,
) -> AppealEvent:
    """Put this appeal and the ones named by number into one group of this body."""
    ensure_allowed(appeal, "group_link", actor.role)
    numbers = [n for n in _numbers(data) if n != appeal.number]
    if not numbers:
        raise Refused(
            "invalid", _l("Enter or tick the numbers of the appeals to group."), "numbers"
        )
    if len(numbers) > MAX_LINK:
        raise Refused(
            "invalid", _l("Group at most %(n)d appeals at a time.", n=MAX_LINK), "numbers"
        )
    others = []
    for number in numbers:
        other = get_appeal_by_number(session, number)
        if other is None or not staff_may_view(actor, other):
            raise Refused(
                "invalid",
                _l("No appeal of yours has the number %(number)s.", number=number),
                "numbers",
            )
        if other.authority_id != appeal.authority_id:
            raise Refused(
                "invalid",
                _l(
                    "Appeal %(number)s is with another body: a group stays within one body.",
                    number=number,
                ),
                "numbers",
            )
        if other.group_id is not None and other.group_id != appeal.group_id:
            raise Refused(
                "invalid",
                _l(
                    "Appeal %(number)s is in another group: take it out of that group first.",
                    number=number,
                ),
                "numbers",
            )
        if other.group_id is None and not is_allowed(other.status, "group_link", actor.role):
            raise Refused(
                "invalid",
                _l("Appeal %(number)s is already decided and cannot join a group.", number=number),
                "numbers",
            )
        others.append(other)
    group = session.get(AppealGroup, appeal.group_id) if appeal.group_id else None
    event = None
    if group is None:
        group = AppealGroup(authority_id=appeal.authority_id, created_by=actor, created_at=now)
        session.add(group)
        session.flush()
        event = _link(
            session,
            appeal,
            group,
            actor=actor,
            now=now,
            settings=settings,
            others=[o.number for o in others],
        )
    for other in others:
        if other.group_id != group.id:
            linked = _link(
                session,
                other,
                group,
                actor=actor,
                now=now,
                settings=settings,
                others=[appeal.number],
            )
            event = event or linked
    if event is None:
        raise Refused("invalid", _l("These appeals are already in this group."), "numbers")
    return event


def leave_group(
    session: Session,
    appeal: Appeal,
    *,
    actor: User,
    now: datetime,
    settings: WorkflowSettings,
    comment="",
) -> AppealEvent:
    """Take the appeal out of its group; the event stays in its history."""
    ensure_allowed(appeal, "group_leave", actor.role)
    if appeal.group_id is None:
        raise Refused("not_allowed", _l("This appeal is not in a group."))
    return apply_transition(
        session,
        appeal,
        "group_leave",
        actor=actor,
        role=actor.role,
        now=now,
        settings=settings,
        comment=optional_text(comment, "comment", services.MAX_COMMENT),
        data={"group": appeal.group_id},
        changes={"group_id": None},
    )


def all_members(session: Session, appeal: Appeal) -> list[Appeal]:
    """Every appeal of the appeal's group (of its body), oldest first."""
    if appeal.group_id is None:
        return []
    return session.scalars(
        select(Appeal)
        .where(Appeal.group_id == appeal.group_id, Appeal.authority_id == appeal.authority_id)
        .order_by(Appeal.received_at, Appeal.id)
    ).all()


def answerable_members(session: Session, appeal: Appeal, actor: User) -> list[Appeal]:
    """The appeals of the group this person may answer now, oldest first."""
    members = all_members(session, appeal)
    return [
        m
        for m in members
        if staff_may_view(actor, m) and is_allowed(m.status, "answer", actor.role)
    ]


def answer_texts(members: list[Appeal], data: Mapping) -> dict[str, str]:
    """The answer for each language of the group: `text_<language>`, or `text` when every
    applicant wrote in one language. Missing ones are refused, naming the field."""
    languages = sorted({m.language for m in members})
    texts = {}
    for language in languages:
        value = data.get(f"text_{language}")
        if not str(value or "").strip() and len(languages) == 1:
            value = data.get("text")
        if not str(value or "").strip():
            raise Refused(
                "invalid",
                _l(
                    "Write the answer in this language: %(language)s.",
                    language=LANGUAGE_LABELS.get(language, language),
                ),
                f"text_{language}",
            )
        texts[language] = value
    return texts


def answer_group(
    session: Session,
    appeal: Appeal,
    *,
    actor: User,
    now: datetime,
    settings: WorkflowSettings,
    store: AttachmentStore,
    data: Mapping,
    uploads: list[Upload] = (),
) -> AppealEvent:
    """Answer every appeal of the group that can be answered now, each in its language,
    through the answer service (its term, e-mail and history its own). Answered ones are
    skipped, so sending the same group answer again changes and sends nothing."""
    if appeal.group_id is None:
        raise Refused("not_allowed", _l("This appeal is not in a group."))
    members = answerable_members(session, appeal, actor)
    if not members:
        raise Refused("not_allowed", _l("No appeal of this group can be answered now."))
    texts = answer_texts(members, data)
    # One text answers every applicant of the group: each published copy hides the
    # personal data of all of them, and the official's extra words to hide.
    everyone = all_members(session, appeal)
    events = []
    for member in members:
        try:
            event = services.answer_appeal(
                session,
                member,
                actor=actor,
                now=now,
                settings=settings,
                store=store,
                text=texts[member.language],
                uploads=list(uploads),
                template=None,
                hide=data.get("hide"),
                hide_reason=data.get("hide_reason"),
                others=[m for m in everyone if m is not member],
            )
        except Refused as refused:
            if refused.field == "text":
                refused.field = f"text_{member.language}"
            raise
        event.data = {**event.data, "group": appeal.group_id, "group_size": len(members)}
        events.append(event)
    return next((e for e in events if e.appeal is appeal), events[0])


def perform(
    session: Session,
    appeal: Appeal,
    action: str,
    *,
    actor: User,
    now: datetime,
    settings: WorkflowSettings,
    store: AttachmentStore,
    data: Mapping,
    uploads: list[Upload] = (),
) -> AppealEvent:
    """The group actions by their contract codes (reception.review.actions)."""
    common = {"actor": actor, "now": now, "settings": settings}
    if action == Action.group_link:
        return link_appeals(session, appeal, **common, data=data)
    if action == Action.group_leave:
        return leave_group(session, appeal, **common, comment=data.get("comment"))
    return answer_group(session, appeal, **common, store=store, data=data, uploads=uploads)
