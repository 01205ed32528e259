"""Every model of the application, imported in one place for metadata and Alembic."""

from reception.accounts.models import ApiKey, User
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
from reception.notifications.models import DeliveryAttempt, OutboxMessage

__all__ = [
    "AnswerTemplate",
    "ApiKey",
    "Appeal",
    "AppealEvent",
    "Attachment",
    "AuditEntry",
    "Authority",
    "Category",
    "DeliveryAttempt",
    "HolidayOverride",
    "IdempotentResponse",
    "OutboxMessage",
    "Region",
    "RegistrationCounter",
    "RoutingRule",
    "User",
]
