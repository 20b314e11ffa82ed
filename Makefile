# upright developer entry points; CI runs `bash .ci/run` (the README's test command).
PY ?= python

.PHONY: test test-py312 check lint typecheck schema bench

test:
	$(PY) -m pytest -q

# the whole suite on Python 3.12 in its own virtual environment (.venv-py312); CI tests
# the python3 it finds (3.11 or 3.12). PY312=/path/to/python3.12 to pick the interpreter.
PY312 ?= python3.12

test-py312:
	$(PY312) -m venv .venv-py312
	.venv-py312/bin/python -m pip install --quiet -e ".[test]"
	.venv-py312/bin/python -m pytest -q

lint:
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m ruff format --check src tests benchmarks

typecheck:
	$(PY) -m mypy

check: lint typecheck test

schema:
	$(PY) -m upright.summaries src/upright/schemas

bench:
	$(PY) benchmarks/gait_events_forceplate.py
	$(PY) benchmarks/speed.py
	$(PY) benchmarks/transformations.py
	$(PY) benchmarks/cross_model.py
	$(PY) benchmarks/plank_form.py
