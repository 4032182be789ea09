# The two entry points of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# generated projects are installed and run in their own environment, as in a deployment repo
GEN_VENV := .venv-generated
GEN_STAMP := $(GEN_VENV)/.installed

.PHONY: demo test lint-self bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=24"
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

$(GEN_STAMP): tests/generated-requirements.txt
	$(PYTHON) -m venv $(GEN_VENV)
	$(GEN_VENV)/bin/python -m pip install -q --upgrade "pip>=24"
	PLOOMBER_STATS_ENABLED=false $(GEN_VENV)/bin/python -m pip install -q -r tests/generated-requirements.txt
	touch $(GEN_STAMP)

demo: $(STAMP)
	bash scripts/demo.sh

lint-self: $(STAMP)
	$(BIN)/ruff check toolkit tests bench
	$(BIN)/black --check --quiet toolkit tests bench

test: $(STAMP) $(GEN_STAMP) lint-self
	PATH="$(abspath $(BIN)):$$PATH" PRODUCTIONIZE_GENERATED_PYTHON="$(abspath $(GEN_VENV))/bin/python" \
	  PLOOMBER_STATS_ENABLED=false $(BIN)/python -m pytest --nbmake tests examples

# benchmarks print ratio tables; never part of `make test` (BENCH_ARGS=--quick for a short run)
bench: $(STAMP)
	$(BIN)/python bench/pipeline.py --json out/bench/pipeline.json $(BENCH_ARGS)
	@if [ -f bench/service.py ]; then \
	  $(BIN)/python bench/service.py --json out/bench/service.json $(BENCH_ARGS); fi

clean:
	rm -rf $(VENV) $(GEN_VENV) .venv-bench-peers out
