# Two commands for a new machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
DEV := RECEPTION_ENV=development

.PHONY: install run serve db test e2e api-check bench bench-instructions bench-dashboard bench-scale bench-redaction bench-similar lint format translations-extract translations clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

db: install
	$(DEV) $(FLASK) db upgrade
	$(DEV) $(FLASK) seed reference
	$(DEV) $(FLASK) seed demo

# Migrate, load reference and demo data, start the e-mail worker (printing to the console)
# and serve on http://127.0.0.1:5000.
run: db
	@echo "Serving on http://127.0.0.1:5000 (e-mail is printed here). Stop with Ctrl+C."
	@$(DEV) $(FLASK) outbox send --loop --interval 3 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV) $(FLASK) run --host 127.0.0.1 --port 5000

test: install
	$(BIN)/python -m pytest -q

# Browser tests: flows, screenshots (e2e-artifacts/), accessibility (axe-core), keyboard.
# Needs Debian's chromium (apt-get install chromium) and node (for axe-core).
e2e: install tests/e2e/node_modules/axe-core
	$(BIN)/python -m pytest -o addopts="-ra --import-mode=importlib" tests/e2e

tests/e2e/node_modules/axe-core: tests/e2e/package.json tests/e2e/package-lock.json
	cd tests/e2e && npm ci --silent --no-audit --no-fund
	touch $@

# schemathesis against a running app, from the OpenAPI document.
api-check: install
	bash .ci/api-check

# Reception against a minimal Flask app doing the same reads and writes, both under gunicorn
# and loaded with wrk in the same run (about five minutes; docs/performance.md).
bench: install
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m bench.http

# The same two reads as instructions per request under valgrind's callgrind: the same count
# run after run, where times on a shared machine move by a tenth (about two minutes).
bench-instructions: install
	@command -v valgrind >/dev/null || (apt-get update -qq && apt-get install -y -qq valgrind)
	$(BIN)/python -m bench.instructions

# The dashboard at 10,000 and 1,000,000 appeals on PostgreSQL (several minutes).
bench-dashboard: install
	$(BIN)/python -m bench.dashboard_ratio

# Every page of the national-scale table at 10,000 and 1,000,000 appeals on PostgreSQL, the
# export's rows per second, and the EXPLAIN check of the pages' main queries (about ten
# minutes; ARGS="--large 5000000" for the 5M size; docs/performance.md).
bench-scale: install
	$(BIN)/python -m bench.scale $(ARGS)

# Recall and precision of the redaction scanner on the test corpus (a few seconds).
bench-redaction: install
	$(BIN)/python -m bench.redaction

# Similar appeals: recall and precision of the top 3 on the labelled corpus, the routing
# hint on history split by time, and (given BENCH_SIMILAR_LARGE and BENCH_SIMILAR_SMALL,
# PostgreSQL databases made by bench.generate) the lookup time at both sizes.
bench-similar: install
	$(BIN)/python -m bench.similar $(if $(BENCH_SIMILAR_LARGE),--database-url $(BENCH_SIMILAR_LARGE)) $(if $(BENCH_SIMILAR_SMALL),--small-database-url $(BENCH_SIMILAR_SMALL))

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Extract every translatable string and merge it into the kk and ru catalogs.
translations-extract: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o reception/translations/messages.pot .
	$(BIN)/pybabel update -i reception/translations/messages.pot -d reception/translations --no-fuzzy-matching

translations: install
	$(BIN)/pybabel compile -d reception/translations

clean:
	rm -rf $(VENV) instance/reception.db .pytest_cache
