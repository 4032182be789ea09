# The two entry points of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# generated projects are installed and run in their own environment, as in a deployment repo
GEN_VENV := .venv-generated
GEN_STAMP := $(GEN_VENV)/.installed

# the JupyterLab front-end: npm packages from the committed lockfile, then tsc + @jupyter/builder
# (offline; no `jupyter lab build`). The wheel carries the result (hatch-jupyter-builder).
NODE_STAMP := node_modules/.installed
LABEXT := toolkit/productionize/labextension
LABEXT_STAMP := $(LABEXT)/package.json
FRONTEND_SOURCES := $(shell find extension/src extension/style schema -type f) extension/tsconfig.json

.PHONY: demo test lint-self bench frontend clean

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

$(LABEXT_STAMP): $(NODE_STAMP) $(FRONTEND_SOURCES)
	npm run --silent build

frontend: $(LABEXT_STAMP)

$(STAMP): pyproject.toml constraints.txt | $(LABEXT_STAMP)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=24"
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	# serve the labextension from the checkout so front-end rebuilds are live (what
	# `jupyter labextension develop` does); the editable install made a copy
	rm -rf $(VENV)/share/jupyter/labextensions/jupyterlab-productionize
	ln -s $(abspath $(LABEXT)) $(VENV)/share/jupyter/labextensions/jupyterlab-productionize
	touch $(STAMP)

$(GEN_STAMP): tests/generated-requirements.txt
	$(PYTHON) -m venv $(GEN_VENV)
	$(GEN_VENV)/bin/python -m pip install -q --upgrade "pip>=24"
	PLOOMBER_STATS_ENABLED=false $(GEN_VENV)/bin/python -m pip install -q -r tests/generated-requirements.txt
	touch $(GEN_STAMP)

demo: $(STAMP) $(GEN_STAMP)
	PRODUCTIONIZE_GENERATED_PYTHON="$(abspath $(GEN_VENV))/bin/python" PLOOMBER_STATS_ENABLED=false \
	  bash scripts/demo.sh

lint-self: $(STAMP)
	$(BIN)/ruff check toolkit tests bench
	$(BIN)/black --check --quiet toolkit tests bench

test: $(STAMP) $(GEN_STAMP) $(LABEXT_STAMP) lint-self
	npm test --silent
	PATH="$(abspath $(BIN)):$$PATH" PRODUCTIONIZE_GENERATED_PYTHON="$(abspath $(GEN_VENV))/bin/python" \
	  PLOOMBER_STATS_ENABLED=false $(BIN)/python -m pytest --nbmake tests examples

# benchmarks print ratio tables; never part of `make test` (BENCH_ARGS=--quick for a short run)
bench: $(STAMP)
	$(BIN)/python bench/pipeline.py --json out/bench/pipeline.json $(BENCH_ARGS)
	@if [ -f bench/service.py ]; then \
	  $(BIN)/python bench/service.py --json out/bench/service.json $(BENCH_ARGS); fi

clean:
	rm -rf $(VENV) $(GEN_VENV) .venv-bench-peers out node_modules lib $(LABEXT)
