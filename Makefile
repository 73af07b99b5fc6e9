# promptui: `make run` starts the app on the embedded registry with demo data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test install install-dev browser postgres lint bench clean

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .   # the `promptui` command
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Debian's Chromium drives the browser tests (Playwright's own browser download is not used).
browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium)

# Debian's PostgreSQL for the load tests, which start their own cluster on loopback.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 \
		|| (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql)

run: install
	$(PY) -m promptui demo
	$(PY) -m streamlit run app.py --server.port $(PORT) --browser.gatherUsageStats false

test: install-dev browser postgres
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

lint: install-dev
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

bench: install-dev
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) .promptui .pytest_cache .ruff_cache
