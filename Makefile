# Gridwatch. `make run` starts everything on this machine; `make test` checks it.
# GNU make; needs only python3 (3.11+) on PATH.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
# pip runs only when a requirements file is newer than this stamp.
STAMP := $(VENV)/.requirements-installed
# Where `make run` serves the site. Loopback by default: DEBUG is on and its error pages show
# settings and source. To try it from a phone on the LAN:
#   make run WEB_ADDR=0.0.0.0:8000 DJANGO_ALLOWED_HOSTS=192.168.1.20
WEB_ADDR ?= 127.0.0.1:8000
# Django's own gettext walk would otherwise compile every .po file inside the virtualenv.
I18N_IGNORE := --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=tests

# Honcho, celery and ruff from the virtualenv; the Procfile says `python`, meaning this one.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: help venv run test lint fmt messages icons clean

help:
	@echo "make run       web + Celery worker + beat on http://$(WEB_ADDR)/ (demo data on first run)"
	@echo "make test      ruff check + the whole pytest suite, on PostgreSQL when one answers"
	@echo "make lint      ruff check and ruff format --check"
	@echo "make fmt       ruff format and ruff check --fix"
	@echo "make messages  update locale/zh_Hans/LC_MESSAGES/django.po and compile it"
	@echo "make clean     remove caches, staticfiles/ and test-artifacts/ (keeps .venv, data, media)"

$(PY):
	@command -v $(firstword $(PYTHON)) >/dev/null \
		|| { echo "$(PYTHON) not found: install Python 3.11 or newer"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Gridwatch needs Python 3.11 or newer, not $$($(PYTHON) -V 2>&1)"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "$(PYTHON) -m venv failed; on Debian/Ubuntu: apt-get install -y python3-venv"; exit 1; }

$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(STAMP)

# runserver, not gunicorn, for this embedded default: it is one person on one machine with DEBUG
# on, it reloads on code changes, and whitenoise serves static files from the source folders
# without collectstatic. gunicorn is what docker-compose.yml and production run.
# honcho gets `-e /dev/null`: it would otherwise load .env, which holds the docker-compose settings.
run: export DJANGO_DEBUG ?= true
run: export WEB_ADDR := $(WEB_ADDR)
run: $(STAMP)
	$(MANAGE) migrate --noinput
	@if command -v msgfmt >/dev/null; then \
		$(MANAGE) compilemessages $(I18N_IGNORE) -v 0; \
	else \
		echo "msgfmt not found (apt-get install -y gettext): using the committed .mo files"; \
	fi
	$(MANAGE) load_reference
	@premises=$$($(MANAGE) shell -v 0 -c \
		"from premises.models import Premises; print(Premises.objects.count())"); \
	if [ "$$premises" = "0" ]; then \
		echo "No premises yet: loading the demo town"; \
		$(MANAGE) seed_demo; \
	else \
		echo "$$premises premises in the database: demo data not loaded again"; \
	fi
	@echo
	@echo "  Gridwatch: http://$(WEB_ADDR)/" | sed 's#//0\.0\.0\.0:#//127.0.0.1:#'
	@echo "  Demo logins (password gridwatch-demo):"
	@echo "    officer     grid officer (网格员) of one grid"
	@echo "    leader      village leader (村书记) of that grid's village"
	@echo "    department  department officer (执安办)"
	@echo "    office      town safety office (镇安委办)"
	@echo "    registry    registry admin (管理员)"
	@echo "  Ctrl-C stops web, worker and beat."
	@echo
	exec honcho start -f Procfile -e /dev/null

# Eager Celery comes from the environment at start-up: flipping it at runtime hung (STACK.md).
# The suite runs on PostgreSQL when one answers on 127.0.0.1:5432 (as CI's does) and
# DATABASE_URL names no other database; DATABASE_URL=sqlite:// runs it on SQLite.
# REDIS_URL passes through from the caller's environment.
TEST_POSTGRES := postgres://postgres@127.0.0.1:5432/test
test: export CELERY_TASK_ALWAYS_EAGER := true
test: $(STAMP)
	ruff check .
	@if [ -z "$${DATABASE_URL:-}" ] && $(PY) -c \
		'import socket; socket.create_connection(("127.0.0.1", 5432), timeout=1)' 2>/dev/null; then \
		export DATABASE_URL=$(TEST_POSTGRES); \
	fi; \
	echo "make test: on $${DATABASE_URL:-SQLite (nothing answers on 127.0.0.1:5432)}"; \
	pytest $(PYTEST_ARGS)

lint: $(STAMP)
	ruff check .
	ruff format --check .

fmt: $(STAMP)
	ruff format .
	ruff check --fix .

icons: $(STAMP)
	$(PY) scripts/subset_icons.py

messages: $(STAMP)
	$(MANAGE) makemessages -l zh_Hans --no-obsolete $(I18N_IGNORE) \
		--ignore=static/vendor --ignore=bench
	$(MANAGE) compilemessages $(I18N_IGNORE)

clean:
	rm -rf staticfiles test-artifacts .pytest_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
