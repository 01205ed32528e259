"""Closing the loop: "Was your problem resolved?", asked once per answer.

RECEPTION_SURVEY_DAYS working days after an answer (10 by default) the daily job e-mails
the applicant, in the appeal's language, two signed links (resolved / not resolved). A link
carries the appeal, the answer event it asks about and the choice, signed with the
application's secret and valid for RECEPTION_SURVEY_LINK_DAYS days; nobody needs to log in.
Opening a link changes nothing (mail scanners open links too): the page it shows asks for
one more click, a form posted with a CSRF token, where a comment may be added. Each answer
is an event on the appeal, and the appeal keeps the last one (`resolved`).

The e-mail carries a unique outbox key (appeal, answer event), so the job may run twice a
day, or on two hosts, and the applicant is still asked once per answer. Withdrawn, returned
and terminated appeals have no answer to ask about and are never asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import String, cast, exists, func, literal, select
from sqlalchemy.orm import Session

from reception.appeals.citizen_actions import complaint_deadline
from reception.appeals.events import record_event
from reception.appeals.models import Appeal, AppealEvent
from reception.appeals.workflow import WorkflowSettings
from reception.domain.workflow import ANSWERED_STATUSES, Action, Record, Role
from reception.notifications import emails
from reception.notifications.models import OutboxMessage

SALT = "reception.survey.v1"
ASKED = ANSWERED_STATUSES
CHOICES = {"yes": True, "no": False}
MAX_COMMENT = 2000


@dataclass(frozen=True)
class SurveySettings:
    days: int = 10
    link_days: int = 60

    @classmethod
    def from_config(cls, config) -> SurveySettings:
        return cls(
            days=int(config.get("RECEPTION_SURVEY_DAYS", 10)),
            link_days=int(config.get("RECEPTION_SURVEY_LINK_DAYS", 60)),
        )


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def make_token(secret_key: str, appeal: Appeal, event: AppealEvent, choice: str) -> str:
    return _serializer(secret_key).dumps({"a": appeal.id, "e": event.id, "r": choice})


@dataclass(frozen=True)
class SurveyLink:
    appeal: Appeal
    event: AppealEvent
    choice: str


class LinkInvalid(Exception):
    """The link is damaged, expired, or no longer names an answer of the appeal."""

    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def read_token(session: Session, secret_key: str, token: str, *, max_age_days: int) -> SurveyLink:
    try:
        payload = _serializer(secret_key).loads(token[:500], max_age=max_age_days * 86400)
    except SignatureExpired as error:
        raise LinkInvalid(expired=True) from error
    except BadSignature as error:
        raise LinkInvalid() from error
    if not isinstance(payload, dict) or payload.get("r") not in CHOICES:
        raise LinkInvalid()
    appeal_id, event_id = payload.get("a"), payload.get("e")
    if not isinstance(appeal_id, int) or not isinstance(event_id, int):
        raise LinkInvalid()
    event = session.get(AppealEvent, event_id)
    if event is None or event.appeal_id != appeal_id or event.action != Action.answer:
        raise LinkInvalid()
    appeal = event.appeal
    if appeal.status not in ASKED:
        raise LinkInvalid()
    return SurveyLink(appeal=appeal, event=event, choice=payload["r"])


def record_answer(
    session: Session, link: SurveyLink, *, choice: str, comment: str, now: datetime
) -> AppealEvent:
    """The applicant's answer: an event (with their comment) and the appeal's `resolved`."""
    resolved = CHOICES[choice]
    link.appeal.resolved = resolved
    return record_event(
        session,
        link.appeal,
        Record.resolved if resolved else Record.not_resolved,
        now=now,
        actor=None,
        from_status=link.appeal.status,
        role=Role.citizen,
        # Not public: the comment is the applicant's own words, not for the public notes.
        public=False,
        comment=" ".join(comment.split())[:MAX_COMMENT] if comment else "",
        data={"answer_event": link.event.id},
    )


def survey_key(appeal_id: int, event_id: int) -> str:
    return f"survey:{appeal_id}:{event_id}"


def ask_whether_resolved(
    session: Session,
    *,
    now: datetime,
    settings: WorkflowSettings,
    survey: SurveySettings,
    secret_key: str,
) -> int:
    """Queue the question for every answer old enough and not asked about yet."""
    if survey.days <= 0:
        return 0
    calendar = settings.calendar(session)
    today = settings.local_date(now)
    # Working days are never fewer than calendar days, so this is a safe first cut; answers
    # older than the links' lifetime are not asked about (the first run after an upgrade).
    latest = (
        select(AppealEvent.appeal_id, func.max(AppealEvent.id).label("event_id"))
        .where(AppealEvent.action == Action.answer)
        .group_by(AppealEvent.appeal_id)
        .subquery()
    )
    # The outbox key of each candidate, built in SQL: answers asked about already are left out
    # by the database (the key is unique and indexed), not looked up one by one.
    key = (
        literal("survey:")
        + cast(Appeal.id, String)
        + literal(":")
        + cast(latest.c.event_id, String)
    )
    rows = session.execute(
        select(Appeal, AppealEvent)
        .join(latest, latest.c.appeal_id == Appeal.id)
        .join(AppealEvent, AppealEvent.id == latest.c.event_id)
        .where(
            Appeal.status.in_(ASKED),
            Appeal.answered_at.is_not(None),
            Appeal.answered_at <= now - timedelta(days=survey.days),
            Appeal.answered_at >= now - timedelta(days=survey.link_days),
            ~exists(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)),
        )
        .order_by(Appeal.id)
    ).all()
    asked = 0
    for appeal, event in rows:
        answered_on = settings.local_date(event.created_at)
        if calendar.working_days_between(answered_on, today) < survey.days:
            continue
        key = survey_key(appeal.id, event.id)
        complain_by = complaint_deadline(appeal, settings)
        emails.resolution_survey(
            session,
            appeal,
            key=key,
            complain_by=complain_by if complain_by and complain_by >= today else None,
            complaint_to=appeal.authority.superior or appeal.authority,
            yes_url=survey_url(
                settings.filing.base_url, make_token(secret_key, appeal, event, "yes")
            ),
            no_url=survey_url(
                settings.filing.base_url, make_token(secret_key, appeal, event, "no")
            ),
            valid_until=today + timedelta(days=survey.link_days),
            now=now,
        )
        asked += 1
    return asked


def survey_url(base_url: str, token: str) -> str:
    return f"{base_url}/survey/{token}"
