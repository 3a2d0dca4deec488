#!/usr/bin/env bash
# Builds the Kassa wasm modules: cargo (wasm32-unknown-unknown, profile wasm-release) ->
# wasm-opt -> wasm-bindgen (the CLI of the crate's exact version), then reports raw / gzip /
# brotli sizes and checks the budget. Three cargo builds, three outputs (docs/wasm.md, "Builds"):
#   web       ES module, `--no-default-features --features web`: the storefront's operations,
#             no engine; the size-budgeted module a page loads first (400 KB gzip, enforced)
#   web-full  ES module, `--no-default-features --features web-full`: the engine's storefront
#             flows and the pure domain the browser module exposes (web + inventory formulas
#             and forecasting); no identity, supply or billing flows and no notification
#             templates (they answer UNSUPPORTED) and without the sample catalog (a setup
#             passes its catalog); loaded on demand (the playground's checkout)
#   nodejs    CommonJS, `--no-default-features --features engine-auth,engine-supply,
#             engine-billing,ops,sample-catalog`: every operation and every engine flow, the
#             sample catalog, without templates
#
# Output: ${KASSA_WASM_OUT:-${CARGO_TARGET_DIR:-<repo>/target}/kassa-wasm}/{web,web-full,nodejs}
# Needs: rustup target wasm32-unknown-unknown, wasm-bindgen-cli (installed by
# scripts/test.d/wasm.sh under ${CARGO_TARGET_DIR}/kassa-tools), wasm-opt (Debian binaryen).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
ROOT=$(cd "$HERE/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=${KASSA_WASM_OUT:-$TARGET/kassa-wasm}
PROFILE=${KASSA_WASM_PROFILE:-wasm-release}
# Cargo features of the two builds (comma lists, with --no-default-features).
WEB_FEATURES=${KASSA_WASM_WEB_FEATURES:-web}
FULL_FEATURES=${KASSA_WASM_FULL_FEATURES:-web-full}
NODE_FEATURES=${KASSA_WASM_NODE_FEATURES:-engine-auth,engine-supply,engine-billing,ops,sample-catalog}
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
mkdir -p "$OUT/cargo"
raw="$TARGET/wasm32-unknown-unknown/$PROFILE/kassa_wasm.wasm"
# Every build writes cargo's one output file; keep a copy of each (the census reads these).
cargo build -p kassa-wasm --target wasm32-unknown-unknown --profile "$PROFILE" \
  --no-default-features --features "$NODE_FEATURES"
cp "$raw" "$OUT/cargo/node.wasm"
cargo build -p kassa-wasm --target wasm32-unknown-unknown --profile "$PROFILE" \
  --no-default-features --features "$FULL_FEATURES"
cp "$raw" "$OUT/cargo/full.wasm"
cargo build -p kassa-wasm --target wasm32-unknown-unknown --profile "$PROFILE" \
  --no-default-features --features "$WEB_FEATURES"
cp "$raw" "$OUT/cargo/web.wasm"

# Features the Rust toolchain emits for wasm32-unknown-unknown; binaryen must accept them.
OPT_FEATURES=(--enable-bulk-memory --enable-sign-ext --enable-mutable-globals
  --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue)
# wasm-opt runs once, on cargo's output, before wasm-bindgen: Debian's binaryen (108) run on
# wasm-bindgen's output fixes the size of the externref table, which wasm-bindgen's JS glue
# must grow at start ("WebAssembly.Table.grow(): failed to grow table").
# -O1, not -O2/-Oz: on this module binaryen 108's -O2 and -Oz shrink the raw bytes but grow
# the gzipped ones by 10-20 % (inlining and reordering hurt compression), and gzip is what a
# browser downloads; -O1 is the smallest gzipped (docs/performance.md, "wasm binding").
# Then the control flow flattened and re-looped, dead arguments removed and -O1 again: 0.6 %
# fewer gzipped bytes of `web-full` (docs/performance.md, wasm, "Session 15").
# KASSA_WASM_OPT_LEVEL (one flag, e.g. -Oz) replaces the whole sequence.
if [ -n "${KASSA_WASM_OPT_LEVEL:-}" ]; then
  OPT_PASSES=("$KASSA_WASM_OPT_LEVEL")
else
  OPT_PASSES=(-O1 --flatten --rereloop -O1 --dae-optimizing -O1)
fi
optimized() { # <name>: the wasm-opt'd module of cargo/<name>.wasm (or cargo's, unoptimized)
  if command -v wasm-opt >/dev/null 2>&1 && [ "${KASSA_WASM_OPT:-1}" != 0 ]; then
    wasm-opt "${OPT_FEATURES[@]}" "${OPT_PASSES[@]}" --strip-producers "$OUT/cargo/$1.wasm" -o "$OUT/cargo/$1.opt.wasm"
    echo "$OUT/cargo/$1.opt.wasm"
  else
    echo "wasm-opt not found or disabled (apt-get install binaryen): the module is not optimized" >&2
    echo "$OUT/cargo/$1.wasm"
  fi
}
full=$(optimized full)
node=$(optimized node)
web=$(optimized web)
bindgen() { # <target> <out dir name> <module> [flags]
  rm -rf "${OUT:?}/$2"
  mkdir -p "$OUT/$2"
  "$WASM_BINDGEN" --target "$1" --out-dir "$OUT/$2" --out-name kassa "${@:4}" "$3"
}
# The browser builds without the name section (function names for debuggers: ~2 KB gzip of
# `web-full`) and the producers section; the Node build keeps its names for stack traces.
bindgen web web "$web" --remove-name-section --remove-producers-section
bindgen web web-full "$full" --remove-name-section --remove-producers-section
bindgen nodejs nodejs "$node"
# The browser builds' JS glue minified (terser, a dev dependency: `npm ci` in bindings-wasm):
# wasm-bindgen writes it with every export's doc comment, half its gzipped bytes; the
# TypeScript declarations keep the docs (docs/performance.md, wasm, "Session 15").
TERSER="$HERE/node_modules/.bin/terser"
for build in web web-full; do
  if [ -x "$TERSER" ] && [ "${KASSA_WASM_MINIFY:-1}" != 0 ]; then
    "$TERSER" "$OUT/$build/kassa.js" --module --compress --mangle -o "$OUT/$build/kassa.min.js"
    mv "$OUT/$build/kassa.min.js" "$OUT/$build/kassa.js"
  else
    echo "terser not found (npm ci in bindings-wasm) or disabled: the $build glue is not minified" >&2
  fi
done
# The nodejs build is CommonJS; mark its folder so an ESM package above does not claim it.
echo '{"type": "commonjs"}' > "$OUT/nodejs/package.json"

node "$HERE/scripts/size-report.mjs" "$OUT"
