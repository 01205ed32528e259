"""Every user-visible string has a Kazakh and a Russian translation, compiled."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "reception" / "translations"


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_catalog_is_complete(locale):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    missing = [
        message.id
        for message in catalog
        if message.id
        and (not all(message.string) if isinstance(message.string, tuple) else not message.string)
    ]
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert missing == [] and fuzzy == []


def _frozen(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_compiled_catalog_matches_its_source(locale):
    """The .mo the app loads says what the .po says (run `make translations`)."""
    from babel.messages.mofile import read_mo

    folder = TRANSLATIONS / locale / "LC_MESSAGES"

    def entries(catalog):  # plural ids and strings come as lists from one reader
        return {_frozen(m.id): _frozen(m.string) for m in catalog if m.id}

    with open(folder / "messages.po", "rb") as handle:
        source = entries(read_po(handle))
    with open(folder / "messages.mo", "rb") as handle:
        compiled = entries(read_mo(handle))
    assert compiled == source


def test_catalog_template_lists_every_string_in_the_code():
    """The .pot must be regenerated (make translations-extract) after adding strings."""
    import subprocess
    import sys
    import tempfile

    root = TRANSLATIONS.parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "fresh.pot"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "babel.messages.frontend",
                "extract",
                "-F",
                "babel.cfg",
                "-k",
                "_l",
                "-k",
                "lazy_gettext",
                "-o",
                str(fresh),
                ".",
            ],
            cwd=root,
            check=True,
            capture_output=True,
        )
        with open(fresh, "rb") as handle:
            fresh_ids = {m.id for m in read_po(handle) if m.id}
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        known_ids = {m.id for m in read_po(handle) if m.id}
    assert fresh_ids - known_ids == set()
