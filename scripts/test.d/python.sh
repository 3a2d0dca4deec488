#!/usr/bin/env bash
# Python binding stage (issue 7): builds bindings-python (pyo3 + maturin) into a venv it
# creates, runs pytest (vectors, modules, ports, engine, hypothesis properties), mypy --strict
# over the tests and examples, stubtest over the package, and the FastAPI example's tests.
# 1. venv (idempotent): $KASSA_PY_VENV, else ${CARGO_TARGET_DIR:-<repo>/target}/kassa-py-venv
#    with maturin, pytest, hypothesis, mypy, fastapi, httpx;
# 2. builds the extension with `maturin develop` (profile $KASSA_PY_PROFILE, default `dev`:
#    the workspace dev profile compiles dependencies at opt-level 2 and reuses the cargo test
#    build; the bench script uses the optimized `pyrelease` profile);
# 3. pytest, mypy --strict, stubtest, the example's tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
export CARGO_TARGET_DIR=$TARGET
VENV=${KASSA_PY_VENV:-$TARGET/kassa-py-venv}
PROFILE=${KASSA_PY_PROFILE:-dev}
PY=${PYTHON:-python3}

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import maturin, pytest, hypothesis, mypy, fastapi, httpx" 2>/dev/null; then
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q maturin pytest hypothesis mypy fastapi httpx
fi

# maturin develop installs into the active venv.
export VIRTUAL_ENV=$VENV
export PATH=$VENV/bin:$PATH
(cd bindings-python && maturin develop -q --profile "$PROFILE")

cd "$ROOT/bindings-python"
python -m pytest -q -p no:cacheprovider tests
python -m mypy --strict --no-incremental --cache-dir=/dev/null kassa tests bench ../examples/python-fastapi
python -m mypy.stubtest kassa --allowlist stubtest-allowlist.txt
cd "$ROOT/examples/python-fastapi"
python -m pytest -q -p no:cacheprovider -W ignore::DeprecationWarning
