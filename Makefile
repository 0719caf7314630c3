# The two commands for a new user: `make run` and `make test`. Everything else is set up on demand.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
NODE_DEPS := tests/node/node_modules/.package-lock.json
TAILWIND_DEPS := tools/tailwind/node_modules/.package-lock.json
APT_PACKAGES := chromium chromium-driver
FAST_TIER := tests/unit tests/test_seed.py tests/api tests/client
OTHER_TIERS := tests/ui tests/browser tests/realtime tests/deploy tests/security tests/fuzz
COVERAGE := --cov --cov-report=term-missing:skip-covered

# Workers for the fast tier: more than the two cores, because its slowest tests wait (see `test`).
WAITING_WORKERS := 4

.PHONY: run test test-fast lint typecheck css bench soak system-deps services clean

# Installs exactly what uv.lock pins (the app editable) with the uv that pyproject.toml requires. The venv is made
# without pip (ensurepip alone took 7-10 s) and uv is installed into it by python3's own pip (falling back to the
# venv's pip). --locked stops with a message when pyproject.toml changed and uv.lock was not regenerated
# (`.venv/bin/uv lock`); --inexact leaves what else is in .venv (pip, uv); uv never downloads a Python.
# The test install compiles every module to bytecode up front (the suite starts many app processes); the app
# alone lets Python write bytecode as it imports.
UV_VERSION := 0.13.10
UV_SYNC := UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=$(VENV) $(VENV)/bin/uv sync --locked --inexact --python $(PY) --quiet

$(STAMP): pyproject.toml uv.lock
	test -x $(PY) || $(PYTHON) -m venv --without-pip $(VENV)
	$(VENV)/bin/uv --version 2>/dev/null | grep -qx 'uv $(UV_VERSION)' \
	  || $(PYTHON) -m pip --python $(PY) install --quiet uv==$(UV_VERSION) \
	  || { $(PY) -m ensurepip --default-pip >/dev/null && $(PY) -m pip install --quiet uv==$(UV_VERSION); }
	$(UV_SYNC)
	touch $@

$(TEST_STAMP): $(STAMP)
	$(UV_SYNC) --extra test --compile-bytecode
	touch $@

## Start the app with demo data on http://localhost:$${PORT:-8080} (migrates and seeds an empty database).
run: $(STAMP)
	$(PY) main.py

## Debian packages the browser tests need (chromium, chromium-driver), installed when missing.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

## PostgreSQL and Redis on 127.0.0.1, started when not running.
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && exit 0; sleep 1; done; echo "PostgreSQL or Redis did not start"; exit 1

$(NODE_DEPS): tests/node/package.json tests/node/package-lock.json
	npm ci --prefix tests/node --no-audit --no-fund --loglevel=error

$(TAILWIND_DEPS): tools/tailwind/package.json tools/tailwind/package-lock.json
	npm ci --prefix tools/tailwind --no-audit --no-fund --loglevel=error

## Compile the Tailwind classes the app uses into assets/tailwind.css (committed: `make run` needs no Node) with
## Tailwind's CLI, the version of NiceGUI's browser build. Run it after adding or changing a class, or NiceGUI.
css: $(STAMP) $(TAILWIND_DEPS)
	$(PY) -m tools.tailwind.build

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(TEST_STAMP)
	$(VENV)/bin/mypy .

## Install everything the tests need, start services, then lint, type-check and run the whole suite (a test file
## stays on one worker, with its servers): the fast tier as `make test-fast` (with its coverage, at least 90 %),
## then the rest of the API and client suites (PostgreSQL, own processes) and the other tiers without coverage's
## tracing (it doubles the CPU time of the UI tests that run the app in the test process), then the load and fault
## tests alone, because they measure what a server does under a load of their own.
## The fast tier runs on WAITING_WORKERS (its tests of lost answers and cut connections wait ~25 s: 85 -> 66-74 s
## on four workers); the others on two: three and four gained nothing (526 s on two, 488 s on three, 503 s on
## four, quiet machine), each worker's Chromium and app processes competing for the two cores.
test: $(TEST_STAMP) system-deps services $(NODE_DEPS) $(TAILWIND_DEPS) lint typecheck test-fast
	$(PY) -m pytest -q -n 2 --dist loadfile -m "postgres or process" $(FAST_TIER)
	$(PY) -m pytest -q -n 2 --dist loadfile $(OTHER_TIERS) tests/unit/test_bench_plots.py
	$(PY) -m pytest -q tests/load

## The fast tier, no services needed: the unit and seed tests, and the API, client, store and action suites
## against the embedded server in the test process (tests/support/in_process.py), four workers; coverage of
## api/, state/ and server/ printed, at least 90 %. What needs PostgreSQL or a process of its own is left
## to `make test`, and so are the benchmark plots (bench's, drawn with matplotlib).
test-fast: $(TEST_STAMP)
	$(PY) -m pytest -q -n $(WAITING_WORKERS) --dist loadfile -m "not postgres and not process" --ignore=tests/unit/test_bench_plots.py \
	  $(COVERAGE) --cov-fail-under=90 $(FAST_TIER)

## Benchmarks: print a table and write JSON under bench/results/.
bench: $(TEST_STAMP) system-deps services
	$(PY) -m bench

## Longer load and fault runs, and the fuzzers searching at random instead of replaying `make test`'s examples.
soak: $(TEST_STAMP) system-deps services
	SOAK_SECONDS=$${SOAK_SECONDS:-300} $(PY) -m pytest -q -m slow tests/load
	HYPOTHESIS_PROFILE=soak FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} $(PY) -m pytest -q tests/fuzz

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache tests/node/node_modules tools/tailwind/node_modules tools/tailwind/nicegui
