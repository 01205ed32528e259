"""Only administrators enter /admin/; everyone else is sent to log in or refused."""

import pytest

from tests.admin.conftest import login
from tests.factories import make_staff, make_user

PAGES = [
    "/admin/",
    "/admin/authorities",
    "/admin/authorities/new",
    "/admin/categories",
    "/admin/categories/new",
    "/admin/routing",
    "/admin/routing/new",
    "/admin/routing/test",
    "/admin/holidays",
    "/admin/templates",
    "/admin/templates/new",
    "/admin/users",
    "/admin/users/new",
    "/admin/api-keys",
    "/admin/audit",
]
POSTS = [
    "/admin/authorities/new",
    "/admin/routing/1/delete",
    "/admin/holidays",
    "/admin/users/1/deactivate",
    "/admin/users/1/invite",
    "/admin/api-keys",
    "/admin/api-keys/1/revoke",
]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitor_is_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("url", POSTS)
def test_anonymous_post_changes_nothing(client, url):
    response = client.post(url, data={"name": "x"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["citizen", "official", "head", "operator"])
def test_everyone_but_the_administrator_is_refused(client, role):
    user = (
        make_staff(role=role)
        if role in ("official", "head", "operator")
        else make_user(role=role, email="citizen@example.kz")
    )
    login(client, user)
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    for url in POSTS:
        assert client.post(url, data={"name": "x"}).status_code == 403, url
    assert "Administration" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("url", PAGES)
def test_administrator_opens_every_page(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'href="/admin/"' in html and ">Administration<" in html
    assert "style=" not in html.split("</header>", 1)[1]


def test_administrator_lands_on_the_administration_after_log_in(client, admin):
    response = login(client, admin)
    assert response.headers["Location"] == "/admin/"


def test_home_page_links_every_section_with_counts(admin_client):
    html = admin_client.get("/admin/").get_data(as_text=True)
    for url in PAGES[1:]:
        if not url.endswith("/new") and url != "/admin/routing/test":
            assert f'href="{url}"' in html, url
    assert "active" in html and "rules" in html


def test_pages_speak_the_readers_language(admin_client):
    admin_client.get("/lang/ru")
    html = admin_client.get("/admin/authorities").get_data(as_text=True)
    assert 'lang="ru"' in html
    assert "Акимат города Астаны" in html
