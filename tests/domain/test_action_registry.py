"""The staff action registry: one list for the staff page, the JSON API and its document."""

from reception.domain.actions import (
    CITIZEN_ACTIONS,
    GROUP_ACTIONS,
    STAFF_ACTION_HELP,
    STAFF_ACTIONS,
    staff_actions_for,
)
from reception.domain.workflow import Action, transition_for


def test_every_staff_action_but_the_group_answer_is_a_workflow_action():
    for code in STAFF_ACTIONS:
        if code != "group_answer":
            assert transition_for(code).roles, code
    assert set(GROUP_ACTIONS) <= set(STAFF_ACTIONS)
    assert {str(Action(code)) for code in CITIZEN_ACTIONS} == set(CITIZEN_ACTIONS)
    assert list(STAFF_ACTION_HELP) == list(STAFF_ACTIONS)


def test_offered_actions_follow_the_status_the_role_and_the_group():
    official = staff_actions_for("registered", "official", in_group=False)
    assert official[0] == "take" and "extend" not in official
    assert "group_leave" not in official and "group_answer" not in official
    grouped = staff_actions_for("registered", "official", in_group=True)
    assert grouped[-2:] == ["group_leave", "group_answer"]
    assert "extend" in staff_actions_for("in_progress", "head", in_group=False)
    assert staff_actions_for("answered", "official", in_group=True) == [
        "note",
        "group_leave",
        "group_answer",
    ]
