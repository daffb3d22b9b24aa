#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds the release preset,
# runs every CTest suite (unit, conformance fixtures, layering check), the
# ethers.js end-to-end suite against real node processes, and the fuzz targets
# for a short bounded time. The README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/trellis-ccache}"
# Paths relative to the checkout, so clones in other folders (CI) hit the cache.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
jobs="$(nproc)"

cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
ctest --preset release -j "$jobs"

# End to end: ethers.js against real node processes (e2e/README.md).
if [ "${TRELLIS_SKIP_E2E:-0}" != "1" ]; then
  (cd e2e && npm ci --no-audit --no-fund --loglevel=error &&
    TRELLIS_BIN="$PWD/../build/release/trellis" npm test --silent)
fi

if [ "${TRELLIS_SKIP_FUZZ:-0}" != "1" ]; then
  bash scripts/fuzz.sh --seconds "${TRELLIS_FUZZ_SECONDS:-20}"
fi
