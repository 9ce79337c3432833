# Tongxin — the two promised commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
export DJANGO_DEBUG ?= 1

.PHONY: run test test-stack install install-dev migrate seed worker beat up lint format messages clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable

seed: migrate
	$(BIN)/python manage.py seed_demo

## make run: set everything up and serve the portal with demo data on http://$(HOST):$(PORT)
## (without REDIS_URL, a notifications loop beside the server does what Celery beat would do)
run: seed
	@echo "Serving 同心 Tongxin on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	@if [ -n "$$REDIS_URL" ]; then exec $(BIN)/python manage.py runserver $(HOST):$(PORT); fi; \
	trap 'kill $$loop 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py notifications_run --loop > $(VENV)/notifications.log 2>&1 & loop=$$!; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## make test: the whole suite (PostgreSQL when DATABASE_URL is set, else SQLite)
test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make test-stack: the deployment as it runs for real (nginx, two gunicorn nodes, PostgreSQL primary and
## standby of their own, Redis, Celery), on spare loopback ports; needs nginx, redis-server, postgresql
test-stack: install-dev
	$(BIN)/python -m pytest tests/stack -m stack $(STACK_PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint --lint .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Celery worker and beat, for a run against PostgreSQL and Redis (DATABASE_URL, REDIS_URL)
worker: install
	$(BIN)/celery -A config worker --loglevel=INFO --concurrency=2

beat: install
	$(BIN)/celery -A config beat --loglevel=INFO --schedule=$(VENV)/celerybeat-schedule

## web, worker and beat together (stop all with Ctrl-C)
up: seed
	@test -n "$$REDIS_URL" || { echo "Set REDIS_URL (and DATABASE_URL) first"; exit 1; }
	trap 'kill 0' EXIT INT TERM; \
	$(BIN)/celery -A config worker --loglevel=INFO --concurrency=2 & \
	$(BIN)/celery -A config beat --loglevel=INFO --schedule=$(VENV)/celerybeat-schedule & \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## regenerate and compile the translation catalogues (needs GNU gettext)
messages: install-dev
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --no-obsolete --no-wrap --ignore=.venv --ignore=bench --ignore=tests
	$(BIN)/python manage.py makemessages -d djangojs -l zh_Hans -l en --no-obsolete --no-wrap --ignore=.venv --ignore=staticfiles --ignore='static/js/*.min.js' || true
	$(BIN)/python manage.py compilemessages --ignore=.venv

bench: install-dev
	$(BIN)/python bench/generate.py --issues 50000
	$(BIN)/python bench/pages.py --issues 50000
	$(BIN)/python bench/dashboard.py --issues 50000

clean:
	rm -rf $(VENV) staticfiles .pytest_cache test-artifacts
