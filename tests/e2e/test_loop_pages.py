"""The public page of a body and the survey pages in kk, ru and en, at phone and desktop width."""

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, choose_language
from tests.e2e.test_pages import check


@pytest.mark.parametrize("lang", ("kk", "ru", "en"))
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_body_page_and_survey_link_pages(live_server, new_page, lang, viewport):
    page = new_page(viewport)
    width = viewport["width"]
    choose_language(page, live_server, lang, "/stats/bodies/astana-akimat")
    assert page.locator("h1").inner_text().strip()
    assert page.locator("table").count() >= 2
    check(page, f"body-{lang}-{width}")
    # A damaged link from the e-mail: a clear page, not an error.
    choose_language(page, live_server, lang, "/survey/damaged-link")
    check(page, f"survey-invalid-{lang}-{width}")
