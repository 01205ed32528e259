"""Reference data: the 20 regions, the topics, a default authority tree and routing.

Idempotent: running it again updates names and adds what is missing, never duplicates.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from reception.directory.models import AnswerTemplate, Authority, Category, Region, RoutingRule

DATA = Path(__file__).parent / "data"

REPUBLIC_BODIES = (
    # code, level, superior, kk, ru, en
    (
        "kz-government",
        "republic",
        None,
        "Қазақстан Республикасының Үкіметі",
        "Правительство Республики Казахстан",
        "Government of the Republic of Kazakhstan",
    ),
    (
        "kz-revenue-committee",
        "republic",
        "kz-government",
        "Қазақстан Республикасы Қаржы министрлігінің Мемлекеттік кірістер комитеті",
        "Комитет государственных доходов Министерства финансов Республики Казахстан",
        "State Revenue Committee of the Ministry of Finance",
    ),
)
ASTANA_DISTRICTS = (
    (
        "astana-almaty-district-akimat",
        "Астана қаласы Алматы ауданының әкімдігі",
        "Акимат района Алматы города Астаны",
        "Almaty District Akimat, Astana",
    ),
    (
        "astana-saryarka-district-akimat",
        "Астана қаласы Сарыарқа ауданының әкімдігі",
        "Акимат района Сарыарка города Астаны",
        "Saryarka District Akimat, Astana",
    ),
)
# The global fallback: accepting an appeal is mandatory, so some body always gets it.
FALLBACK_AUTHORITY = "kz-government"
CATEGORY_WIDE_ROUTES = {"taxes": "kz-revenue-committee"}
# Cities of republican significance take every topic themselves.
CITY_WIDE_REGION = "KZ-71"


# General answer templates (any category); administrators add per-category ones.
ANSWER_TEMPLATES = (
    (
        "ru",
        "Вопрос решён",
        "Уважаемый(ая) заявитель!\n\nВаше обращение рассмотрено. Сообщаем, что [описание принятых "
        "мер]. Основание: [норма закона].\n\nВ случае несогласия с ответом вы вправе "
        "обжаловать его в вышестоящий орган или в суд.",
    ),
    (
        "ru",
        "Разъяснение",
        "Уважаемый(ая) заявитель!\n\nНа ваше обращение разъясняем: [разъяснение]. Правовое "
        "основание: [норма закона].",
    ),
    (
        "kk",
        "Мәселе шешілді",
        "Құрметті өтініш беруші!\n\nСіздің өтінішіңіз қаралды. [Қабылданған шаралар]. Негіздеме: "
        "[заң нормасы].\n\nЖауаппен келіспеген жағдайда жоғары тұрған органға немесе сотқа шағым "
        "жасауға құқығыңыз бар.",
    ),
    (
        "kk",
        "Түсіндірме",
        "Құрметті өтініш беруші!\n\nСіздің өтінішіңізге түсіндіреміз: [түсіндірме]. Құқықтық "
        "негіздеме: [заң нормасы].",
    ),
    (
        "en",
        "Question resolved",
        "Dear applicant,\n\nYour appeal has been considered. [Measures taken]. Legal basis: "
        "[provision of law].\n\nIf you disagree with this answer, you may complain to the "
        "superior body or to a court.",
    ),
    (
        "en",
        "Explanation",
        "Dear applicant,\n\nIn reply to your appeal we explain: [explanation]. Legal basis: "
        "[provision of law].",
    ),
)


@dataclass
class SeedReport:
    regions: int = 0
    categories: int = 0
    authorities: int = 0
    routes: int = 0


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _upsert(session: Session, model, key: str, value: str, **fields):
    obj = session.scalar(select(model).where(getattr(model, key) == value))
    created = obj is None
    if created:
        obj = model(**{key: value})
        session.add(obj)
    for name, field_value in fields.items():
        setattr(obj, name, field_value)
    return obj, created


def _route(
    session: Session, category: Category | None, region: Region | None, authority: Authority
) -> bool:
    rule = session.scalar(
        select(RoutingRule).where(
            RoutingRule.category_id.is_(None)
            if category is None
            else RoutingRule.category_id == category.id,
            RoutingRule.region_id.is_(None)
            if region is None
            else RoutingRule.region_id == region.id,
        )
    )
    if rule is None:
        session.add(RoutingRule(category=category, region=region, authority=authority))
        return True
    return False


def seed_reference(session: Session) -> SeedReport:
    """Load or refresh the reference data; the caller commits."""
    report = SeedReport()
    regions: dict[str, Region] = {}
    for row in _rows("regions.csv"):
        region, created = _upsert(
            session,
            Region,
            "code",
            row["iso_code"],
            name_kk=row["name_kk"],
            name_ru=row["name_ru"],
            name_en=row["name_en"],
            kind=row["kind"],
        )
        regions[region.code] = region
        report.regions += created

    categories: dict[str, Category] = {}
    for position, row in enumerate(_rows("categories.csv")):
        category, created = _upsert(
            session,
            Category,
            "code",
            row["code"],
            name_kk=row["name_kk"],
            name_ru=row["name_ru"],
            name_en=row["name_en"],
            position=position,
        )
        categories[category.code] = category
        report.categories += created
    session.flush()

    authorities: dict[str, Authority] = {}
    for code, level, superior, kk, ru, en in REPUBLIC_BODIES:
        body, created = _upsert(
            session,
            Authority,
            "code",
            code,
            level=level,
            name_kk=kk,
            name_ru=ru,
            name_en=en,
            superior=authorities.get(superior),
            region=None,
        )
        authorities[code] = body
        report.authorities += created
    for row in _rows("akimats.csv"):
        region = regions[row["region"]]
        body, created = _upsert(
            session,
            Authority,
            "code",
            row["code"],
            level="city" if region.kind == "city" else "region",
            name_kk=row["name_kk"],
            name_ru=row["name_ru"],
            name_en=row["name_en"],
            region=region,
            superior=authorities[FALLBACK_AUTHORITY],
        )
        authorities[body.code] = body
        report.authorities += created
    for code, kk, ru, en in ASTANA_DISTRICTS:
        body, created = _upsert(
            session,
            Authority,
            "code",
            code,
            level="district",
            name_kk=kk,
            name_ru=ru,
            name_en=en,
            region=regions[CITY_WIDE_REGION],
            superior=authorities["astana-akimat"],
        )
        authorities[code] = body
        report.authorities += created
    session.flush()

    akimat_of = {row["region"]: authorities[row["code"]] for row in _rows("akimats.csv")}
    for code, region in regions.items():
        report.routes += _route(session, None, region, akimat_of[code])
    for category_code, authority_code in CATEGORY_WIDE_ROUTES.items():
        report.routes += _route(
            session, categories[category_code], None, authorities[authority_code]
        )
    for category in categories.values():
        report.routes += _route(
            session, category, regions[CITY_WIDE_REGION], akimat_of[CITY_WIDE_REGION]
        )
    report.routes += _route(session, None, None, authorities[FALLBACK_AUTHORITY])
    for language, title, body in ANSWER_TEMPLATES:
        exists = session.scalar(
            select(AnswerTemplate.id).where(
                AnswerTemplate.language == language, AnswerTemplate.title == title
            )
        )
        if exists is None:
            session.add(AnswerTemplate(language=language, title=title, body=body))
    session.flush()
    return report
