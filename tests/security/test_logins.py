"""Signing in under attack: throttled failures, password rules, idle expiry, and the headers the
production settings send (docs/architecture.md, Settings from the environment)."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from tests.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ROOT = settings.BASE_DIR


def sign_in(client, username: str, password: str, address: str = "10.0.0.1", **extra):
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
        **extra,
    )


def fail(client, username: str, times: int, address: str = "10.0.0.1", **extra) -> None:
    """Wrong passwords; the one that reaches a limit is answered with the lockout page."""
    for _ in range(times):
        assert sign_in(client, username, "wrong-guess", address, **extra).status_code in (200, 429)


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # Every sign-in attempt hashes a password (unknown usernames too); the default hasher is
    # slow by design (docs/decisions.md), and these tests make dozens of attempts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def wang():
    return UserFactory(username="wang", role=Role.GRID_OFFICER)


@pytest.fixture
def li():
    return UserFactory(username="li", role=Role.GRID_OFFICER)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- Throttling --------------------------------------------------------------------------------


def test_fifth_failure_locks_the_user_out_from_that_address(client, wang):
    fail(client, "wang", settings.AXES_FAILURE_LIMIT - 1)

    locked = sign_in(client, "wang", "wrong-guess")
    right_password = sign_in(client, "wang", DEMO_PASSWORD)

    assert locked.status_code == 429
    assert right_password.status_code == 429
    assert "Too many failed sign-ins. Wait 15 minutes, then try again." in right_password.text
    assert 'name="username"' in right_password.text  # the sign-in page, not a bare error
    assert not signed_in(client)


def test_lockout_page_is_the_sign_in_page_in_chinese_by_default(client, wang):
    fail(client, "wang", settings.AXES_FAILURE_LIMIT)

    response = client.post(
        LOGIN, {"username": "wang", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )

    assert response.status_code == 429
    assert '<html lang="zh-hans">' in response.text
    assert "登录" in response.text
    assert 'class="alert alert-danger"' in response.text


def test_lockout_of_one_user_leaves_other_users_and_addresses_alone(client, wang, li):
    fail(client, "wang", settings.AXES_FAILURE_LIMIT)

    other_user = sign_in(client, "li", DEMO_PASSWORD)
    client.logout()
    other_address = sign_in(client, "wang", DEMO_PASSWORD, address="10.0.0.2")

    assert other_user.status_code == 302
    assert other_address.status_code == 302
    assert signed_in(client)


def test_many_usernames_from_one_address_lock_the_address(client, settings, wang):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    for n in range(12):
        assert sign_in(client, f"guess{n}", "wrong-guess").status_code in (200, 429)

    from_there = sign_in(client, "wang", DEMO_PASSWORD)
    from_elsewhere = sign_in(client, "wang", DEMO_PASSWORD, address="10.0.0.9")

    assert from_there.status_code == 429
    assert from_elsewhere.status_code == 302


def test_a_few_failures_per_username_do_not_lock_the_address(client, settings, wang):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    for n in range(11):
        sign_in(client, f"guess{n}", "wrong-guess")

    assert sign_in(client, "wang", DEMO_PASSWORD).status_code == 302


def test_success_clears_the_users_own_failures(client, wang):
    fail(client, "wang", settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, "wang", DEMO_PASSWORD).status_code == 302
    client.logout()

    fail(client, "wang", settings.AXES_FAILURE_LIMIT - 1)

    assert sign_in(client, "wang", DEMO_PASSWORD).status_code == 302


def test_success_does_not_clear_guesses_at_other_users(client, settings, wang):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    for n in range(11):
        sign_in(client, f"guess{n}", "wrong-guess")
    assert sign_in(client, "wang", DEMO_PASSWORD).status_code == 302
    client.logout()

    sign_in(client, "guess99", "wrong-guess")  # the address's twelfth

    assert sign_in(client, "wang", DEMO_PASSWORD).status_code == 429


def test_lockout_ends_after_the_cool_off(client, wang):
    fail(client, "wang", settings.AXES_FAILURE_LIMIT)
    assert sign_in(client, "wang", DEMO_PASSWORD).status_code == 429

    later = timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(seconds=5)
    with time_machine.travel(later, tick=False):
        assert sign_in(client, "wang", DEMO_PASSWORD).status_code == 302


def test_forwarded_for_header_is_ignored_without_a_trusted_proxy(client, wang):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "wang", "wrong-guess", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    # A new made-up address per attempt does not reset the count.
    response = sign_in(client, "wang", DEMO_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99")

    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_address_it_saw_counts(client, settings, wang):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client prepends a made-up hop; the proxy appends the address it saw.
    fail(client, "wang", settings.AXES_FAILURE_LIMIT, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")

    same = sign_in(client, "wang", DEMO_PASSWORD, HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.7")
    other = sign_in(client, "wang", DEMO_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.8")

    assert same.status_code == 429
    assert other.status_code == 302


def test_admin_login_is_throttled_too(client):
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "boss", "password": "x"}, REMOTE_ADDR="10.0.0.3")

    response = client.post(
        "/admin/login/", {"username": "boss", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.0.0.3"
    )

    assert response.status_code == 429
    assert not signed_in(client)


# --- Passwords and sessions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Ab3$xyz", "too short"),
        ("password123", "too common"),
        ("38475629103", "entirely numeric"),
        ("zhangwei2026", "too similar"),
    ],
)
def test_weak_passwords_are_refused_for_new_users(client, password, why):
    client.force_login(UserFactory(role=Role.REGISTRY_ADMIN))

    response = client.post(
        reverse("premises:grids:user_create"),
        {"username": "zhangwei2026", "password1": password, "password2": password},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert why in response.text
    assert not User.objects.filter(username="zhangwei2026").exists()


def test_session_expires_after_inactivity_but_not_while_in_use(client, wang):
    client.force_login(wang)
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    start = timezone.now()

    with time_machine.travel(start + idle - timedelta(minutes=5), tick=False):
        assert client.get("/").status_code == 200  # in use: the clock starts again
    with time_machine.travel(start + 2 * idle - timedelta(minutes=10), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + 3 * idle, tick=False):
        response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_pages_carry_a_content_security_policy_without_inline_code(client):
    policy = client.get(LOGIN)["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe" not in policy


PRODUCTION_PROBE = """
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
from django.conf import settings
from django.test import override_settings
# A clean checkout has no collectstatic manifest; what is checked here is headers, not static files.
plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}):
    response = Client().get(
        "/accounts/login/", secure=True, headers={"host": "gridwatch.example.cn"}
    )
cookie = response.cookies["csrftoken"]
print(response.status_code)
print(response["Strict-Transport-Security"])
print(bool(cookie["secure"]), cookie["samesite"])
print("script-src 'self'" in response["Content-Security-Policy"])
print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT)
"""


def test_production_settings_send_hsts_and_secure_cookies():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "probe-" + "k" * 60,
        "DJANGO_ALLOWED_HOSTS": "gridwatch.example.cn",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    run = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert run.returncode == 0, run.stderr
    status, hsts, cookie, csp, flags = run.stdout.strip().splitlines()[-5:]
    assert status == "200"
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    assert cookie == "True Lax"
    assert csp == "True"
    assert flags == "True True True"


def test_a_session_in_use_is_saved_at_most_once_a_minute(client, wang):
    """Expiry counts from the last request without a database write on every page."""
    client.force_login(wang)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get("/")
    saved = Session.objects.get().expire_date
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        client.get("/")
    assert Session.objects.get().expire_date == saved
    with time_machine.travel(start + timedelta(seconds=90), tick=False):
        client.get("/")
    assert Session.objects.get().expire_date == saved + timedelta(seconds=90)
