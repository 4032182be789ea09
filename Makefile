# The two entry points of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint-self clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=24"
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

demo: $(STAMP)
	bash scripts/demo.sh

lint-self: $(STAMP)
	$(BIN)/ruff check toolkit tests bench
	$(BIN)/black --check --quiet toolkit tests bench

test: $(STAMP) lint-self
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m pytest --nbmake tests examples

clean:
	rm -rf $(VENV) out
