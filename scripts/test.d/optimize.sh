#!/usr/bin/env bash
# Optimize: the Python peer comparison (PyPortfolioOpt vs kassa on identical inputs) at small
# sizes, checking that kassa's optimum is at least as good. Installs PyPortfolioOpt into a
# venv under the target dir on first use. Set KASSA_SKIP_PYTHON_PEER=1 to skip.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${KASSA_SKIP_PYTHON_PEER:-}" = 1 ]; then
  echo "optimize python peer: skipped (KASSA_SKIP_PYTHON_PEER=1)"
  exit 0
fi
TARGET=${CARGO_TARGET_DIR:-target}
VENV=${KASSA_OPTIMIZE_VENV:-$TARGET/optimize-venv}
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import pypfopt" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q pyportfolioopt packaging
fi
# The check is about the optimum, not speed: the dev build the test command already has is
# enough (KASSA_TIMING_PROFILE=release for figures worth quoting).
PROFILE=${KASSA_TIMING_PROFILE:-dev}
PROFILE_DIR=$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")
cargo build -q --profile "$PROFILE" -p kassa-benches --bin portfolio_peer
KASSA_PORTFOLIO_PEER="$TARGET/$PROFILE_DIR/portfolio_peer" \
  "$VENV/bin/python" benches/python/portfolio_peer.py --sizes 50,100 --repeats 1 --check
