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
from reception.monitoring.rollups import (
    AppealRollup,
    AppealRollupValue,
    AuthorityRollup,
    AuthorityRollupValue,
    MonthlyAppealRollup,
    MonthlyAppealRollupValue,
    MonthlyAuthorityRollup,
    MonthlyAuthorityRollupValue,
    MonthlyTopicRollup,
    MonthlyTopicRollupValue,
    TopicRollup,
    TopicRollupValue,
)
from reception.notifications.models import DeliveryAttempt, OutboxMessage
from reception.ops.models import Heartbeat, SecurityEvent
from reception.similarity.models import AppealGroup

__all__ = [
    "AnswerTemplate",
    "ApiKey",
    "Appeal",
    "AppealEvent",
    "AppealGroup",
    "AppealRollup",
    "AppealRollupValue",
    "Attachment",
    "AuditEntry",
    "AuthorityRollup",
    "AuthorityRollupValue",
    "Authority",
    "Category",
    "DeliveryAttempt",
    "Heartbeat",
    "HolidayOverride",
    "IdempotentResponse",
    "MonthlyAppealRollup",
    "MonthlyAppealRollupValue",
    "MonthlyAuthorityRollup",
    "MonthlyAuthorityRollupValue",
    "MonthlyTopicRollup",
    "MonthlyTopicRollupValue",
    "OutboxMessage",
    "Region",
    "RegistrationCounter",
    "RoutingRule",
    "SecurityEvent",
    "TopicRollup",
    "TopicRollupValue",
    "User",
    "UserSession",
]
