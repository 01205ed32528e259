"""The legal numbers from configuration, as the domain's rule objects."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time

from reception.domain.deadlines import TermRules


def term_rules(config: Mapping) -> TermRules:
    """Build the term rules from the app's settings (Kazakhstan's values by default)."""
    hours, minutes = (int(part) for part in config["RECEPTION_WORKDAY_CUTOFF"].split(":"))
    return TermRules(
        default_term_days=config["RECEPTION_TERM_DAYS"].get("application", 15),
        term_days_by_kind=dict(config["RECEPTION_TERM_DAYS"]),
        no_extension_kinds=frozenset(config["RECEPTION_NO_EXTENSION_KINDS"]),
        cutoff=time(hours, minutes),
        timezone=config["RECEPTION_TIMEZONE"],
        forward_within_days=config["RECEPTION_FORWARD_WITHIN_DAYS"],
        extension_max_months=config["RECEPTION_EXTENSION_MAX_MONTHS"],
        return_within_days=config["RECEPTION_RETURN_WITHIN_DAYS"],
        complaint_filing_months=config["RECEPTION_COMPLAINT_FILING_MONTHS"],
        complaint_pass_within_days=config.get("RECEPTION_COMPLAINT_PASS_DAYS", 3),
    )
