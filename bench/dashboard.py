"""Time the monitoring dashboard on a generated database (see bench.generate).

    python -m bench.dashboard --database-url postgresql://postgres@127.0.0.1/bench --runs 7

Renders `/monitoring/` as an administrator (all authorities) in-process, through the whole
application, with the default filters (the last 90 days) and also over two years, and
prints the median time of each in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date, timedelta


def time_dashboard(database_url: str, runs: int) -> dict[str, float]:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("RECEPTION_TOTP_KEYS", "YmVuY2gtb25seS1rZXktMzItYnl0ZXMtbG9uZy0hISE=")
    os.environ["RECEPTION_ENV"] = "production"
    from reception import create_app
    from reception.accounts.services import create_user, get_user_by_email
    from reception.core.types import utcnow
    from reception.extensions import db

    app = create_app()
    app.config.update(RATELIMIT_ENABLED=False, WTF_CSRF_ENABLED=False)
    email, password = "bench-admin@bench.kz", "bench-admin-password"
    with app.app_context():
        if get_user_by_email(db.session, email) is None:
            create_user(db.session, email=email, password=password, role="admin", now=utcnow())
            db.session.commit()
    client = app.test_client()
    client.post("/login", data={"email": email, "password": password})
    two_years = (date.today() - timedelta(days=730)).isoformat()
    pages = {
        "dashboard, last 90 days": "/monitoring/",
        "dashboard, two years": f"/monitoring/?date_from={two_years}",
        "dashboard, two years by week": f"/monitoring/?date_from={two_years}&group_by=week",
    }
    results = {}
    for label, url in pages.items():
        assert client.get(url).status_code == 200  # warm up
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        results[label] = statistics.median(times)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    for label, ms in time_dashboard(args.database_url, args.runs).items():
        print(f"{label}: {ms:.1f} ms")


if __name__ == "__main__":
    main()
