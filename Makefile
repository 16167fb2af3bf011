# Shop: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTHON ?= python3

.PHONY: run test lint format bench venv migrate seed e2e check-ledger clean messages

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "== Installing the dependencies into $(VENV) (first run: about two minutes)"
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --progress-bar on -r requirements.txt
	touch $@

venv: $(VENV)/.installed

run: venv
	@bash scripts/run.sh

# Tests use their own Redis database (cache and broker), so a `make run` worker on the same
# machine never takes the tasks the broker tests expect to find queued.
test e2e: export REDIS_URL ?= redis://127.0.0.1:6379/15

test: venv
	$(PY) -m pytest --durations=15 $(PYTEST_ARGS)

e2e: venv
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: venv
	$(PY) -m tests.bench

migrate: venv
	$(PY) manage.py migrate --noinput

# Demo data and the translation catalogue are laptop work: debug settings unless told otherwise
# (with DEBUG off the settings refuse the development SECRET_KEY).
seed messages: export DEBUG ?= 1

seed: venv
	$(PY) manage.py seed_demo

# Translations: collect every marked string into locale/zh_Hans/LC_MESSAGES/django.po (existing
# translations kept), then compile the .mo the shop reads. Both files are committed.
messages: venv
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore='.venv/*' --ignore='tests/*' \
		--ignore='staticfiles/*' --ignore='var/*'
	$(PY) manage.py compilemessages -l zh_Hans --ignore='.venv'

check-ledger: venv
	$(PY) manage.py check_stock_ledger

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
