# Quick start: `make demo` then `make test`. Both create .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck validate bench bench-supply clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/rackforge plan examples/frontier-2027 --out out/frontier-2027

# The last step validates the shipped catalog profiles, not whatever a user calibrated locally.
test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -n 2 -q
	RACKFORGE_PROFILE_DIR=$(CURDIR)/.no-user-profiles $(BIN)/rackforge codesign validate

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

validate: $(STAMP)
	$(BIN)/rackforge codesign validate

bench: $(STAMP)
	$(BIN)/python benchmarks/search_speed.py
	$(BIN)/python benchmarks/supply_exposure.py

# The issue-4 goals at full size: several minutes each on a 2-core machine.
bench-supply: $(STAMP)
	$(BIN)/python benchmarks/supply_sourcing.py 1000
	$(BIN)/python benchmarks/supply_simulate.py --trials 100000 --sample 40

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
