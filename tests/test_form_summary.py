"""The published ``upright.form/1`` schema is the generated one, and summaries follow it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import upright
from form_cases import plank
from upright.services.form import FormOptions, check_form_keypoints
from upright.summaries.form import SCHEMA_VERSION, schema_json

SCHEMA_FILE = Path(upright.__file__).resolve().parent / "schemas" / "upright.form-1.schema.json"


def test_the_schema_file_is_the_generated_schema() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_json()


def test_a_synthetic_form_check_validates() -> None:
    summary = check_form_keypoints(plank(), FormOptions("front_plank")).summary
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    document = json.loads(summary.model_dump_json())
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)
    assert document["schema_version"] == SCHEMA_VERSION == "upright.form/1"
    document["seconds"][0]["phase"] = "warming up"
    with pytest.raises(jsonschema.ValidationError, match="'warming up' is not one of"):
        jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)
