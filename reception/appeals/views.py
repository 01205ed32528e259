"""HTTP for the citizen's side: parse, call one service, commit, render or redirect."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from reception.appeals import queries, receipts
from reception.appeals.citizen_actions import (
    CITIZEN_ACTIONS,
    complaint_deadline,
    perform_citizen_action,
)
from reception.appeals.forms import AppealForm, TrackForm
from reception.appeals.kept_uploads import KeptUploads
from reception.appeals.models import Appeal
from reception.appeals.policies import browser_may_view, citizen_may_view, grant_browser_access
from reception.appeals.services import OPERATOR_CHANNELS, AlreadyFiled, file_appeal, find_submission
from reception.appeals.submission import Submission, check_uploads
from reception.appeals.visibility import is_staff, staff_may_view
from reception.appeals.workflow import CONFIRM_MESSAGE
from reception.core.database import KeyRead, plain_connection
from reception.core.errors import register_error_renderer
from reception.core.files import Upload, read_uploads
from reception.core.i18n import current_locale
from reception.core.i18n import lazy_gettext as _l
from reception.core.labels import KIND_HINTS, KIND_LABELS, LANGUAGE_LABELS
from reception.core.refusals import Refused
from reception.core.types import utcnow
from reception.core.web import attachment_store, current_settings, local_today, perform
from reception.directory import queries as directory
from reception.domain.deadlines import working_days_left
from reception.domain.identifiers import normalize_registration_number
from reception.domain.workflow import (
    ANSWERED_STATUSES,
    RUNNING_STATUSES,
    Action,
    AppealStatus,
    Channel,
    Role,
    available_actions,
)
from reception.extensions import db, limiter

bp = Blueprint("appeals", __name__)

SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _fill_choices(form: AppealForm) -> None:
    locale = current_locale()
    form.kind.choices = [SelectChoice(code, label) for code, label in KIND_LABELS.items()]
    form.category.choices = [SelectChoice("", _l("Choose a topic"))] + [
        SelectChoice(c.code, c.name(locale)) for c in directory.list_categories(db.session)
    ]
    form.region.choices = [SelectChoice("", _l("Choose a region"))] + [
        SelectChoice(r.code, r.name(locale)) for r in directory.list_regions(db.session)
    ]
    form.authority.choices = [SelectChoice("", _l("Let the system choose the right body"))] + [
        SelectChoice(a.code, a.name(locale)) for a in directory.list_authorities(db.session)
    ]
    form.language.choices = [SelectChoice(code, label) for code, label in LANGUAGE_LABELS.items()]
    if current_user.is_authenticated and current_user.role == Role.operator:
        # The operator's screen speaks of the applicant, not of "you".
        form.text.label.text = _l("Text of the appeal")
        form.publish_consent.label.text = _l(
            "The applicant agrees that the answer may be published on this site without "
            "their personal data"
        )


def _prefill_from_account(form: AppealForm) -> None:
    if current_user.is_authenticated and current_user.role == Role.citizen:
        form.full_name.data = form.full_name.data or current_user.full_name
        form.email.data = form.email.data or current_user.email


def kept_uploads() -> KeptUploads:
    return KeptUploads(current_app.config["UPLOAD_FOLDER"], current_app.config["SECRET_KEY"])


def _uploads() -> list[Upload]:
    return read_uploads(
        request.files.getlist("attachments"), current_app.config["MAX_ATTACHMENT_BYTES"]
    )


# Empty rows for co-applicants on a new form, and rows added by "More rows" (no JavaScript
# needed); three keep the form's first view under its size budget.
CO_APPLICANT_ROWS = 3
CO_APPLICANT_MORE_ROWS = 5
_CO_ROW = re.compile(r"^co_applicants-(\d{1,4})-(full_name|iin|email|phone|address)$")


def co_applicant_rows(data, *, more: bool = False) -> list[dict]:
    """The collective appeal's rows as typed (Art. 22): every row kept, blank ones too,
    so an error shows at the field it belongs to; at least three, five more on request."""
    typed: dict[int, dict] = {}
    for key in data:
        match = _CO_ROW.match(key)
        if match:
            typed.setdefault(int(match.group(1)), {})[match.group(2)] = data.get(key, "")
    limit = current_app.config.get("RECEPTION_MAX_CO_APPLICANTS", 50)
    count = max([CO_APPLICANT_ROWS, *(index + 1 for index in typed)])
    if more:
        count += CO_APPLICANT_MORE_ROWS
    count = min(count, max(limit, max(typed, default=-1) + 1))
    return [typed.get(index, {}) for index in range(count)]


@bp.route("/appeals/new", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_FILE"], methods=["POST"])
def new():
    form = AppealForm()
    _fill_choices(form)
    if request.method == "GET":
        # No legal choice is made for the person: the kind (a complaint has other terms)
        # and the language of the answer are theirs to choose.
        form.region.data = request.args.get("region", "")
        form.submission_key.data = secrets.token_urlsafe(24)
        receipts.remember_form_key(form.submission_key.data)
        _prefill_from_account(form)
        return render_template(
            "appeals/new.html", form=form, kind_hints=KIND_HINTS, co_rows=co_applicant_rows({})
        )

    co_rows = co_applicant_rows(request.form, more="more_co_applicants" in request.form)
    if not form.validate_on_submit():  # only CSRF can fail here
        flash(_("The form had expired. Please check your data and send it again."), "error")
        return render_template(
            "appeals/new.html", form=form, kind_hints=KIND_HINTS, co_rows=co_rows
        ), 400
    # The hidden field is filled by bots, but autofill can fill it for a person too, and
    # accepting an appeal is mandatory: file it, and flag it for the staff to judge.
    screening = {"honeypot_filled": True} if form.website.data else None
    channel = Channel.web
    if current_user.is_authenticated and current_user.role == Role.operator:
        channel = form.channel.data if form.channel.data in OPERATOR_CHANNELS else Channel.paper

    kept_store = kept_uploads()
    kept_tokens = request.form.getlist("kept_attachments")
    earlier_files, kept = kept_store.restore(kept_tokens)
    new_files = _uploads()
    settings = current_settings().filing
    if "more_co_applicants" in request.form:
        # "More rows" for the co-applicants: nothing is filed; everything typed comes back.
        good = [f for f in new_files if check_uploads([f], settings.limits) is None]
        kept += kept_store.keep(good)
        return render_template(
            "appeals/new.html",
            form=form,
            kind_hints=KIND_HINTS,
            co_rows=co_rows,
            kept_files=kept,
            files_dropped=len(good) < len(new_files),
        )
    submission = Submission.from_mapping(request.form, earlier_files + new_files)
    key = request.form.get("submission_key", "")
    key = key if SUBMISSION_KEY.fullmatch(key) else None
    store = attachment_store()

    def file_it():
        filed = file_appeal(
            db.session,
            submission,
            now=utcnow(),
            actor=current_user if current_user.is_authenticated else None,
            settings=settings,
            store=store,
            channel=channel,
            screening=screening,
            submission_key=key,
        )
        # Read before the commit: afterwards each attribute would be read again from a
        # database that may have gone away, and a registered appeal answered with 503.
        return filed, filed.appeal.id, filed.appeal.number

    def show_refusal(invalid: Refused):
        for name, message in invalid.errors.items():
            if name in form:
                form[name].errors = [message]
        # No flash: the error summary above the form lists each error, linked to its field.
        # The files that pass the checks wait for the corrected form; the others are named
        # in the error beside the field.
        good = [f for f in new_files if check_uploads([f], settings.limits) is None]
        return render_template(
            "appeals/new.html",
            form=form,
            kind_hints=KIND_HINTS,
            errors=invalid.errors,
            co_rows=co_rows,
            kept_files=kept + kept_store.keep(good),
            files_dropped=len(good) < len(new_files),
        ), 422

    try:
        filed, appeal_id, number = perform(file_it, files=store, refused=show_refusal)
    except AlreadyFiled as earlier:
        return _show_earlier_filing(earlier, key)
    except IntegrityError:
        # The same form sent twice at once: the other request registered it first.
        earlier = find_submission(db.session, key)
        if earlier is None:
            raise
        return _show_earlier_filing(earlier, key)

    kept_store.discard(kept_tokens)  # the appeal holds its own copies now
    grant_browser_access(appeal_id)
    receipts.remember_access_code(number, filed.access_code)
    return redirect(url_for("appeals.receipt", number=number))


def _show_earlier_filing(earlier: AlreadyFiled, key: str):
    """This form registered an appeal already: it is not filed twice.

    The browser that was given the form sees the receipt again for a while (a double click,
    a retry after a lost answer); anyone else who sends the key (a copied page, a proxy's
    log), or the same browser later, learns only that it was filed and how to track it.
    """
    within = timedelta(minutes=current_app.config["SUBMISSION_RETRY_MINUTES"])
    if not receipts.may_show_receipt_again(key, earlier.received_at, now=utcnow(), within=within):
        return render_template("appeals/already_filed.html", number=earlier.number), 409
    grant_browser_access(earlier.appeal_id)
    flash(
        _(
            "This appeal was registered when you first sent the form; it was not filed twice. "
            "The access code is in the e-mail we sent you."
        ),
        "info",
    )
    return redirect(url_for("appeals.receipt", number=earlier.number))


def render_form_again(message, status: int):
    """Show the appeal form with what was sent (files aside) and a message on top."""
    form = AppealForm()
    _fill_choices(form)
    flash(message, "error")
    return render_template(
        "appeals/new.html",
        form=form,
        kind_hints=KIND_HINTS,
        co_rows=co_applicant_rows(request.form),
    ), status


# Too many filings from one address: the form again with all it held, not an error page.
register_error_renderer(bp, render_form_again, endpoint="appeals.new", status=429, method="POST")


def _appeal_for_viewer(number: str, *, details: bool = False):
    appeal = queries.get_appeal_by_number(db.session, number, details=details)
    if appeal is None or not citizen_may_view(current_user, appeal):
        abort(404)
    return appeal


@bp.route("/appeals/<number>/receipt")
def receipt(number: str):
    appeal = _appeal_for_viewer(number)
    access_code = receipts.access_code_to_show(appeal.number)
    return render_template(
        "appeals/receipt.html", appeal=appeal, access_code=access_code, now_local=utcnow()
    )


def _citizen_actions(appeal, deadline, today) -> list[str]:
    """What the applicant may do now: the domain's answer, less a lapsed complaint."""
    actions = [str(a) for a in available_actions(appeal.status, Role.citizen)]
    if Action.complain in actions and (deadline is None or today > deadline):
        actions.remove(Action.complain)
    return actions


def _latest(events, action):
    return next((e for e in reversed(events) if e.action == action), None)


def _render_status(appeal, *, errors=None, form_data=None, open_action=None, status=200):
    # Shown in answer to a POST (tracking, an action): the language switch comes back here.
    g.lang_next = url_for("appeals.view", number=appeal.number) + (
        f"#{open_action}" if open_action else ""
    )
    today = local_today()
    reusable = errors is None and form_data is None and open_action is None
    key = _status_key(appeal, today)
    kept = current_app.extensions.setdefault("reception_status_content", {})
    if reusable and key in kept:
        return _status_page(appeal, kept[key], key=key), status
    # Its category, region, authority and attachments in one query (into the same object).
    queries.get_appeal_by_number(db.session, appeal.number, details=True)
    settings = current_settings()
    calendar = directory.get_calendar(db.session, current_app.config["RECEPTION_COUNTRY"])
    complain_by = complaint_deadline(appeal, settings)
    days_left = (
        # No count while the term is paused for the citizen, nor once the appeal is decided.
        None
        if appeal.status not in RUNNING_STATUSES
        else working_days_left(appeal.due_on, today, calendar)
    )
    events = queries.public_events(db.session, appeal)
    answer = _latest(events, Action.answer) if appeal.status in ANSWERED_STATUSES else None
    context = dict(
        appeal=appeal,
        events=events,
        days_left=days_left,
        answer=answer,
        answer_files=[a for a in appeal.attachments if answer and a.event_id == answer.id],
        complaint_to=(appeal.authority.superior or appeal.authority) if answer else None,
        complain_by=complain_by,
        info_request=_latest(events, Action.request_info)
        if appeal.status == AppealStatus.awaiting_citizen
        else None,
        actions=_citizen_actions(appeal, complain_by, today),
        errors=errors or {},
        data=form_data or {},
        open_action=open_action,
    )
    if not reusable:
        return render_template("appeals/status.html", **context), status
    content = _status_content(context)
    if len(kept) >= _STATUS_CONTENT_KEPT:
        kept.clear()
    kept[key] = content
    return _status_page(appeal, content, key=key), status


def _status_key(appeal, today, overrides=None) -> tuple:
    """What a kept status page depends on: the appeal's version, the language, the day and
    the calendar (`appeal` is the object or a row of the same columns; `overrides` the
    calendar's entries when already read)."""
    return (
        appeal.id,
        appeal.number,
        appeal.version,
        appeal.updated_at,
        str(current_locale()),
        today,
        directory.override_rows(db.session) if overrides is None else overrides,
    )


# The keys of a kept whole status page, read as one row of plain columns (no object).
_STATUS_KEYS = KeyRead(
    select(Appeal.id, Appeal.number, Appeal.version, Appeal.updated_at).where(
        Appeal.number == bindparam("number")
    )
)


def _kept_page_for_browser(number: str) -> str | None:
    """The whole status page, if kept, for a browser without an account that tracked the
    appeal and has no message waiting (see _status_page), found from the appeal's keys alone:
    the appeal itself is loaded only to render. None: render as usual (a 404 included)."""
    if current_user.is_authenticated or "_flashes" in session:
        return None
    normalized = normalize_registration_number(number)
    if not normalized:
        return None
    # Plain columns, outside the session: nothing for the ORM to do, and no transaction
    # to end (core.database). One connection for both reads: each taken from the pool
    # is checked with a round trip first (pool_pre_ping).
    with plain_connection() as connection:
        row = _STATUS_KEYS.first_on(connection, number=normalized)
        if not row or not browser_may_view(row.id):
            return None
        overrides = directory.override_rows(connection)
    g.lang_next = url_for("appeals.view", number=row.number)
    pages = current_app.extensions.get("reception_status_pages") or {}
    key = _status_key(row, local_today(), overrides)
    page = pages.get((*key, request.endpoint, g.lang_next))
    return page.replace(_CSRF_PLACEHOLDER, generate_csrf()) if page is not None else None


# The status page's main part, kept per process for an appeal's version, the language, the
# day and the calendar: every write of an appeal raises its `version`, so a change is shown
# at once. The part is only ever handed out after _appeal_for_viewer has allowed the viewer;
# it holds no session data: the CSRF token is a placeholder filled in on every request.
_STATUS_CONTENT_KEPT = 512
_CSRF_PLACEHOLDER = "csrf-" + secrets.token_hex(16)


def _status_content(context: dict) -> str:
    template = current_app.jinja_env.get_template("appeals/status.html")
    context = dict(context)
    current_app.update_template_context(context)
    context["csrf_token"] = lambda: _CSRF_PLACEHOLDER
    return "".join(template.blocks["content"](template.new_context(context)))


def _status_page(appeal, content: str, *, key: tuple | None = None) -> str:
    if key is not None and not current_user.is_authenticated and "_flashes" not in session:
        # A browser that tracked the appeal, with no message waiting: the whole page is the
        # same for every such visitor of this version in this language (the layout shows no
        # account), so it is kept too, its CSRF tokens placeholders filled in here.
        pages = current_app.extensions.setdefault("reception_status_pages", {})
        page_key = (*key, request.endpoint, g.get("lang_next"))
        page = pages.get(page_key)
        if page is None:
            page = render_template(
                "appeals/status.html",
                appeal=appeal,
                # The template's own autoescaped output, kept as it was rendered.
                cached_content=Markup(content),  # noqa: S704
                csrf_token=lambda: _CSRF_PLACEHOLDER,
            )
            if len(pages) >= _STATUS_CONTENT_KEPT:
                pages.clear()
            pages[page_key] = page
        return page.replace(_CSRF_PLACEHOLDER, generate_csrf())
    filled = content.replace(_CSRF_PLACEHOLDER, generate_csrf()) if content else content
    # The template's own autoescaped output, kept as it was rendered.
    page = Markup(filled)  # noqa: S704
    return render_template("appeals/status.html", appeal=appeal, cached_content=page)


@bp.route("/track", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_TRACK"], methods=["POST"])
def track():
    form = TrackForm()
    if request.method == "GET":
        form.number.data = (request.args.get("number") or "")[:40]
        # A link from an e-mail, opened by the owner (or a browser that has the access):
        # straight to the appeal, not to a form asking for the code again.
        if form.number.data:
            known = queries.get_appeal_by_number(db.session, form.number.data.strip().upper())
            if known is not None and citizen_may_view(current_user, known):
                return redirect(url_for("appeals.view", number=known.number))
        return render_template("appeals/track.html", form=form)
    if not form.validate_on_submit():
        flash(_("The form had expired. Please send it again."), "error")
        return render_template("appeals/track.html", form=form), 400
    appeal = queries.find_for_tracking(db.session, form.number.data or "", form.code.data or "")
    if appeal is None:
        # One message for an unknown number and a wrong code: no guessing which exists.
        form.code.data = ""
        flash(
            _("No appeal matches this number and access code. Check both and try again."), "error"
        )
        return render_template("appeals/track.html", form=form, not_found=True), 404
    grant_browser_access(appeal.id)
    return _render_status(appeal)


@bp.route("/my/appeals")
@login_required
def my_appeals():
    appeals = queries.list_citizen_appeals(db.session, current_user)
    # What waits for the citizen comes first, the nearest reply date first.
    waiting = sorted(
        (a for a in appeals if a.status == AppealStatus.awaiting_citizen),
        key=lambda a: (a.info_due_on is None, a.info_due_on),
    )
    appeals = waiting + [a for a in appeals if a.status != AppealStatus.awaiting_citizen]
    return render_template(
        "appeals/my_appeals.html",
        appeals=appeals,
        waiting=waiting,
        today=local_today(),
    )


@bp.route("/my/appeals/<number>")
def view(number: str):
    """The status page of an appeal for its owner or a browser that tracked it."""
    kept = _kept_page_for_browser(number)
    if kept is not None:
        return kept
    # The details are loaded only when the page's main part is not kept (_render_status).
    return _render_status(_appeal_for_viewer(number))


@bp.route("/my/appeals/<number>/actions/<action>", methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_FILE"], methods=["POST"])
def act(number: str, action: str):
    """The applicant's steps: reply, withdraw, rate, complain."""
    appeal = _appeal_for_viewer(number)
    if action not in CITIZEN_ACTIONS:
        abort(404)
    owner = current_user.is_authenticated and current_user.id == appeal.citizen_id
    store = attachment_store()

    def act_on_it():
        if action == Action.withdraw and request.form.get("confirm") != "yes":
            raise Refused("invalid", CONFIRM_MESSAGE, "confirm")
        result = perform_citizen_action(
            db.session,
            appeal,
            action,
            actor=current_user if owner else None,
            now=utcnow(),
            settings=current_settings(),
            store=store,
            data=request.form,
            uploads=_uploads(),
        )
        # As in filing: what the answer needs is read before the commit.
        complaint = (result.appeal.id, result.appeal.number) if action == Action.complain else None
        return result, appeal.number, complaint

    def show_refusal(refused: Refused):
        # No flash: the form's own error summary says it, beside the field.
        return _render_status(
            _appeal_for_viewer(number),
            errors={refused.field or "_": refused.message},
            form_data=request.form.to_dict(),
            open_action=action,
            status=422 if refused.code == "invalid" else 409,
        )

    result, appeal_number, complaint = perform(act_on_it, files=store, refused=show_refusal)
    if complaint is not None:
        complaint_id, complaint_number = complaint
        grant_browser_access(complaint_id)
        receipts.remember_access_code(complaint_number, result.access_code)
        flash(_("Your complaint is registered and sent to the superior body."), "success")
        return redirect(url_for("appeals.receipt", number=complaint_number))
    flash(CITIZEN_DONE[action], "success")
    return redirect(url_for("appeals.view", number=appeal_number))


CITIZEN_DONE = {
    "reply": _l("Your reply has been sent. The term of consideration runs again."),
    "withdraw": _l("Your appeal has been withdrawn."),
    "rate": _l("Thank you for your rating."),
}


@bp.route("/appeals/<number>/attachments/<int:attachment_id>")
def attachment(number: str, attachment_id: int):
    """A file of the appeal, for its citizen or for staff who may see the appeal."""
    appeal = queries.get_appeal_by_number(db.session, number)
    allowed = appeal is not None and (
        citizen_may_view(current_user, appeal)
        or (is_staff(current_user) and staff_may_view(current_user, appeal))
    )
    if not allowed:
        abort(404)
    item = queries.get_attachment(db.session, appeal, attachment_id)
    if item is None:
        abort(404)
    path = attachment_store().path_of(item.stored_name)
    if not path.exists():
        abort(404)
    response = send_file(
        path, mimetype=item.content_type, as_attachment=True, download_name=item.original_name
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
