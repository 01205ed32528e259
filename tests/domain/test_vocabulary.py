"""One vocabulary: a status, kind, channel, role, language or action code exists in one place.

The codes are the enums of reception.domain.workflow. Models build their CHECK constraints
from them, and no module of the product spells a code as a bare string where it decides
something (a comparison, an `IN` list, a `case`, a keyword such as `status=`, a default, a
tuple of codes): it names the enum member, or a set named in the domain (OPEN_STATUSES,
RUNNING_STATUSES, ...). Adding a code is then a change in the domain, a migration and the
translations. "Overdue" is one rule, checked here on both of its sides (Python and SQL).
"""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import CheckConstraint, select

from reception.domain.workflow import (
    LANGUAGES,
    OPEN_STATUSES,
    RUNNING_STATUSES,
    Action,
    AppealKind,
    AppealStatus,
    Channel,
    Language,
    Record,
    Role,
    is_overdue,
)
from reception.extensions import db

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ROOT / "reception"
TEMPLATES = ROOT / "templates"
VOCABULARY = (AppealStatus, AppealKind, Channel, Role, Action, Record, Language)
CODES = {str(member) for enum in VOCABULARY for member in enum}

# Where a code may still be spelled, and why. Keep this short.
ALLOWED: dict[str, set[str]] = {
    # The name of the API blueprint, not the channel.
    "reception/api/auth.py": {"api"},
    # Open311's own status words ("open", "closed"), not an appeal status.
    "reception/api/open311.py": {"closed"},
}
# Keywords whose value is a code.
CODE_KEYWORDS = {
    "status",
    "kind",
    "channel",
    "role",
    "action",
    "actor_role",
    "from_status",
    "to_status",
    "language",
}


def _is_code(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in CODES


def _codes_in(node: ast.AST) -> list[ast.Constant]:
    """A code, or the codes of a flat tuple, list or set (rows of data are not decisions)."""
    if _is_code(node):
        return [node]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [element for element in node.elts if _is_code(element)]
    return []


def spelled_codes(source: str) -> list[tuple[int, str]]:
    """(line, code) of each code spelled where it decides something."""
    found: list[ast.Constant] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                found += _codes_in(side)
        elif isinstance(node, ast.MatchValue):
            found += _codes_in(node.value)
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name in {"in_", "not_in", "notin_"}:
                for argument in node.args:
                    found += _codes_in(argument)
            for keyword in node.keywords:
                if keyword.arg in CODE_KEYWORDS:
                    found += _codes_in(keyword.value)
        elif isinstance(node, ast.arguments):
            for default in (*node.defaults, *node.kw_defaults):
                if default is not None:
                    found += _codes_in(default)
        elif isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(
            node.value, ast.Tuple | ast.List | ast.Set
        ):
            codes = _codes_in(node.value)
            if codes and len(codes) == len(node.value.elts):
                found += codes
    return sorted({(c.lineno, c.value) for c in found})


def _product_modules():
    for path in sorted(PRODUCT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(("reception/domain/", "reception/translations/")):
            continue
        yield relative, path


def test_the_check_finds_a_status_list_written_out():
    """The guard below is meaningful: it catches what it forbids."""
    source = """
RUNNING = ("registered", "in_progress")
def overdue(query, today, role="head"):
    if appeal.status in ("registered", "in_progress"):
        pass
    query.where(Appeal.status.in_(("registered", "in_progress")), Appeal.kind == "complaint")
    record_event(session, appeal, actor_role="citizen")
    match action:
        case "answer":
            pass
"""
    assert {code for _, code in spelled_codes(source)} == {
        "registered",
        "in_progress",
        "complaint",
        "head",
        "citizen",
        "answer",
    }
    assert spelled_codes("x = AppealStatus.registered\nif y in RUNNING_STATUSES: pass\n") == []


def test_no_module_outside_the_domain_spells_a_code():
    offences = []
    for relative, path in _product_modules():
        allowed = ALLOWED.get(relative, set())
        if "*" in allowed:
            continue
        for line, code in spelled_codes(path.read_text(encoding="utf-8")):
            if code not in allowed:
                offences.append(f"{relative}:{line}: {code!r}")
    assert offences == [], (
        "Name the enum member of reception.domain.workflow (or a set named there) instead "
        "of spelling the code:\n" + "\n".join(offences)
    )


_TEMPLATE_TEST = re.compile(
    r"\b(?:status|action|role|kind|channel|actor_role|a)\s*(?:==|!=|(?:not\s+)?in)\s*"
    r"\(?\s*[\"']([a-z_]+)[\"']"
)


def test_no_template_compares_a_status_role_or_event_code():
    offences = []
    for path in sorted(TEMPLATES.rglob("*")):
        if not path.is_file() or path.suffix not in {".html", ".txt"}:
            continue
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in _TEMPLATE_TEST.finditer(text):
                if match.group(1) in CODES:
                    offences.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)}")
    assert offences == [], "\n".join(offences)


def _check(table: str, name: str) -> str:
    for constraint in db.metadata.tables[table].constraints:
        if isinstance(constraint, CheckConstraint) and constraint.name == f"ck_{table}_{name}":
            return str(constraint.sqltext)
    raise AssertionError(f"no CHECK {name} on {table}")


@pytest.mark.parametrize(
    ("table", "column", "enum"),
    [
        ("appeals", "status", AppealStatus),
        ("appeals", "kind", AppealKind),
        ("appeals", "channel", Channel),
        ("appeals", "language", Language),
        ("users", "role", Role),
        ("answer_templates", "language", Language),
    ],
)
def test_every_code_constraint_lists_exactly_the_enum(table, column, enum):
    text = _check(table, column)
    assert text.startswith(f"{column} IN (")
    assert re.findall(r"'([^']*)'", text) == [str(member) for member in enum]


def test_the_named_sets_and_languages():
    assert {AppealStatus.registered, AppealStatus.in_progress} == RUNNING_STATUSES
    assert RUNNING_STATUSES < OPEN_STATUSES
    assert LANGUAGES == ("kk", "ru", "en")
    assert all(isinstance(member, str) for enum in VOCABULARY for member in enum)


TODAY = date(2026, 3, 10)
OVERDUE_CASES = [
    (status, due_on)
    for status in AppealStatus
    for due_on in (date(2026, 3, 9), TODAY, date(2026, 3, 11))
]


def test_overdue_is_one_rule_in_python_and_in_sql():
    """Appeal.is_overdue(today) as SQL selects exactly the appeals the domain calls overdue."""
    from reception.appeals.models import Appeal
    from tests.conftest import TUESDAY_MORNING
    from tests.factories import make_appeal

    made = []
    for status, due_on in OVERDUE_CASES:
        appeal, _ = make_appeal(TUESDAY_MORNING)
        appeal.status = status
        appeal.due_on = due_on
        appeal.paused_on = due_on if status == AppealStatus.awaiting_citizen else None
        appeal.registered_on = date(2026, 3, 1)
        appeal.answered_at = TUESDAY_MORNING if status in ("answered", "closed") else None
        appeal.closed_at = TUESDAY_MORNING if status == "closed" else None
        made.append(appeal)
    db.session.flush()
    ids = [a.id for a in made]
    in_sql = set(
        db.session.scalars(select(Appeal.id).where(Appeal.id.in_(ids), Appeal.is_overdue(TODAY)))
    )
    in_python = {a.id for a in made if is_overdue(a.status, a.due_on, TODAY)}
    assert in_sql == in_python == {a.id for a in made if a.is_overdue(TODAY)}
    # The rule itself: the clock runs and the due date has passed.
    assert {(AppealStatus(a.status), a.due_on) for a in made if a.id in in_sql} == {
        (s, date(2026, 3, 9)) for s in RUNNING_STATUSES
    }
    db.session.rollback()


def test_every_code_has_its_words():
    """The labels (the translations' side of a code) cover exactly the domain's codes."""
    from reception.core import labels

    assert list(labels.STATUS_LABELS) == list(AppealStatus)
    assert list(labels.KIND_LABELS) == list(AppealKind) == list(labels.KIND_HINTS)
    assert list(labels.CHANNEL_LABELS) == list(Channel)
    assert list(labels.ROLE_LABELS) == list(Role)
    assert tuple(labels.LANGUAGE_LABELS) == tuple(labels.LANGUAGE_NAMES) == LANGUAGES
    assert set(Action) | set(Record) <= set(labels.EVENT_LABELS)
