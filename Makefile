# LPSE Support — developer and CI entry points.
#
#   make demo     set everything up and run the app (:8000) and the SSO simulator (:8001)
#   make test     the whole suite: ruff, mypy, import contracts, migrations check,
#                 pytest on PostgreSQL + SQLite
#
# Missing Debian packages are installed when run as root, printed otherwise.
# Variables: DB=all|postgres|sqlite  PYTEST_ARGS="-k sso -x"  PYTHON=python3

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
# The recipes call apt-get and pip: never two at once.
.NOTPARALLEL:

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DB ?= all
PYTEST_ARGS ?=

export PYTHON DB PYTEST_ARGS VENV
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Debian packages each task needs (scripts/system-deps.sh knows how to check them).
TEST_NEEDS := venv redis $(if $(filter sqlite,$(DB)),,chromium postgresql nginx)

.PHONY: help venv test demo lint fmt clean distclean bench bench-sla bench-storage bench-downloads fuzz-api topology

help:
	@echo "make demo           set up and run the demo: app http://127.0.0.1:8000, simulator http://127.0.0.1:8001"
	@echo "make test           ruff, mypy, import contracts, migrations check, pytest on PostgreSQL and on SQLite"
	@echo "make test DB=sqlite (or DB=postgres) only that pytest pass; PYTEST_ARGS=\"-k sso\" to select"
	@echo "make lint / fmt     ruff + mypy + lint-imports / ruff format + ruff check --fix"
	@echo "make bench          load benchmark (gunicorn + locust, durable throwaway PostgreSQL): BENCH_TICKETS (100000),"
	@echo "                    BENCH_SECONDS (30) per scenario, BENCH_USERS (8), BENCH_JSON=path; data set cached in ~/.cache"
	@echo "make bench-sla      time the SLA sweep over BENCH_SLA_TICKETS (10000) open tickets on a throwaway PostgreSQL"
	@echo "make bench-storage  memory and time of a BENCH_STORAGE_MB (50) MB attachment: local folder and S3 (moto_server)"
	@echo "make bench-downloads 1 MB and 20 MB downloads through nginx, streamed by the app vs X-Accel-Redirect:"
	@echo "                    BENCH_DOWNLOAD_CLIENTS (4), BENCH_DOWNLOAD_SECONDS (20) per row"
	@echo "make topology       the production shape on loopback (nginx TLS, 2 app servers, PostgreSQL primary +"
	@echo "                    replica, Redis, moto S3, 2 workers): load through nginx, then faults under load;"
	@echo "                    TOPOLOGY_TICKETS (100000), TOPOLOGY_SECONDS (30) per phase; installs nginx/redis as root"
	@echo "make fuzz-api       fuzz the API with API_FUZZ_EXAMPLES (500) examples per operation"
	@echo "make venv           create $(VENV) and install the project with its dev dependencies"
	@echo "make clean          remove var/ (demo database, keys, uploads), caches and the install stamp"
	@echo "make distclean      clean, and remove $(VENV) too"

# The virtualenv: created when missing, reinstalled when pyproject.toml changes.
venv: $(STAMP)

$(STAMP): pyproject.toml
	@scripts/system-deps.sh venv
	@test -x $(PY) || { echo "==> creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e '.[dev]'
	@touch $@

test:
	@scripts/system-deps.sh $(TEST_NEEDS)
	@$(MAKE) --no-print-directory venv
	scripts/run-tests.sh

demo: venv
	$(PY) scripts/run_demo.py

# All four run even when one fails. mypy imports the settings (django-stubs): DEBUG=1
# (TESTING=1 is honoured inside pytest only, and stops anything else).
lint: venv
	@status=0; \
	$(VENV)/bin/ruff check . || status=1; \
	$(VENV)/bin/ruff format --check . || status=1; \
	DEBUG=1 $(VENV)/bin/mypy . || status=1; \
	PYTHONPATH=scripts $(VENV)/bin/lint-imports || status=1; \
	exit $$status

fmt: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf var/ $(STAMP) .mypy_cache/ .ruff_cache/ .pytest_cache/ .hypothesis/ test-results/

distclean: clean
	rm -rf $(VENV)

# Load benchmark: a durable throwaway PostgreSQL, the cached data set, gunicorn as in
# production, one locust run per scenario; prints one table (not part of `make test`,
# which runs its smoke mode). Everything it starts is stopped on exit.
bench: venv
	$(PY) scripts/bench.py

# SLA sweep benchmark on a throwaway PostgreSQL (prints numbers; not part of `make test`).
bench-sla: venv
	@set -e; dir="$$(scripts/pg-throwaway.sh start)"; \
	trap 'scripts/pg-throwaway.sh stop "$$dir" >/dev/null 2>&1 || true' EXIT; \
	. "$$dir/env"; export DEBUG=0 SECRET_KEY=bench-only VAR_DIR="$$dir/var"; \
	$(PY) manage.py migrate --noinput -v 0; \
	$(PY) scripts/bench_sla.py --tickets "$${BENCH_SLA_TICKETS:-10000}"

# Attachment storage benchmark: a large upload stored and streamed back, local and on a
# moto_server on loopback (prints numbers; not part of `make test`).
bench-storage: venv
	$(PY) scripts/bench_storage.py --mb "$${BENCH_STORAGE_MB:-50}"

# Downloads through nginx, streamed by the app or sent by nginx (X-Accel-Redirect):
# throwaway PostgreSQL, gunicorn (2 workers), nginx TLS on loopback; prints numbers.
bench-downloads: venv
	@scripts/system-deps.sh postgresql nginx
	$(PY) scripts/bench_downloads.py

# The production shape on loopback, loaded through nginx, with faults under load
# (scripts/topology.py; `make test` runs its --short form). Everything it starts is
# stopped on exit; it exits non-zero if an invariant breaks.
topology: venv
	@scripts/system-deps.sh postgresql nginx redis
	$(PY) scripts/topology.py

# A longer fuzz run of the API's OpenAPI document (the test suite runs 25 examples per operation).
fuzz-api: venv
	@API_FUZZ_EXAMPLES="$${API_FUZZ_EXAMPLES:-500}" DB=sqlite PYTEST_ARGS="api/tests/test_api_fuzz.py" scripts/run-tests.sh
