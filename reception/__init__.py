"""Reception: an online reception and appeals tracker for state bodies."""

from __future__ import annotations

import os
from inspect import CO_COROUTINE
from types import FunctionType

from flask import Flask

from config import Config, config_for


class ReceptionFlask(Flask):
    """Flask, telling a plain function from a coroutine function by its code flags.

    Flask asks this of each hook and of the view, about seventeen times a request, and
    `inspect.iscoroutinefunction` unwraps and inspects the function each time: a few per
    cent of a short request. A plain function (not marked as a coroutine function, as
    Python 3.12's `inspect.markcoroutinefunction` does) answers from its code object.
    """

    def ensure_sync(self, func):
        if (
            type(func) is FunctionType
            and not func.__code__.co_flags & CO_COROUTINE
            and "_is_coroutine_marker" not in func.__dict__
        ):
            return func
        return super().ensure_sync(func)


def create_app(config: type[Config] | dict | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, commands."""
    app = ReceptionFlask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    settings = config if isinstance(config, type) else config_for(os.environ.get("RECEPTION_ENV"))
    # Every setting was parsed once, when config.py was imported: a bad value (or, in
    # production, a missing SECRET_KEY or DATABASE_URL) stops the start here, by name.
    settings.check()
    app.config.from_object(settings)
    if isinstance(config, dict):
        app.config.update(config)
    if app.config["RECEPTION_BASE_URL"].startswith("https://"):
        # Cookies only over https when the site is served over https.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config["RECEPTION_PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["RECEPTION_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from reception.core.ratelimits import check_shared_limits

    # Production refuses per-process rate limits when several workers serve.
    check_shared_limits(app.config)

    from reception.accounts.passwords import configure_hashing

    configure_hashing(app.config["ARGON2_TIME_COST"], app.config["ARGON2_MEMORY_COST"])
    from reception.accounts.secret_box import SecretBox

    SecretBox.from_config(app.config)  # malformed RECEPTION_TOTP_KEYS stop the start here
    _init_extensions(app)
    from reception.appeals.workflow import WorkflowSettings
    from reception.core.web import install_settings

    install_settings(app, WorkflowSettings.from_config)  # once; views read current_settings()
    from reception.ops import install_ops

    install_ops(app)  # JSON logs, request ids, metrics, security events: before the blueprints

    from reception.core.inputs import DatabaseIntConverter

    # Before the routes are added: every <int:...> is bounded to what the database holds.
    app.url_map.converters["int"] = DatabaseIntConverter
    _register_blueprints(app)
    _register_commands(app)

    from reception.core.database import install_connection_release
    from reception.core.errors import install_error_pages
    from reception.core.i18n import install_early_locale
    from reception.core.security import install_input_guard, install_security_headers
    from reception.core.sessions import install_browser_sessions
    from reception.core.static_assets import install_static_assets
    from reception.core.templating import install_template_helpers

    install_browser_sessions(app)
    install_input_guard(app)
    install_security_headers(app)
    from reception.core.caching import install_no_store

    install_no_store(app)
    install_error_pages(app)
    install_early_locale(app)
    install_connection_release(app)  # after db.init_app, so that it runs before its teardown
    install_template_helpers(app)
    install_static_assets(app)
    return app


def _init_extensions(app: Flask) -> None:
    # Import every model so that metadata (and Alembic) sees the whole schema.
    from reception import models  # noqa: F401
    from reception.core.i18n import babel_locale_selector
    from reception.core.replica import configure_replica_bind
    from reception.extensions import babel, csrf, db, limiter, login_manager, mail, migrate

    configure_replica_bind(app)  # before init_app, which creates the binds' engines
    db.init_app(app)
    from reception.monitoring.rollups import install_rollups

    install_rollups()  # the daily rollups follow every flush of appeals
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    csrf.init_app(app)
    mail.init_app(app)
    # Flask-Limiter keeps the key prefix of the first app it was given; another app built in
    # the same process (tests, two hosts) must count under its own.
    limiter._key_prefix = app.config.get("RATELIMIT_KEY_PREFIX", "")
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=babel_locale_selector,
        default_translation_directories=os.path.join(os.path.dirname(__file__), "translations"),
    )
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "strong"

    from reception.core.i18n import lazy_gettext as _l

    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        from flask import g
        from sqlalchemy.exc import SQLAlchemyError

        from reception.accounts.sessions import load_logged_in_user
        from reception.core.database import database_unavailable, forget_transaction

        try:
            # The user, only while the cookie's server-side session record is alive.
            user = load_logged_in_user(user_id)
        except SQLAlchemyError as error:
            if not (database_unavailable(error) and g.get("rendering_error_page")):
                # On an ordinary page the error answers 503, as any other query's would:
                # treating the user as logged out would send them to the log-in form.
                raise
            # An error page is being shown and the database is away: show it as to a visitor.
            forget_transaction()
            return None
        return user if user is not None and user.is_active else None

    from reception.accounts.sessions import touch_session_after_request

    app.after_request(touch_session_after_request)


def _register_blueprints(app: Flask) -> None:
    from reception.accounts.two_factor_views import bp as two_factor_bp
    from reception.accounts.views import bp as accounts_bp
    from reception.admin.views import bp as admin_bp
    from reception.api.open311 import bp as open311_bp
    from reception.api.openapi import bp as openapi_bp
    from reception.api.v1 import bp as api_bp
    from reception.appeals.survey_views import bp as survey_bp
    from reception.appeals.views import bp as appeals_bp
    from reception.core.views import bp as core_bp
    from reception.monitoring.open_data import bp as open_data_bp
    from reception.monitoring.views import bp as monitoring_bp
    from reception.ops import admin_page  # noqa: F401 (the security event log, on admin's bp)
    from reception.ops.views import bp as ops_bp
    from reception.review.views import bp as review_bp
    from reception.terms.views import bp as terms_bp

    for blueprint in (
        core_bp,
        accounts_bp,
        two_factor_bp,
        appeals_bp,
        review_bp,
        admin_bp,
        monitoring_bp,
        open_data_bp,
        survey_bp,
        open311_bp,
        api_bp,
        openapi_bp,
        terms_bp,
        ops_bp,
    ):
        app.register_blueprint(blueprint)


def _register_commands(app: Flask) -> None:
    from reception.cli import register_commands

    register_commands(app)
