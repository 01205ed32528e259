"""Entry point for gunicorn (`gunicorn wsgi:app`) and the `flask --app wsgi` commands."""

from config import SettingsError
from reception import create_app

try:
    app = create_app()
except SettingsError as error:
    # A missing or malformed setting: say which, without a stack trace, and stop.
    raise SystemExit(str(error)) from None
