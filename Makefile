# Academy Maturity: `make run` starts the app with demo data; `make test` runs every check.
# Both do all their own set-up: a virtual environment, Python and npm packages, assets.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The web scanner (make scan) lives apart, so its dependencies never meet the app's pins.
SCAN_VENV := .venv-scan
SCAN_BIN := $(SCAN_VENV)/bin
GOVUK := node_modules/govuk-frontend/dist/govuk
export FLASK_APP := wsgi:app

.PHONY: run worker test setup lint typecheck benchmark load scan clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The load test's extra packages (locust), only for `make load`.
$(BIN)/.installed-load: $(BIN)/.installed
	$(BIN)/pip install --quiet -e '.[dev,load]'
	touch $@

$(SCAN_BIN)/.installed: benchmarks/scan-requirements.txt
	$(PYTHON) -m venv $(SCAN_VENV)
	$(SCAN_BIN)/pip install --quiet --upgrade pip
	$(SCAN_BIN)/pip install --quiet -r benchmarks/scan-requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

static/.built: node_modules/.installed
	cp -R $(GOVUK)/assets/fonts $(GOVUK)/assets/images $(GOVUK)/assets/rebrand $(GOVUK)/assets/manifest.json static/
	cp $(GOVUK)/govuk-frontend.min.css $(GOVUK)/govuk-frontend.min.css.map static/
	cp $(GOVUK)/govuk-frontend.min.js $(GOVUK)/govuk-frontend.min.js.map static/
	touch $@

setup: $(BIN)/.installed static/.built

run: setup
	MATURITY_ENV=development $(BIN)/flask db upgrade
	MATURITY_ENV=development $(BIN)/flask maturity load-reference-data
	MATURITY_ENV=development $(BIN)/flask maturity seed-demo
	@# The demo's charts, drawn into the chart store as their submissions would have drawn
	@# them, in the background while the app starts (instance/draw-charts.log).
	mkdir -p instance && (MATURITY_ENV=development $(BIN)/flask maturity draw-charts > instance/draw-charts.log 2>&1 &)
	@echo ""
	@echo "Academy Maturity is starting at http://127.0.0.1:$${PORT:-5000}/sign-in"
	@echo "Sign in as lead@riverside.example.org (an academy lead) with the password above."
	MATURITY_ENV=development $(BIN)/flask run --host 127.0.0.1 --port $${PORT:-5000}

# The job queue's worker, beside the web workers (needs REDIS_URL; without it, jobs run
# inside the web process and `make run` needs nothing else).
worker: setup
	$(BIN)/flask maturity worker

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(BIN)/.installed
	$(BIN)/mypy

test: setup lint typecheck
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) $(SCAN_VENV) node_modules static/.built static/fonts static/images static/rebrand \
	  static/manifest.json static/govuk-frontend.min.* .pytest_cache .mypy_cache

benchmark: setup
	$(BIN)/python benchmarks/run.py

load: setup $(BIN)/.installed-load
	$(BIN)/python benchmarks/load.py

scan: setup $(SCAN_BIN)/.installed
	$(BIN)/python benchmarks/scan.py
