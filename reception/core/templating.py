"""What every template may use: labels, dates in the local zone, the language switch."""

from __future__ import annotations

from flask import Flask, request, url_for

from reception.core import labels
from reception.core.i18n import current_locale, file_size, local_date, local_datetime


def _lang_url(code: str) -> str:
    here = request.full_path if request.method == "GET" else request.path
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
