"""Words for the codes the administration pages show, in the reader's language."""

from reception.core.i18n import lazy_gettext as _l
from reception.core.labels import ROLE_LABELS  # noqa: F401 (the admin pages use it too)

LEVEL_LABELS = {
    "republic": _l("Republic"),
    "region": _l("Region"),
    "city": _l("City"),
    "district": _l("District"),
}

HOLIDAY_KIND_LABELS = {
    "day_off": _l("Day off"),
    "working_day": _l("Working day"),
}

# Which rule answered the "where would this appeal go?" question, most specific first.
ROUTE_LEVEL_LABELS = {
    "exact": _l("Exact rule (this topic in this region)"),
    "category": _l("Topic-wide rule (this topic, any region)"),
    "region": _l("Regional rule (any topic in this region)"),
    "global": _l("Global fallback (any topic, any region)"),
}

# Short forms for the rules table.
RULE_KIND_LABELS = {
    "exact": _l("Exact"),
    "category": _l("Topic-wide"),
    "region": _l("Regional"),
    "global": _l("Global fallback"),
}

ENTITY_LABELS = {
    "authority": _l("State body"),
    "category": _l("Topic"),
    "routing_rule": _l("Routing rule"),
    "holiday_override": _l("Calendar override"),
    "answer_template": _l("Answer template"),
    "user": _l("User"),
    "api_key": _l("API key"),
}

ACTION_LABELS = {
    "create": _l("Created"),
    "update": _l("Changed"),
    "deactivate": _l("Deactivated"),
    "reactivate": _l("Reactivated"),
    "reset_two_factor": _l("Two-step verification reset"),
    "end_sessions": _l("Logged out everywhere"),
    "delete": _l("Deleted"),
    "invite": _l("Invitation sent"),
    "revoke": _l("Revoked"),
}

# Names of the fields that the audit log records changes of.
FIELD_LABELS = {
    "two_factor": _l("Two-step verification"),
    "sessions_ended": _l("Sessions ended"),
    "code": _l("Code"),
    "name_kk": _l("Name in Kazakh"),
    "name_ru": _l("Name in Russian"),
    "name_en": _l("Name in English"),
    "level": _l("Level"),
    "region": _l("Region"),
    "superior": _l("Superior body"),
    "email": _l("E-mail"),
    "is_active": _l("Active"),
    "default_term_days": _l("Term, working days"),
    "position": _l("Position"),
    "category": _l("Topic"),
    "authority": _l("State body"),
    "day": _l("Date"),
    "kind": _l("Kind"),
    "note": _l("Decree"),
    "language": _l("Language"),
    "title": _l("Title"),
    "body": _l("Text"),
    "full_name": _l("Full name"),
    "role": _l("Role"),
    "locale": _l("Language of e-mails"),
    "name": _l("Name"),
    "prefix": _l("Prefix"),
    "user": _l("User"),
    "revoked_at": _l("Revoked"),
    # Where one name means different things for different entities.
    ("category", "position"): _l("Order in lists"),
    ("user", "position"): _l("Job title"),
}


def field_label(entity: str, name: str):
    """The reader's word for a field of an entity in the audit log."""
    return FIELD_LABELS.get((entity, name)) or FIELD_LABELS.get(name) or name
