#!/usr/bin/env bash
# Starts a local development network: installs what is missing, builds the
# release preset, and runs `trellis devnet` (four validators as separate
# processes, JSON-RPC on 127.0.0.1:8545-8548, prefunded accounts printed).
# Extra arguments go to `trellis devnet` (see `trellis devnet --help`).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/trellis-ccache}"
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target trellis
exec build/release/trellis devnet "$@"
