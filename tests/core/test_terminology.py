"""The Kazakh and Russian catalogs use the domain's words, one way each.

The list of words lives beside the catalogs, in reception/translations/terminology.json:
forms that must not appear (with the reason and the right form), the glossary's terms
and the stems their translations must contain, and the exact status and kind names.
Every test here holds for any entry, so new strings are checked as they arrive.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "reception" / "translations"
TERMINOLOGY = json.loads((TRANSLATIONS / "terminology.json").read_text(encoding="utf-8"))
LOCALES = ("kk", "ru")

PLACEHOLDER = r"(?:%\([^)]*\)[a-z]|%[sd]|\{[^{}\s]*\})"
# A placeholder with letters written straight after it («%(n)d-ден», «%(date)sдан», «{n}-ші»):
# the ending cannot follow the sound of a value nobody knows yet.
GLUED = re.compile(PLACEHOLDER + r"(?:-\w|[^\W\d_])")


def _after_placeholder(words: list[str]) -> re.Pattern | None:
    if not words:
        return None
    return re.compile(PLACEHOLDER + r"\s+(?:" + "|".join(map(re.escape, words)) + r")(?![\w-])")


@dataclass(frozen=True)
class Entry:
    ids: tuple[str, ...]
    strings: tuple[str, ...]
    locations: tuple[str, ...]


def _as_tuple(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


@cache
def entries(locale: str) -> tuple[Entry, ...]:
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    return tuple(
        Entry(
            _as_tuple(message.id),
            tuple(s for s in _as_tuple(message.string) if s),
            tuple(path for path, _ in message.locations),
        )
        for message in catalog
        if message.id
    )


def _seen_by_citizens(entry: Entry) -> bool:
    prefixes = tuple(TERMINOLOGY["citizen_facing"])
    return any(path.startswith(prefixes) for path in entry.locations)


def _uses(rule: dict, text: str) -> bool:
    if rule.get("whole"):
        return re.fullmatch(rule["form"], text.strip(), re.IGNORECASE) is not None
    return re.search(rule["form"], text, re.IGNORECASE) is not None


def _rules(locale: str) -> list[dict]:
    return TERMINOLOGY["forbidden"][locale]


# The list itself -------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_every_forbidden_form_says_why_and_catches_its_example(locale):
    for rule in _rules(locale):
        assert rule["why"] and rule["use"], rule
        assert _uses(rule, rule["example"]), f"«{rule['form']}» misses its example"


@pytest.mark.parametrize("locale", LOCALES)
def test_the_right_form_is_never_a_forbidden_one(locale):
    for rule in _rules(locale):
        assert not any(_uses(other, rule["use"]) for other in _rules(locale)), rule["use"]


def test_every_term_names_its_stems_in_both_languages():
    for term in TERMINOLOGY["terms"]:
        re.compile(term["en"])
        assert all(term[locale] for locale in LOCALES), term["concept"]


# The catalogs ----------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_no_translation_uses_a_forbidden_form(locale):
    found = []
    for entry in entries(locale):
        for rule in _rules(locale):
            if rule.get("scope") == "citizen" and not _seen_by_citizens(entry):
                continue
            found += [
                f"{entry.ids[0]!r} -> {text!r}: «{rule['form']}» ({rule['why']}); write {rule['use']}"
                for text in entry.strings
                if _uses(rule, text)
            ]
    assert found == []


@pytest.mark.parametrize(
    "text",
    ["%(n)d-ден көп емес", "%(date)sдан бастап", "%(name)s-ға", "{n}-ші", "%(n)d-й раз", "%sқа"],
)
def test_the_glued_ending_check_catches(text):
    assert GLUED.search(text)


@pytest.mark.parametrize(
    "text",
    [
        "Файлдар саны — ең көбі %(n)d.",
        "%(n)s МБ",
        "%(email)s мекенжайына",
        "Кілттің күші жойылды: %(prefix)s…",
        "(%(email)s)",
        "%(min)d–%(max)d таңба",
    ],
)
def test_the_glued_ending_check_lets_pass(text):
    assert not GLUED.search(text)


def test_a_postposition_after_a_placeholder_is_caught():
    check = _after_placeholder(TERMINOLOGY["postpositions"]["kk"])
    assert check.search("%(date)s бастап")
    assert check.search("%(date)s дейін жауап беріңіз")
    assert not check.search("%(dimension)s бойынша")
    assert not check.search("%(date)s бастапқы")


@pytest.mark.parametrize("locale", LOCALES)
def test_no_case_ending_is_glued_to_a_placeholder(locale):
    """Write "Label: %(value)s" instead: a placeholder cannot carry a case ending."""
    after = _after_placeholder(TERMINOLOGY["postpositions"][locale])
    found = [
        f"{entry.ids[0]!r} -> {text!r}"
        for entry in entries(locale)
        for text in entry.strings
        if GLUED.search(text) or (after and after.search(text))
    ]
    assert found == []


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_are_those_of_the_english(locale):
    named = re.compile(PLACEHOLDER)
    found = []
    for entry in entries(locale):
        wanted = sorted(set(named.findall(entry.ids[-1])))
        found += [
            f"{entry.ids[0]!r} -> {text!r}"
            for text in entry.strings
            if sorted(set(named.findall(text))) != wanted
        ]
    assert found == []


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("term", TERMINOLOGY["terms"], ids=lambda term: term["concept"])
def test_a_glossary_term_is_translated_the_same_way_everywhere(locale, term):
    english = re.compile(term["en"], re.IGNORECASE)
    excepted = [re.compile(pattern) for pattern in term.get("except", [])]
    stems = [stem.casefold() for stem in term[locale]]
    found = [
        f"{entry.ids[0]!r} -> {text!r}"
        for entry in entries(locale)
        if any(english.search(msgid) for msgid in entry.ids)
        and not any(pattern.search(entry.ids[0]) for pattern in excepted)
        for text in entry.strings
        if not any(stem in text.casefold() for stem in stems)
    ]
    assert found == [], f"{term['concept']}: use one of {term[locale]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_status_event_and_kind_names_are_the_glossarys(locale):
    by_id = {entry.ids[0]: entry.strings for entry in entries(locale)}
    wrong = {
        label["en"]: by_id.get(label["en"])
        for label in TERMINOLOGY["labels"]
        if by_id.get(label["en"]) != (label[locale],)
    }
    assert wrong == {}
