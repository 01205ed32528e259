"""Numbers stay unique and gap-free when many citizens file at the same moment."""

import threading
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from reception.appeals.models import Appeal
from reception.appeals.services import FilingSettings, file_appeal
from reception.appeals.submission import Submission
from reception.core.files import AttachmentStore
from reception.extensions import db
from tests.conftest import TUESDAY_MORNING
from tests.factories import appeal_data

# Filings in threads, each with its own connection: real commits.
pytestmark = pytest.mark.commits

FILINGS = 200


def test_concurrent_filings_get_unique_gap_free_numbers(app, postgres_only):
    settings = FilingSettings.from_config(current_app.config)
    store = AttachmentStore(Path(current_app.config["UPLOAD_FOLDER"]))
    engine = db.engine
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def worker(count: int) -> None:
        with app.app_context():
            start.wait()
            for _ in range(count):
                with Session(engine) as session:
                    try:
                        file_appeal(
                            session,
                            Submission.from_mapping(appeal_data()),
                            now=TUESDAY_MORNING,
                            actor=None,
                            settings=settings,
                            store=store,
                        )
                        session.commit()
                    except BaseException as error:  # collected and reported below
                        errors.append(error)
                        raise

    threads = [threading.Thread(target=worker, args=(FILINGS // 8,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    sequences = sorted(db.session.scalars(select(Appeal.sequence)))
    assert sequences == list(range(1, FILINGS + 1))
