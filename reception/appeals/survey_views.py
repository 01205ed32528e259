"""The pages behind the "Was your problem resolved?" links; no log-in needed.

Opening a link only shows a page: a mail scanner that follows links records nothing. The
answer is recorded by the page's one button (a POST with a CSRF token).
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, render_template, request
from flask_babel import refresh

from reception.appeals.citizen_actions import complaint_deadline
from reception.appeals.policies import grant_browser_access
from reception.appeals.survey import (
    CHOICES,
    MAX_COMMENT,
    LinkInvalid,
    SurveySettings,
    read_token,
    record_answer,
)
from reception.core.i18n import lazy_gettext as _l
from reception.core.types import utcnow
from reception.core.web import current_settings, local_today, perform
from reception.extensions import db, limiter

bp = Blueprint("survey", __name__)

INVALID = _l("This link is not valid. Please use the latest link from the e-mail.")
EXPIRED = _l("This link has expired. You can still follow your appeal with its access code.")


def _link(token: str):
    survey = SurveySettings.from_config(current_app.config)
    return read_token(
        db.session, current_app.config["SECRET_KEY"], token, max_age_days=survey.link_days
    )


def _complaint_open(appeal) -> bool:
    settings = current_settings()
    deadline = complaint_deadline(appeal, settings)
    return deadline is not None and local_today() <= deadline


@bp.route("/survey/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_TRACK"])
def answer(token: str):
    try:
        link = _link(token)
    except LinkInvalid as invalid:
        return render_template(
            "appeals/survey_invalid.html", message=EXPIRED if invalid.expired else INVALID
        ), 404
    appeal = link.appeal
    g.reader_locale = appeal.language
    refresh()
    if request.method == "GET":
        return render_template("appeals/survey.html", link=link, appeal=appeal, token=token)
    choice = request.form.get("choice", link.choice)
    if choice not in CHOICES:
        choice = link.choice
    comment = (request.form.get("comment") or "")[:MAX_COMMENT]
    number = appeal.number
    appeal_id = appeal.id

    def answer():
        record_answer(db.session, link, choice=choice, comment=comment, now=utcnow())
        complaint_open = not CHOICES[choice] and _complaint_open(appeal)
        return complaint_open, (
            (appeal.authority.superior or appeal.authority) if complaint_open else None
        )

    complaint_open, complaint_to = perform(answer)
    if complaint_open:
        # The complaint form on the status page comes filled in with this appeal.
        grant_browser_access(appeal_id)
    return render_template(
        "appeals/survey_done.html",
        number=number,
        resolved=CHOICES[choice],
        complaint_open=complaint_open,
        complaint_to=complaint_to,
    )
