"""Change answer templates: per topic or general, in one language; switched off, never deleted."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from reception.accounts.models import User
from reception.admin.services.common import (
    Checks,
    activity_action,
    assign,
    flag,
    line,
    record,
    snapshot,
    text,
)
from reception.admin.services.directory import find_category
from reception.core.i18n import lazy_gettext as _l
from reception.directory.models import AnswerTemplate
from reception.domain.workflow import LANGUAGES

TITLE_MAX = 200
BODY_MAX = 10_000
TEMPLATE_FIELDS = ("category", "language", "title", "body", "is_active")


def _check_template(session: Session, data: Mapping) -> tuple[Checks, dict]:
    checks = Checks()
    values: dict[str, object] = {"category": find_category(session, checks, line(data, "category"))}
    language = line(data, "language")
    if language not in LANGUAGES:
        checks.fail("language", _l("Choose the language of the template."))
    values["language"] = language
    values["title"] = line(data, "title")
    checks.text("title", values["title"], TITLE_MAX)
    values["body"] = text(data, "body")
    checks.text("body", values["body"], BODY_MAX)
    values["is_active"] = flag(data, "is_active")
    return checks, values


def create_template(
    session: Session, data: Mapping, *, actor: User | None, now: datetime
) -> AnswerTemplate:
    """Add an answer template for one topic (or all) in one language."""
    checks, values = _check_template(session, data)
    checks.raise_if_any()
    template = AnswerTemplate(**values)
    session.add(template)
    session.flush()
    record(
        session,
        actor=actor,
        now=now,
        entity="answer_template",
        entity_id=template.id,
        action="create",
        changes=snapshot(template, TEMPLATE_FIELDS),
    )
    return template


def update_template(
    session: Session,
    template: AnswerTemplate,
    data: Mapping,
    *,
    actor: User | None,
    now: datetime,
) -> dict[str, list]:
    """Change an answer template; answers already given keep their own text."""
    checks, values = _check_template(session, data)
    checks.raise_if_any()
    changes = assign(template, values)
    if changes:
        record(
            session,
            actor=actor,
            now=now,
            entity="answer_template",
            entity_id=template.id,
            action=activity_action(changes),
            changes=changes,
        )
    return changes
