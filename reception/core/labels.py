"""Stored codes and the words a reader sees for them, in the reader's language."""

from reception.core.i18n import lazy_gettext as _l

LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
# Shown where the reader chooses the answer's language; in the reader's language.
LANGUAGE_LABELS = {"kk": _l("Kazakh"), "ru": _l("Russian"), "en": _l("English")}

ROLE_LABELS = {
    "citizen": _l("Citizen"),
    "official": _l("Official"),
    "head": _l("Head"),
    "operator": _l("Operator"),
    "admin": _l("Administrator"),
}

STATUS_LABELS = {
    "registered": _l("Registered"),
    "in_progress": _l("Under review"),
    "awaiting_citizen": _l("Waiting for your reply"),
    "answered": _l("Answered"),
    "returned": _l("Returned"),
    "terminated": _l("Consideration stopped"),
    "withdrawn": _l("Withdrawn"),
    "closed": _l("Closed"),
}

# The same statuses as staff read them (the citizen's labels speak to the citizen).
STAFF_STATUS_LABELS = {**STATUS_LABELS, "awaiting_citizen": _l("Waiting for the applicant")}

KIND_LABELS = {
    "application": _l("Application"),
    "complaint": _l("Complaint"),
    "request": _l("Request for information"),
    "proposal": _l("Proposal"),
    "response": _l("Response to a policy"),
    "report": _l("Report of a breach"),
}

KIND_HINTS = {
    "application": _l("Ask for your rights or interests to be realised."),
    "complaint": _l("Protest against an action or decision that affected your rights."),
    "request": _l("Ask a state body for information."),
    "proposal": _l("Suggest how to improve laws or the work of state bodies."),
    "response": _l("Give your view on a draft decision or policy."),
    "report": _l("Report a breach of the law or a problem."),
}

CHANNEL_LABELS = {
    "web": _l("Web form"),
    "api": _l("External system"),
    "paper": _l("Paper"),
    "phone": _l("Phone"),
    "in_person": _l("In person"),
}

# Titles of events in the timeline.
EVENT_LABELS = {
    "register": _l("Appeal registered"),
    "take": _l("Taken into work"),
    "assign": _l("Executor assigned"),
    "forward": _l("Forwarded to another body"),
    "request_info": _l("Clarification requested"),
    "reply": _l("Applicant replied"),
    "extend": _l("Term extended"),
    "answer": _l("Answer given"),
    "return": _l("Appeal returned"),
    "terminate": _l("Consideration stopped"),
    "mark_duplicate": _l("Attached to an earlier appeal"),
    "note": _l("Internal note"),
    "withdraw": _l("Withdrawn by the applicant"),
    "rate": _l("Answer rated"),
    "complain": _l("Complaint about the answer filed"),
    "close": _l("Closed"),
    "deemed_refused": _l("No decision in time: counts as a refusal"),
    "term_moved": _l("Due date moved by a calendar change"),
    "group_link": _l("Added to a group of similar appeals"),
    "group_leave": _l("Taken out of the group of similar appeals"),
    "group_answer": _l("Group answered"),
    "resolved": _l("Applicant: the problem was resolved"),
    "not_resolved": _l("Applicant: the problem was not resolved"),
    "notified": _l("Applicant told by post or phone"),
}

RETURN_GROUND_LABELS = {
    "defects_not_fixed": _l("The defects were not corrected in time"),
    "repeat_without_new_arguments": _l(
        "A repeat of an appeal already decided, with no new arguments"
    ),
    "insulting_language": _l("The appeal contains insulting language"),
}

TERMINATION_GROUND_LABELS = {
    "same_subject_decided": _l("The same question has already been decided"),
    "court_act_exists": _l("A court decision on the question exists"),
    "anonymous": _l("Anonymous appeal (no author or no address)"),
    "no_substance": _l("The appeal has no substance"),
    "withdrawn_by_applicant": _l("The applicant withdrew the appeal"),
}

GROUND_LABELS = {**RETURN_GROUND_LABELS, **TERMINATION_GROUND_LABELS}

# What a redaction in a published text hides (the staff's preview of a published answer).
REDACTION_LABELS = {
    "iin": _l("IIN/BIN"),
    "phone": _l("Phone number"),
    "email": _l("E-mail address"),
    "address": _l("Address"),
    "name": _l("Name"),
    "manual": _l("Marked to hide"),
}
