"""Alerts about attacks on an account: the person is told, and a warning is logged.

Each function is a hook: a security event log can record the same events from here.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from reception.accounts.models import User
from reception.notifications import emails

logger = logging.getLogger("reception.security")


def second_factor_locked(
    session: Session,
    user: User,
    *,
    failures: int,
    locked_until: datetime,
    now: datetime,
    base_url: str,
) -> None:
    """Wrong second-factor codes locked a person's second log-in step.

    The right password was given each time, so the password is known to whoever tries:
    the person gets an e-mail (in the caller's transaction) saying to change it.
    """
    minutes = max(1, round((locked_until - now).total_seconds() / 60))
    logger.warning(
        "second factor locked for user %s after %s wrong codes, until %s",
        user.id,
        failures,
        locked_until.isoformat(),
    )
    emails.second_factor_locked(
        session,
        user,
        failures=failures,
        minutes=minutes,
        url=f"{base_url}/password/forgot",
        now=now,
    )
