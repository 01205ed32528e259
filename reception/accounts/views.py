"""Log-in, log-out and citizen registration."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from sqlalchemy.exc import IntegrityError

from reception.accounts import services
from reception.accounts.forms import (
    ConfirmEmailForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    SetPasswordForm,
)
from reception.accounts.invitations import (
    INVITATION_VALID_HOURS,
    RESET_VALID_HOURS,
    InvitationSettings,
    make_invitation_token,
    read_invitation_token,
)
from reception.accounts.passwords import hash_password, verify_password
from reception.accounts.sessions import (
    clear_session_keeping_language,
    end_current_session,
    home_for,
    safe_next,
    start_pending_login,
    start_session,
)
from reception.accounts.two_factor import TwoFactorPolicy
from reception.core.i18n import current_locale
from reception.core.types import utcnow
from reception.core.web import attempt, perform
from reception.domain.workflow import Role
from reception.extensions import db, limiter
from reception.notifications import emails

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        now = utcnow()
        user = services.authenticate(db.session, form.email.data, form.password.data, now=now)
        next_url = safe_next(request.args.get("next"), "")
        if user is None:
            db.session.rollback()
            form.password.errors = [_("The e-mail or password is wrong.")]
            status = 401
        elif user.email_confirmed_at is None:
            # The password is right but the address is not proved yet: send a new link.
            db.session.rollback()
            perform(lambda: _send_confirmation(user, now))
            form.email.errors = [
                _(
                    "Confirm your e-mail address first: we have sent a new link to %(email)s.",
                    email=user.email,
                )
            ]
            status = 403
        elif user.two_factor_enabled:
            # The log-in is finished (and recorded) after the second step.
            db.session.rollback()
            start_pending_login(user, next_url)
            return redirect(url_for("two_factor.verify"))
        else:
            perform()  # the log-in recorded by authenticate
            start_session(user)
            flash(_("You are logged in."), "success")
            if TwoFactorPolicy.from_config(current_app.config).required_for(user):
                return redirect(url_for("two_factor.setup"))
            return redirect(next_url or home_for(user))
    elif request.method == "POST":
        status = 401
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """Log out with a POST (the form carries the CSRF token); a GET only shows the button.

    Another site can make a browser GET any address, so a GET must not log anyone out.
    """
    if request.method == "GET":
        if not current_user.is_authenticated:
            return redirect(url_for("core.home"))
        return render_template("accounts/logout.html")
    end_current_session()
    logout_user()
    clear_session_keeping_language()
    flash(_("You are logged out."), "success")
    return redirect(url_for("core.home"))


def _absolute(endpoint: str, **values) -> str:
    """A link for an e-mail: the public address of the site, then the page."""
    return f"{current_app.config['RECEPTION_BASE_URL']}{url_for(endpoint, **values)}"


def _send_confirmation(user, now) -> None:
    settings = InvitationSettings.from_config(current_app.config)
    token = make_invitation_token(user, settings=settings, now=now, purpose="confirm")
    emails.confirm_email(
        db.session,
        user,
        url=_absolute("accounts.confirm_email", token=token),
        valid_hours=INVITATION_VALID_HOURS,
        now=now,
    )


def _sent(email: str):
    return render_template(
        "accounts/register_sent.html", email=email, days=INVITATION_VALID_HOURS // 24
    )


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_REGISTER"], methods=["POST"])
def register():
    """Create a citizen account; it works once the link sent to the address is opened.

    The answer is the same whether or not the address already has an account: the owner
    of an existing one gets an e-mail saying so instead, so that the page cannot be used
    to find out who is registered.
    """
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = RegisterForm()
    if form.validate_on_submit():
        now = utcnow()
        existing = services.get_user_by_email(db.session, form.email.data)

        def register_it():
            if existing is None:
                user = services.create_user(
                    db.session,
                    email=form.email.data,
                    password=form.password.data,
                    role=Role.citizen,
                    full_name=form.full_name.data,
                    locale=current_locale(),
                    now=now,
                    email_confirmed=False,
                )
                db.session.flush()
                _send_confirmation(user, now)
            else:
                services.check_password(form.password.data, existing.email)
                hash_password(form.password.data)  # the same time as creating an account
                emails.registration_attempt(
                    db.session,
                    existing,
                    locale=current_locale(),
                    login_url=_absolute("accounts.login"),
                    reset_url=_absolute("accounts.forgot_password"),
                    now=now,
                )

        try:
            outcome = attempt(register_it)
        except IntegrityError:
            # The same address registered at the same moment by another request.
            return _sent(form.email.data)
        if outcome.done:
            return _sent(form.email.data)
        for name, message in outcome.refused.errors.items():
            if name in form:
                form[name].errors = [message]
    elif request.method == "POST":
        _every_registration_error(form)
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/register.html", form=form), status


def _every_registration_error(form: RegisterForm) -> None:
    """A form refused for an empty field also says what is wrong with the filled ones (the
    address's form, the password policy): every error at once, not one per attempt."""
    if form.email.data and not form.email.errors:
        try:
            validate_email(services.normalize_email(form.email.data), check_deliverability=False)
        except EmailNotValidError:
            form.email.errors = [_("Enter an e-mail address like name@example.kz.")]
    if form.password.data and not form.password.errors:
        problem = services.password_problem(form.password.data, form.email.data or "")
        if problem:
            form.password.errors = [problem]


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def confirm_email(token: str):
    """Open the account whose address this link proves, and log its owner in.

    Anyone may register any address with a password of their choosing; only the owner of
    the mailbox gets this link. So the link alone confirms nothing: the owner enters the
    password they chose at registration, or chooses a new one here, which replaces the
    registration's. An account never ends up with a password its owner did not choose
    (someone who registered another person's address cannot log in to it later).
    """
    settings = InvitationSettings.from_config(current_app.config)
    user = read_invitation_token(
        db.session, token, settings=settings, now=utcnow(), purposes=("confirm",)
    )
    if user is None:
        return render_template(
            "accounts/confirm_invalid.html", days=INVITATION_VALID_HOURS // 24
        ), 404
    if user.email_confirmed_at is not None:
        # The link logs in once; after that it only says where to go.
        flash(_("Your e-mail address is already confirmed. Please log in."), "info")
        return redirect(url_for("accounts.login"))
    g.reader_locale = user.locale
    form = ConfirmEmailForm()
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        now = utcnow()
        refused = _confirm_with_password(user, form, now)
        if refused is None:
            perform()  # the confirmation _confirm_with_password wrote
            flash(_("Your e-mail address is confirmed and your account is ready."), "success")
            if user.two_factor_enabled:
                start_pending_login(user, "")
                return redirect(url_for("two_factor.verify"))
            start_session(user)
            return redirect(home_for(user))
        db.session.rollback()
        for name, message in refused.items():
            form[name].errors = [message]
        status = 422
    elif request.method == "POST":
        status = 400
    response = current_app.make_response(
        (render_template("accounts/confirm_email.html", form=form, user=user), status)
    )
    # The address is a secret until it is used: keep it out of caches.
    response.headers["Cache-Control"] = "no-store"
    return response


def _confirm_with_password(user, form: ConfirmEmailForm, now) -> dict | None:
    """Confirm the address if the password is the registration's, or set the new one.

    Returns the errors by field, or None when the address is confirmed.
    """
    new_password = form.new_password.data or ""
    if new_password or form.new_password_confirm.data:
        try:
            # Replaces the registration's password and ends any session of the account.
            services.set_password(
                db.session, user, new_password, form.new_password_confirm.data or "", now=now
            )
        except services.AccountError as refused:
            names = {"password": "new_password", "password_confirm": "new_password_confirm"}
            return {names[name]: message for name, message in refused.errors.items()}
        return None
    if not form.password.data:
        return {"password": _("Enter the password you chose, or choose a new one below.")}
    if not verify_password(form.password.data, user.password_hash):
        return {
            "password": _(
                "This is not the password chosen when this address was registered. If you did "
                "not register it, or do not remember the password, choose a new one below."
            )
        }
    user.email_confirmed_at = now
    if not user.two_factor_enabled:
        user.last_login_at = now  # the link logs its owner in
    return None


@bp.route("/account/set-password/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def set_password(token: str):
    """Set the password from an invitation link, then start a session."""
    settings = InvitationSettings.from_config(current_app.config)
    user = read_invitation_token(
        db.session, token, settings=settings, now=utcnow(), purposes=("invite", "reset")
    )
    if user is None:
        return render_template("accounts/set_password_invalid.html"), 404
    g.reader_locale = user.locale
    form = SetPasswordForm()
    status = 200
    if request.method == "POST":
        outcome = attempt(
            lambda: services.set_password(
                db.session,
                user,
                form.password.data or "",
                form.password_confirm.data or "",
                now=utcnow(),
            )
        )
        if not outcome.done:
            refused = outcome.refused
            for name, message in refused.errors.items():
                form[name].errors = [message]
            status = 422
        else:
            if user.two_factor_enabled:
                # A new password does not replace the second factor.
                start_pending_login(user, "")
                flash(_("Your password is set. Now enter the code from your app."), "success")
                return redirect(url_for("two_factor.verify"))
            start_session(user)
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
            perform(
                lambda: emails.password_reset(
                    db.session,
                    user,
                    url=settings.url(token),
                    valid_hours=RESET_VALID_HOURS,
                    now=now,
                )
            )
        # The same answer for an unknown address: the page must not reveal who has an account.
        return render_template("accounts/forgot_sent.html", email=form.email.data)
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/forgot.html", form=form), status
