"""Signing in and out, the language switcher, and the public health check."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.roles import Role

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture
def officer():
    user = get_user_model().objects.create_user(
        username="wang", password=PASSWORD, full_name="王网格"
    )
    user.groups.add(Group.objects.get(name=Role.GRID_OFFICER))
    return user


def test_login_page_is_chinese_by_default(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in response.text
    assert "登录" in response.text


def test_login_page_speaks_english_to_an_english_browser(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")

    assert response["Content-Language"] == "en"
    assert "Log in" in response.text
    assert "Gridwatch" in response.text
    # Both languages are offered as plain submit buttons (no JavaScript needed).
    assert 'name="language" value="zh-hans"' in response.text
    assert 'name="language" value="en"' in response.text


def test_wrong_password_shows_an_error_and_does_not_sign_in(client, officer):
    response = client.post(
        "/accounts/login/",
        {"username": "wang", "password": "wrong"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
    assert "_auth_user_id" not in client.session


def test_right_password_signs_in_and_goes_home(client, officer):
    response = client.post("/accounts/login/", {"username": "wang", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(officer.pk)


def test_anonymous_visitor_can_switch_language_on_the_login_page(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.cookies["django_language"].value == "en"
    assert "Log in" in client.get("/accounts/login/").text


def test_language_switch_refuses_to_redirect_off_site(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_header_shows_name_role_and_a_logout_form(client, officer):
    client.force_login(officer)

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert "王网格" in response.text
    assert "Grid officer" in response.text
    assert 'action="/accounts/logout/"' in response.text
    assert "/admin/" not in response.text  # not staff: no link to a page they cannot open


def test_admin_link_is_shown_to_staff(client, officer):
    officer.is_staff = True
    officer.save(update_fields=["is_staff"])
    client.force_login(officer)

    assert 'href="/admin/"' in client.get("/").text


def test_logout_by_post_returns_to_login(client, officer):
    client.force_login(officer)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_healthz_is_public(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
