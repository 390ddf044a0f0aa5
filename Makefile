# The two commands: `make demo` (server with the demo city) and `make test` (the test suite).
VENV ?= .venv
BIN := $(VENV)/bin
export DEBUG ?= 1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test setup setup-test load serve lint fmt bench clean

demo: setup load serve            ## install, load the demo city, serve http://127.0.0.1:8000 (+ a worker)

test: setup-test                  ## the whole test suite against a real PostGIS
	$(BIN)/pytest $(PYTEST_ARGS)

setup:
	bash scripts/setup.sh server

setup-test:
	bash scripts/setup.sh test

load:
	$(BIN)/geo-ioc demo load
	$(BIN)/geo-ioc units demo
	$(BIN)/geo-ioc socioeconomic demo
	$(BIN)/geo-ioc reports demo

# The server in the foreground, a job worker beside it (exports, imports, sweeps); stopping the
# server (Ctrl-C) stops the worker too.
serve:
	$(BIN)/geo-ioc worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/geo-ioc serve --host $(HOST) --port $(PORT)

lint: setup-test                  ## ruff (format + lint) and mypy
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy .

fmt:
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules build
