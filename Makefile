# upright developer entry points; CI calls `make test`.
PY ?= python

.PHONY: test check lint typecheck schema bench

test:
	$(PY) -m pytest -q

lint:
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m ruff format --check src tests benchmarks

typecheck:
	$(PY) -m mypy

check: lint typecheck test

schema:
	$(PY) -m upright.summary > src/upright/schemas/upright.analysis-1.schema.json
	$(PY) -m upright.run_summary > src/upright/schemas/upright.run-1.schema.json
	$(PY) -m upright.imu_summary > src/upright/schemas/upright.imu-1.schema.json
	$(PY) -m upright.compare_summary > src/upright/schemas/upright.compare-1.schema.json
	$(PY) -m upright.form_summary > src/upright/schemas/upright.form-1.schema.json

bench:
	$(PY) benchmarks/gait_events_forceplate.py
	$(PY) benchmarks/speed.py
	$(PY) benchmarks/transformations.py
	$(PY) benchmarks/cross_model.py
	$(PY) benchmarks/plank_form.py
