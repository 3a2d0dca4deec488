#!/usr/bin/env bash
# Node binding stage (issue 8): builds bindings-node with @napi-rs/cli (installed from npm into
# bindings-node/node_modules, git-ignored), checks the generated types are current, runs the
# node:test suites (vectors, errors, modules, engine + JS ports, fast-check properties),
# type-checks index.d.ts against the TypeScript test and example, and tests the HTTP example.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
cd "$ROOT/bindings-node"

# 1. tools (idempotent: only when the lock changed or node_modules is missing). `npm install`
#    with the committed lock, not `npm ci`: npm 11's `ci` refuses @napi-rs/cli's lock because
#    the optional per-platform packages of its own dependencies are never written to a lock.
if [ ! -x node_modules/.bin/napi ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund --loglevel=error
fi

# 2. generated types are current (domain types from core/src)
node scripts/gen-types.js --check

# 3. native build in the dev profile: it reuses the workspace test build's dependencies, and
#    the tests check behaviour, not speed (bench/pricing.js uses `npm run build`, node-release)
npx napi build --platform --js native.js --dts index.d.ts
git -C "$ROOT" diff --exit-code -- bindings-node/index.d.ts bindings-node/native.js ||
  { echo "index.d.ts / native.js changed by the build: commit the regenerated files"; exit 1; }

# 4. tests
node --test test/

# 5. types: the committed index.d.ts against the TypeScript test and example
npx tsc --noEmit -p tsconfig.json

# 6. the HTTP example
cd "$ROOT/examples/node-http"
if [ ! -d node_modules/fastify ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund --loglevel=error
fi
node --test test/
