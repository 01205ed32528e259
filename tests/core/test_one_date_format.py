"""One way of writing dates per language (issue 15)."""

from datetime import UTC, date, datetime

from flask_babel import force_locale

from reception.core.i18n import local_date, local_datetime


def test_a_date_and_a_time_use_the_same_date(app):
    with app.test_request_context():
        for lang in ("kk", "ru", "en"):
            with force_locale(lang):
                day = local_date(date(2026, 12, 2))
                # Noon UTC is the same day in the reception's zone.
                moment = local_datetime(datetime(2026, 12, 2, 12, 0, tzinfo=UTC))
                assert moment.startswith(day + ", ")
                assert local_date(date(2026, 12, 2), "medium") == day
