"""Pages for users and roles, invitations and API keys."""

from __future__ import annotations

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from reception.accounts.invitations import InvitationSettings
from reception.accounts.models import ApiKey, User
from reception.accounts.sessions import current_session_token
from reception.accounts.two_factor import TwoFactorPolicy
from reception.accounts.user_sessions import SessionPolicy, count_active_sessions
from reception.admin import queries
from reception.admin.forms import ApiKeyForm, UserForm
from reception.admin.labels import ROLE_LABELS
from reception.admin.services import people as services
from reception.admin.views.common import (
    authority_choices,
    bp,
    flash_refusal,
    flash_saved,
    language_choices,
    row_or_404,
    save_form,
)
from reception.core.i18n import current_locale
from reception.core.inputs import known_args
from reception.core.types import utcnow
from reception.core.web import attempt
from reception.extensions import db


def _invitations() -> InvitationSettings:
    return InvitationSettings.from_config(current_app.config)


@bp.route("/users")
def users():
    filters = queries.UserFilters.from_args(request.args)
    return render_template(
        "admin/users.html",
        page=queries.list_users(db.session, filters),
        filters=filters,
        authorities=authority_choices(queries.list_all_authorities(db.session), empty=_("All")),
        args=known_args(request.args, ("role", "status", "authority", "q")),
    )


def _user_choices(form: UserForm, user: User | None) -> None:
    form.role.choices = [(code, str(label)) for code, label in ROLE_LABELS.items()]
    form.authority.choices = authority_choices(
        [
            a
            for a in queries.list_all_authorities(db.session)
            if a.is_active or (user is not None and a.id == user.authority_id)
        ],
        empty=_("None"),
    )
    form.locale.choices = language_choices()
    if user is not None and user.locale is None:
        form.locale.choices.insert(0, ("", _("Not chosen (Kazakh)")))


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    if request.method == "POST":
        form = UserForm()
    else:
        form = UserForm(data={"role": "official", "locale": current_locale()})
    saving = save_form(form, services.invite_user, invitations=_invitations())
    if saving.saved:
        user = saving.result
        flash(
            _("The account is created and an invitation is sent to %(email)s.", email=user.email),
            "success",
        )
        return redirect(url_for("admin.edit_user", user_id=user.id))
    _user_choices(form, None)
    return render_template("admin/user_new.html", form=form), saving.status


def _user_data(user: User) -> dict:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "authority": user.authority.code if user.authority else "",
        "position": user.position,
        "locale": user.locale or "",
    }


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = row_or_404(User, user_id)
    form = UserForm() if request.method == "POST" else UserForm(data=_user_data(user))
    saving = save_form(form, services.update_user, user)
    if saving.saved:
        flash_saved(saving.result, user.email)
        return redirect(url_for("admin.edit_user", user_id=user.id))
    _user_choices(form, user)
    return render_template(
        "admin/user_edit.html",
        form=form,
        user=user,
        keys=queries.list_api_keys(db.session, user=user),
        two_factor_roles=current_app.config["TWO_FACTOR_REQUIRED_ROLES"],
        active_sessions=count_active_sessions(
            db.session,
            user,
            now=utcnow(),
            policy=SessionPolicy.from_config(current_app.config),
        ),
    ), saving.status


def _account_step(user_id: int, step, done_message: str):
    user = row_or_404(User, user_id)
    outcome = attempt(lambda: step(user))
    if outcome.done:
        flash(done_message, "success")
    else:
        flash_refusal(outcome.refused.errors)
    return redirect(url_for("admin.edit_user", user_id=user_id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
def deactivate_user(user_id: int):
    return _account_step(
        user_id,
        lambda user: services.deactivate_user(db.session, user, actor=current_user, now=utcnow()),
        _("The account is deactivated. Its history stays."),
    )


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
def reactivate_user(user_id: int):
    return _account_step(
        user_id,
        lambda user: services.reactivate_user(db.session, user, actor=current_user, now=utcnow()),
        _("The account is active again."),
    )


@bp.route("/users/<int:user_id>/reset-two-factor", methods=["POST"])
def reset_two_factor(user_id: int):
    return _account_step(
        user_id,
        lambda user: services.reset_two_factor(
            db.session,
            user,
            actor=current_user,
            now=utcnow(),
            policy=TwoFactorPolicy.from_config(current_app.config),
        ),
        _("Two-step verification is reset: the person sets it up again at the next log-in."),
    )


@bp.route("/users/<int:user_id>/end-sessions", methods=["POST"])
def end_user_sessions(user_id: int):
    return _account_step(
        user_id,
        lambda user: services.end_sessions(
            db.session,
            user,
            actor=current_user,
            now=utcnow(),
            keep_token=current_session_token(),
        ),
        _("The person is logged out on every device."),
    )


@bp.route("/users/<int:user_id>/invite", methods=["POST"])
def invite_user(user_id: int):
    return _account_step(
        user_id,
        lambda user: services.resend_invitation(
            db.session, user, actor=current_user, now=utcnow(), invitations=_invitations()
        ),
        _("A new set-password link is sent."),
    )


@bp.route("/api-keys", methods=["GET", "POST"])
def api_keys():
    form = ApiKeyForm()
    status = 200
    if request.method == "POST":

        def issue():
            key, secret = services.issue_api_key(
                db.session, request.form, actor=current_user, now=utcnow()
            )
            db.session.flush()
            # Shown on this response only: never stored, never put in the session cookie.
            # The page is made before the commit, so that a database lost right after it
            # cannot take the only sight of the secret away.
            return render_template("admin/api_key_created.html", key=key, secret=secret)

        outcome = attempt(issue)
        if not outcome.done:
            flash_refusal(form.show_errors(outcome.refused.errors))
            status = 422
        else:
            response = make_response(outcome.result, 201)
            response.headers["Cache-Control"] = "no-store"
            return response
    return render_template(
        "admin/api_keys.html",
        form=form,
        keys=queries.list_api_keys(db.session),
        staff_emails=queries.list_staff_emails(db.session),
    ), status


@bp.route("/api-keys/<int:key_id>/revoke", methods=["POST"])
def revoke_api_key(key_id: int):
    key = row_or_404(ApiKey, key_id)
    outcome = attempt(
        lambda: services.revoke_api_key(db.session, key, actor=current_user, now=utcnow())
    )
    if outcome.done:
        flash(_("The key %(prefix)s… is revoked.", prefix=key.prefix), "success")
    else:
        flash_refusal(outcome.refused.errors)
    return redirect(url_for("admin.api_keys"))
