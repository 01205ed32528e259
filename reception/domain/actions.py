"""The registry of the actions people take on an appeal, by their contract codes.

One list for the staff appeal page, the JSON API (what it accepts and what it offers per
appeal) and the OpenAPI document's enum. An action that changes an appeal's status is a
row of reception.domain.workflow.TRANSITIONS too; `group_answer` is not: it answers each
appeal of a group through `answer`.
"""

from __future__ import annotations

from reception.domain.workflow import Action, AppealStatus, Role, available_actions

# What an official or a head may do to an appeal, in the order the page and the API offer it.
STAFF_ACTIONS: tuple[str, ...] = (
    *(
        str(code)
        for code in (
            Action.take,
            Action.assign,
            Action.forward,
            Action.request_info,
            Action.extend,
            Action.answer,
            Action.return_,
            Action.terminate,
            Action.mark_duplicate,
            Action.note,
            Action.group_link,
            Action.group_leave,
        )
    ),
    "group_answer",
)
# The group actions (reception.review.groups carries them out).
GROUP_ACTIONS: tuple[str, ...] = ("group_link", "group_leave", "group_answer")
# What the applicant may do on the tracking page and in "My appeals".
CITIZEN_ACTIONS: tuple[str, ...] = tuple(
    str(code) for code in (Action.reply, Action.withdraw, Action.rate, Action.complain)
)

# The staff actions in a sentence each, for the API's document (the fields each one reads).
STAFF_ACTION_HELP: dict[str, str] = {
    "take": "take the appeal into work (the taker becomes the executor if none is set)",
    "assign": "head: `executor` (a user id of this body)",
    "forward": "`authority` (code), `reason`, `crime_report` (Art. 88)",
    "request_info": "ask the applicant: `text`, `reply_days`",
    "extend": "head: `due_on` (ISO date), `reason`",
    "answer": "`text` (or `template`), `complaint_info`, `hide`, `hide_reason`",
    "return": "head: `ground`, `comment`",
    "terminate": "head: `ground`, `comment`",
    "mark_duplicate": "`number` of the earlier appeal, `comment`",
    "note": "an internal note: `text` (never shown to the applicant)",
    "group_link": (
        "put this appeal and the appeals in `numbers` (this body's, separated by spaces or "
        "commas) into one group"
    ),
    "group_leave": "take this appeal out of its group: `comment`",
    "group_answer": (
        "answer every appeal of the group that can be answered now, each in its language: "
        "`text_kk`, `text_ru`, `text_en`, or `text` when all share one"
    ),
}


def staff_actions_for(status: AppealStatus | str, role: Role | str, *, in_group: bool) -> list[str]:
    """The staff action codes offered for an appeal in `status` to `role`, adjusted for its
    group: leaving only when in one, and answering the group when in one and allowed to act
    on it."""
    shown = [
        str(a)
        for a in available_actions(status, role)
        if str(a) in STAFF_ACTIONS and (a != Action.group_leave or in_group)
    ]
    if in_group and "group_leave" in shown:
        shown.append("group_answer")
    return shown
