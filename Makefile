# Two commands for a new user: `make demo` and `make test`. Everything else is installed here.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= demo-out

.PHONY: demo demo-seed screenshot test bench env test-env system-deps clean

$(BIN)/prrt-rwe: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	@touch $@

env: $(BIN)/prrt-rwe

$(VENV)/.test-deps: $(BIN)/prrt-rwe
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

test-env: $(VENV)/.test-deps

system-deps:
	bash scripts/install-system-deps.sh

demo: env
	$(BIN)/prrt-rwe demo --out $(OUT)

# The demo's seed by its stated rule (prrt_rwe/synth/demo_seed.py): rescan after a change to
# synth/ or the analysis, then `make screenshot`.
demo-seed: env
	$(BIN)/python -m prrt_rwe.synth.demo_seed --write

# docs/screenshot.png from the current demo (the demo test fails when it is stale).
screenshot: test-env
	$(BIN)/prrt-rwe demo --out $(OUT)
	$(BIN)/python -m prrt_rwe.report.screenshot $(OUT)/report.html docs/screenshot.png

# pytest exit 5 ("no tests collected") is not a failure of the suite. Two processes (the CI
# machine has 2 cores); each test module stays on one of them, longest first (tests/conftest.py).
# `make test XDIST=` runs the suite in one process.
XDIST ?= -n 2 --dist loadfile --no-loadscope-reorder
test: test-env system-deps
	$(BIN)/python -m pytest -q -p no:cacheprovider $(XDIST); rc=$$?; [ $$rc -eq 5 ] && rc=0; exit $$rc

bench: test-env system-deps
	bash benchmarks/run.sh

clean:
	rm -rf $(VENV) .venv-bench $(OUT) bench-out
