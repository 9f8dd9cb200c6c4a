# Milepost: `make demo` serves the demo on http://127.0.0.1:8000; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.13 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
# The tests run against real PostgreSQL and Redis (docker-compose.dev.yml starts both with these credentials);
# override these, on the command line or in the environment, to point elsewhere. The tests empty this Redis
# database: never give them your development one.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/milepost
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test setup setup-dev static browser services lint format bench clean lock mutation

# Every Python dependency, transitive ones included, is pinned with its hashes in uv.lock (docs/operations.md
# says why uv). uv itself comes from PyPI with pip, into .tools/, so a machine needs only Python 3.13 and pip.
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
export UV_PYTHON_DOWNLOADS := never
UV_SYNC := UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --locked --inexact --compile-bytecode --python $(PY)

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 13) else "Milepost needs Python 3.13: install it (e.g. pyenv install 3.13) and run make again.")'
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet uv==$(UV_VERSION)

# After editing the dependencies in pyproject.toml: `make lock`, then commit uv.lock with it.
lock: $(UV)
	$(UV) lock --python $(PYTHON)

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	@$(UV) lock --check --python $(PYTHON) >/dev/null 2>&1 || { echo "pyproject.toml and uv.lock disagree: run 'make lock' and commit uv.lock."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(UV_SYNC)
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(UV_SYNC) --extra dev
	touch $@

setup: $(VENV)/.installed static

setup-dev: $(VENV)/.installed-dev static

# Bootstrap, plotly.js and axe-core come from the npm registry into static/vendor (never a CDN, never committed).
static: static/vendor/.installed

static/vendor/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed to install the front-end files: install Node.js (an LTS release) and run make again."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor/bootstrap static/vendor/plotly static/vendor/axe
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map static/vendor/bootstrap/
	cp node_modules/plotly.js-basic-dist-min/plotly-basic.min.js static/vendor/plotly/
	cp node_modules/axe-core/axe.min.js static/vendor/axe/
	touch $@

demo: setup
	DJANGO_DEBUG=true $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=true $(PY) manage.py seed_demo
	DJANGO_DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "The browser tests need Chromium at $(CHROMIUM): run 'sudo apt-get install chromium' (or set CHROMIUM=/path/to/chromium)."; exit 1; fi; }

services:
	@DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m coalition.check_services

test: setup-dev browser
	@$(MAKE) --no-print-directory services
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) CHROMIUM=$(CHROMIUM) $(PY) -m pytest $(PYTEST_ARGS)

lint: setup-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup-dev
	@$(MAKE) --no-print-directory services
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) bench/recompute.py --floor
	$(PY) bench/dashboard.py

# Mutation testing of the guard modules (docs/testing.md): slow, one worker (two cores are shared), never part
# of `make test`. MUTANTS narrows the run, e.g. make mutation MUTANTS='surveys.permissions*'.
MUTANTS ?= surveys.answer_types* surveys.permissions* surveys.services.exports.x_spreadsheet* surveys.services.exports.x_answers_export_rows* surveys.services.workflow.x__move* surveys.services.workflow.x__refusal_message* surveys.services.workflow.x__approve* surveys.services.workflow.x__record_transition* surveys.services.workflow.x__lock* \
	metrics.services.recompute.x__computed_values* metrics.services.recompute.x__answer_counts* metrics.services.recompute.x__one_decimal* metrics.services.recompute.x__mark_computed* metrics.services.recompute.xǁRecomputeReportǁsummary* \
	metrics.disclosure.rules.x_* metrics.disclosure.audit.x_unsafe* metrics.disclosure.audit.x_is_milepost_code* metrics.disclosure.audit.x_primary* metrics.disclosure.audit.x_differencing_groups* metrics.disclosure.audit.x_isolated_groups* metrics.disclosure.audit.x__per_member_range* metrics.disclosure.audit.x__cost* metrics.disclosure.audit.x__sensitive* \
	metrics.services.publishing.x__check* metrics.services.publishing.x_public_display* metrics.services.publishing.x_release_interim_needed* metrics.services.publishing.x__release_status* \
	metrics.selectors.x_member_benchmark* surveys.selectors.x_organization_overview* surveys.services.exports.x_audit_export_rows* \
	surveys.services.exports.x_csv_chunks* surveys.services.exports.x_audit_filters_json* surveys.services.exports.x_audit_filters_from_json* surveys.services.exports.x_export_file_path* surveys.services.exports.x_export_job_request* surveys.services.exports.x_export_job_run* surveys.services.exports.x_export_jobs_purge* \
	surveys.services.import_reading.* surveys.services.imports.x__organization__mutmut_* surveys.services.imports.x__final_values* surveys.services.imports.x_incomplete_problems* surveys.services.imports.x__compare_with_database* surveys.services.imports.x__check_record* surveys.services.imports.x__check_multiline* surveys.services.imports.x__parse_value*
mutation: setup-dev
	@$(MAKE) --no-print-directory services
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) CHROMIUM=$(CHROMIUM) $(VENV)/bin/mutmut run --max-children 1 $(foreach m,$(MUTANTS),'$(m)')
	$(PY) -m tests.mutation_score --survivors

clean:
	rm -rf $(VENV) $(TOOLS) node_modules static/vendor staticfiles db.sqlite3 .cache
