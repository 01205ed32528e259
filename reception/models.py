"""Every model of the application, imported in one place for metadata and Alembic."""

from reception.accounts.models import ApiKey, User, UserSession
from reception.admin.models import AuditEntry
from reception.api.models import IdempotentResponse
from reception.appeals.models import Appeal, AppealEvent, Attachment, RegistrationCounter
from reception.directory.models import (
    AnswerTemplate,
    Authority,
    Category,
    HolidayOverride,
    Region,
    RoutingRule,
)
from reception.monitoring import rollups  # noqa: F401 (every grain's two tables: rollups.GRAINS)
from reception.notifications.models import DeliveryAttempt, OutboxMessage
from reception.ops.models import Heartbeat, SecurityEvent
from reception.similarity.models import AppealGroup

__all__ = [
    "AnswerTemplate",
    "ApiKey",
    "Appeal",
    "AppealEvent",
    "AppealGroup",
    "Attachment",
    "AuditEntry",
    "Authority",
    "Category",
    "DeliveryAttempt",
    "Heartbeat",
    "HolidayOverride",
    "IdempotentResponse",
    "OutboxMessage",
    "Region",
    "RegistrationCounter",
    "RoutingRule",
    "SecurityEvent",
    "User",
    "UserSession",
]
