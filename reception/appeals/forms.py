"""The appeal form and the tracking form.

The form only renders fields and carries CSRF; the checks live in submission.py so that
the web form, the operator's form and the APIs refuse exactly the same things.
"""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)

from reception.core.i18n import lazy_gettext as _l
from reception.domain.workflow import Channel


class AppealForm(FlaskForm):
    kind = RadioField(_l("Kind of appeal"), choices=[], validate_choice=False)
    category = SelectField(_l("Topic"), choices=[], validate_choice=False)
    region = SelectField(_l("Region"), choices=[], validate_choice=False)
    authority = SelectField(_l("State body"), choices=[], validate_choice=False)
    subject = StringField(_l("Short title of the appeal"))
    text = TextAreaField(_l("Your appeal"))
    attachments = MultipleFileField(_l("Attachments"))
    applicant_type = RadioField(
        _l("You write as"),
        choices=[
            SelectChoice("person", _l("A private person")),
            SelectChoice("organisation", _l("An organisation")),
        ],
        default="person",
        validate_choice=False,
    )
    full_name = StringField(_l("Full name"))
    iin = StringField(_l("IIN"))
    email = EmailField(_l("E-mail"))
    phone = TelField(_l("Phone"))
    address = StringField(_l("Postal address"))
    language = RadioField(_l("Language of the answer"), choices=[], validate_choice=False)
    publish_consent = BooleanField(
        _l("I agree that the answer may be published on this site without my personal data")
    )
    # Operators register appeals received on paper, by phone or in person.
    channel = RadioField(
        _l("Received"),
        choices=[
            SelectChoice(Channel.paper, _l("On paper")),
            SelectChoice(Channel.phone, _l("By phone")),
            SelectChoice(Channel.in_person, _l("In person")),
        ],
        default=Channel.paper,
        validate_choice=False,
    )
    # A field people never see; bots fill every field they find.
    website = StringField("Website")
    # Made when the form is first shown and sent back with it: the same form sent twice
    # registers one appeal.
    submission_key = HiddenField()


class TrackForm(FlaskForm):
    number = StringField(_l("Registration number"))
    code = StringField(_l("Access code"))
