"""The settings registry (config.SETTINGS): every setting declared once, parsed once, documented.

- every app.config key and environment variable the code reads is declared;
- the README's configuration table is the one `flask config table` prints;
- the deployment and operations documents name only declared settings;
- a bad value stops the start with a message naming the variable.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import config
from config import SETTINGS, SettingsError, markdown_table, read_settings

ROOT = Path(__file__).resolve().parents[2]

CONFIG_KEY = re.compile(
    r"""config\w*(?:\s*\[\s*|\.get\(\s*|\.setdefault\(\s*)["']([A-Z][A-Z0-9_]+)["']"""
)
ENV_VARIABLE = re.compile(
    r"""(?:environ(?:\.get\(\s*|\[\s*|\.setdefault\(\s*)|getenv\(\s*)["']([A-Z][A-Z0-9_]+)["']"""
)
# A variable named through a constant: WORKERS_VARIABLE = "RECEPTION_WORKERS".
ENV_CONSTANT = re.compile(r"""\b[A-Z_]*VARIABLE\s*=\s*["']([A-Z][A-Z0-9_]+)["']""")


def _sources() -> list[Path]:
    files = sorted((ROOT / "reception").rglob("*.py"))
    return files + [ROOT / "config.py", ROOT / "gunicorn.conf.py", ROOT / "wsgi.py"]


def _read(pattern: re.Pattern, *more: re.Pattern) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        for regex in (pattern, *more):
            for name in regex.findall(text):
                found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def _declared_keys() -> set[str]:
    return {s.key for s in SETTINGS if s.key}


def _declared_variables() -> set[str]:
    return {name for s in SETTINGS for name in s.variables()}


def test_the_scanner_finds_what_the_code_reads():
    keys = _read(CONFIG_KEY)
    variables = _read(ENV_VARIABLE, ENV_CONSTANT)
    # A few known reads, so that a broken pattern cannot make the next tests pass on nothing.
    assert {"RECEPTION_COUNTRY", "SECRET_KEY", "RATELIMIT_TERMS", "TOTP_KEYS"} <= set(keys)
    assert {"RECEPTION_ENV", "PROMETHEUS_MULTIPROC_DIR", "RECEPTION_WORKERS"} <= set(variables)
    assert CONFIG_KEY.findall('x = current_app.config["NOT_DECLARED_ANYWHERE"]') == [
        "NOT_DECLARED_ANYWHERE"
    ]
    assert ENV_VARIABLE.findall('os.environ.get("SOME_VARIABLE", "")') == ["SOME_VARIABLE"]


def test_every_config_key_the_code_reads_is_declared():
    undeclared = {
        key: sorted(files)
        for key, files in _read(CONFIG_KEY).items()
        if key not in _declared_keys()
    }
    assert not undeclared, f"declare these in config.SETTINGS: {undeclared}"


def test_every_environment_variable_the_code_reads_is_declared():
    undeclared = {
        name: sorted(files)
        for name, files in _read(ENV_VARIABLE, ENV_CONSTANT).items()
        if name not in _declared_variables()
    }
    assert not undeclared, f"declare these in config.SETTINGS: {undeclared}"


@pytest.mark.parametrize(
    "cls", [config.DevelopmentConfig, config.TestingConfig, config.ProductionConfig]
)
def test_the_config_classes_hold_exactly_the_declared_settings(cls):
    keys = {name for name in dir(cls) if name.isupper()}
    assert keys <= _declared_keys()
    expected, problems = read_settings(cls.ENV_NAME, {})
    assert not problems
    derived_or_unset = _declared_keys() - set(expected)
    assert keys == set(expected) | (keys & derived_or_unset)


def test_every_setting_is_declared_once_with_a_meaning():
    keys = [s.key for s in SETTINGS if s.key]
    assert len(keys) == len(set(keys))
    variables = [s.env for s in SETTINGS if s.env]
    assert len(variables) == len(set(variables))
    for setting in SETTINGS:
        assert setting.meaning.strip().endswith("."), setting
        assert setting.key or setting.env, setting


def _readme_table() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        if line.startswith("|"):
            rows.append(line)
        elif rows:
            break
    return "\n".join(rows) + "\n"


def test_the_readme_table_is_the_generated_one():
    assert _readme_table() == markdown_table(), (
        "regenerate README.md's configuration table with `flask --app wsgi config table`"
    )


def test_flask_config_table_prints_it(app):
    result = app.test_cli_runner().invoke(args=["config", "table"])
    assert result.exit_code == 0
    assert result.output == markdown_table()
    every = app.test_cli_runner().invoke(args=["config", "table", "--all"]).output
    assert every.startswith(result.output) and "`RECEPTION_TERM_DAYS`" in every


def test_flask_config_show_hides_secrets(app):
    output = app.test_cli_runner().invoke(args=["config", "show"]).output
    assert "SECRET_KEY = '(set)'" in output
    assert app.config["SECRET_KEY"] not in output
    assert "RECEPTION_COUNTRY = 'KZ'" in output


OUR_NAMES = re.compile(
    r"\b((?:RECEPTION|MAIL|RATELIMIT|OUTBOX|DATABASE|TWO_FACTOR|SESSION|STATS|TEST|PROMETHEUS)"
    r"_[A-Z0-9_]*[A-Z0-9]|SECRET_KEY|UPLOAD_FOLDER)\b"
)


@pytest.mark.parametrize(
    "document", ["README.md", "docs/deployment.md", "docs/operations.md", "docs/domain.md"]
)
def test_documents_name_only_declared_settings(document):
    text = (ROOT / document).read_text(encoding="utf-8")
    known = _declared_keys() | _declared_variables()
    unknown = sorted(set(OUR_NAMES.findall(text)) - known)
    assert not unknown, f"{document} names settings config.SETTINGS does not declare: {unknown}"


def test_the_operations_table_agrees_with_the_registry():
    """docs/operations.md lists the operations settings; each row's default is the registry's."""
    text = (ROOT / "docs/operations.md").read_text(encoding="utf-8")
    by_variable = config.BY_VARIABLE
    rows = re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|.*\| ([^|]+) \|$", text, re.MULTILINE)
    assert len(rows) >= 5
    for variable, default in rows:
        setting = by_variable[variable]
        value = setting.source("production")[1]
        if isinstance(value, int | float) and not isinstance(value, bool):
            assert default.strip() == f"`{value}`", variable


# --- parsing -------------------------------------------------------------------------------


def test_values_are_parsed_by_type():
    values, problems = read_settings(
        "production",
        {
            "RECEPTION_SESSION_IDLE_MINUTES": " 45 ",
            "MAIL_USE_TLS": "yes",
            "RECEPTION_READYZ_FAIL_ON_LATE": "off",
            "RECEPTION_2FA_ROLES": "head, admin ,official",
            "RECEPTION_SIMILAR_THRESHOLD": "0.4",
            "DATABASE_URL": "postgres://u@h/db",
            "RECEPTION_BASE_URL": "https://reception.example.kz/",
            "RECEPTION_LOG_LEVEL": "debug",
            "RECEPTION_PROXY_COUNT": "",  # empty: the default
        },
    )
    assert problems == []
    assert values["SESSION_IDLE_MINUTES"] == 45
    assert values["MAIL_USE_TLS"] is True and values["RECEPTION_READYZ_FAIL_ON_LATE"] is False
    assert values["TWO_FACTOR_REQUIRED_ROLES"] == ("head", "admin", "official")
    assert values["RECEPTION_SIMILAR_THRESHOLD"] == 0.4
    assert values["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert values["RECEPTION_BASE_URL"] == "https://reception.example.kz"
    assert values["RECEPTION_LOG_LEVEL"] == "DEBUG"
    assert values["RECEPTION_PROXY_COUNT"] == 0


def test_an_empty_role_list_asks_no_role_for_a_second_factor():
    values, _ = read_settings("production", {"RECEPTION_2FA_ROLES": ""})
    assert values["TWO_FACTOR_REQUIRED_ROLES"] == ()
    assert read_settings("production", {})[0]["TWO_FACTOR_REQUIRED_ROLES"] == ("head", "admin")


def test_environments_differ_where_declared():
    environ = {"MAIL_TRANSPORT": "smtp", "TEST_DATABASE_URL": "sqlite:///t.db"}
    assert read_settings("testing", environ)[0]["MAIL_TRANSPORT"] == "memory"
    assert read_settings("development", environ)[0]["MAIL_TRANSPORT"] == "smtp"
    assert read_settings("development", {})[0]["MAIL_TRANSPORT"] == "console"
    assert read_settings("testing", environ)[0]["SQLALCHEMY_DATABASE_URI"] == "sqlite:///t.db"
    assert read_settings("production", {"RECEPTION_ALLOW_DEMO": "1"})[0]["DEMO_DATA_ALLOWED"]
    assert read_settings("development", {})[0]["DEMO_DATA_ALLOWED"]


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("RECEPTION_SESSION_IDLE_MINUTES", "abc", "whole number of minutes"),
        ("RECEPTION_SESSION_HOURS", "-1", "from 0"),
        ("MAIL_PORT", "70000", "between 1 and 65535"),
        ("MAIL_USE_TLS", "maybe", "expected 1, true"),
        ("RECEPTION_SIMILAR_THRESHOLD", "2", "from 0 to 1"),
        ("DATABASE_URL", "not a url", "database URL"),
        ("RATELIMIT_STORAGE_URI", "redis:/oops", "rate-limit store"),
        ("RATELIMIT_API", "many", "rate limits"),
        ("RECEPTION_WORKDAY_CUTOFF", "6pm", "HH:MM"),
        ("RECEPTION_TIMEZONE", "Mars/Olympus", "time zone"),
        ("RECEPTION_BASE_URL", "reception.kz", "http://"),
        ("MAIL_TRANSPORT", "pigeon", "one of smtp"),
        ("RECEPTION_LOG_LEVEL", "LOUD", "one of DEBUG"),
    ],
)
def test_a_bad_value_is_named_with_what_was_expected(variable, value, said):
    _, problems = read_settings("production", {variable: value})
    assert len(problems) == 1
    shown = "(hidden)" if variable == "DATABASE_URL" else repr(value)  # it may hold a password
    assert problems[0].startswith(f"{variable}={shown}: ") and said in problems[0]


def test_a_database_url_with_a_password_is_named_not_echoed():
    _, problems = read_settings("production", {"DATABASE_URL": "postgres://u:hunter2@h:port/db"})
    assert problems == [
        "DATABASE_URL=(hidden): expected an SQLAlchemy database URL such as "
        "postgresql://user@host/db"
    ]


def test_create_app_refuses_every_bad_value_at_once():
    from reception import create_app

    bad = type(
        "BadConfig",
        (config.TestingConfig,),
        {"settings_problems": ("A='x': expected a number", "B='y': expected a time zone")},
    )
    with pytest.raises(SettingsError) as caught:
        create_app(bad)
    assert "A='x'" in str(caught.value) and "B='y'" in str(caught.value)


def _run(args: list[str], **environ: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("RECEPTION_", "RATELIMIT_", "MAIL_", "DATABASE_", "SECRET_"))
    } | environ
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_a_bad_variable_stops_the_start_with_its_name_and_no_traceback(tmp_path):
    flask = str(Path(sys.executable).with_name("flask"))
    result = _run(
        [flask, "--app", "wsgi", "routes"],
        RECEPTION_ENV="development",
        RECEPTION_SESSION_IDLE_MINUTES="abc",
        DATABASE_URL=f"sqlite:///{tmp_path / 'r.db'}",
    )
    assert result.returncode == 1
    assert "RECEPTION_SESSION_IDLE_MINUTES='abc': expected a whole number" in result.stderr
    assert "Traceback" not in result.stderr


def test_python_config_prints_the_table_without_starting_the_app():
    result = _run([sys.executable, "config.py"])
    assert result.returncode == 0 and result.stdout == markdown_table()


def test_gunicorn_stops_on_a_bad_value_before_any_worker(tmp_path):
    result = _run(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", "127.0.0.1:0", "wsgi:app"],
        RECEPTION_ENV="production",
        SECRET_KEY="x" * 32,
        DATABASE_URL=f"sqlite:///{tmp_path / 'p.db'}",
        RECEPTION_SESSION_HOURS="twelve",
    )
    assert result.returncode != 0
    assert "RECEPTION_SESSION_HOURS='twelve': expected a whole number of hours" in result.stderr
    assert "Booting worker" not in result.stderr
