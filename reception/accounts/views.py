"""Log-in, log-out and citizen registration."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from reception.accounts import services
from reception.accounts.forms import ForgotPasswordForm, LoginForm, RegisterForm, SetPasswordForm
from reception.accounts.invitations import (
    RESET_VALID_HOURS,
    InvitationSettings,
    make_invitation_token,
    read_invitation_token,
)
from reception.core.i18n import current_locale
from reception.core.types import utcnow
from reception.extensions import db, limiter
from reception.notifications import emails

bp = Blueprint("accounts", __name__)


def safe_next(target: str | None, default: str) -> str:
    """Follow `next` only to a path on this site (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def _clear_session_keeping_language() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _start_session(user) -> None:
    # A fresh session on log-in closes session fixation.
    _clear_session_keeping_language()
    login_user(user)
    session.permanent = True


def home_for(user) -> str:
    if user.role == "citizen":
        return url_for("appeals.my_appeals")
    if user.role == "admin":
        return url_for("admin.home")
    return url_for("review.queue")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.email.data, form.password.data, now=utcnow())
        if user is not None:
            db.session.commit()
            _start_session(user)
            flash(_("You are logged in."), "success")
            return redirect(safe_next(request.args.get("next"), home_for(user)))
        db.session.rollback()
        form.password.errors = [_("The e-mail or password is wrong.")]
    status = 200 if request.method == "GET" else 401
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    logout_user()
    _clear_session_keeping_language()
    flash(_("You are logged out."), "success")
    return redirect(url_for("core.home"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_REGISTER"], methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                db.session,
                email=form.email.data,
                password=form.password.data,
                role="citizen",
                full_name=form.full_name.data,
                locale=current_locale(),
                now=utcnow(),
            )
            db.session.commit()
        except services.AccountError as refused:
            db.session.rollback()
            for name, message in refused.errors.items():
                if name in form:
                    form[name].errors = [message]
        else:
            _start_session(user)
            flash(_("Your account is ready. Appeals you file now appear in My appeals."), "success")
            return redirect(url_for("appeals.my_appeals"))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/register.html", form=form), status


@bp.route("/account/set-password/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def set_password(token: str):
    """Set the password from an invitation link, then start a session."""
    settings = InvitationSettings.from_config(current_app.config)
    user = read_invitation_token(db.session, token, settings=settings, now=utcnow())
    if user is None:
        return render_template("accounts/set_password_invalid.html"), 404
    form = SetPasswordForm()
    status = 200
    if request.method == "POST":
        try:
            services.set_password(
                db.session,
                user,
                form.password.data or "",
                form.password_confirm.data or "",
                now=utcnow(),
            )
            db.session.commit()
        except services.AccountError as refused:
            db.session.rollback()
            for name, message in refused.errors.items():
                form[name].errors = [message]
            status = 422
        else:
            _start_session(user)
            flash(_("Your password is set and you are logged in."), "success")
            return redirect(home_for(user))
    response = current_app.make_response(
        (render_template("accounts/set_password.html", form=form, user=user), status)
    )
    # The address is a secret until it is used: keep it out of caches.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_REGISTER"], methods=["POST"])
def forgot_password():
    """Send a one-time link to set a new password; say the same whoever asks."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.get_user_by_email(db.session, form.email.data)
        if user is not None and user.is_active:
            settings = InvitationSettings.from_config(current_app.config)
            now = utcnow()
            token = make_invitation_token(user, settings=settings, now=now, purpose="reset")
            emails.password_reset(
                db.session, user, url=settings.url(token), valid_hours=RESET_VALID_HOURS, now=now
            )
            db.session.commit()
        # The same answer for an unknown address: the page must not reveal who has an account.
        return render_template("accounts/forgot_sent.html", email=form.email.data)
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/forgot.html", form=form), status
