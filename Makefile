# The commands the README names. Each installs what it needs itself.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV_VERSION := 0.13.8
export PATH := $(HOME)/.local/bin:$(PATH)

.PHONY: help install up down test lint unit any-date schemas token bench

help:
	@echo "make up      start Kafka, the trace dashboard and all six services (PostgreSQL when installed, else SQLite)"
	@echo "make down    stop everything make up started"
	@echo "make test    install, start the infrastructure, run lint and every test, stop the infrastructure"
	@echo "make lint    ruff, mypy and import-linter only"
	@echo "make unit    the tests that need no servers"
	@echo "make any-date the tests that need no servers, with the machine's date moved to five awkward moments"
	@echo "make bench   benchmarks on real servers, printing figures (never part of make test)"
	@echo "make schemas regenerate contracts/schemas from the code"
	@echo "make token MUNICIPALITY=3426 ROLE=caseworker [UNIT=home_care]   print a development bearer token"

install:
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet --user "uv==$(UV_VERSION)" || python3 -m pip install --quiet "uv==$(UV_VERSION)"
	@uv sync --frozen --quiet

up: install
	@bash deploy/local/platform.sh up

down:
	@bash deploy/local/platform.sh down

lint: install
	uv run ruff check .
	uv run ruff format --check .
	uv run mypy contracts servicekit services tests conftest.py bench
	uv run lint-imports

unit: install
	uv run pytest -q -m "not infra"

any-date: install
	@bash deploy/local/any-date.sh all

schemas: install
	uv run python -m contracts.export
	uv run python -m contracts.asyncapi

token: install
	@uv run python -m servicekit.tokens --municipality $(or $(MUNICIPALITY),3426) --role $(or $(ROLE),caseworker) $(if $(UNIT),--unit $(UNIT))

test: lint
	@bash deploy/local/any-date.sh quick
	@bash deploy/local/test.sh

bench: install
	uv run python -m bench.journey
