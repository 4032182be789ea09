"""The generated column-wise validator and feature schema, run in-process (table-driven)."""

from __future__ import annotations

import math
import sys
import types

import jsonschema
import pandas as pd
import pytest

from tests.service.fixture_project import project_files
from tests.service.test_service_plan import rendered


def load_module(name, source):
    module = types.ModuleType(name)
    module.__dict__["__package__"] = ""
    sys.modules[name] = module  # dataclasses look their module up by name
    exec(compile(source, name, "exec"), module.__dict__)
    return module


@pytest.fixture(scope="module")
def generated():
    _, files = rendered("fastapi")
    by_path = {f.path: f.content for f in files}
    schema = load_module("generated_schema", by_path["src/churn_fixture/service/schema.py"])
    registry_source = project_files()["src/churn_fixture/registry.py"]
    registry = load_module("generated_registry", registry_source)
    return schema, registry


TRAINING = pd.DataFrame(
    {
        "age": [31, 45, 22],
        "income": [1200.5, None, 800.0],
        "plan": ["basic", "pro", "basic"],
        "active": [True, False, True],
        "weight": [60.0, 80.5, 70.0],
    }
)


@pytest.fixture(scope="module")
def schema(generated):
    module, registry = generated
    return module.RecordSchema.from_features(registry.describe_features(TRAINING))


GOOD = {"age": 40, "income": 1000.0, "plan": "pro", "active": False, "weight": 70}


def test_features_describe_kinds_nullability_levels_and_ranges(generated):
    _, registry = generated
    columns = {c["name"]: c for c in registry.describe_features(TRAINING)["columns"]}
    assert columns["age"] == {
        "name": "age",
        "kind": "integer",
        "dtype": "int64",
        "nullable": False,
        "min": 22,
        "max": 45,
    }
    assert columns["income"]["kind"] == "number" and columns["income"]["nullable"] is True
    assert columns["plan"]["levels"] == ["basic", "pro"]
    assert columns["active"]["kind"] == "boolean"
    example = registry.describe_features(TRAINING)["example"]
    assert example == {"age": 31, "income": 1200.5, "plan": "basic", "active": True, "weight": 60.0}


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"age": None}, "age", "must not be null"),
        ({"age": True}, "age", "expected integer, got boolean"),
        ({"age": 3.5}, "age", "expected integer, got number"),
        ({"age": "40"}, "age", "expected integer, got string"),
        ({"weight": "heavy"}, "weight", "expected number, got string"),
        ({"weight": math.inf}, "weight", "must be a finite number"),
        ({"weight": math.nan}, "weight", "must be a finite number"),
        ({"plan": "gold"}, "plan", "unknown category 'gold'; expected one of 'basic', 'pro'"),
        ({"plan": 3}, "plan", "expected string, got integer"),
        ({"active": 1}, "active", "expected boolean, got integer"),
        ({"active": [True]}, "active", "expected boolean, got array"),
    ],
)
def test_invalid_values_name_field_and_reason(generated, schema, change, field, message):
    module, _ = generated
    with pytest.raises(module.ValidationFailed) as failed:
        module.validate_columns(schema, [{**GOOD, **change}])
    assert failed.value.errors == [
        {"loc": ["body", field], "msg": message, "type": failed.value.errors[0]["type"]}
    ]


def test_missing_field_in_a_batch_names_the_record(generated, schema):
    module, _ = generated
    broken = {k: v for k, v in GOOD.items() if k != "plan"}
    with pytest.raises(module.ValidationFailed) as failed:
        module.validate_columns(schema, [GOOD, GOOD, broken])
    assert failed.value.errors[0]["loc"] == ["body", 2, "plan"]
    assert failed.value.errors[0]["msg"] == "field required"


def test_valid_values_pass_and_keep_training_dtypes(generated, schema):
    module, _ = generated
    records = [GOOD, {**GOOD, "income": None, "age": 7.0, "weight": 3}]
    columns = module.validate_columns(schema, records)
    frame = module.to_frame(schema, columns)
    assert list(frame.columns) == list(TRAINING.columns)
    assert {c: str(t) for c, t in frame.dtypes.items() if c != "plan"} == {
        c: str(t) for c, t in TRAINING.dtypes.items() if c != "plan"
    }
    assert frame["age"].tolist() == [40, 7]
    assert math.isnan(frame["income"][1])


def test_unknown_levels_can_be_allowed(generated, schema):
    module, _ = generated
    assert module.validate_columns(schema, [{**GOOD, "plan": "gold"}], allow_unknown_levels=True)


def test_extra_fields_are_ignored(generated, schema):
    module, _ = generated
    columns = module.validate_columns(schema, [{**GOOD, "customer_id": "C1"}])
    assert "customer_id" not in columns


@pytest.mark.parametrize(
    "body, batch",
    [(GOOD, False), ([GOOD, GOOD], True), ({"records": [GOOD]}, True)],
)
def test_bodies_one_record_a_list_or_records(generated, body, batch):
    module, _ = generated
    records, is_batch = module.records_from_body(body)
    assert is_batch is batch and all(r == GOOD for r in records)


@pytest.mark.parametrize("body", [[], "text", 3, [GOOD, 5], None])
def test_bodies_that_are_not_records_are_rejected(generated, body):
    module, _ = generated
    with pytest.raises(module.ValidationFailed):
        module.records_from_body(body)


def test_json_schema_accepts_the_example_and_rejects_bad_records(schema):
    record_schema = schema.json_schema()
    jsonschema.validate(schema.example, record_schema)
    jsonschema.validate({**GOOD, "income": None}, record_schema)
    for bad in ({**GOOD, "plan": "gold"}, {**GOOD, "age": "x"}, {"age": 3}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, record_schema)
    assert record_schema["properties"]["age"]["description"] == "seen in training: 22 to 45"


def test_fallback_is_majority_or_mean(generated):
    _, registry = generated
    assert registry.train_fallback([1, 0, 1, 1]) == {
        "kind": "majority",
        "value": 1,
        "source": "predictions",
    }
    numeric = registry.train_fallback([float(i) for i in range(100)])
    assert numeric == {"kind": "mean", "value": 49.5, "source": "predictions"}
    from_target = registry.train_fallback(None, pd.Series(["no", "yes", "no"]))
    assert from_target["value"] == "no" and from_target["source"] == "target"
    assert registry.train_fallback()["kind"] == "none"


def test_promotion_compares_metrics_in_the_right_direction(generated):
    _, registry = generated
    assert registry.is_not_worse({"accuracy": 0.9}, {"accuracy": 0.8})[0]
    assert not registry.is_not_worse({"accuracy": 0.7}, {"accuracy": 0.8})[0]
    assert registry.is_not_worse({"mae": 10.0}, {"mae": 12.0})[0]
    assert not registry.is_not_worse({"mae": 13.0}, {"mae": 12.0})[0]
    assert registry.is_not_worse({"mae": 12.5}, {"mae": 12.0}, tolerance=1.0)[0]
    ok, reason = registry.is_not_worse({"a": 1.0}, {"b": 1.0})
    assert not ok and "no metric" in reason


def test_features_of_arrays_or_none_still_register(generated):
    _, registry = generated
    import numpy as np

    described = registry.describe_features(np.array([[1.0, 2], [3.0, 4]]))
    assert [c["name"] for c in described["columns"]] == ["0", "1"]
    assert described["example"] == {"0": 1.0, "1": 2.0}
    assert registry.describe_features(None) == {"columns": [], "example": {}}
    assert registry._examples(object(), None) == {"records": [], "predictions": []}


def reference_frame(schema, columns):
    """What the frame looked like before typed columns: pandas inference, then astype."""
    frame = pd.DataFrame({name: columns[name] for name in schema.names})
    for field in schema.fields:
        if field.kind == "number":
            frame[field.name] = frame[field.name].astype("float64")
        elif field.kind == "integer":
            frame[field.name] = frame[field.name].astype(field.dtype or "int64")
        elif field.kind == "boolean" and not field.nullable:
            frame[field.name] = frame[field.name].astype("bool")
    return frame


@pytest.mark.parametrize(
    "records",
    [
        [GOOD],
        [GOOD, {**GOOD, "income": None, "age": 7.0, "weight": 3}],  # mixed int/float, a null
        [{**GOOD, "income": None}],  # a nullable column that is all null in this request
        [{**GOOD, "weight": 2, "income": 5}] * 3,  # numbers sent as JSON integers
        [{**GOOD, "age": i, "plan": ("basic", "pro")[i % 2]} for i in range(1000)],
    ],
)
def test_typed_frame_equals_the_inferred_one(generated, schema, records):
    module, _ = generated
    columns = module.validate_columns(schema, records)
    frame = module.to_frame(schema, columns)
    expected = reference_frame(schema, columns)
    pd.testing.assert_frame_equal(frame, expected)
    assert str(frame["age"].dtype) == "int64" and str(frame["weight"].dtype) == "float64"


def test_a_bad_row_in_a_big_batch_is_named_by_index_and_field(generated, schema):
    module, _ = generated
    records = [dict(GOOD, age=i) for i in range(5000)]
    records[3721] = {**GOOD, "weight": "heavy"}
    records[4999] = {**GOOD, "plan": "gold"}
    with pytest.raises(module.ValidationFailed) as failed:
        module.validate_columns(schema, records)
    assert [(e["loc"], e["type"]) for e in failed.value.errors] == [
        (["body", 4999, "plan"], "enum"),
        (["body", 3721, "weight"], "type_error"),
    ]


def test_mixed_types_in_one_column_are_each_judged(generated, schema):
    module, _ = generated
    records = [GOOD, {**GOOD, "age": 3.0}, {**GOOD, "age": "3"}, {**GOOD, "age": 3.5}]
    with pytest.raises(module.ValidationFailed) as failed:
        module.validate_columns(schema, records)
    assert [(e["loc"], e["msg"]) for e in failed.value.errors] == [
        (["body", 2, "age"], "expected integer, got string"),
        (["body", 3, "age"], "expected integer, got number"),
    ]


def test_errors_stop_at_the_cap_on_a_batch_of_bad_rows(generated, schema):
    module, _ = generated
    with pytest.raises(module.ValidationFailed) as failed:
        module.validate_columns(schema, [{**GOOD, "age": None}] * 1000)
    assert len(failed.value.errors) == module.MAX_ERRORS
    assert failed.value.errors[0]["loc"] == ["body", 0, "age"]
