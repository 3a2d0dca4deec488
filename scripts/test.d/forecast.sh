#!/usr/bin/env bash
# Forecast comparison stage: Kassa's exponential smoothing against Python statsmodels.
# 1. creates (idempotently) a venv outside the repository with statsmodels and numpy:
#    $KASSA_VENV, else ${CARGO_TARGET_DIR:-<repo>/target}/kassa-venv (ignored by git);
# 2. regenerates the statsmodels fixture into a temp file and checks it equals the committed
#    core/tests/fixtures/forecast_statsmodels.json (numbers within 1e-3 relative: fitted
#    parameters come from statsmodels' optimizer, which moves in the 6th digit across
#    scipy/statsmodels versions);
# 3. (the Rust comparison test, every forecast step within 1% of that fixture, runs in the
#    workspace's cargo test: core/tests/forecast_statsmodels.rs);
# 4. prints statsmodels' fit time vs Kassa's on the same series in this run. The test command
#    times the dev build it already has ($KASSA_TIMING_PROFILE, default dev); benchmark
#    figures come from the release build (KASSA_TIMING_PROFILE=release, docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
VENV=${KASSA_VENV:-$TARGET/kassa-venv}
FIXTURE=core/tests/fixtures/forecast_statsmodels.json

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import statsmodels, numpy" 2>/dev/null; then
  "$VENV/bin/pip" install -q statsmodels numpy
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$VENV/bin/python" benches/python/forecast_reference.py --out "$TMP/fixture.json"
"$VENV/bin/python" - "$FIXTURE" "$TMP/fixture.json" <<'PY'
import json, math, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
bad = []
def cmp(x, y, path):
    if isinstance(x, dict):
        if set(x) != set(y): bad.append(f"{path}: keys differ"); return
        for k in x:
            if k in ("statsmodels", "numpy") and path == "": continue  # versions may differ
            cmp(x[k], y[k], f"{path}.{k}")
    elif isinstance(x, list):
        if len(x) != len(y): bad.append(f"{path}: lengths differ"); return
        for i, (p, q) in enumerate(zip(x, y)): cmp(p, q, f"{path}[{i}]")
    elif isinstance(x, float) or isinstance(y, float):
        if x is None or y is None or not math.isclose(x, y, rel_tol=1e-3, abs_tol=1e-9):
            bad.append(f"{path}: {x} vs {y}")
    elif x != y:
        bad.append(f"{path}: {x} vs {y}")
cmp(a, b, "")
if bad:
    print("regenerated statsmodels fixture differs from the committed one:")
    print("\n".join(bad[:20]))
    sys.exit(1)
print(f"statsmodels fixture reproduced ({len(a['cases'])} series, statsmodels {b['statsmodels']})")
PY

PROFILE=${KASSA_TIMING_PROFILE:-dev}
PROFILE_DIR=$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")
cargo build -q --profile "$PROFILE" -p kassa-benches --bin forecast_timing
echo "fit time, $PROFILE build of kassa (release figures: docs/performance.md):"
KASSA_US=$("$TARGET/$PROFILE_DIR/forecast_timing" "$FIXTURE" 200)
SM_US=$("$VENV/bin/python" benches/python/forecast_reference.py --timing "$FIXTURE" --repeat 20)
"$VENV/bin/python" - "$KASSA_US" "$SM_US" <<'PY'
import json, sys
k = json.loads(sys.argv[1]); s = json.loads(sys.argv[2])
print(f"{'series':44} {'statsmodels µs':>15} {'kassa µs':>10} {'ratio':>8}")
for name in k:
    print(f"{name:44} {s[name]:15.0f} {k[name]:10.0f} {s[name] / k[name]:7.1f}x")
PY
