"""The appeal state machine: every status x action x role."""

import pytest

from reception.domain.workflow import (
    FINAL_STATUSES,
    INITIAL_STATUS,
    OPEN_STATUSES,
    RETURN_GROUNDS,
    TERMINATION_GROUNDS,
    TRANSITIONS,
    Action,
    AppealKind,
    AppealStatus,
    Channel,
    Role,
    TransitionError,
    available_actions,
    is_allowed,
    next_status,
    transition_for,
)

# Written from the product rules by hand, not from TRANSITIONS.
# action -> (roles allowed, {from status: to status}); "same" = unchanged.
# Role None is the system.
OPEN = ["registered", "in_progress", "awaiting_citizen"]
ALL_STATUSES = [*OPEN, "answered", "returned", "terminated", "withdrawn", "closed"]
EXPECTED: dict[str, tuple[set[str | None], dict[str, str]]] = {
    "register": ({"citizen", "operator"}, {}),
    "take": ({"official", "head"}, {"registered": "in_progress"}),
    "assign": ({"head"}, dict.fromkeys(OPEN, "same")),
    "forward": (
        {"official", "head"},
        {"registered": "registered", "in_progress": "registered"},
    ),
    "request_info": (
        {"official", "head"},
        {"registered": "awaiting_citizen", "in_progress": "awaiting_citizen"},
    ),
    "reply": ({"citizen"}, {"awaiting_citizen": "in_progress"}),
    "extend": ({"head"}, dict.fromkeys(OPEN, "same")),
    "answer": (
        {"official", "head"},
        {"registered": "answered", "in_progress": "answered"},
    ),
    "return": ({"head"}, dict.fromkeys(OPEN, "returned")),
    "terminate": ({"head"}, dict.fromkeys(OPEN, "terminated")),
    "mark_duplicate": ({"official", "head"}, dict.fromkeys(OPEN, "terminated")),
    "note": ({"official", "head"}, dict.fromkeys(ALL_STATUSES, "same")),
    "withdraw": ({"citizen"}, dict.fromkeys(OPEN, "withdrawn")),
    "rate": ({"citizen"}, {"answered": "closed"}),
    "complain": ({"citizen"}, {"answered": "same", "closed": "same"}),
    "close": ({None}, {"answered": "closed"}),
    # The statutory clock (docs/domain.md, sections 7 and 12): the daily job and a calendar
    # change record these; the status stays as it was.
    "deemed_refused": ({None}, {"registered": "same", "in_progress": "same"}),
    "term_moved": ({None}, dict.fromkeys(OPEN, "same")),
    "group_link": ({"official", "head"}, dict.fromkeys(OPEN, "same")),
    "group_leave": ({"official", "head"}, dict.fromkeys(ALL_STATUSES, "same")),
}
INTERNAL = {"assign", "note", "group_link", "group_leave"}
ROLES: list[str | None] = ["citizen", "official", "head", "operator", "admin", None]
CASES = [(status, action, role) for status in ALL_STATUSES for action in EXPECTED for role in ROLES]


def test_expectation_covers_every_enum_member() -> None:
    assert {s.value for s in AppealStatus} == set(ALL_STATUSES)
    assert {a.value for a in Action} == set(EXPECTED)
    assert {r.value for r in Role} | {None} == set(ROLES)


@pytest.mark.parametrize(("status", "action", "role"), CASES)
def test_state_machine_matches_the_rules(status: str, action: str, role: str | None) -> None:
    roles, moves = EXPECTED[action]
    s, a = AppealStatus(status), Action(action)
    r = None if role is None else Role(role)
    if role in roles and status in moves:
        expected = status if moves[status] == "same" else moves[status]
        assert next_status(s, a, r) == AppealStatus(expected)
        assert is_allowed(s, a, r)
        assert a in available_actions(s, r)
    else:
        with pytest.raises(TransitionError) as caught:
            next_status(s, a, r)
        expected_code = "not_allowed_role" if role not in roles else "not_allowed_status"
        assert caught.value.code == expected_code
        assert not is_allowed(s, a, r)
        assert a not in available_actions(s, r)


def test_only_assign_and_note_are_internal() -> None:
    for action in Action:
        assert transition_for(action).public == (action.value not in INTERNAL)


def test_return_action_is_spelled_return() -> None:
    assert Action.return_ == "return"
    assert Action("return") is Action.return_


def test_available_actions_follow_table_order() -> None:
    actions = available_actions(AppealStatus.registered, Role.head)
    table_order = [t.action for t in TRANSITIONS]
    assert actions == sorted(actions, key=table_order.index)
    assert actions[:3] == [Action.take, Action.assign, Action.forward]


def test_operator_and_admin_cannot_touch_an_open_appeal() -> None:
    for status in AppealStatus:
        assert available_actions(status, Role.operator) == []
        assert available_actions(status, Role.admin) == []


def test_register_is_the_first_event_and_leads_to_registered() -> None:
    transition = transition_for(Action.register)
    assert transition.to_status is INITIAL_STATUS is AppealStatus.registered
    assert not transition.from_statuses


def test_system_may_only_auto_close_record_a_deemed_refusal_and_move_a_term() -> None:
    for status in AppealStatus:
        expected = [Action.close] if status is AppealStatus.answered else []
        if status in (AppealStatus.registered, AppealStatus.in_progress):
            expected = [Action.deemed_refused]
        if status in OPEN:
            expected = [*expected, Action.term_moved]
        assert available_actions(status, None) == expected


def test_plain_strings_are_accepted() -> None:
    assert next_status("answered", "rate", "citizen") == AppealStatus.closed
    assert is_allowed("awaiting_citizen", "reply", "citizen")


def test_unknown_action_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="teleport"):
        next_status("registered", "teleport", "head")


def test_role_is_reported_before_status() -> None:
    with pytest.raises(TransitionError) as caught:
        next_status(AppealStatus.closed, Action.answer, Role.citizen)
    assert caught.value.code == "not_allowed_role"


def test_final_and_open_statuses_partition_all_statuses() -> None:
    assert set(AppealStatus) == FINAL_STATUSES | OPEN_STATUSES
    assert not FINAL_STATUSES & OPEN_STATUSES
    assert {"registered", "in_progress", "awaiting_citizen"} == OPEN_STATUSES


def test_decided_appeal_never_reopens() -> None:
    # A decided appeal never reopens: only note and complaint touch it.
    for transition in TRANSITIONS:
        if transition.from_statuses & FINAL_STATUSES:
            assert transition.to_status in (None, AppealStatus.closed)


def test_kinds_and_channels() -> None:
    assert [k.value for k in AppealKind] == [
        "application",
        "complaint",
        "request",
        "proposal",
        "response",
        "report",
    ]
    assert {c.value for c in Channel} == {"web", "api", "paper", "phone", "in_person"}


def test_grounds_are_unique_codes() -> None:
    assert RETURN_GROUNDS == (
        "defects_not_fixed",
        "repeat_without_new_arguments",
        "insulting_language",
    )
    assert set(TERMINATION_GROUNDS) == {
        "same_subject_decided",
        "court_act_exists",
        "anonymous",
        "no_substance",
        "withdrawn_by_applicant",
    }
    assert len(set(TERMINATION_GROUNDS)) == len(TERMINATION_GROUNDS)


def test_transition_error_carries_a_code() -> None:
    error = TransitionError("not_allowed_status", "cannot answer a closed appeal")
    assert error.code == "not_allowed_status"
    assert "closed" in str(error)
