#!/usr/bin/env bash
# Builds the Kassa wasm module: cargo (wasm32-unknown-unknown, profile wasm-release) ->
# wasm-opt -> wasm-bindgen (the CLI of the crate's exact version), into a `web` ES module and a
# `nodejs` build, then reports raw / gzip / brotli sizes and checks the budget.
#
# Output: ${KASSA_WASM_OUT:-${CARGO_TARGET_DIR:-<repo>/target}/kassa-wasm}/{web,nodejs}
# Needs: rustup target wasm32-unknown-unknown, wasm-bindgen-cli (installed by
# scripts/test.d/wasm.sh under ${CARGO_TARGET_DIR}/kassa-tools), wasm-opt (Debian binaryen).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
ROOT=$(cd "$HERE/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=${KASSA_WASM_OUT:-$TARGET/kassa-wasm}
PROFILE=${KASSA_WASM_PROFILE:-wasm-release}
FEATURES=${KASSA_WASM_FEATURES:-}
if [ -z "${WASM_BINDGEN:-}" ]; then
  if [ -x "$TARGET/kassa-tools/bin/wasm-bindgen" ]; then
    WASM_BINDGEN=$TARGET/kassa-tools/bin/wasm-bindgen
  else
    WASM_BINDGEN=$(command -v wasm-bindgen || true)
  fi
fi
[ -n "$WASM_BINDGEN" ] || { echo "wasm-bindgen CLI not found (run scripts/test.d/wasm.sh)" >&2; exit 1; }
want=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' "$HERE/Cargo.toml")
have=$("$WASM_BINDGEN" --version | awk '{print $2}')
if [ "$want" != "$have" ]; then
  echo "wasm-bindgen CLI $have does not match the crate's =$want (run scripts/test.d/wasm.sh)" >&2
  exit 1
fi

cd "$ROOT"
feature_args=()
[ -n "$FEATURES" ] && feature_args=(--features "$FEATURES")
cargo build -p kassa-wasm --target wasm32-unknown-unknown --profile "$PROFILE" "${feature_args[@]}"
raw="$TARGET/wasm32-unknown-unknown/$PROFILE/kassa_wasm.wasm"

# Features the Rust toolchain emits for wasm32-unknown-unknown; binaryen must accept them.
OPT_FEATURES=(--enable-bulk-memory --enable-sign-ext --enable-mutable-globals
  --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue)
# wasm-opt runs once, on cargo's output, before wasm-bindgen: Debian's binaryen (108) run on
# wasm-bindgen's output fixes the size of the externref table, which wasm-bindgen's JS glue
# must grow at start ("WebAssembly.Table.grow(): failed to grow table").
# -O1, not -O2/-Oz: on this module binaryen 108's -O2 and -Oz shrink the raw bytes but grow
# the gzipped ones by 10-20 % (inlining and reordering hurt compression), and gzip is what a
# browser downloads; -O1 is the smallest gzipped (docs/performance.md, "wasm binding").
OPT_LEVEL=${KASSA_WASM_OPT_LEVEL:--O1}
mkdir -p "$OUT"
input=$raw
if command -v wasm-opt >/dev/null 2>&1 && [ "${KASSA_WASM_OPT:-1}" != 0 ]; then
  wasm-opt "${OPT_FEATURES[@]}" "$OPT_LEVEL" --strip-producers "$raw" -o "$OUT/kassa.opt.wasm"
  input=$OUT/kassa.opt.wasm
else
  echo "wasm-opt not found or disabled (apt-get install binaryen): the module is not optimized" >&2
fi
for target in web nodejs; do
  rm -rf "$OUT/$target"
  mkdir -p "$OUT/$target"
  "$WASM_BINDGEN" --target "$target" --out-dir "$OUT/$target" --out-name kassa "$input"
done
# The nodejs build is CommonJS; mark its folder so an ESM package above does not claim it.
echo '{"type": "commonjs"}' > "$OUT/nodejs/package.json"

node "$HERE/scripts/size-report.mjs" "$OUT/web/kassa_bg.wasm" "$OUT/web/kassa.js"
