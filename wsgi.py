"""Entry point for gunicorn (`gunicorn wsgi:app`) and the `flask --app wsgi` commands."""

from reception import create_app

app = create_app()
