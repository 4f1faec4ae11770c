# Nexus: `make run` starts it with embedded defaults, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.12 || command -v python3)
UV_VERSION := 0.13.9
UV := .uv/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
VENDOR := nexus/static/vendor

.PHONY: run dev demo-data test install assets lint typecheck migrations-check migrations-release pytest coverage coverage-gate bench bench-import bench-import-worker bench-journal bench-notifications bench-search bench-servers bench-lists bench-http bench-cli bench-webhooks dashboards-preview verify verify-proofs verify-faults verify-soak clean

# Nexus as people use it: granian (manage.py serve), debug off, static files from WhiteNoise.
run: demo-data
	DEBUG=$(or $(DEBUG),false) $(PY) manage.py serve --host $(HOST) --port $(PORT)

# For contributors: Django's development server, reloading on every change, debug on.
dev: demo-data
	$(PY) manage.py runserver $(HOST):$(PORT)

demo-data: install assets
	$(PY) manage.py migrate --noinput
	$(PY) manage.py bootstrap
	$(PY) manage.py catalog_own_api
	$(PY) manage.py load_demo

test: install assets lint typecheck migrations-check
	$(PYTEST) --durations=10 $(PYTEST_ARGS)

# The suite runs on every core (a database and a Redis database per xdist worker), in random
# order (the seed is printed: PYTEST_ARGS="--randomly-seed=N" repeats an order).
PYTEST_WORKERS ?= auto
PYTEST := $(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadgroup
# Services, policies and selectors hold the behaviour: their branch coverage may not drop below this.
# Branch coverage needs coverage.py's trace function on Python 3.12, which doubles the time of
# CPU-bound tests, so it has a run of its own (make coverage; CI runs it on its second pass).
COVERAGE_GATE := 90
COVERAGE_GATED := */services.py,*/services/*.py,*/policies.py,*/selectors.py,*/selectors/*.py

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python "$(PYTHON)"
	touch $@

install: $(VENV)/.synced

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(VENDOR)/.built: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/@picocss/pico/css/pico.min.css $(VENDOR)/
	# The source maps go too: the manifest storage follows sourceMappingURL comments.
	cp node_modules/graphiql/graphiql.min.{js,css}{,.map} $(VENDOR)/
	cp node_modules/react/umd/react.production.min.js $(VENDOR)/
	cp node_modules/react-dom/umd/react-dom.production.min.js $(VENDOR)/
	cp node_modules/chart.js/dist/chart.umd.min.js{,.map} $(VENDOR)/
	touch $@

assets: $(VENDOR)/.built

lint: install
	$(VENV)/bin/ruff check nexus tests bench
	$(VENV)/bin/ruff format --check nexus tests bench

typecheck: install
	$(VENV)/bin/mypy nexus

# The models match their migrations, and the migrations new since the previous release
# (deploy/released-migrations.txt) follow expand/contract (docs/deploy.md).
migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check_migrations

# At release time, once the release's migrations ran in production: record them as released.
migrations-release: install
	$(PY) manage.py check_migrations --release

pytest: install assets
	$(PYTEST) $(PYTEST_ARGS)

# The whole suite with branch coverage, then the gate.
coverage: install assets
	$(PYTEST) --cov --cov-report= $(PYTEST_ARGS)
	@$(MAKE) --no-print-directory coverage-gate

coverage-gate: install
	@echo "Branch coverage of nexus/: $$($(VENV)/bin/coverage report --format=total)%"
	@echo "Branch coverage of services, policies and selectors (the gate is $(COVERAGE_GATE)%):"
	@$(VENV)/bin/coverage report --include='$(COVERAGE_GATED)' --skip-covered --sort=cover \
		--fail-under=$(COVERAGE_GATE)

# Every slow proof, none run by make test: the whole-corpus checks, then faults and the soak.
verify: verify-proofs verify-faults verify-soak

# The long proofs over whole corpora (tests marked `verify`, which make test leaves out): every XSS
# vector through every mock and spec surface in Chromium, every SSRF spelling through every sink,
# schemathesis and hypothesis-graphql at full length.
verify-proofs: install assets
	NEXUS_VERIFY=1 $(PYTEST) -m verify $(PYTEST_ARGS)

# Cohort dashboard on 500 learners x a year of entries; DATABASE_URL picks the database.
# Every benchmark, one after another; each prints its own table.
bench: bench-notifications bench-journal bench-import bench-search

bench-journal: install
	$(PY) bench/journal_dashboard.py $(BENCH_ARGS)

# `nexus --help` start-up against `python -c pass` and a bare django.setup(); the limit is 1 s.
bench-cli: install
	$(PY) bench/cli_startup.py $(BENCH_ARGS)

# Import throughput over the shared corpus: parse only vs first import vs the no-op re-import.
bench-import: install
	$(PY) bench/import_bench.py $(BENCH_ARGS)

# The import as deployed: a Celery worker on RabbitMQ runs the job (DATABASE_URL=postgres://… needed).
bench-import-worker: install
	$(PY) bench/import_worker_bench.py $(BENCH_ARGS)

# Search: 100k documents, p50/p99 of 200 queries, ours vs icontains vs raw FTS (DATABASE_URL picks
# PostgreSQL; SQLite otherwise). BENCH_ARGS="--documents 10000" for a quick run.
bench-search: install
	$(PY) bench/search_bench.py $(BENCH_ARGS)

# Per-row CPU of the article and challenge lists (REST, GraphQL) against a naive N+1 DRF list
# (DATABASE_URL picks PostgreSQL; SQLite otherwise).
bench-lists: install
	$(PY) bench/lists.py $(BENCH_ARGS)

# The server make run uses, measured: Django's development server, gunicorn sync and gthread, and
# granian, one process each, on Nexus's pages and a bare WSGI app (needs wrk: apt-get install wrk).
bench-servers: install assets
	$(PY) bench/servers.py $(BENCH_ARGS)

# Nexus over HTTP on the native topology against the limit (nginx serving the same bytes, a bare
# WSGI app on the replicas' server) and a naive DRF build, wrk at 16 and 64 connections in
# interleaved rounds; the dataset (100k articles, 1M votes, ...) is built once into the nexus_bench
# database and reused. About 20 minutes; BENCH_ARGS="--quick --scale 0.01" for a quick look.
# Screenshots of each Grafana dashboard with data, without Grafana: a real Prometheus scrapes a live
# Nexus through a short load run, every panel's query must return data, and Chromium draws the
# panels (deploy/monitoring/preview) into artifacts/dashboards/<dashboard>.png. Needs prometheus,
# promtool, Chromium, PostgreSQL, Redis and RabbitMQ (NEXUS_TEST_BROKER_URL); make test runs it too.
dashboards-preview: install assets
	$(VENV)/bin/pytest -n 0 tests/deploy/test_dashboards.py $(PYTEST_ARGS)
	@ls -1 artifacts/dashboards/*.png

bench-http: install assets
	@for tool in wrk nginx; do command -v $$tool >/dev/null || \
		{ echo "make bench-http needs $$tool (Debian: apt-get install wrk nginx)" >&2; exit 1; }; done
	$(PY) -m bench.web $(BENCH_ARGS)

# Chapa webhooks under load: 200 concurrent signed deliveries (80 duplicates) to a real server with
# a Celery worker on RabbitMQ and a throw-away PostgreSQL database, against a naive inline handler.
bench-webhooks: install
	$(PY) bench/webhook_load.py $(BENCH_ARGS)

# Fan-out of one event to 10,000 followers: ours vs the naive per-row loop (FOLLOWERS=n to change).
bench-notifications: install
	$(PY) bench/notifications_fanout.py --followers $(or $(FOLLOWERS),10000)

# Faults and the soak: each brings the native topology up (deploy/local/up, on a Redis and a
# RabbitMQ of its own, so stopping them disturbs nothing else), checks, writes bench/results/ and
# takes it down; the fixed ports of deploy/local must be free.

# SIGKILL the worker 5 times during 1,000 notification and webhook tasks, stop RabbitMQ and Redis
# for 60 s each, a poison task: 0 lost, 0 duplicates, 0 write or server errors (about 15 minutes).
verify-faults: install
	$(PY) bench/faults.py $(FAULTS_ARGS)

# 10 minutes of locust, 50 users, 80 % reads, with a worker kill, a Redis and a RabbitMQ stop
# (about 15 minutes).
verify-soak: install
	$(PY) bench/soak/run.py $(SOAK_ARGS)

clean:
	rm -rf .uv $(VENV) node_modules $(VENDOR) staticfiles
