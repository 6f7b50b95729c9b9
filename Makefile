# Every target bootstraps from nothing: uv (installed with pip when missing),
# then `uv sync --frozen` into .venv. Nothing is downloaded but packages.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

HOST ?= 127.0.0.1
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON ?= python3

UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
RUN := $(UV) run --frozen --no-sync
STAMP := .venv/.synced

.PHONY: help run test test-fast lint fmt bench bench-http sync clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen
	@touch $@

sync: $(STAMP) ## create or update .venv from uv.lock

run: $(STAMP) ## serve the HTTP API on $(HOST):$(PORT)
	$(RUN) motcua serve --host $(HOST) --port $(PORT) --load-catalog data/catalog/demo.json

test: $(STAMP) ## the whole suite, exactly what CI runs (PostgreSQL tests included)
	$(RUN) pytest -n auto -p no:cacheprovider

test-fast: $(STAMP) ## unit and property tests only
	$(RUN) pytest -n auto -p no:cacheprovider tests/unit tests/property

lint: $(STAMP) ## ruff check, ruff format --check, mypy --strict, import contracts
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy
	$(RUN) lint-imports

fmt: $(STAMP) ## format and auto-fix
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

bench: $(STAMP) ## print speed figures beside their baselines (not a test)
	$(RUN) python -m tests.bench

bench-http: $(STAMP) ## HTTP req/s and latency on PostgreSQL beside a bare FastAPI endpoint (~5 min)
	$(RUN) python -m tests.bench.http

clean: ## remove the environment and caches
	rm -rf .venv .mypy_cache .ruff_cache .hypothesis .pytest_cache
