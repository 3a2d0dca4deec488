"""Shared fixtures: where the cross-host vectors live."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: core/tests/vectors, relative to this file (bindings-python/tests).
VECTORS = Path(__file__).resolve().parents[2] / "core" / "tests" / "vectors"


def vector_files() -> list[Path]:
    return sorted(VECTORS.rglob("*.json"))


def load_vector(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return case
