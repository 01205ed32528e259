"""Appeals, their attachments and their history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from reception.accounts.models import User
from reception.core.types import UTCDateTime, one_of, utcnow
from reception.directory.models import Authority, Category, Region
from reception.domain.workflow import (
    RUNNING_STATUSES,
    AppealKind,
    AppealStatus,
    Channel,
    Language,
    is_overdue,
)
from reception.extensions import db

_S = AppealStatus


class RegistrationCounter(db.Model):
    """The last number given in a year; incremented under a row lock, so gap-free."""

    __tablename__ = "registration_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Appeal(db.Model):
    __tablename__ = "appeals"
    __table_args__ = (
        UniqueConstraint("year", "sequence", name="uq_appeals_year_sequence"),
        CheckConstraint(one_of("status", AppealStatus), name="status"),
        CheckConstraint(one_of("kind", AppealKind), name="kind"),
        CheckConstraint(one_of("channel", Channel), name="channel"),
        CheckConstraint(one_of("language", Language), name="language"),
        CheckConstraint("applicant_type IN ('person', 'organisation')", name="applicant_type"),
        CheckConstraint("due_on >= registered_on", name="due_after_registration"),
        CheckConstraint("rating IS NULL OR (rating BETWEEN 1 AND 5)", name="rating"),
        # Waiting for the citizen is exactly the time the clock is paused.
        CheckConstraint(
            f"(status = '{_S.awaiting_citizen}') = (paused_on IS NOT NULL)",
            name="paused_when_waiting",
        ),
        CheckConstraint(
            f"status NOT IN ('{_S.answered}', '{_S.closed}') OR answered_at IS NOT NULL",
            name="answered_at",
        ),
        CheckConstraint(f"status <> '{_S.closed}' OR closed_at IS NOT NULL", name="closed_at"),
        CheckConstraint("paused_days >= 0 AND extensions_count >= 0", name="counters"),
        Index("ix_appeals_authority_status_due", "authority_id", "status", "due_on"),
        Index("ix_appeals_registered_on", "registered_on"),
        # Similar appeals: the body's appeals newest first, with what the scorer reads in
        # the index itself (PostgreSQL: an index-only scan, whatever the size of the archive).
        Index(
            "ix_appeals_similar_window",
            "authority_id",
            "registered_on",
            postgresql_include=["id", "status", "similarity_text"],
        ),
        # The routing hint: appeals forwarded away from a body, newest first.
        Index(
            "ix_appeals_forwarded_from",
            "forwarded_from_id",
            "registered_on",
            postgresql_include=["id", "authority_id", "similarity_text"],
        ),
        # The queue's order (soonest due first) read from an index, for a body and for all;
        # Open311's newest first. Deep pages and windows then read only the rows they show.
        Index("ix_appeals_authority_due_id", "authority_id", "due_on", "id"),
        Index("ix_appeals_due_id", "due_on", "id"),
        Index("ix_appeals_received_at", "received_at"),
        Index("ix_appeals_registered_id", "registered_on", "id"),  # the export's order
        # The queue's "to tell by post or phone": only the few appeals with a notice due.
        Index(
            "ix_appeals_notice_due",
            "authority_id",
            "due_on",
            postgresql_where=text("notice_due"),
            sqlite_where=text("notice_due"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)

    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(20), default=AppealStatus.registered, index=True)
    channel: Mapped[str] = mapped_column(String(16), default=Channel.web)
    language: Mapped[str] = mapped_column(String(2))

    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    # Who must answer now; the addressee is whom the citizen chose (may be empty).
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    addressee_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))
    # The body that last forwarded it away (for the routing hint "often forwarded to ...").
    forwarded_from_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))
    executor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"), index=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"))
    # The same applicant's earlier appeal on the same topic decided within the repeat window
    # (RECEPTION_REPEAT_MONTHS): set once, at filing (reception.appeals.repeats).
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"), index=True)
    # The API key an external system filed it with (Open311 shows such a system its own).
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), index=True)
    # A random key the web form carries: the same form sent twice (a double click, or a retry
    # after the answer was lost) finds the appeal it registered instead of filing another.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    # What the public may read (the statistics page, its search, Open311): made once, by the
    # redaction scanner, when the appeal is filed (the subject) and when it is answered (the
    # answer, after the official's preview). Nothing public reads or searches the originals.
    published_subject: Mapped[str | None] = mapped_column(Text)
    published_answer: Mapped[str | None] = mapped_column(Text)
    # Subject and text reduced to their stemmed words (reception.domain.similarity), for
    # finding the appeals about the same thing; set at filing.
    similarity_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Appeals about one problem answered together (reception.review.groups).
    group_id: Mapped[int | None] = mapped_column(ForeignKey("appeal_groups.id"), index=True)

    applicant_type: Mapped[str] = mapped_column(String(16), default="person")
    full_name: Mapped[str] = mapped_column(String(300))
    iin: Mapped[str | None] = mapped_column(String(12), index=True)
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(32), default="")
    address: Mapped[str] = mapped_column(String(500))
    publish_consent: Mapped[bool] = mapped_column(Boolean, default=False)

    access_code_hash: Mapped[str] = mapped_column(String(128))

    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registered_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    # The day the current authority received it (registration, or the last forward).
    received_on: Mapped[date | None] = mapped_column(Date)
    paused_on: Mapped[date | None] = mapped_column(Date)
    # The citizen's reply period after a clarification request.
    info_due_on: Mapped[date | None] = mapped_column(Date)
    # Working days the clock stood still while waiting for the citizen (for statistics).
    paused_days: Mapped[int] = mapped_column(Integer, default=0)
    first_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Measured when they happen, for the response-time figures (working days, paused time
    # excluded): SQL can then aggregate them without a calendar.
    first_action_days: Mapped[int | None] = mapped_column(Integer)
    answer_days: Mapped[int | None] = mapped_column(Integer)
    answered_on_time: Mapped[bool | None] = mapped_column(Boolean)
    extensions_count: Mapped[int] = mapped_column(Integer, default=0)
    forwards_count: Mapped[int] = mapped_column(Integer, default=0)
    # The statutory clock (docs/domain.md, sections 3, 7): a return after its 3 working days
    # (Art. 64); whether the answer explained how to complain (Art. 91: 3 or 6 months); the
    # day a complaint's term ended without a decision, which counts as a refusal.
    returned_late: Mapped[bool | None] = mapped_column(Boolean)
    complaint_info_given: Mapped[bool | None] = mapped_column(Boolean)
    deemed_refused_on: Mapped[date | None] = mapped_column(Date)
    # Art. 88: a report of a crime or a threat to security, forwarded at once, flagged urgent.
    urgent: Mapped[bool | None] = mapped_column(Boolean)
    # An applicant without e-mail has news not yet told by post or phone: set by every
    # public step of the staff (reception.appeals.events), cleared by the recorded notice.
    notice_due: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    rating: Mapped[int | None] = mapped_column(Integer)
    # The applicant's last answer to "Was your problem resolved?" (reception.appeals.survey):
    # None until they answer; each answer is also an event.
    resolved: Mapped[bool | None] = mapped_column(Boolean)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    # Raised by every change through the ORM, which updates only the version it read: of two
    # simultaneous changes the second finds no row and is refused (see workflow.lock_appeal).
    version: Mapped[int] = mapped_column(Integer, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    category: Mapped[Category] = relationship()
    region: Mapped[Region] = relationship()
    authority: Mapped[Authority] = relationship(foreign_keys=[authority_id])
    forwarded_from: Mapped[Authority | None] = relationship(foreign_keys=[forwarded_from_id])
    addressee: Mapped[Authority | None] = relationship(foreign_keys=[addressee_id])
    executor: Mapped[User | None] = relationship(foreign_keys=[executor_id])
    citizen: Mapped[User | None] = relationship(foreign_keys=[citizen_id])
    registered_by: Mapped[User | None] = relationship(foreign_keys=[registered_by_id])
    parent: Mapped[Appeal | None] = relationship(foreign_keys=[parent_id], remote_side=[id])
    repeat_of: Mapped[Appeal | None] = relationship(foreign_keys=[repeat_of_id], remote_side=[id])
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="appeal", order_by="Attachment.id"
    )
    events: Mapped[list[AppealEvent]] = relationship(
        back_populates="appeal", order_by="AppealEvent.id"
    )
    # A collective appeal (Art. 22): the applicant above represents these co-signers.
    co_applicants: Mapped[list[CoApplicant]] = relationship(
        back_populates="appeal", order_by="CoApplicant.position"
    )

    @hybrid_method
    def is_overdue(self, today: date) -> bool:
        """Its clock runs and its due date has passed (reception.domain.workflow.is_overdue)."""
        return is_overdue(self.status, self.due_on, today)

    @is_overdue.inplace.expression
    @classmethod
    def _is_overdue_expression(cls, today: date) -> ColumnElement[bool]:
        """The same rule as SQL: the one condition every query of overdue appeals uses."""
        return and_(cls.status.in_(sorted(RUNNING_STATUSES)), cls.due_on < today)

    def __repr__(self) -> str:
        return f"<Appeal {self.number} {self.status}>"


class AppealEvent(db.Model):
    """One step in an appeal's history; rows are only ever added."""

    __tablename__ = "appeal_events"
    __table_args__ = (
        # The forwards alone (the cost of misrouting reads them): a few per cent of events.
        Index(
            "ix_appeal_events_forwards",
            "appeal_id",
            "id",
            postgresql_where=text("action = 'forward'"),
            sqlite_where=text("action = 'forward'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str | None] = mapped_column(String(16))
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    appeal: Mapped[Appeal] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
    authority: Mapped[Authority | None] = relationship()


class Attachment(db.Model):
    """A file checked by content and kept outside static/ under a random name."""

    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint(
            "content_type IN ('application/pdf', 'image/jpeg', 'image/png')", name="content_type"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("appeal_events.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    appeal: Mapped[Appeal] = relationship(back_populates="attachments")


class CoApplicant(db.Model):
    """One more signer of a collective appeal (Art. 22); the appeal's applicant represents
    them, holds the access code and is the contact. With an e-mail they get the notices."""

    __tablename__ = "co_applicants"
    __table_args__ = (UniqueConstraint("appeal_id", "position", name="uq_co_applicants_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    full_name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254))
    iin: Mapped[str | None] = mapped_column(String(12))
    phone: Mapped[str] = mapped_column(String(32), default="")
    address: Mapped[str] = mapped_column(String(500), default="")

    appeal: Mapped[Appeal] = relationship(back_populates="co_applicants")
