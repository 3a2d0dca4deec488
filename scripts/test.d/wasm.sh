#!/usr/bin/env bash
# Stage: the browser binding (issue 9). Installs what it needs when missing (idempotently):
# the wasm32 target, wasm-bindgen-cli of the crate's pinned version (cargo install --locked
# into ${CARGO_TARGET_DIR}/kassa-tools), Debian's chromium and binaryen (wasm-opt), and the
# binding's own node_modules (playwright-core, typescript, big.js). Then it builds the `web`
# and `nodejs` modules (with the size report and budget), runs the Node tests, type-checks the
# declarations with tsc, and runs the vectors, module tests and the playground in headless
# Chromium.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BINDING=$ROOT/bindings-wasm
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
TOOLS=$CARGO_TARGET_DIR/kassa-tools
export KASSA_WASM_OUT=${KASSA_WASM_OUT:-$CARGO_TARGET_DIR/kassa-wasm}
cd "$ROOT"

# ---- set-up ----
rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$' ||
  rustup target add wasm32-unknown-unknown

WB_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' "$BINDING/Cargo.toml")
if [ "$("$TOOLS/bin/wasm-bindgen" --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
  echo "installing wasm-bindgen-cli $WB_VERSION into $TOOLS (takes several minutes, once)"
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --locked --root "$TOOLS" \
    --target-dir "$CARGO_TARGET_DIR/kassa-tools-build"
fi
export WASM_BINDGEN=$TOOLS/bin/wasm-bindgen

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v wasm-opt >/dev/null 2>&1 || missing+=(binaryen)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=()
  [ "$(id -u)" -eq 0 ] || SUDO=(sudo -n)
  echo "installing ${missing[*]} with apt-get"
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq "${missing[@]}"
fi

if [ ! -d "$BINDING/node_modules/playwright-core" ] || [ ! -d "$BINDING/node_modules/typescript" ] ||
  [ ! -d "$BINDING/node_modules/big.js" ]; then
  (cd "$BINDING" && npm ci --no-audit --no-fund)
fi

# ---- build (prints the raw / gzip / brotli size report; fails over budget) ----
bash "$BINDING/scripts/build.sh"

# ---- tests ----
cd "$BINDING"
node --test --test-reporter=spec test/node/

# TypeScript: every export is declared; the usage file must type-check (strict), and its
# @ts-expect-error lines must each be an error.
TSDIR=$KASSA_WASM_OUT/tsc
mkdir -p "$TSDIR"
cat >"$TSDIR/tsconfig.json" <<JSON
{
  "compilerOptions": {
    "strict": true, "noEmit": true, "target": "es2022", "module": "es2022",
    "moduleResolution": "bundler", "lib": ["esnext", "dom"], "skipLibCheck": false,
    "paths": { "kassa-wasm": ["$KASSA_WASM_OUT/web/kassa.d.ts"] }
  },
  "files": ["$BINDING/test/types/usage.ts"]
}
JSON
node_modules/.bin/tsc -p "$TSDIR/tsconfig.json"
echo "tsc --noEmit: the declarations type-check"

node --test --test-reporter=spec --test-concurrency=1 test/browser/
