"""Filing an appeal through the service: number, dates, routing, history, e-mail."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from reception.appeals.access import access_code_matches
from reception.appeals.models import Appeal, AppealEvent, Attachment, RegistrationCounter
from reception.appeals.services import FilingSettings, file_appeal
from reception.appeals.submission import Submission
from reception.core.files import AttachmentStore
from reception.core.refusals import Refused
from reception.directory.models import HolidayOverride
from reception.extensions import db
from reception.notifications.models import OutboxMessage
from tests.conftest import TUESDAY_MORNING
from tests.factories import PDF_BYTES, PNG_BYTES, appeal_data, make_appeal, upload


def test_filed_appeal_gets_a_number_of_the_year_in_sequence():
    first, _ = make_appeal(TUESDAY_MORNING)
    second, _ = make_appeal(TUESDAY_MORNING)
    assert first.number == "RC-2026-00000001"
    assert second.number == "RC-2026-00000002"


def test_number_prefix_comes_from_configuration(app):
    app.config["RECEPTION_NUMBER_PREFIX"] = "AK"
    try:
        appeal, _ = make_appeal(TUESDAY_MORNING)
    finally:
        app.config["RECEPTION_NUMBER_PREFIX"] = "RC"
    assert appeal.number == "AK-2026-00000001"


def test_refused_submission_does_not_use_up_a_number():
    make_appeal(TUESDAY_MORNING)
    with pytest.raises(Refused):
        make_appeal(TUESDAY_MORNING, email="not-an-address")
    db.session.rollback()
    appeal, _ = make_appeal(TUESDAY_MORNING)
    assert appeal.number == "RC-2026-00000002"


def test_rolled_back_filing_gives_its_number_back():
    make_appeal(TUESDAY_MORNING)
    settings = FilingSettings.from_config(current_app.config)
    store = AttachmentStore(Path(current_app.config["UPLOAD_FOLDER"]))
    file_appeal(
        db.session,
        Submission.from_mapping(appeal_data()),
        now=TUESDAY_MORNING,
        actor=None,
        settings=settings,
        store=store,
    )
    db.session.rollback()
    appeal, _ = make_appeal(TUESDAY_MORNING)
    assert appeal.number == "RC-2026-00000002"
    assert db.session.scalar(select(RegistrationCounter.last_value)) == 2


def test_appeal_received_in_working_hours_is_registered_the_same_day_with_15_working_days():
    appeal, _ = make_appeal(TUESDAY_MORNING)
    assert appeal.registered_on == date(2026, 11, 17)
    # 15 working days from the next day: 18 Nov .. 8 Dec 2026.
    assert appeal.due_on == date(2026, 12, 8)
    assert appeal.status == "registered"


def test_appeal_received_after_the_cut_off_is_registered_next_working_day():
    friday_evening = datetime(2026, 11, 20, 13, 31, tzinfo=UTC)  # 18:31 in Astana
    appeal, _ = make_appeal(friday_evening)
    assert appeal.registered_on == date(2026, 11, 23)


def test_due_date_skips_independence_day():
    appeal, _ = make_appeal(datetime(2026, 12, 1, 5, 0, tzinfo=UTC))
    # 2 Dec .. with 16 December a holiday: the 15th working day is 23 December.
    assert appeal.due_on == date(2026, 12, 23)


def test_holiday_override_from_the_administrators_moves_the_due_date():
    db.session.add(HolidayOverride(day=date(2026, 12, 7), kind="day_off", note="Decree"))
    db.session.commit()
    appeal, _ = make_appeal(TUESDAY_MORNING)
    assert appeal.due_on == date(2026, 12, 9)


def test_complaint_has_a_term_of_20_working_days():
    appeal, _ = make_appeal(TUESDAY_MORNING, kind="complaint")
    # 20 working days from 18 November: 15 December, the day before Independence Day.
    assert appeal.due_on == date(2026, 12, 15)


def test_routing_sends_every_astana_topic_to_the_city_akimat():
    appeal, _ = make_appeal(TUESDAY_MORNING, category="taxes", region="KZ-71")
    assert appeal.authority.code == "astana-akimat"


def test_routing_uses_the_category_wide_rule_before_the_region_fallback():
    taxes, _ = make_appeal(TUESDAY_MORNING, category="taxes", region="KZ-35")
    land, _ = make_appeal(TUESDAY_MORNING, category="land", region="KZ-35")
    assert taxes.authority.code == "kz-revenue-committee"
    assert land.authority.code == "karaganda-akimat"


def test_addressee_chosen_by_the_citizen_receives_the_appeal():
    appeal, _ = make_appeal(TUESDAY_MORNING, authority="shymkent-akimat")
    assert appeal.authority.code == "shymkent-akimat"
    assert appeal.addressee.code == "shymkent-akimat"


def test_access_code_is_stored_only_as_a_hash():
    appeal, code = make_appeal(TUESDAY_MORNING)
    assert code not in appeal.access_code_hash
    assert access_code_matches(code, appeal.access_code_hash)
    assert access_code_matches(code.lower().replace("-", " "), appeal.access_code_hash)
    assert not access_code_matches("AAAAA-AAAAA", appeal.access_code_hash)


def test_filing_writes_the_registration_event():
    appeal, _ = make_appeal(TUESDAY_MORNING)
    event = db.session.scalar(select(AppealEvent).where(AppealEvent.appeal_id == appeal.id))
    assert event.action == "register"
    assert event.to_status == "registered"
    assert event.is_public
    assert event.data["authority"] == "astana-akimat"


def test_filing_queues_an_email_in_the_appeals_language(app):
    appeal, code = make_appeal(TUESDAY_MORNING, language="kk")
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.appeal_id == appeal.id))
    assert message.status == "pending"
    assert message.recipient == "askar@example.kz"
    assert appeal.number in message.subject
    for part in (message.body_text, message.body_html):
        assert appeal.number in part
        assert code in part
        assert "https://reception.test/track?number=" + appeal.number in part
    assert "Тіркеу нөмірі" in message.body_text  # Kazakh, whatever the page language


def test_invalid_submission_lists_every_problem_and_stores_nothing():
    with pytest.raises(Refused) as refused:
        make_appeal(
            TUESDAY_MORNING,
            kind="letter",
            category="nope",
            region="XX",
            subject="",
            text="x" * 10_001,
            full_name="",
            iin="900101300010",
            email="@",
            phone="call me",
            address="",
            language="de",
        )
    assert set(refused.value.errors) == {
        "kind",
        "category",
        "region",
        "subject",
        "text",
        "full_name",
        "iin",
        "email",
        "phone",
        "address",
        "language",
    }
    db.session.rollback()
    assert db.session.scalar(select(func.count(Appeal.id))) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_organisation_must_give_a_valid_bin():
    with pytest.raises(Refused) as refused:
        make_appeal(TUESDAY_MORNING, applicant_type="organisation", iin="")
    assert "iin" in refused.value.errors


def test_line_breaks_count_as_one_character_as_the_browser_counts_them():
    text = ("a" * 99 + "\r\n") * 100  # 10,000 characters in the browser's count
    appeal, _ = make_appeal(TUESDAY_MORNING, text=text)
    assert "\r" not in appeal.text and len(appeal.text) <= 10_000


def test_text_control_characters_are_dropped():
    appeal, _ = make_appeal(TUESDAY_MORNING, subject="Heating\x00 now", text="Line 1\nLine\x07 2")
    assert appeal.subject == "Heating now"
    assert appeal.text == "Line 1\nLine 2"


def test_attachments_are_stored_under_random_names_outside_static(app):
    appeal, _ = make_appeal(
        TUESDAY_MORNING,
        uploads=[upload(PDF_BYTES, "../../etc/passwd.pdf"), upload(PNG_BYTES, "photo.PNG")],
    )
    items = db.session.scalars(select(Attachment).where(Attachment.appeal_id == appeal.id)).all()
    assert [a.content_type for a in items] == ["application/pdf", "image/png"]
    assert items[0].original_name == "passwd.pdf"
    folder = Path(app.config["UPLOAD_FOLDER"])
    for item in items:
        stored = folder / item.stored_name
        assert stored.exists() and len(item.stored_name) == 32
        assert "static" not in stored.resolve().parts


@pytest.mark.parametrize(
    "files, message_part",
    [
        ([upload(b"MZ\x90\x00 windows program", "invoice.pdf")], "not a PDF, JPEG or PNG"),
        ([upload(b"", "empty.pdf")], "empty"),
        ([upload(PDF_BYTES + b"0" * (10 * 1024 * 1024), "big.pdf")], "larger than 10 MB"),
        ([upload(PDF_BYTES, f"f{i}.pdf") for i in range(6)], "at most 5 files"),
    ],
)
def test_bad_attachments_are_refused_with_a_clear_message(app, files, message_part):
    before = set(Path(app.config["UPLOAD_FOLDER"]).iterdir())
    with pytest.raises(Refused) as refused:
        make_appeal(TUESDAY_MORNING, uploads=files)
    assert message_part in str(refused.value.errors["attachments"])
    db.session.rollback()
    assert set(Path(app.config["UPLOAD_FOLDER"]).iterdir()) == before
