"""The domain package stays free of web and database frameworks."""

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "reception" / "domain"
BANNED_EXACT = {"flask", "sqlalchemy", "werkzeug"}


def banned_imports(source: str) -> list[str]:
    """Return the framework modules a piece of source imports."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in BANNED_EXACT or top.startswith("flask_"):
                found.append(name)
    return found


def domain_files() -> list[Path]:
    return sorted(DOMAIN.rglob("*.py"))


def test_domain_package_exists() -> None:
    assert (DOMAIN / "__init__.py").is_file()
    assert len(domain_files()) >= 6


@pytest.mark.parametrize("path", domain_files(), ids=lambda p: p.name)
def test_domain_module_imports_no_framework(path: Path) -> None:
    assert banned_imports(path.read_text(encoding="utf-8")) == []


def test_domain_has_no_utils_module() -> None:
    assert not [p for p in domain_files() if p.stem == "utils"]


@pytest.mark.parametrize(
    "source",
    [
        "import flask",
        "from flask import Flask",
        "import flask_login",
        "from flask_sqlalchemy import SQLAlchemy",
        "import sqlalchemy.orm as orm",
        "from sqlalchemy.orm import Session",
        "from werkzeug.security import check_password_hash",
        "def f():\n    import flask\n",
        "try:\n    import werkzeug\nexcept ImportError:\n    pass\n",
    ],
)
def test_checker_catches_framework_imports(source: str) -> None:
    assert banned_imports(source)


def test_checker_allows_plain_imports() -> None:
    assert banned_imports("import holidays\nfrom datetime import date\nimport flasky") == []
