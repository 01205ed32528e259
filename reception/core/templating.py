"""What every template may use: labels, dates in the local zone, the language switch."""

from __future__ import annotations

from flask import Flask, g, request, url_for

from reception.core import labels
from reception.core.i18n import current_locale, file_size, local_date, local_datetime
from reception.domain.workflow import (
    AUTHORITY_ROLES,
    RUNNING_STATUSES,
    STAFF_ROLES,
    Action,
    AppealStatus,
    Record,
    Role,
)

# The element each field of an appeal page's action forms has, by "action:field": the
# error summary links to it and the field is marked invalid and described by its error.
ACTION_FIELD_IDS = {
    "answer:template": "template",
    "answer:text": "answer-text",
    "answer:attachments": "answer-files",
    "answer:hide_reason": "answer-hide-reason",
    "request_info:text": "ri-text",
    "request_info:reply_days": "ri-days",
    "forward:authority": "fw-authority",
    "forward:reason": "fw-reason",
    "assign:executor": "as-executor",
    "extend:due_on": "ex-date",
    "extend:reason": "ex-reason",
    "note:text": "note-text",
    "mark_duplicate:number": "dup-number",
    "mark_duplicate:comment": "dup-comment",
    "mark_duplicate:confirm": "mark_duplicate-confirm",
    "return:ground": "return-ground",
    "return:comment": "return-comment",
    "return:confirm": "return-confirm",
    "terminate:ground": "terminate-ground",
    "terminate:comment": "terminate-comment",
    "terminate:confirm": "terminate-confirm",
    "reply:text": "reply-text",
    "reply:attachments": "reply-files",
    "rate:rating": "rating-1",
    "rate:comment": "rate-comment",
    "complain:text": "complain-text",
    "withdraw:reason": "withdraw-reason",
    "withdraw:confirm": "withdraw-confirm",
    "notified:by": "notified-by",
    "notified:on": "notified-on",
}


def _lang_url(code: str) -> str:
    """The language switch, back to what is on the screen: a page shown in answer to a
    form (a POST) names the page to come back to in `g.lang_next`; the address of a
    POST-only route would be a 405."""
    here = g.get("lang_next") or (request.full_path if request.method == "GET" else request.path)
    return url_for("core.set_language", code=code, next=here.rstrip("?"))


def _localized_name(obj) -> str:
    return obj.name(current_locale()) if obj is not None else ""


def install_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(
        STATUS_LABELS=labels.STATUS_LABELS,
        STAFF_STATUS_LABELS=labels.STAFF_STATUS_LABELS,
        KIND_LABELS=labels.KIND_LABELS,
        EVENT_LABELS=labels.EVENT_LABELS,
        CHANNEL_LABELS=labels.CHANNEL_LABELS,
        GROUND_LABELS=labels.GROUND_LABELS,
        RETURN_GROUND_LABELS=labels.RETURN_GROUND_LABELS,
        TERMINATION_GROUND_LABELS=labels.TERMINATION_GROUND_LABELS,
        LANGUAGE_NAMES=labels.LANGUAGE_NAMES,
        LANGUAGE_LABELS=labels.LANGUAGE_LABELS,
        current_locale=current_locale,
        lang_url=_lang_url,
        ACTION_FIELD_IDS=ACTION_FIELD_IDS,
        # The vocabulary, so that pages name codes as the code does (AppealStatus.answered).
        AppealStatus=AppealStatus,
        Action=Action,
        Record=Record,
        Role=Role,
        RUNNING_STATUSES=RUNNING_STATUSES,
        STAFF_ROLES=STAFF_ROLES,
        AUTHORITY_ROLES=AUTHORITY_ROLES,
    )
    app.jinja_env.filters.update(
        local_datetime=local_datetime,
        local_date=local_date,
        localized=_localized_name,
        filesize=file_size,
    )
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
