"""Demo users and appeals, so that a fresh installation has something to look at."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from reception.accounts.services import create_user, get_user_by_email
from reception.appeals import citizen_actions
from reception.appeals.models import Appeal
from reception.appeals.services import FilingSettings, file_appeal
from reception.appeals.submission import Submission
from reception.appeals.workflow import WorkflowSettings
from reception.core.files import AttachmentStore
from reception.directory.queries import get_authority
from reception.notifications.models import OutboxMessage
from reception.review import services as review

DEMO_PASSWORD = "demo-password"  # noqa: S105 (the documented demo log-in)
DEMO_USERS = (
    # email, role, authority, full name, position
    ("admin@demo.kz", "admin", None, "Әсел Администратор", "System administrator"),
    (
        "head@demo.kz",
        "head",
        "astana-akimat",
        "Ерлан Бекұлы Сейітов",
        "Head of the public reception",
    ),
    (
        "official@demo.kz",
        "official",
        "astana-akimat",
        "Айгерім Нұрланқызы Жұмабаева",
        "Chief specialist",
    ),
    ("operator@demo.kz", "operator", "astana-akimat", "Дана Оператор", "Reception operator"),
    ("citizen@demo.kz", "citizen", None, "Асқар Тұрсынұлы Мұқанов", ""),
)

# language, category, subject, text
DEMO_TEXTS = (
    (
        "ru",
        "housing-utilities",
        "Нет отопления в доме по улице Кенесары, 40",
        "С 1 ноября в нашем доме нет отопления. Управляющая компания не отвечает на звонки. "
        "Прошу принять меры и восстановить подачу тепла.",
    ),
    (
        "kk",
        "roads-transport",
        "Аялдамадағы жол шұңқырлары",
        "Тәуелсіздік даңғылындағы аялдама маңында үлкен шұңқырлар пайда болды. "
        "Жолды жөндеуді сұраймын.",
    ),
    (
        "ru",
        "education",
        "Очередь в детский сад",
        "Мой ребёнок стоит в очереди в детский сад с 2023 года. Прошу сообщить, когда "
        "будет предоставлено место, и разъяснить порядок очереди.",
    ),
    (
        "en",
        "ecology",
        "Illegal dumping near the river embankment",
        "Construction waste is being dumped near the Yesil river embankment every night. "
        "Please inspect the site and stop it.",
    ),
    (
        "kk",
        "social",
        "Зейнетақы төлемін қайта есептеу",
        "Зейнетақы төлемім дұрыс есептелмеген сияқты. Қайта есептеуді және түсініктеме "
        "беруді сұраймын.",
    ),
    (
        "ru",
        "land",
        "Оформление земельного участка под ИЖС",
        "Подал документы на участок под индивидуальное жилищное строительство полгода назад, "
        "ответа нет. Прошу сообщить о ходе рассмотрения.",
    ),
    (
        "ru",
        "public-order",
        "Шум по ночам от кафе",
        "Кафе на первом этаже нашего дома работает до 4 утра с громкой музыкой. "
        "Прошу провести проверку.",
    ),
    (
        "kk",
        "healthcare",
        "Емханада дәрігерге жазылу",
        "Емханада терапевтке екі апта бойы жазыла алмай жүрмін. Мәселені шешуді сұраймын.",
    ),
    (
        "en",
        "public-services",
        "Delay in issuing a residence certificate",
        "I applied for a certificate of residence three weeks ago and it is still not ready.",
    ),
    (
        "ru",
        "construction",
        "Строительство без разрешения во дворе",
        "Во дворе дома ведётся строительство, жильцы не были уведомлены. Прошу проверить "
        "наличие разрешительных документов.",
    ),
    (
        "ru",
        "labour",
        "Задержка заработной платы",
        "Работодатель не выплачивает зарплату три месяца. Прошу провести проверку.",
    ),
    (
        "kk",
        "family",
        "Көп балалы отбасына көмек",
        "Көп балалы отбасымыз үшін әлеуметтік көмек түрлері туралы ақпарат беруді сұраймын.",
    ),
)
DEMO_STREETS = ("Кенесары к-сі, 40", "Абай даңғылы, 12", "Сарыарқа даңғылы, 5", "Мәңгілік Ел, 33")


DEMO_ANSWERS = {
    "ru": "Ваше обращение рассмотрено. Управляющей компании выдано предписание; работы "
    "выполнены. Основание: Закон РК «О жилищных отношениях».",
    "kk": "Өтінішіңіз қаралды. Тиісті жұмыстар орындалды. Негіздеме: ҚР «Тұрғын үй қатынастары "
    "туралы» Заңы.",
    "en": "Your appeal has been considered. The site was inspected and the work has been done.",
}


def _play_history(
    session: Session,
    appeal: Appeal,
    index: int,
    *,
    now: datetime,
    store: AttachmentStore,
    settings: WorkflowSettings,
) -> None:
    """Walk some demo appeals through the workflow, so every status has examples."""
    official = get_user_by_email(session, "official@demo.kz")
    head = get_user_by_email(session, "head@demo.kz")
    start = appeal.received_at

    def at(days: int) -> datetime:
        return min(start + timedelta(days=days), now - timedelta(hours=1))

    common = {"settings": settings}
    step = index % 7
    if step == 0 or at(1) <= start:
        return
    if step == 6:
        review.forward_appeal(
            session,
            appeal,
            actor=official,
            now=at(1),
            **common,
            authority="astana-almaty-district-akimat",
            reason="The district akimat is responsible for this address.",
        )
        return
    review.take_appeal(session, appeal, actor=official, now=at(1), **common)
    if step == 2 or step == 4:
        review.answer_appeal(
            session,
            appeal,
            actor=official,
            now=at(6),
            **common,
            store=store,
            text=DEMO_ANSWERS[appeal.language],
        )
        if step == 4 and at(8) > at(6):
            citizen_actions.rate_answer(
                session,
                appeal,
                actor=appeal.citizen,
                now=at(8),
                **common,
                rating=4 + index % 2,
                comment="",
            )
    elif step == 3:
        review.request_info(
            session,
            appeal,
            actor=official,
            now=at(2),
            **common,
            text="Please give the flat number and attach a photo.",
            reply_days=10,
        )
    elif step == 5:
        review.add_note(
            session,
            appeal,
            actor=official,
            now=at(2),
            **common,
            text="Inspection ordered, waiting for the report.",
        )
        review.extend_deadline(
            session,
            appeal,
            actor=head,
            now=at(3),
            **common,
            due_on=(appeal.due_on + timedelta(days=14)).isoformat(),
            reason="An on-site inspection is needed.",
        )


@dataclass
class DemoReport:
    users: int = 0
    appeals: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)


def seed_demo(session: Session, *, now: datetime, settings_config: Mapping) -> DemoReport:
    """Add the demo users and a few dozen appeals of different ages; the caller commits."""
    report = DemoReport(logins=[(email, role) for email, role, *_ in DEMO_USERS])
    for email, role, authority_code, full_name, position in DEMO_USERS:
        if get_user_by_email(session, email) is None:
            create_user(
                session,
                email=email,
                password=DEMO_PASSWORD,
                role=role,
                full_name=full_name,
                position=position,
                now=now,
                authority=get_authority(session, authority_code) if authority_code else None,
            )
            report.users += 1
    session.flush()

    already = session.scalar(select(Appeal.id).where(Appeal.email.like("%@demo.kz")).limit(1))
    if already is not None:
        return report

    citizen = get_user_by_email(session, "citizen@demo.kz")
    settings = FilingSettings.from_config(settings_config)
    store = AttachmentStore(Path(settings_config["UPLOAD_FOLDER"]))
    rng = random.Random(2026)  # the same demo every time
    for index in range(36):
        language, category, subject, text = DEMO_TEXTS[index % len(DEMO_TEXTS)]
        days_ago = 45 - index * 45 // 36
        filed_at = now - timedelta(
            days=days_ago, hours=rng.randint(0, 8), minutes=rng.randint(0, 59)
        )
        owned = index % 6 == 0
        region = "KZ-71" if index % 5 else rng.choice(("KZ-75", "KZ-79", "KZ-35", "KZ-11"))
        submission = Submission(
            kind="application" if index % 4 else rng.choice(("request", "proposal", "report")),
            category=category,
            region=region,
            subject=subject,
            text=text,
            full_name=citizen.full_name if owned else f"Демо Өтініш беруші {index + 1}",
            email="citizen@demo.kz" if owned else f"applicant{index + 1}@demo.kz",
            phone=f"+7 701 555 00 {index:02d}",
            address=f"Астана, {DEMO_STREETS[index % len(DEMO_STREETS)]}",
            language=language,
            publish_consent=index % 3 == 0,
        )
        filed = file_appeal(
            session,
            submission,
            now=filed_at,
            actor=citizen if owned else None,
            settings=settings,
            store=store,
        )
        report.appeals += 1
        if filed.appeal.authority.code == "astana-akimat":
            _play_history(
                session,
                filed.appeal,
                index,
                now=now,
                store=store,
                settings=WorkflowSettings.from_config(settings_config),
            )
    session.flush()
    # Demo addresses do not exist: keep the messages as history, but never send them.
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.recipient.like("%@demo.kz"), OutboxMessage.status == "pending")
        .values(status="cancelled", last_error="demo data: not delivered")
    )
    return report
