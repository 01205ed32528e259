"""Log-in and registration forms."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from reception.core.i18n import lazy_gettext as _l


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Enter your e-mail address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Enter your e-mail address."))])


class RegisterForm(FlaskForm):
    full_name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("This field is required.")), Length(max=300)],
    )
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("This field is required."))])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("This field is required."))]
    )
    password_confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(_l("This field is required.")),
            EqualTo("password", _l("The passwords do not match.")),
        ],
    )


class SetPasswordForm(FlaskForm):
    # The checks are the password policy in services.set_password, shared with the tests.
    password = PasswordField(_l("New password"))
    password_confirm = PasswordField(_l("Repeat the password"))


class ConfirmEmailForm(FlaskForm):
    """Confirming an address: the password chosen at registration, or a new one.

    Whoever registered the address chose a password; only the mailbox's owner opens the
    link. The owner either proves they chose that password or replaces it, so an account
    never ends up with a password its owner did not choose.
    """

    password = PasswordField(_l("The password you chose when you registered"))
    new_password = PasswordField(_l("New password"))
    new_password_confirm = PasswordField(_l("Repeat the new password"))


class TwoFactorCodeForm(FlaskForm):
    """One code: 6 digits from the app, or (at log-in) a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Enter the code.")), Length(max=32)],
    )
