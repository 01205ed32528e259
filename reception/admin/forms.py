"""The administration's forms: they render fields and keep what was typed.

The checks live in the services, so the pages, the command line and the tests refuse
exactly the same things; a refusal's messages are put back on the fields here.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField

from reception.core.i18n import lazy_gettext as _l


class AdminForm(FlaskForm):
    class Meta:
        # CSRFProtect checks every POST before the view; the template carries the token.
        csrf = False

    def show_errors(self, errors: Mapping[str, object]) -> dict[str, object]:
        """Put each message on its field; return the ones that belong to no field."""
        rest = {}
        for name, message in errors.items():
            if name in self._fields:
                self[name].errors = [message]
            else:
                rest[name] = message
        return rest


def _select(label) -> SelectField:
    # Choices come from the database in the view; the service checks the value.
    return SelectField(label, choices=[], validate_choice=False)


def _number(label) -> StringField:
    return StringField(label, render_kw={"inputmode": "numeric", "class": "input--narrow"})


class AuthorityForm(AdminForm):
    code = StringField(_l("Code"), render_kw={"class": "input--narrow", "spellcheck": "false"})
    name_kk = StringField(_l("Name in Kazakh"))
    name_ru = StringField(_l("Name in Russian"))
    name_en = StringField(_l("Name in English"))
    level = _select(_l("Level"))
    region = _select(_l("Region"))
    superior = _select(_l("Superior body"))
    email = EmailField(_l("E-mail"))
    is_active = BooleanField(_l("Active: offered for routing and forwarding"))


class CategoryForm(AdminForm):
    code = StringField(_l("Code"), render_kw={"class": "input--narrow", "spellcheck": "false"})
    name_kk = StringField(_l("Name in Kazakh"))
    name_ru = StringField(_l("Name in Russian"))
    name_en = StringField(_l("Name in English"))
    default_term_days = _number(_l("Term, working days"))
    position = _number(_l("Order in lists"))
    is_active = BooleanField(_l("Active: offered on the appeal form"))


class RuleForm(AdminForm):
    category = _select(_l("Topic"))
    region = _select(_l("Region"))
    authority = _select(_l("State body"))


class RouteTestForm(AdminForm):
    category = _select(_l("Topic"))
    region = _select(_l("Region"))


class HolidayForm(AdminForm):
    day = StringField(_l("Date"), render_kw={"type": "date", "class": "input--narrow"})
    kind = _select(_l("The day becomes"))
    note = StringField(_l("Decree"))


class TemplateForm(AdminForm):
    category = _select(_l("Topic"))
    language = _select(_l("Language"))
    title = StringField(_l("Title"))
    body = TextAreaField(_l("Text"), render_kw={"rows": 12})
    is_active = BooleanField(_l("Active: offered to officials when they answer"))


class UserForm(AdminForm):
    email = EmailField(_l("E-mail"))
    full_name = StringField(_l("Full name"))
    role = _select(_l("Role"))
    authority = _select(_l("State body"))
    position = StringField(_l("Job title"))
    locale = _select(_l("Language of e-mails"))


class ApiKeyForm(AdminForm):
    name = StringField(_l("Name"))
    user = EmailField(_l("Acts for (e-mail of a staff member)"))
