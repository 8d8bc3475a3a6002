# The two commands a newcomer types: `make run` and `make test`. Both install into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run
SAMPLES := tests/fixtures/samples
# The strict editable install links files, so a new module or package needs a reinstall: folders change
# their modification time when a file is added or removed, which re-runs the install.
SOURCE_DIRS := $(shell find src config -type d -not -name __pycache__ 2>/dev/null)
# Python writes bytecode caches here whatever the shell says: with PYTHONDONTWRITEBYTECODE set (as on some
# CI machines), every process compiled prorata afresh (0.1-0.4 s of CPU a start) and pytest rewrote every test
# module in each of its processes (4.5 s each), a tenth of the suite's time. The caches go under .venv, not
# beside the sources: a __pycache__ made in a source folder would change its time and re-run the install.
unexport PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX := $(abspath $(VENV))/pycache

.PHONY: install test fuzz lint format run simulate bench clean sftp-client pdf-tools

install: $(STAMP)

# `make run` needs prorata alone; `make test` (and lint, bench) its development tools too. setuptools' box
# about the strict editable install's auxiliary folder (build/) is silenced: it is expected.
EDITABLE := PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet -e
$(STAMP): pyproject.toml $(SOURCE_DIRS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24" "setuptools>=77" wheel
	$(EDITABLE) '.[dev]' --config-settings editable_mode=strict
	touch $(STAMP) $(RUN_STAMP)

$(RUN_STAMP): pyproject.toml $(SOURCE_DIRS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24" "setuptools>=77" wheel
	$(EDITABLE) . --config-settings editable_mode=strict
	touch $(RUN_STAMP)

# Four processes (pytest-xdist), a module to each at a time: most tests wait on processes, sockets or the
# database, so four keep two cores busy; each process has its own databases, broker vhost and folders.
TEST_PROCESSES ?= 4
test: install sftp-client pdf-tools
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadscope

# The hostile-input suite and schemathesis at length: `make test` runs them on a fixed seed in seconds,
# the upload corpus and schemathesis on PostgreSQL only; this takes more files, more of them through every
# way in, and more examples, from another seed, on SQLite and PostgreSQL.
FUZZ_FILES ?= 2000
FUZZ_SEED ?= 7
FUZZ_SAMPLE ?= 5
FUZZ_EXAMPLES ?= 100
fuzz: install
	PRORATA_FUZZ_FILES=$(FUZZ_FILES) PRORATA_FUZZ_SEED=$(FUZZ_SEED) PRORATA_FUZZ_SAMPLE=$(FUZZ_SAMPLE) \
	  PRORATA_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/hostile tests/integration/test_api_schema_fuzz.py

# The drop-zone tests drive OpenSSH's own sftp client.
sftp-client:
	@command -v sftp >/dev/null || { apt-get update -qq && apt-get install -y -qq openssh-client; } \
	  || echo "install OpenSSH's client (openssh-client) to run the SFTP tests"

# The receipt PDF tests read the PDFs back with poppler's pdftotext.
pdf-tools:
	@command -v pdftotext >/dev/null || { apt-get update -qq && apt-get install -y -qq poppler-utils; } \
	  || echo "install poppler-utils (pdftotext) to run the PDF tests"

lint: install
	$(BIN)/ruff check src config tests
	$(BIN)/ruff format --check src config tests
	$(BIN)/mypy src config tests
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format src config tests
	$(BIN)/ruff check --fix src config tests

# All in one process on embedded defaults: SQLite under var/, in-process broker, local folders, SFTP on 2222.
# Other ports: `make run PORT=8001 SFTP_PORT=2223`.
PORT ?= 8000
SFTP_PORT ?= 2222
run: $(RUN_STAMP)
	$(BIN)/prorata run --demo --port $(PORT) --sftp-port $(SFTP_PORT)

simulate: $(RUN_STAMP)
	$(BIN)/prorata simulate $(SAMPLES)/settlement-heating.json --readings $(SAMPLES)/readings-heating-es.csv

# bench_simulate runs what a user runs (processes, HTTP to `prorata api`), each against its baseline;
# bench_startup times every command's start-up as a process, against `python -c pass`. bench_import uploads
# files to `prorata api` for a `prorata worker` (PostgreSQL, RabbitMQ), against a parse + COPY of the same rows:
# PRORATA_BENCH_IMPORT_ROWS=20000 PRORATA_BENCH_IMPORT_BIG_ROWS=0 for a dev run.
# bench_operations needs PostgreSQL, RabbitMQ and OpenSSH's sftp (as the e2e tests): PRORATA_BENCH_UNITS=2000 for a
# shorter run. bench_scale (last: the longest, 20 × 500,000-row files imported by one worker, then two) needs
# PostgreSQL and RabbitMQ: PRORATA_BENCH_SCALE_FILES=4 PRORATA_BENCH_SCALE_ROWS=100000 for a dev run.
bench: install sftp-client
	$(BIN)/python tests/benchmarks/bench_simulate.py
	$(BIN)/python tests/benchmarks/bench_startup.py
	$(BIN)/python tests/benchmarks/bench_engine.py
	$(BIN)/python tests/benchmarks/bench_files.py
	$(BIN)/python tests/benchmarks/bench_import.py
	$(BIN)/python tests/benchmarks/bench_receipts.py
	$(BIN)/python tests/benchmarks/bench_distribution.py
	$(BIN)/python tests/benchmarks/bench_operations.py
	$(BIN)/python tests/benchmarks/bench_scale.py

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .pytest_cache .ruff_cache
