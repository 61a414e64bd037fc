# The two commands of the README are `make run` and `make test`; both set the machine up first.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR)/functions

.PHONY: setup run demo test check lint format typecheck imports unit integration e2e clean

setup:
	@./scripts/setup.sh

run: setup
	$(PY) -m checkround.devstack run

demo: setup
	$(PY) -m checkround.devstack demo

# Every gate, in the order that fails fastest.
test: setup
	$(MAKE) --no-print-directory check

check: lint typecheck imports
	$(PY) -m pytest

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck:
	$(VENV)/bin/mypy

imports:
	cd functions && ../$(VENV)/bin/lint-imports ../pyproject.toml

unit: setup
	$(PY) -m pytest tests/unit

integration: setup
	$(PY) -m pytest tests/integration

e2e: setup
	$(PY) -m pytest tests/e2e

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
