"""Explained terms in sentences, for the pages and the JSON (docs/domain.md, section 11)."""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from reception.core.i18n import current_locale, local_date
from reception.core.labels import KIND_LABELS
from reception.domain import explain as ex
from reception.domain.workflow import Action
from reception.terms.names import holiday_label


def _day_name(step: ex.TermStep, country: str) -> str:
    if step.reason == ex.OVERRIDE:
        if step.name:
            return _("a day off set by the administrator: %(note)s", note=step.name)
        return _("a day off set by the administrator")
    if step.reason == ex.WEEKEND:
        return _("a weekend")
    label = holiday_label(country, step.on, step.name, current_locale())
    if step.reason == ex.TRANSFER:
        return _("a decreed day off: %(name)s", name=label)
    return _("a public holiday: %(name)s", name=label)


_REGISTERED = {
    "same_day": lambda d: _(
        "Registered on %(date)s: received on a working day before the end of the working day.",
        date=d,
    ),
    "after_cutoff": lambda d: _(
        "Registered on %(date)s, the next working day: received after the end of the working "
        "day (%(time)s).",
        date=d,
        time=current_app.config["RECEPTION_WORKDAY_CUTOFF"],
    ),
    "day_off": lambda d: _(
        "Registered on %(date)s, the next working day: received on a day off.", date=d
    ),
}


def describe(step: ex.TermStep, country: str = "KZ") -> str:
    """One sentence for a step, in the current language."""
    d = local_date(step.on) if step.on else ""
    match step.code:
        case ex.RECEIVED:
            return _(
                "Received on %(date)s at %(time)s, local time.",
                date=local_date(step.at.date()),
                time=step.at.strftime("%H:%M"),
            )
        case ex.REGISTERED:
            return _REGISTERED.get(step.reason, _REGISTERED["same_day"])(d)
        case ex.TERM:
            return ngettext(
                "Term for this kind (%(kind)s): %(num)d working day, counted from the day "
                "after registration (Art. 76).",
                "Term for this kind (%(kind)s): %(num)d working days, counted from the day "
                "after registration (Art. 76).",
                step.days,
                kind=KIND_LABELS.get(step.reason, step.reason),
            )
        case ex.DAY_ONE:
            return _("Day 1 of the term: %(date)s.", date=d)
        case ex.SKIPPED:
            return _("%(date)s is not counted: %(why)s.", date=d, why=_day_name(step, country))
        case ex.WEEKENDS:
            return ngettext(
                "%(num)d Saturday or Sunday is not counted.",
                "%(num)d Saturdays and Sundays are not counted.",
                step.days,
            )
        case ex.WORKING_WEEKEND:
            return _("%(date)s is counted: a decreed working day.", date=d)
        case ex.FORWARDED:
            text = _(
                "Forwarded to the competent body (Art. 65); the term starts again: "
                "received there on %(date)s.",
                date=d,
            )
            return text + (" " + _("The forward was late.") if step.late else "")
        case ex.PAUSED:
            if step.until is None:
                return _(
                    "Paused on %(date)s while the body waits for the applicant; the working "
                    "days of waiting will be added.",
                    date=d,
                )
            return ngettext(
                "Paused from %(start)s to %(end)s while the body waited for the applicant: "
                "%(num)d working day added.",
                "Paused from %(start)s to %(end)s while the body waited for the applicant: "
                "%(num)d working days added.",
                step.days,
                start=d,
                end=local_date(step.until),
            )
        case ex.EXTENDED:
            text = _(
                "Extended by the head's decision from %(from)s to %(to)s (Art. 76).",
                **{"from": local_date(step.previous), "to": d},
            )
            if step.asked:
                text += " " + _(
                    "The decision named %(date)s, not a working day; the term ends on the "
                    "next working day.",
                    date=local_date(step.asked),
                )
            if step.name:
                text += " " + _("Reason: %(reason)s", reason=step.name)
            return text
        case ex.RECALCULATED:
            if step.until:
                return _(
                    "The working calendar changed for %(day)s: the due date moved from "
                    "%(from)s to %(to)s.",
                    **{"day": local_date(step.until), "from": local_date(step.previous), "to": d},
                )
            return _(
                "The due date was recalculated from %(from)s to %(to)s.",
                **{"from": local_date(step.previous), "to": d},
            )
        case ex.DUE:
            return _("Last day of the term: %(date)s.", date=d)
    return ""


def as_json(steps: list[ex.TermStep], country: str = "KZ") -> list[dict]:
    """Steps for the API: the machine fields and the sentence in the request's language."""
    out = []
    for step in steps:
        item = step.as_dict()
        if step.code == ex.SKIPPED and step.on is not None and step.reason != ex.OVERRIDE:
            item["name"] = _day_name_only(step, country)
        item["text"] = describe(step, country)
        out.append(item)
    return out


def _day_name_only(step: ex.TermStep, country: str) -> str:
    if step.reason == ex.WEEKEND:
        return _("a weekend")
    return holiday_label(country, step.on, step.name, current_locale())


def extension_moved_message(event) -> str:
    """Tell the head that the date they chose was moved to the next working day (Art. 76)."""
    if getattr(event, "action", None) != Action.extend:
        return ""
    data = getattr(event, "data", None) or {}
    if not data.get("moved"):
        return ""
    return _(
        "%(asked)s is not a working day: the term now ends on the next working day, "
        "%(date)s (Art. 76).",
        asked=local_date(date.fromisoformat(data["asked"])),
        date=local_date(date.fromisoformat(data["to"])),
    )
