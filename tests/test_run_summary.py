"""The published ``upright.run/1`` schema is the generated one, and summaries follow it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import upright
from activity_files import fit_bytes
from upright.services.run_import import import_run
from upright.summaries.run import SCHEMA_VERSION, schema_json

SCHEMA_FILE = Path(upright.__file__).resolve().parent / "schemas" / "upright.run-1.schema.json"


def test_the_schema_file_is_the_generated_schema() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_json()


def test_a_synthetic_run_validates(tmp_path: Path) -> None:
    records = [
        {"time_s": float(t), "distance": 3.0 * t, "heart_rate": 150, "cadence": 86}
        for t in range(0, 1500, 3)
    ]
    path = tmp_path / "run.fit"
    path.write_bytes(fit_bytes(records))
    summary = import_run(path, pain_onset_km=1.0).summary
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    document = json.loads(summary.model_dump_json())
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)
    assert document["schema_version"] == SCHEMA_VERSION == "upright.run/1"
    assert document["pain_onset"]["km"] == 1.0
    del document["fatigue_signs"][0]["reason"]
    with pytest.raises(jsonschema.ValidationError, match="'reason' is a required property"):
        jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)
