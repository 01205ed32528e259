"""Every e-mail, rendered in Kazakh and Russian with fixed data, matches its reviewed sample.

The samples in email_samples/ were read by a reader of official Kazakh and Russian. A change
to an e-mail's wording (a template or a catalog entry) changes a sample, so it shows in
review. After a deliberate change, regenerate them and read the difference:

    REGENERATE_EMAIL_SAMPLES=1 .venv/bin/python -m pytest -q tests/notifications/test_email_samples.py
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from reception.accounts.models import User
from reception.appeals.models import Appeal, AppealEvent, CoApplicant
from reception.directory.models import Authority
from reception.notifications import emails
from reception.notifications.outbox import queue_email

SAMPLES = Path(__file__).resolve().parent / "email_samples"
TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "email"
REGENERATE = os.environ.get("REGENERATE_EMAIL_SAMPLES") == "1"
LOCALES = ("kk", "ru")
NOW = datetime(2026, 11, 17, 4, 0, tzinfo=UTC)
BASE_URL = "https://reception.example.kz"


class Outbox:
    """Stands in for the database session: the e-mail functions only add their message."""

    def __init__(self):
        self.messages = []

    def add(self, message):
        self.messages.append(message)


def _body(code: str, kk: str, ru: str, en: str) -> Authority:
    return Authority(code=code, name_kk=kk, name_ru=ru, name_en=en)


DISTRICT = _body(
    "astana-almaty-district-akimat",
    "Астана қаласы Алматы ауданының әкімдігі",
    "Акимат района Алматы города Астаны",
    "Akimat of Almaty district, Astana",
)
CITY = _body("astana-akimat", "Астана қаласының әкімдігі", "Акимат города Астаны", "Astana akimat")
INSPECTION = _body(
    "astana-housing-inspection",
    "Астана қаласының тұрғын үй инспекциясы басқармасы",
    "Управление жилищной инспекции города Астаны",
    "Housing inspection of Astana",
)
BODIES = {body.code: body for body in (DISTRICT, CITY, INSPECTION)}

# What the people in the samples write, in the language of the sample.
WRITTEN = {
    "kk": {
        "name": "Айгүл Серікқызы Нұрланова",
        "subject": "Абай көшесіндегі 10-үйде жылу жоқ",
        "executor": "Ерлан Болатұлы Сағынтаев",
        "position": "бас маман",
        "head": "Мәди Жанұзақұлы Төлеуов",
        "forward": "Жылу беру мәселесі тұрғын үй инспекциясының құзыретіне жатады.",
        "request_info": "Пәтеріңіздің нөмірін және жылу қашаннан бері жоқ екенін көрсетіңіз.",
        "extend": "Жылу желісін тексеру үшін қосымша уақыт қажет.",
        "answer": "Жылу беру 20 қарашада қалпына келтірілді. Жылу желісі жөнделді.",
        "return": "Өтініште қосымша мәлімет сұралған мерзімде берілмеді.",
        "terminate": "Бұл мәселе бойынша 2026 жылғы 1 қарашада жауап берілген.",
        "mark_duplicate": "Осы мәселе бойынша өтінішіңіз бұрын тіркелген.",
    },
    "ru": {
        "name": "Айгуль Сериковна Нурланова",
        "subject": "Нет отопления в доме по улице Абая, 10",
        "executor": "Ерлан Болатович Сагынтаев",
        "position": "главный специалист",
        "head": "Мади Жанузакович Тулеуов",
        "forward": "Вопросы теплоснабжения относятся к компетенции жилищной инспекции.",
        "request_info": "Укажите номер квартиры и с какого числа нет отопления.",
        "extend": "Для проверки теплосети требуется дополнительное время.",
        "answer": "Теплоснабжение восстановлено 20 ноября. Теплосеть отремонтирована.",
        "return": "Запрошенные сведения не представлены в установленный срок.",
        "terminate": "По этому вопросу ответ дан 1 ноября 2026 года.",
        "mark_duplicate": "Ваше обращение по этому вопросу уже зарегистрировано.",
    },
}

# Each step of an appeal that the applicant hears about: the status it leads to and its data.
UPDATES = {
    "take": ("in_progress", {}),
    "forward": ("registered", {"to": INSPECTION.code, "due_on": "2026-12-09"}),
    "request_info": ("awaiting_citizen", {"reply_by": "2026-11-24"}),
    "reply": ("in_progress", {}),
    "extend": ("in_progress", {"to": "2027-01-15"}),
    "answer": ("answered", {"complaint_to": CITY.code, "complain_by": "2027-02-24"}),
    # The answer did not explain how to complain: 6 months instead of 3 (Art. 91).
    "answer.no_complaint_info": (
        "answered",
        {"complaint_to": CITY.code, "complain_by": "2027-05-24", "complaint_info_given": False},
    ),
    "return": ("returned", {"ground": "defects_not_fixed"}),
    "terminate": ("terminated", {"ground": "same_subject_decided"}),
    "mark_duplicate": ("terminated", {"duplicate_of": "RC-2026-00000701"}),
    "withdraw": ("withdrawn", {}),
    "rate": ("closed", {}),
    "complain": ("answered", {}),
    "close": ("closed", {}),
    # A complaint whose term ended without a decision; it stays open (Art. 91-100).
    "deemed_refused": ("in_progress", {"due_on": "2026-12-08"}),
    # A calendar change (a decreed day off) moved the last day of the term.
    "term_moved": ("in_progress", {"day": "2026-12-04", "from": "2026-12-08", "to": "2026-12-09"}),
}


def _appeal(locale: str, status: str = "registered") -> Appeal:
    words = WRITTEN[locale]
    return Appeal(
        number="RC-2026-00000742",
        language=locale,
        status=status,
        full_name=words["name"],
        email="aigul@example.kz",
        subject=words["subject"],
        registered_on=date(2026, 11, 17),
        due_on=date(2026, 12, 8),
        authority=DISTRICT,
        executor=User(email="erlan@example.kz", full_name=words["executor"], role="official"),
    )


def _person(locale: str, role: str = "citizen", **fields) -> User:
    name = WRITTEN[locale][{"citizen": "name", "head": "head"}.get(role, "executor")]
    return User(email="person@example.kz", full_name=name, role=role, locale=locale, **fields)


def _update(locale, variant, monkeypatch):
    status, data = UPDATES[variant]
    action = variant.split(".")[0]
    words = WRITTEN[locale]
    if action == "answer":
        data = {**data, "signed_by": words["executor"], "position": words["position"]}
    event = AppealEvent(action=action, comment=words.get(action, ""), data=dict(data))
    monkeypatch.setattr(emails, "get_authority", lambda session, code: BODIES[code])
    outbox = Outbox()
    emails.appeal_updated(outbox, _appeal(locale, status), event, base_url=BASE_URL, now=NOW)
    return outbox


def _render(name: str, locale: str, monkeypatch) -> Outbox:
    outbox = Outbox()
    link = f"{BASE_URL}/account/set-password/TOKEN"
    if name == "appeal_registered":
        emails.appeal_registered(outbox, _appeal(locale), "ABCDE-FGHJK", base_url=BASE_URL, now=NOW)
    elif name == "appeal_registered.co_applicant":
        # A collective appeal (Art. 22) filed by an operator for a representative without
        # e-mail: the co-applicant's own notice, without the access code.
        appeal = _appeal(locale)
        appeal.email = ""
        appeal.co_applicants = [
            CoApplicant(id=7, position=1, full_name="Гүлнар Сейітова", email="gulnar@example.kz")
        ]
        emails.appeal_registered(outbox, appeal, "ABCDE-FGHJK", base_url=BASE_URL, now=NOW)
    elif name.startswith("appeal_update."):
        return _update(locale, name.split(".", 1)[1], monkeypatch)
    elif name == "confirm_email":
        confirm = f"{BASE_URL}/register/confirm/TOKEN"
        emails.confirm_email(outbox, _person(locale), url=confirm, valid_hours=24, now=NOW)
    elif name == "deadline_reminder":
        emails.deadline_reminder(
            outbox,
            _appeal(locale),
            _person(locale, "official"),
            key="k",
            base_url=BASE_URL,
            now=NOW,
        )
    elif name.startswith("invitation."):
        person = _person(
            locale,
            "official",
            authority=DISTRICT,
            password_hash="set" if name.endswith(".new_password") else None,
        )
        emails.user_invitation(outbox, person, url=link, valid_hours=72, now=NOW)
    elif name == "overdue_alert":
        emails.overdue_alert(
            outbox, _appeal(locale), _person(locale, "head"), key="k", base_url=BASE_URL, now=NOW
        )
    elif name == "resolution_survey":
        emails.resolution_survey(
            outbox,
            _appeal(locale, "answered"),
            key="k",
            yes_url=f"{BASE_URL}/survey/TOKEN-YES",
            no_url=f"{BASE_URL}/survey/TOKEN-NO",
            valid_until=date(2027, 1, 29),
            complain_by=date(2027, 2, 24),
            complaint_to=CITY,
            now=NOW,
        )
    elif name == "password_reset":
        emails.password_reset(outbox, _person(locale), url=link, valid_hours=2, now=NOW)
    elif name == "registration_attempt":
        emails.registration_attempt(
            outbox,
            _person(locale),
            locale=locale,
            login_url=f"{BASE_URL}/login",
            reset_url=f"{BASE_URL}/password/forgot",
            now=NOW,
        )
    elif name == "return_reminder":
        # Queued by reception.appeals.clock.remind_returns, which has no function in emails.
        appeal = _appeal(locale, "awaiting_citizen")
        appeal.info_due_on = date(2026, 11, 24)
        queue_email(
            outbox,
            "return_reminder",
            recipient="person@example.kz",
            locale=locale,
            appeal=appeal,
            now=NOW,
            context={
                "appeal": appeal,
                "user": _person(locale, "official"),
                "return_by": date(2026, 11, 27),
                "days": 3,
                "url": f"{BASE_URL}/review/appeals/{appeal.number}",
            },
        )
    elif name == "second_factor_locked":
        emails.second_factor_locked(
            outbox,
            _person(locale),
            failures=5,
            minutes=15,
            url=f"{BASE_URL}/password/forgot",
            now=NOW,
        )
    elif name.startswith("two_factor_changed."):
        emails.two_factor_changed(
            outbox,
            _person(locale),
            change=name.split(".", 1)[1],
            url=f"{BASE_URL}/password/forgot",
            now=NOW,
        )
    else:  # pragma: no cover - a new e-mail needs a line above
        raise AssertionError(f"no sample data for {name}")
    return outbox


SAMPLE_NAMES = (
    "appeal_registered",
    "appeal_registered.co_applicant",
    *(f"appeal_update.{action}" for action in UPDATES),
    "confirm_email",
    "deadline_reminder",
    "invitation.new_account",
    "invitation.new_password",
    "overdue_alert",
    "password_reset",
    "registration_attempt",
    "return_reminder",
    "second_factor_locked",
    "resolution_survey",
    *(f"two_factor_changed.{change}" for change in ("on", "off", "reset", "codes")),
)


def _as_text(message) -> str:
    # As sent, signature delimiter ("-- ") included; only the final newlines are settled.
    return f"Subject: {message.subject}\n\n{message.body_text.strip(chr(10))}\n"


def test_every_email_template_has_samples():
    templates = {path.name for path in TEMPLATES.iterdir() if path.is_dir()}
    assert templates == {name.split(".")[0] for name in SAMPLE_NAMES}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_email_matches_its_reviewed_sample(name, locale, monkeypatch):
    outbox = _render(name, locale, monkeypatch)
    assert len(outbox.messages) == 1
    rendered = _as_text(outbox.messages[0])
    sample = SAMPLES / f"{name}.{locale}.txt"
    if REGENERATE:
        SAMPLES.mkdir(exist_ok=True)
        sample.write_text(rendered, encoding="utf-8")
    assert sample.exists(), f"no sample {sample.name}: run with REGENERATE_EMAIL_SAMPLES=1"
    assert rendered == sample.read_text(encoding="utf-8")


def test_no_sample_is_left_over():
    wanted = {f"{name}.{locale}.txt" for name in SAMPLE_NAMES for locale in LOCALES}
    assert {path.name for path in SAMPLES.glob("*.txt")} == wanted
