"""HTTP for the officials' side: the queue, the appeal page and the actions."""

from __future__ import annotations

import hashlib

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from reception.appeals import queries as appeal_queries
from reception.appeals.attachments import read_uploads
from reception.appeals.publishing import preview_answer
from reception.appeals.views import attachment_store, local_today
from reception.appeals.workflow import CONFIRM_MESSAGE, ActionRefused, WorkflowSettings
from reception.core import search
from reception.core.inputs import parse_id
from reception.core.labels import (
    EVENT_LABELS,
    REDACTION_LABELS,
    RETURN_GROUND_LABELS,
    TERMINATION_GROUND_LABELS,
)
from reception.core.types import utcnow
from reception.directory import queries as directory
from reception.domain.deadlines import working_days_left
from reception.domain.workflow import FINAL_STATUSES, available_actions
from reception.extensions import db
from reception.review import queries, services
from reception.review.actions import STAFF_ACTIONS, perform_staff_action
from reception.review.policies import is_staff, staff_may_view
from reception.similarity import groups
from reception.similarity.context import page_context as similar_context
from reception.similarity.groups import group_actions
from reception.terms.present import extension_moved_message

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.before_request
def require_staff():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    if not is_staff(current_user):
        abort(403)
    return None


def _settings() -> WorkflowSettings:
    return WorkflowSettings.from_config(current_app.config)


@bp.route("/")
def queue():
    filters = queries.QueueFilters.from_args(request.args)
    for message in filters.errors.values():
        flash(message, "warning")
    calendar = directory.get_calendar(db.session, current_app.config["RECEPTION_COUNTRY"])
    today = local_today()
    page = queries.list_queue(
        db.session,
        current_user,
        filters,
        today=today,
        calendar=calendar,
        page_size=current_app.config["REVIEW_PAGE_SIZE"],
    )
    soon = calendar.add_working_days(today, current_app.config["RECEPTION_REMIND_DAYS"])
    executors = (
        services.list_executors(db.session, current_user.authority_id)
        if current_user.authority_id
        else []
    )
    return render_template(
        "review/queue.html",
        page=page,
        filters=filters,
        today=today,
        soon=soon,
        categories=directory.list_categories(db.session),
        executors=executors,
        args=filters.as_args(),
        highlight=search.highlight,
        format_decimal=format_decimal,
    )


def _staff_appeal(number: str):
    appeal = appeal_queries.get_appeal_by_number(db.session, number)
    if appeal is None or not staff_may_view(current_user, appeal):
        abort(404)
    return appeal


def _render_appeal(
    appeal,
    *,
    errors=None,
    form_data=None,
    open_action=None,
    status=200,
    preview=None,
    group_previews=None,
):
    calendar = directory.get_calendar(db.session, current_app.config["RECEPTION_COUNTRY"])
    running = appeal.status not in FINAL_STATUSES and appeal.status != "awaiting_citizen"
    actions = group_actions(
        appeal,
        [
            str(a)
            for a in available_actions(appeal.status, current_user.role)
            if str(a) in STAFF_ACTIONS
        ],
    )
    templates = services.list_answer_templates(db.session, appeal) if "answer" in actions else []
    prefill = dict(form_data or {})
    chosen = parse_id(request.args.get("template"))
    if chosen and not prefill.get("text"):
        match = next((t for t in templates if t.id == chosen), None)
        if match:
            prefill.update(text=match.body, template=str(match.id))
            open_action = "answer"
    return render_template(
        "review/appeal.html",
        appeal=appeal,
        events=queries.all_events(db.session, appeal),
        days_left=working_days_left(appeal.due_on, local_today(), calendar) if running else None,
        actions=actions,
        executors=services.list_executors(db.session, appeal.authority_id),
        authorities=[
            a for a in directory.list_authorities(db.session) if a.id != appeal.authority_id
        ],
        templates=templates,
        return_grounds=RETURN_GROUND_LABELS,
        termination_grounds=TERMINATION_GROUND_LABELS,
        errors=errors or {},
        data=prefill,
        open_action=open_action,
        settings=_settings(),
        preview=preview,
        group_previews=group_previews or [],
        redaction_labels=REDACTION_LABELS,
        **similar_context(
            db.session, appeal, current_user, today=local_today(), config=current_app.config
        ),
    ), status


def _preview_digest(text: str, hide: str) -> str:
    """Which text and extra words a preview showed (whitespace aside)."""
    canonical = " ".join((text or "").split()) + "\x00" + " ".join((hide or "").split())
    return hashlib.sha256(canonical.encode("utf-8", "replace")).hexdigest()


def _answer_preview(appeal):
    """The page with the preview of the published answer, when the official has not yet
    seen the preview of exactly this text (only answers that will be published)."""
    text, hide = request.form.get("text") or "", request.form.get("hide") or ""
    # Too long or empty: the action refuses it with its own message, no preview needed.
    if not appeal.publish_consent or not text.strip() or len(text) > services.MAX_ANSWER:
        return None
    if "answer" not in {str(a) for a in available_actions(appeal.status, current_user.role)}:
        return None
    digest = _preview_digest(text, hide)
    if not request.form.get("preview") and request.form.get("previewed") == digest:
        return None
    form_data = request.form.to_dict()
    form_data["previewed"] = digest
    flash(_("Not sent yet: check what will be published, then send the answer."), "warning")
    return _render_appeal(
        appeal,
        form_data=form_data,
        open_action="answer",
        preview=preview_answer(appeal, text, hide),
    )


def _group_answer_preview(appeal):
    """The same for a group's answer: when any applicant it goes to agreed to publication,
    the official sees each published copy (every member's data hidden) before it is sent."""
    members = groups.answerable_members(db.session, appeal, current_user)
    consenting = [m for m in members if m.publish_consent]
    if not consenting:
        return None
    languages = sorted({m.language for m in members})
    texts = {}
    for language in languages:
        text = request.form.get(f"text_{language}") or ""
        if not text.strip() and len(languages) == 1:
            text = request.form.get("text") or ""
        texts[language] = text
    # Missing or too long: the action refuses it with its own message, no preview needed.
    if any(not t.strip() or len(t) > services.MAX_ANSWER for t in texts.values()):
        return None
    hide = request.form.get("hide") or ""
    digest = _preview_digest("\x00".join(texts[lang] for lang in languages), hide)
    if not request.form.get("preview") and request.form.get("previewed") == digest:
        return None
    everyone = groups.all_members(db.session, appeal)
    previews = [
        (
            member.number,
            preview_answer(
                member, texts[member.language], hide, [o for o in everyone if o is not member]
            ),
        )
        for member in consenting
    ]
    form_data = request.form.to_dict()
    form_data["previewed"] = digest
    flash(_("Not sent yet: check what will be published, then send the answer."), "warning")
    return _render_appeal(
        appeal, form_data=form_data, open_action="group_answer", group_previews=previews
    )


@bp.route("/appeals/<number>")
def appeal(number: str):
    return _render_appeal(_staff_appeal(number))


# Actions that end the consideration ask the person to confirm on the page (not in the API).
CONFIRMED_ACTIONS = ("return", "terminate", "mark_duplicate")


@bp.route("/appeals/<number>/actions/<action>", methods=["POST"])
def act(number: str, action: str):
    appeal = _staff_appeal(number)
    if action not in STAFF_ACTIONS:
        abort(404)
    if action == "answer":
        shown = _answer_preview(appeal)
        if shown is not None:
            return shown
    if action == "group_answer":
        shown = _group_answer_preview(appeal)
        if shown is not None:
            return shown
    store = attachment_store()
    try:
        if action in CONFIRMED_ACTIONS and request.form.get("confirm") != "yes":
            raise ActionRefused("invalid", CONFIRM_MESSAGE, "confirm")
        with store.guard():
            event = perform_staff_action(
                db.session,
                appeal,
                action,
                actor=current_user,
                now=utcnow(),
                settings=_settings(),
                store=store,
                data=request.form,
                uploads=read_uploads(
                    request.files.getlist("attachments"), current_app.config["MAX_ATTACHMENT_BYTES"]
                ),
            )
            # Read before the commit (which expires the event): Art. 76, a date moved.
            moved = extension_moved_message(event)
            db.session.commit()
    except ActionRefused as refused:
        db.session.rollback()
        appeal = _staff_appeal(number)
        flash(refused.message, "error")
        return _render_appeal(
            appeal,
            errors={refused.field or "_": refused.message},
            form_data=request.form.to_dict(),
            open_action=action,
            status=422 if refused.code == "invalid" else 409,
        )
    flash(_("Done: %(action)s.", action=EVENT_LABELS.get(action, action)), "success")
    if moved:
        flash(moved, "warning")
    # Nothing read from the database after the commit: if the connection dies now, the
    # official still sees that the step was done.
    return redirect(url_for("review.appeal", number=number))
