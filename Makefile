# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test bench clean

$(BIN)/didhub: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

run: $(BIN)/didhub
	$(BIN)/didhub serve

# SQLite always; PostgreSQL and MySQL/MariaDB too when DIDHUB_TEST_POSTGRES_URL and
# DIDHUB_TEST_MYSQL_URL are set (.ci/run sets both).
test: $(BIN)/didhub
	$(BIN)/pytest $(PYTEST_ARGS)

# Load tests: seeds a database, serves it with `didhub serve`, drives it with wrk (installed with
# apt-get when missing) and prints every result as a ratio measured in the same run. SQLite;
# PostgreSQL and MySQL too when the DIDHUB_TEST_*_URL are set. `make bench ARGS=--quick` takes
# under 2 minutes. Results: bench/RESULTS.md. Never part of `make test`.
bench: $(BIN)/granian
	$(BIN)/python bench/run.py $(ARGS)

$(BIN)/granian: $(BIN)/didhub
	$(BIN)/pip install --quiet -e ".[test,bench]"
	touch $@

clean:
	rm -rf $(VENV) build dist *.egg-info
