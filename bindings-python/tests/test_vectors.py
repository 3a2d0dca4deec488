"""Every cross-host vector (core/tests/vectors/**.json) through the Python API: the same
files the Rust tests run, compared exactly (money strings to the digit)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import kassa
from conftest import VECTORS, load_vector, vector_files

FILES = vector_files()


def test_vectors_are_found() -> None:
    # The Rust suite has more than 250 cases; an empty glob must not pass silently.
    assert len(FILES) > 250, f"only {len(FILES)} vectors under {VECTORS}"
    ops = {load_vector(f)["operation"] for f in FILES}
    assert ops <= set(kassa.operations())


@pytest.mark.parametrize("path", FILES, ids=[str(f.relative_to(VECTORS)) for f in FILES])
def test_vector(path: Path) -> None:
    case = load_vector(path)
    op = case["operation"]
    has_expected = "expected" in case
    has_error = "expectedError" in case
    assert has_expected != has_error, "needs exactly one of expected / expectedError"
    if has_expected:
        assert kassa.call(op, case["input"]) == case["expected"]
        # The JSON-text path gives the identical value.
        assert json.loads(kassa.call_json(op, json.dumps(case["input"]))) == case["expected"]
    else:
        want = case["expectedError"]
        with pytest.raises(kassa.KassaError) as info:
            kassa.call(op, case["input"])
        err = info.value
        assert err.code == want["code"], repr(err)
        assert type(err) is kassa.ERROR_CLASSES[want["code"]]
        if "field" in want:
            assert want["field"] in [d.field for d in err.details], repr(err)
