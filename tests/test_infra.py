import io
import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import OperationalError

from config.env import env_bool, env_int

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_fails(client):
    # The one mock here: a database that is down cannot be produced inside the test process.
    with mock.patch("django.db.connection.cursor", side_effect=OperationalError("gone")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "error"


@pytest.mark.parametrize("raw, expected", [("true", True), ("On", True), ("0", False), ("", False)])
def test_env_bool_reads_the_usual_words(monkeypatch, raw, expected):
    monkeypatch.setenv("GRIDWATCH_TEST_FLAG", raw)

    assert env_bool("GRIDWATCH_TEST_FLAG") is expected


def test_env_bool_refuses_a_word_it_does_not_know(monkeypatch):
    monkeypatch.setenv("GRIDWATCH_TEST_FLAG", "maybe")

    with pytest.raises(ImproperlyConfigured, match="GRIDWATCH_TEST_FLAG"):
        env_bool("GRIDWATCH_TEST_FLAG", True)


def test_env_int_refuses_a_value_that_is_not_a_whole_number(monkeypatch):
    monkeypatch.setenv("GRIDWATCH_TEST_NUMBER", "8h")

    with pytest.raises(ImproperlyConfigured, match="GRIDWATCH_TEST_NUMBER"):
        env_int("GRIDWATCH_TEST_NUMBER", 8)


def _load_settings(**env: str) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter: no DJANGO_* variables but the given ones."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean |= {"DJANGO_SETTINGS_MODULE": "config.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_settings_refuse_to_load_without_a_secret_key_when_debug_is_off():
    result = _load_settings(DJANGO_DEBUG="false")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_settings_load_with_debug_off_once_a_secret_key_is_set():
    result = _load_settings(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 60)

    assert result.returncode == 0, result.stderr


def test_settings_refuse_a_bad_debug_value():
    result = _load_settings(DJANGO_DEBUG="sometimes")

    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false" in result.stderr


@pytest.mark.sqlite
@pytest.mark.django_db
def test_make_run_on_sqlite_starts_without_a_warning():
    """`make run`'s server checks the models against its database first and prints what it
    finds: on the embedded SQLite, nothing."""
    out = io.StringIO()
    call_command("check", databases=["default"], stdout=out, stderr=out)

    assert "no issues" in out.getvalue(), out.getvalue()


def test_readme_lists_every_variable_the_settings_read():
    source = (BASE_DIR / "config" / "settings.py").read_text()
    readme = (BASE_DIR / "README.md").read_text()
    read = set(re.findall(r"env_(?:str|bool|int|list)\(\s*\"([A-Z0-9_]+)\"", source))

    assert read, "no env_*() calls found in config/settings.py"
    assert sorted(name for name in read if f"`{name}`" not in readme) == []
