"""HTTP for the officials' side: the queue, the appeal page and the actions."""

from __future__ import annotations

import hashlib

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from reception.appeals import queries as appeal_queries
from reception.appeals import search
from reception.appeals.publishing import preview_answer
from reception.appeals.visibility import is_staff, staff_may_view
from reception.appeals.workflow import CONFIRM_MESSAGE, WorkflowSettings
from reception.core import paging
from reception.core.files import read_uploads
from reception.core.inputs import parse_id
from reception.core.labels import (
    EVENT_LABELS,
    REDACTION_LABELS,
    RETURN_GROUND_LABELS,
    TERMINATION_GROUND_LABELS,
)
from reception.core.refusals import Refused
from reception.core.types import utcnow
from reception.core.web import attachment_store, current_settings, local_today, perform
from reception.directory import queries as directory
from reception.domain.actions import STAFF_ACTIONS, staff_actions_for
from reception.domain.deadlines import complaint_filing_deadline, working_days_left
from reception.domain.workflow import RUNNING_STATUSES, Action, available_actions
from reception.extensions import db
from reception.review import groups, queries, services
from reception.review.actions import perform_staff_action
from reception.review.similar import page_context as similar_context
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
    return current_settings()


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
        page_size=paging.QUEUE.per_page(current_app.config),
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
        to_notify=queries.appeals_with_notices_due(page.items),
        notify_list=queries.appeals_to_notify(db.session, current_user),
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
    citizen_preview=None,
):
    if open_action:
        # The language switch comes back to the appeal page at the form, not to the
        # POST-only address of the action (a 405).
        g.lang_next = url_for("review.appeal", number=appeal.number) + f"#action-{open_action}"
    calendar = directory.get_calendar(db.session, current_app.config["RECEPTION_COUNTRY"])
    running = appeal.status in RUNNING_STATUSES
    actions = staff_actions_for(
        appeal.status, current_user.role, in_group=appeal.group_id is not None
    )
    templates = (
        services.list_answer_templates(db.session, appeal) if Action.answer in actions else []
    )
    prefill = dict(form_data or {})
    chosen = parse_id(request.args.get("template"))
    if chosen and not prefill.get("text"):
        match = next((t for t in templates if t.id == chosen), None)
        if match:
            prefill.update(text=match.body, template=str(match.id))
            open_action = "answer"
    events = queries.all_events(db.session, appeal)
    return render_template(
        "review/appeal.html",
        appeal=appeal,
        events=events,
        notices_due=queries.notices_due(events, appeal),
        today=local_today(),
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
        citizen_preview=citizen_preview,
        preview_complain_by=_complain_by_if_answered_today(appeal, form_data or {})
        if citizen_preview is not None
        else None,
        redaction_labels=REDACTION_LABELS,
        **similar_context(
            db.session, appeal, current_user, today=local_today(), config=current_app.config
        ),
    ), status


def _complain_by_if_answered_today(appeal, form_data):
    """The complaint date the applicant would read if the answer were sent today."""
    settings = _settings()
    return complaint_filing_deadline(
        local_today(),
        settings.rules,
        complaint_info_given=form_data.get("complaint_info") != "no",
    )


def _preview_digest(text: str, hide: str) -> str:
    """Which text and extra words a preview showed (whitespace aside)."""
    canonical = " ".join((text or "").split()) + "\x00" + " ".join((hide or "").split())
    return hashlib.sha256(canonical.encode("utf-8", "replace")).hexdigest()


def _answer_preview(appeal):
    """The page with the preview of the answer: when the official asks for it, and for an
    answer that will be published, when they have not yet seen exactly this text."""
    text, hide = request.form.get("text") or "", request.form.get("hide") or ""
    asked = bool(request.form.get("preview"))
    # Too long or empty: the action refuses it with its own message, no preview needed.
    if not text.strip() or len(text) > services.MAX_ANSWER:
        return None
    if not asked and not appeal.publish_consent:
        return None
    if Action.answer not in available_actions(appeal.status, current_user.role):
        return None
    digest = _preview_digest(text, hide)
    if not asked and request.form.get("previewed") == digest:
        return None
    form_data = request.form.to_dict()
    form_data["previewed"] = digest
    blanks = services.placeholder_message(text)
    if appeal.publish_consent:
        flash(_("Not sent yet: check what will be published, then send the answer."), "warning")
    return _render_appeal(
        appeal,
        form_data=form_data,
        open_action="answer",
        errors={"text": blanks} if blanks else None,
        preview=preview_answer(appeal, text, hide) if appeal.publish_consent else None,
        citizen_preview=text.strip(),
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


def _insert_template(appeal):
    """Put the chosen template's text in place of the draft or after it (a POST: the draft
    and the token never go into an address), and show the form again, nothing sent."""
    how = request.form.get("insert")
    form_data = request.form.to_dict()
    form_data.pop("previewed", None)
    templates = services.list_answer_templates(db.session, appeal)
    chosen = next((t for t in templates if str(t.id) == request.form.get("template")), None)
    if chosen is None:
        return _render_appeal(
            appeal,
            form_data=form_data,
            open_action="answer",
            errors={"template": _("Choose a template first.")},
            status=422,
        )
    draft = (form_data.get("text") or "").rstrip()
    form_data["text"] = draft + "\n\n" + chosen.body if how == "append" and draft else chosen.body
    return _render_appeal(appeal, form_data=form_data, open_action="answer")


@bp.route("/appeals/<number>")
def appeal(number: str):
    return _render_appeal(_staff_appeal(number))


# Actions that end the consideration ask the person to confirm on the page (not in the API).
CONFIRMED_ACTIONS = (Action.return_, Action.terminate, Action.mark_duplicate)


@bp.route("/appeals/<number>/actions/<action>", methods=["POST"])
def act(number: str, action: str):
    appeal = _staff_appeal(number)
    if action not in STAFF_ACTIONS:
        abort(404)
    inserting = action == Action.answer and request.form.get("insert") in ("replace", "append")
    if inserting and Action.answer in available_actions(appeal.status, current_user.role):
        return _insert_template(appeal)
    if action == Action.answer:
        shown = _answer_preview(appeal)
        if shown is not None:
            return shown
    if action == "group_answer":
        shown = _group_answer_preview(appeal)
        if shown is not None:
            return shown
    store = attachment_store()

    def act_on_it():
        if action in CONFIRMED_ACTIONS and request.form.get("confirm") != "yes":
            raise Refused("invalid", CONFIRM_MESSAGE, "confirm")
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
        return extension_moved_message(event)

    moved = perform(act_on_it, files=store, refused=_show_refusal(number, action))
    flash(_("Done: %(action)s.", action=EVENT_LABELS.get(action, action)), "success")
    if moved:
        flash(moved, "warning")
    # Nothing read from the database after the commit: if the connection dies now, the
    # official still sees that the step was done.
    return redirect(url_for("review.appeal", number=number))


def _show_refusal(number: str, action: str):
    """A refused step: the appeal page again with the form as sent and the error beside
    its field (no flash: the form's own error summary says it)."""

    def show(refused: Refused):
        return _render_appeal(
            _staff_appeal(number),
            errors={refused.field or "_": refused.message},
            form_data=request.form.to_dict(),
            open_action=action,
            status=422 if refused.code == "invalid" else 409,
        )

    return show


@bp.route("/appeals/<number>/notified", methods=["POST"])
def notified(number: str):
    """Record that an applicant without e-mail was told by phone or by post, and when."""
    appeal = _staff_appeal(number)
    perform(
        lambda: services.record_notice(
            db.session,
            appeal,
            actor=current_user,
            now=utcnow(),
            settings=_settings(),
            by=request.form.get("by"),
            on=request.form.get("on"),
        ),
        refused=_show_refusal(number, "notified"),
    )
    flash(_("The notice is recorded."), "success")
    return redirect(url_for("review.appeal", number=number))


@bp.route("/appeals/<number>/letter")
def letter(number: str):
    """A letter to print and post to the applicant: the latest news of the appeal (the
    answer with how to complain, when there is one), the number, the body."""
    appeal = _staff_appeal(number)
    events = queries.all_events(db.session, appeal)
    public = [e for e in events if e.is_public and e.action != Action.register]
    news = public[-1] if public else None
    answer = next((e for e in reversed(events) if e.action == Action.answer), None)
    complaint_to = None
    if answer is not None and answer.data.get("complaint_to"):
        complaint_to = directory.get_authority(db.session, answer.data["complaint_to"])
    return render_template(
        "review/letter.html",
        appeal=appeal,
        news=news,
        answer=answer if news is answer else None,
        complaint_to=complaint_to,
        printed_on=local_today(),
    )
