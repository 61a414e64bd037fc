# The two commands of the README are `make run` and `make test`; both set the machine up first:
# `make run` only with what running needs (setup-run), `make test` with the test tools too.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR)/functions

.PHONY: setup setup-run run demo test check lint format typecheck imports infra tf-fmt checkov bundle unit integration e2e clean

setup:
	@VENV=$(VENV) ./scripts/setup.sh test

setup-run:
	@VENV=$(VENV) ./scripts/setup.sh run

run: setup-run
	$(PY) -m checkround.devstack run

demo: setup-run
	$(PY) -m checkround.devstack demo

# Every gate, in the order that fails fastest.
test: setup
	$(MAKE) --no-print-directory check

check: lint typecheck imports infra
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

# Offline checks of infra/ (terraform init cannot reach the provider registry here): the
# format, checkov; the structure test (tests/unit/test_infra.py) runs with the unit tests.
infra: tf-fmt checkov

# `terraform fmt -check`: the real one when terraform is installed, and the same formatter
# (hclwrite) compiled to WebAssembly from npm (infra/tools, installed by setup) when node is.
tf-fmt:
	@ran=0; \
	if command -v terraform >/dev/null 2>&1; then \
	  TF_CLI_CONFIG_FILE=/dev/null terraform fmt -check -recursive -diff infra || exit 1; \
	  echo "tf-fmt: terraform fmt -check passed"; ran=1; \
	fi; \
	if command -v node >/dev/null 2>&1 && [ -f infra/tools/node_modules/@cdktf/hcl-tools/package.json ]; then \
	  node infra/tools/fmt-check.mjs --diff infra || exit 1; ran=1; \
	fi; \
	[ $$ran = 1 ] || echo "tf-fmt: SKIPPED: neither terraform nor node with infra/tools/node_modules (npm ci in infra/tools) is here"

checkov:
	$(VENV)/checkov/bin/checkov -d infra --quiet --compact --framework terraform --skip-download

# The Cloud Functions source archive: dist/checkround-source.zip (main.py at its root).
bundle:
	$(PY) scripts/bundle.py

unit: setup
	$(PY) -m pytest tests/unit

integration: setup
	$(PY) -m pytest tests/integration

e2e: setup
	$(PY) -m pytest tests/e2e

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
