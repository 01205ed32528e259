"""Reference data that routing and deadlines depend on."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reception.core.types import one_of
from reception.domain.workflow import Language
from reception.extensions import db


class TranslatedName:
    """Names stored in kk, ru and en; shown in the reader's language."""

    name_kk: Mapped[str]
    name_ru: Mapped[str]
    name_en: Mapped[str]

    def name(self, locale: str) -> str:
        return getattr(self, f"name_{locale}", None) or self.name_en


class Region(TranslatedName, db.Model):
    __tablename__ = "regions"
    __table_args__ = (CheckConstraint("kind IN ('region', 'city')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)  # ISO 3166-2, e.g. KZ-71
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10), default="region")

    def __repr__(self) -> str:
        return f"<Region {self.code}>"


class Authority(TranslatedName, db.Model):
    """A state body; the tree of superior bodies is where complaints go."""

    __tablename__ = "authorities"
    __table_args__ = (
        CheckConstraint("superior_id IS NULL OR superior_id <> id", name="not_own_superior"),
        CheckConstraint("level IN ('republic', 'region', 'city', 'district')", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_kk: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(16), default="region")
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    superior_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    region: Mapped[Region | None] = relationship()
    superior: Mapped[Authority | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Authority {self.code}>"


class Category(TranslatedName, db.Model):
    __tablename__ = "categories"
    __table_args__ = (
        CheckConstraint("default_term_days IS NULL OR default_term_days > 0", name="term"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    # Overrides the term of the kind when set (a category with a shorter special term).
    default_term_days: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<Category {self.code}>"


class RoutingRule(db.Model):
    """(category, region) → authority; an empty side matches any (a fallback)."""

    __tablename__ = "routing_rules"
    __table_args__ = (UniqueConstraint("category_id", "region_id", name="uq_routing_rules_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))

    category: Mapped[Category | None] = relationship()
    region: Mapped[Region | None] = relationship()
    authority: Mapped[Authority] = relationship()


class AnswerTemplate(db.Model):
    """A reusable answer text for a category (or every category) in one language."""

    __tablename__ = "answer_templates"
    __table_args__ = (CheckConstraint(one_of("language", Language), name="language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    language: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    category: Mapped[Category | None] = relationship()


class HolidayOverride(db.Model):
    """A decree the `holidays` package does not know yet: it wins over the package."""

    __tablename__ = "holiday_overrides"
    __table_args__ = (CheckConstraint("kind IN ('day_off', 'working_day')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(300), default="")
