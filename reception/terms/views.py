"""The public term calculator: `/terms` (a page) and `/terms.json` (docs/domain.md, 11)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import gettext as _

from reception.core.shapes import ApiError
from reception.core.web import current_settings
from reception.domain import explain as ex
from reception.domain.deadlines import zone_info
from reception.domain.workflow import AppealKind
from reception.extensions import db, limiter
from reception.terms import present
from reception.terms.history import appeal_term_steps, override_notes
from reception.terms.schemas import TermCalculation

bp = Blueprint("terms", __name__)

# Years the calculator answers for: enough for any appeal, too few to make it a load test.
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_INPUT = 64


def _limit() -> str:
    return current_app.config.get("RATELIMIT_TERMS", "60 per minute; 600 per hour")


class BadInput(ValueError):
    """Input the calculator cannot use; `field` names it, the message says why."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Answer:
    received_at: datetime
    kind: str
    registered_on: date
    due_on: date
    steps: list[ex.TermStep]


def _local(naive: datetime) -> datetime:
    return naive.replace(tzinfo=zone_info(current_app.config["RECEPTION_TIMEZONE"]))


def parse_received(value: str | None) -> datetime:
    """An ISO 8601 date-time; without an offset it is the reception's local time."""
    text = (value or "").strip()
    if not text:
        raise BadInput("received", _("Give the date and time the appeal was received."))
    if len(text) > MAX_INPUT:
        raise BadInput("received", _("The date and time is too long."))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(
            "received",
            _(
                "Give the date and time as an ISO 8601 date-time, for example "
                "2026-03-20T17:45 or 2026-03-20T17:45:00+05:00."
            ),
        ) from None
    if len(text) <= 10:  # a date alone: the time decides the registration day
        raise BadInput("received", _("Give the time as well: it decides the registration day."))
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise BadInput(
            "received",
            _("Give a year from %(first)d to %(last)d.", first=FIRST_YEAR, last=LAST_YEAR),
        )
    return parsed if parsed.tzinfo is not None else _local(parsed)


def parse_kind(value: str | None) -> str:
    kind = (value or "").strip()
    if kind not in tuple(AppealKind):
        raise BadInput(
            "kind", _("Choose the kind of appeal: one of %(kinds)s.", kinds=", ".join(AppealKind))
        )
    return kind


def calculate(received_at: datetime, kind: str) -> Answer:
    settings = current_settings()
    registered_on, due_on, steps = ex.explain_registration(
        received_at,
        kind,
        settings.rules,
        settings.calendar(db.session),
        override_notes(db.session),
    )
    return Answer(received_at, kind, registered_on, due_on, steps)


@bp.route("/terms")
@limiter.limit(_limit)
def calculator():
    """A form (date, time, kind) and, once filled in, the dates with their explanation."""
    args = {k: (request.args.get(k) or "")[:MAX_INPUT] for k in ("date", "time", "kind")}
    answer, errors = None, {}
    if any(args.values()):
        if not args["date"]:
            errors["date"] = _("Enter the date the appeal was received.")
        else:
            try:
                date.fromisoformat(args["date"])
            except ValueError:
                errors["date"] = _("Enter a real date, for example 2026-03-20.")
        if args["time"]:
            try:
                time.fromisoformat(args["time"])
            except ValueError:
                errors["time"] = _("Enter the time as hours and minutes, for example 17:45.")
        else:
            errors["time"] = _("Enter the time the appeal was received.")
        try:
            kind = parse_kind(args["kind"])
        except BadInput as bad:
            errors["kind"] = bad.message
        if not errors:
            try:
                received = parse_received(f"{args['date']}T{args['time']}")
                answer = calculate(received, kind)
            except BadInput as bad:
                errors["date"] = bad.message
    status = 400 if errors else 200
    return render_template(
        "terms/calculator.html",
        data=args,
        errors=errors,
        answer=answer,
        sentences=[present.describe(s) for s in answer.steps] if answer else [],
        kinds=tuple(AppealKind),
    ), status


@bp.route("/terms.json")
@limiter.limit(_limit)
def calculator_json():
    """`?received=<ISO 8601 date-time>&kind=<code>` -> registered_on, due_on, steps."""
    try:
        received = parse_received(request.args.get("received"))
        kind = parse_kind(request.args.get("kind"))
    except BadInput as bad:
        return jsonify(ApiError.of("invalid", bad.message, bad.field)), 400
    answer = calculate(received, kind)
    return jsonify(
        TermCalculation(
            registered_on=answer.registered_on,
            due_on=answer.due_on,
            steps=present.as_json(answer.steps),
        ).dump()
    )


@bp.app_template_global("term_steps")
def term_steps(appeal, public: bool = False) -> list[str]:
    """The explained steps of an appeal's term as sentences, for its pages.

    Kept per process, keyed by the appeal's `version` (raised by every write of the appeal,
    and every change of its term writes it), its status and due date, the language and the
    calendar's entries: two views of an unchanged appeal explain it once, a change shows
    at once.
    """
    from reception.core.i18n import current_locale
    from reception.directory.queries import override_rows

    key = (
        appeal.id,
        appeal.version,
        appeal.status,
        appeal.due_on,
        public,
        str(current_locale()),
        override_rows(db.session),
    )
    kept = current_app.extensions.setdefault("reception_term_steps", {})
    steps = kept.get(key)
    if steps is None:
        steps = [
            present.describe(step)
            for step in appeal_term_steps(db.session, appeal, public_only=public)
        ]
        if len(kept) >= _TERM_STEPS_KEPT:
            kept.clear()
        kept[key] = steps
    return list(steps)


_TERM_STEPS_KEPT = 2048


@bp.app_template_global("calendar_unconfirmed_year")
def calendar_unconfirmed_year() -> int | None:
    """The next year, when the calendar knows no decreed transfer for it (section 5)."""
    from reception.terms.admin import unconfirmed_next_year

    return unconfirmed_next_year(db.session)


@bp.app_template_global("holiday_label")
def holiday_label_global(day: date, english_name: str) -> str:
    """A holiday's name in the page's language (kk from the package, ru ours)."""
    from reception.core.i18n import current_locale
    from reception.terms.names import holiday_label

    return holiday_label(
        current_app.config["RECEPTION_COUNTRY"], day, english_name, current_locale()
    )
