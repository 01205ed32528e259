"""Two-step verification: the second log-in step, setting it up, recovery codes, turning off.

Roles named in TWO_FACTOR_REQUIRED_ROLES (head and admin by default) cannot use any page
until they have set it up; everyone else may turn it on under Account security.
"""

from __future__ import annotations

import segno
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from reception.accounts import totp, two_factor, user_sessions
from reception.accounts.forms import TwoFactorCodeForm
from reception.accounts.sessions import (
    current_session_token,
    home_for,
    pending_login,
    pending_user_id,
    start_session,
)
from reception.accounts.two_factor import TwoFactorPolicy
from reception.core.sessions import MACHINE_PATHS
from reception.core.types import utcnow
from reception.core.web import attempt, perform
from reception.extensions import db, limiter

bp = Blueprint("two_factor", __name__)

# Pages a person who must set up the second factor may still open.
OPEN_BEFORE_SETUP = frozenset(
    {
        "two_factor.setup",
        "two_factor.settings",
        "accounts.logout",
        "core.set_language",
        "core.healthz",
        "static",
    }
)


def _policy() -> TwoFactorPolicy:
    return TwoFactorPolicy.from_config(current_app.config)


def _no_store(response):
    # Secrets (the set-up key, recovery codes) must not stay in caches or history.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.before_app_request
def require_second_factor():
    """Send staff whose role needs a second factor to set it up before anything else."""
    endpoint = request.endpoint or ""
    if endpoint in OPEN_BEFORE_SETUP or endpoint.startswith(("api.", "open311.", "openapi.")):
        return None
    if request.path.startswith(MACHINE_PATHS):  # an unknown address there too: no session
        return None
    if not current_user.is_authenticated or current_user.two_factor_enabled:
        return None
    if not _policy().required_for(current_user):
        return None
    if request.method == "GET":
        flash(_("Your role needs two-step verification. Set it up to continue."), "warning")
    return redirect(url_for("two_factor.setup"))


@bp.route("/login/verify", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_TWO_FACTOR"], methods=["POST"], key_func=pending_user_id
)
def verify():
    """The second log-in step: a code from the app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    pending = pending_login()
    if pending is None:
        flash(_("The log-in took too long. Please enter your e-mail and password again."), "info")
        return redirect(url_for("accounts.login"))
    user, next_url = pending
    form = TwoFactorCodeForm()
    status = 200
    if form.validate_on_submit():
        now = utcnow()
        policy = _policy()
        try:
            how = two_factor.verify(db.session, user, form.code.data, now=now, policy=policy)
        except two_factor.SecondFactorLocked as locked:
            db.session.rollback()
            form.code.errors = [locked.errors["code"]]
            return render_template("accounts/two_factor_verify.html", form=form), 429
        if how is not None:

            def log_in():
                user.last_login_at = now
                return (
                    two_factor.recovery_codes_left(db.session, user) if how == "recovery" else None
                )

            left = perform(log_in)
            start_session(user)
            flash(_("You are logged in."), "success")
            if left is not None:
                flash(
                    ngettext(
                        "You used a recovery code: %(num)d is left. Make new ones under "
                        "Account security.",
                        "You used a recovery code: %(num)d are left. Make new ones under "
                        "Account security.",
                        left,
                    ),
                    "warning",
                )
            return redirect(next_url or home_for(user))
        db.session.rollback()
        # Counted in the database, so that guesses add up across workers and hosts.
        locked = perform(
            lambda: two_factor.record_failure(db.session, user, now=now, policy=policy)
        )
        if locked is not None:
            form.code.errors = [locked.errors["code"]]
            status = 429
        else:
            form.code.errors = [_("This code is not right. Try the code your app shows now.")]
            status = 401
    elif request.method == "POST":
        status = 422
    return render_template("accounts/two_factor_verify.html", form=form), status


@bp.route("/account/security")
@login_required
def settings():
    return _render_settings(TwoFactorCodeForm(prefix="renew"), TwoFactorCodeForm(prefix="off"))


def _render_settings(renew_form, off_form, status: int = 200):
    user = current_user
    return render_template(
        "accounts/security.html",
        renew_form=renew_form,
        off_form=off_form,
        sessions_count=user_sessions.count_active_sessions(
            db.session,
            user,
            now=utcnow(),
            policy=user_sessions.SessionPolicy.from_config(current_app.config),
        ),
        required=_policy().required_for(user),
        codes_left=two_factor.recovery_codes_left(db.session, user)
        if user.two_factor_enabled
        else 0,
    ), status


def _show_recovery_codes(codes: list[str], *, first_time: bool):
    return _no_store(
        current_app.make_response(
            render_template(
                "accounts/recovery_codes.html",
                codes=codes,
                continue_url=home_for(current_user)
                if first_time
                else url_for("two_factor.settings"),
            )
        )
    )


@bp.route("/account/security/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    """Log out every other device (a lost phone, a cookie left on another computer)."""
    ended = perform(
        lambda: user_sessions.end_all_sessions(
            db.session,
            current_user,
            now=utcnow(),
            reason="self",
            keep_token=current_session_token(),
        )
    )
    flash(
        ngettext(
            "%(num)d other device is logged out.", "%(num)d other devices are logged out.", ended
        ),
        "success",
    )
    return redirect(url_for("two_factor.settings"))


@bp.route("/account/security/setup", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_TWO_FACTOR"], methods=["POST"])
def setup():
    """Show the QR code and key of a new secret; turn it on when the app's code is right."""
    user = current_user._get_current_object()
    if user.two_factor_enabled:
        return redirect(url_for("two_factor.settings"))
    secret = perform(lambda: two_factor.begin_setup(user, policy=_policy()))
    form = TwoFactorCodeForm()
    status = 200
    if form.validate_on_submit():
        outcome = attempt(
            lambda: two_factor.confirm_setup(
                db.session, user, form.code.data, policy=_policy(), now=utcnow()
            )
        )
        if not outcome.done:
            form.code.errors = [outcome.refused.errors["code"]]
            status = 422
        else:
            flash(_("Two-step verification is on."), "success")
            return _show_recovery_codes(outcome.result, first_time=True)
    elif request.method == "POST":
        status = 422
    policy = _policy()
    uri = totp.provisioning_uri(secret, account=user.email, issuer=policy.issuer)
    qr = segno.make(uri, error="m").svg_inline(
        scale=5, border=3, dark="#0b1f33", light="#ffffff", omitsize=True
    )
    return _no_store(
        current_app.make_response(
            (
                render_template(
                    "accounts/two_factor_setup.html",
                    form=form,
                    qr=qr,
                    secret=totp.group_secret(secret),
                    required=policy.required_for(user),
                ),
                status,
            )
        )
    )


def _settings_step(prefix: str, step):
    """Run a step of the settings page that needs a current code (`step(code)`).

    Returns the step's result, or None with the error beside that form's code field and
    the page to show again.
    """
    forms = {name: TwoFactorCodeForm(prefix=name) for name in ("renew", "off")}
    form = forms[prefix]
    if form.validate_on_submit():
        outcome = attempt(lambda: step(form.code.data))
        if outcome.done:
            return outcome.result, None
        refused = outcome.refused
        form.code.errors = [refused.errors["code"]]
        if isinstance(refused, two_factor.WrongCode):
            # Wrong codes count here too: this page must not be a way around the limit.
            locked = perform(
                lambda: two_factor.record_failure(
                    db.session, current_user, now=utcnow(), policy=_policy()
                )
            )
            if locked is not None:
                form.code.errors = [locked.errors["code"]]
    return None, _render_settings(forms["renew"], forms["off"], 422)


@bp.route("/account/security/recovery-codes", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_TWO_FACTOR"], methods=["POST"])
def new_recovery_codes():
    """Replace the recovery codes (each works once) after a current code from the app."""
    if not current_user.two_factor_enabled:
        return redirect(url_for("two_factor.settings"))
    codes, page = _settings_step(
        "renew",
        lambda code: two_factor.new_recovery_codes(
            db.session, current_user, code, policy=_policy(), now=utcnow()
        ),
    )
    if page is not None:
        return page
    flash(_("New recovery codes are made; the old ones no longer work."), "success")
    return _show_recovery_codes(codes, first_time=False)


@bp.route("/account/security/disable", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_TWO_FACTOR"], methods=["POST"])
def disable():
    """Turn the second factor off (only where the role does not require it)."""
    if not current_user.two_factor_enabled:
        return redirect(url_for("two_factor.settings"))
    _result, page = _settings_step(
        "off",
        lambda code: two_factor.turn_off(
            db.session, current_user, code, policy=_policy(), now=utcnow()
        ),
    )
    if page is not None:
        return page
    flash(_("Two-step verification is off."), "success")
    return redirect(url_for("two_factor.settings"))
