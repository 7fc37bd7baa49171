# Two commands on a fresh machine: `make demo` and `make test`.
# Both build .venv when it is missing (or when pyproject.toml changed since it was built).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint clean system-deps node-test-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# `make demo DEMO_ARGS="--port 8080 --site-port 8081"` when 8000 or 8001 is taken.
DEMO_ARGS ?=
demo: $(VENV)/.installed
	$(BIN)/tidings demo $(DEMO_ARGS)

# The tests drive a real Chromium (browser tests), a real redis-server (distributed crawl) and a
# real Elasticsearch node (fetched with mvn, run on Java 17; hunspell-en-us gives it a stemmer)
# and a private PostgreSQL cluster (the PostgreSQL store engine; tidings/dev/postgres.py).
SYSTEM_PACKAGES := chromium redis-server maven default-jre-headless hunspell-en-us postgresql
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v redis-server >/dev/null \
		|| ! command -v mvn >/dev/null || ! command -v java >/dev/null \
		|| [ ! -f /usr/share/hunspell/en_US.dic ] || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
		else \
			echo "make test needs Debian's $(SYSTEM_PACKAGES): sudo apt-get install -y $(SYSTEM_PACKAGES)" >&2; exit 2; \
		fi; \
	fi

# The npm newsapi client that tests/search_api/test_newsapi_clients.py runs under Node (20+),
# installed from its package-lock.json into that folder (its install scripts are not run).
NODE_TEST_DIR := tests/search_api/newsapi_node
node-test-deps: $(NODE_TEST_DIR)/node_modules/.package-lock.json

$(NODE_TEST_DIR)/node_modules/.package-lock.json: $(NODE_TEST_DIR)/package-lock.json
	@command -v npm >/dev/null || { echo "make test needs Node 20+ with npm (the NewsAPI client tests run the npm newsapi package)" >&2; exit 2; }
	cd $(NODE_TEST_DIR) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

test: system-deps $(VENV)/.installed-test node-test-deps
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var build *.egg-info $(NODE_TEST_DIR)/node_modules
