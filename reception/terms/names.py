"""Holiday names in the reader's language.

The `holidays` package names Kazakhstan's days in en_US and kk; Russian comes from this
mapping of the package's English names, marked for translation like every other string.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _

from reception.core.i18n import lazy_gettext as _l
from reception.domain.explain import holiday_name
from reception.domain.workflow import Language

# The package's English names for Kazakhstan (2019 onwards), each marked for translation.
HOLIDAY_NAMES = {
    "New Year's Day": _l("New Year's Day"),
    "Orthodox Christmas": _l("Orthodox Christmas"),
    "International Women's Day": _l("International Women's Day"),
    "Nowruz Holiday": _l("Nowruz Holiday"),
    "Kazakhstan's People Solidarity Holiday": _l("Kazakhstan's People Solidarity Holiday"),
    "Defender of the Fatherland Day": _l("Defender of the Fatherland Day"),
    "Victory Day": _l("Victory Day"),
    "Capital Day": _l("Capital Day"),
    "Eid al-Adha": _l("Eid al-Adha"),
    "Constitution Day": _l("Constitution Day"),
    "Republic Day": _l("Republic Day"),
    "Independence Day": _l("Independence Day"),
    "First President Day": _l("First President Day"),
}

_SUBSTITUTED = re.compile(r"^Day off \(substituted from (\d\d)/(\d\d)/(\d{4})\)$")
_SUFFIXED = re.compile(r"^(.*) \((observed|estimated)\)$")


def translate_holiday(name: str) -> str:
    """The English package name in the current language (through the catalogue)."""
    from reception.core.i18n import local_date

    match = _SUBSTITUTED.match(name)
    if match:
        month, day, year = (int(g) for g in match.groups())
        return _("Day off moved from %(date)s", date=local_date(date(year, month, day)))
    match = _SUFFIXED.match(name)
    if match:
        base = str(HOLIDAY_NAMES.get(match.group(1), match.group(1)))
        if match.group(2) == "observed":
            return _("%(name)s (moved day off)", name=base)
        return _("%(name)s (estimated date)", name=base)
    return str(HOLIDAY_NAMES.get(name, name))


def holiday_label(country: str, day: date, english_name: str, locale: str) -> str:
    """The name of a day off in a language: the package's own for kk, ours for ru."""
    if locale == Language.kk:
        return holiday_name(country, day, "kk") or translate_holiday(english_name)
    return translate_holiday(english_name)
