"""The Flask extensions, created unbound and initialised in create_app."""

import sqlite3

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so that Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ReceptionLoginManager(LoginManager):
    """Session protection for sessions that hold a log-in, not for every visitor's.

    Flask-Login's "strong" mode treats any session without its fingerprint as stolen: a
    visitor's session (the language, the appeals this browser may see) was emptied of the
    log-in keys and sent back re-signed on every page, with a cookie clearing
    `remember_token`. A session that holds a user id keeps the full protection.
    """

    def _load_user_from_remember_cookie(self, cookie):
        """No "remember me": a log-in lives in its server-side session (revocable, with an
        idle limit), and a remember cookie, even one validly signed, logs nobody in. So a
        visitor without a log-in in the session is anonymous (core/caching relies on it),
        and the machine paths, which have no session, never get one written."""
        return None

    def _update_remember_cookie(self, response):
        """Flask-Login's after-request step, on every request: only a "_remember" mark in
        the session (a log-out clearing an old cookie) gives it work. It never refreshes a
        remember cookie, since none logs anyone in."""
        from flask import session

        if "_remember" not in session._get_current_object():
            return response
        return super()._update_remember_cookie(response)

    def _session_protection_failed(self) -> bool:
        from flask import session

        if "_user_id" not in session:
            return False
        return super()._session_protection_failed()


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = ReceptionLoginManager()
mail = Mail()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@event.listens_for(Engine, "connect")
def _sqlite_unicode_lower(dbapi_connection, connection_record):
    """Make SQLite's lower() fold Cyrillic too, as PostgreSQL's does (search by name)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function(
            "lower",
            1,
            lambda value: value.lower() if isinstance(value, str) else value,
            deterministic=True,
        )
