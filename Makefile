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

clean:
	rm -rf $(VENV) build dist *.egg-info
