"""Appeal life cycle as data: statuses, actions, who may do what, and grounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class AppealStatus(StrEnum):
    """Where an appeal is in its life cycle."""

    registered = "registered"
    in_progress = "in_progress"
    awaiting_citizen = "awaiting_citizen"
    answered = "answered"
    returned = "returned"
    terminated = "terminated"
    withdrawn = "withdrawn"
    closed = "closed"


# "Decided" statuses: Open311 reports all of them as 'closed'.
FINAL_STATUSES: frozenset[AppealStatus] = frozenset(
    {
        AppealStatus.answered,
        AppealStatus.returned,
        AppealStatus.terminated,
        AppealStatus.withdrawn,
        AppealStatus.closed,
    }
)
# Not decided yet: the body still owes an answer (the clock may be paused).
OPEN_STATUSES: frozenset[AppealStatus] = frozenset(AppealStatus) - FINAL_STATUSES
# The term's clock runs: open and not waiting for the citizen (the wait is a pause, docs/
# domain.md section 5). Only these can be overdue, be reminded of, or have their term end.
RUNNING_STATUSES: frozenset[AppealStatus] = OPEN_STATUSES - {AppealStatus.awaiting_citizen}
# Decided with an answer (a closed appeal was answered first): it has an answer to show,
# to publish and to ask the applicant about.
ANSWERED_STATUSES: frozenset[AppealStatus] = frozenset({AppealStatus.answered, AppealStatus.closed})
INITIAL_STATUS = AppealStatus.registered


def is_overdue(status: AppealStatus | str, due_on: date, today: date) -> bool:
    """An appeal is overdue when its clock runs and its due date has passed.

    The SQL form of the same rule is `Appeal.is_overdue(today)` (reception.appeals.models);
    a test checks that both agree.
    """
    return status in RUNNING_STATUSES and due_on < today


class AppealKind(StrEnum):
    """Kind of appeal (Art. 4); decides the procedure and the term."""

    application = "application"
    complaint = "complaint"
    request = "request"
    proposal = "proposal"
    response = "response"
    report = "report"


class Role(StrEnum):
    """Who acts on an appeal."""

    citizen = "citizen"
    official = "official"
    head = "head"
    operator = "operator"
    admin = "admin"


class Language(StrEnum):
    """The languages of the service and of an appeal; the state language first."""

    kk = "kk"
    ru = "ru"
    en = "en"


LANGUAGES: tuple[str, ...] = tuple(Language)


# Officials and heads belong to an authority: their queue is its appeals.
AUTHORITY_ROLES: frozenset[Role] = frozenset({Role.official, Role.head})
# Everyone but the citizen: they work in the staff pages and may hold an API key.
STAFF_ROLES: frozenset[Role] = frozenset(Role) - {Role.citizen}


class Channel(StrEnum):
    """How the appeal reached the body."""

    web = "web"
    api = "api"
    paper = "paper"
    phone = "phone"
    in_person = "in_person"


class Action(StrEnum):
    """An event in an appeal's history."""

    take = "take"
    assign = "assign"
    forward = "forward"
    request_info = "request_info"
    extend = "extend"
    answer = "answer"
    return_ = "return"
    terminate = "terminate"
    mark_duplicate = "mark_duplicate"
    note = "note"
    reply = "reply"
    withdraw = "withdraw"
    rate = "rate"
    complain = "complain"
    close = "close"  # automatic close by the system
    group_link = "group_link"  # joined a group of appeals about one problem
    group_leave = "group_leave"  # left that group
    register = "register"  # the first event of every appeal
    # A complaint's term ended without a decision: that counts as a refusal (Art. 91-100).
    deemed_refused = "deemed_refused"
    # An administrator's calendar change moved the due date (docs/domain.md, section 12).
    term_moved = "term_moved"


class Record(StrEnum):
    """An entry in an appeal's history that is no step of the workflow (no transition)."""

    notified = "notified"  # an applicant without e-mail was told by post or phone
    resolved = "resolved"  # the applicant's survey answer: the problem was resolved
    not_resolved = "not_resolved"  # ... or not


@dataclass(frozen=True)
class Transition:
    """What an action needs (status, role) and what it leads to."""

    action: Action
    from_statuses: frozenset[AppealStatus]
    to_status: AppealStatus | None  # None: status stays as it is
    roles: frozenset[Role]  # empty: only the system may do it
    public: bool  # shown to the citizen and sent as a notice (Art. 66)


class TransitionError(Exception):
    """An action is not allowed; .code says why."""

    NOT_ALLOWED_STATUS = "not_allowed_status"
    NOT_ALLOWED_ROLE = "not_allowed_role"

    def __init__(self, code: str, message: str = "") -> None:
        """Keep a machine-readable code next to the message."""
        super().__init__(message or code)
        self.code = code


_S = AppealStatus
_R = Role
_OPEN_UNDECIDED = frozenset({_S.registered, _S.in_progress, _S.awaiting_citizen})
_STAFF = frozenset({_R.official, _R.head})
_HEAD = frozenset({_R.head})
_CITIZEN = frozenset({_R.citizen})
_SYSTEM: frozenset[Role] = frozenset()


def _t(
    action: Action,
    from_statuses: frozenset[AppealStatus] | set[AppealStatus],
    to_status: AppealStatus | None,
    roles: frozenset[Role],
    public: bool,
) -> Transition:
    return Transition(action, frozenset(from_statuses), to_status, roles, public)


TRANSITIONS: tuple[Transition, ...] = (
    # The first event: there is no status before it, so it never "applies"
    # through next_status; it records who filed the appeal (operators file
    # paper, phone and in-person appeals).
    _t(
        Action.register,
        set(),
        _S.registered,
        frozenset({_R.citizen, _R.operator}),
        True,
    ),
    _t(Action.take, {_S.registered}, _S.in_progress, _STAFF, True),
    _t(Action.assign, _OPEN_UNDECIDED, None, _HEAD, False),
    _t(Action.forward, {_S.registered, _S.in_progress}, _S.registered, _STAFF, True),
    _t(
        Action.request_info,
        {_S.registered, _S.in_progress},
        _S.awaiting_citizen,
        _STAFF,
        True,
    ),
    _t(Action.reply, {_S.awaiting_citizen}, _S.in_progress, _CITIZEN, True),
    # Art. 76: only the head (or deputy / head of apparatus) may extend.
    _t(Action.extend, _OPEN_UNDECIDED, None, _HEAD, True),
    _t(Action.answer, {_S.registered, _S.in_progress}, _S.answered, _STAFF, True),
    _t(Action.return_, _OPEN_UNDECIDED, _S.returned, _HEAD, True),
    _t(Action.terminate, _OPEN_UNDECIDED, _S.terminated, _HEAD, True),
    _t(Action.mark_duplicate, _OPEN_UNDECIDED, _S.terminated, _STAFF, True),
    _t(Action.note, frozenset(AppealStatus), None, _STAFF, False),
    # Art. 64: withdrawal is possible at any time before the decision.
    _t(Action.withdraw, _OPEN_UNDECIDED, _S.withdrawn, _CITIZEN, True),
    _t(Action.rate, {_S.answered}, _S.closed, _CITIZEN, True),
    _t(Action.complain, {_S.answered, _S.closed}, None, _CITIZEN, True),
    _t(Action.close, {_S.answered}, _S.closed, _SYSTEM, True),
    # Recorded by the daily job; the complaint stays open: the body must still decide.
    _t(Action.deemed_refused, {_S.registered, _S.in_progress}, None, _SYSTEM, True),
    _t(Action.term_moved, _OPEN_UNDECIDED, None, _SYSTEM, True),
    # Groups of appeals about one problem (answered once, each keeping its own term).
    _t(Action.group_link, _OPEN_UNDECIDED, None, _STAFF, False),
    _t(Action.group_leave, frozenset(AppealStatus), None, _STAFF, False),
)

_BY_ACTION: dict[Action, Transition] = {t.action: t for t in TRANSITIONS}

# Machine codes; the UI layer translates them.
RETURN_GROUNDS: tuple[str, ...] = (
    "defects_not_fixed",
    "repeat_without_new_arguments",
    "insulting_language",
)
TERMINATION_GROUNDS: tuple[str, ...] = (
    "same_subject_decided",
    "court_act_exists",
    "anonymous",
    "no_substance",
    "withdrawn_by_applicant",
)


def transition_for(action: Action | str) -> Transition:
    """Return the table row for an action."""
    return _BY_ACTION[Action(action)]


def _check(status: AppealStatus, action: Action | str, role: Role | None) -> Transition:
    transition = transition_for(action)
    # Role first: telling someone who may never act what state the appeal
    # is in would leak it, and "you can't do this" is the truer answer.
    allowed_role = role is None if not transition.roles else role in transition.roles
    if not allowed_role:
        raise TransitionError(
            TransitionError.NOT_ALLOWED_ROLE,
            f"{role or 'system'} may not {transition.action}",
        )
    if AppealStatus(status) not in transition.from_statuses:
        raise TransitionError(
            TransitionError.NOT_ALLOWED_STATUS,
            f"cannot {transition.action} an appeal that is {status}",
        )
    return transition


def next_status(
    status: AppealStatus | str, action: Action | str, role: Role | str | None
) -> AppealStatus:
    """Return the status after action by role (None = system); raise TransitionError."""
    status = AppealStatus(status)
    transition = _check(status, action, None if role is None else Role(role))
    return status if transition.to_status is None else transition.to_status


def is_allowed(status: AppealStatus | str, action: Action | str, role: Role | str | None) -> bool:
    """Return True if role (None = the system) may do action in status."""
    try:
        next_status(status, action, role)
    except TransitionError:
        return False
    return True


def available_actions(status: AppealStatus | str, role: Role | str | None) -> list[Action]:
    """Return the actions role may take in status, in table order."""
    return [t.action for t in TRANSITIONS if is_allowed(status, t.action, role)]
