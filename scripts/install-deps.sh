#!/usr/bin/env bash
# Installs every Debian 12 package Trellis needs to build, test, fuzz and
# benchmark. Idempotent; run as root. Nothing is fetched from anywhere but
# Debian's archive.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config python3 git
  clang libclang-rt-14-dev
  libssl-dev libsecp256k1-dev libgmp-dev librocksdb-dev
  nlohmann-json3-dev libtomlplusplus-dev libfmt-dev libspdlog-dev libcli11-dev libboost-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${missing[*]} (run this script as root)" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The end-to-end tests (e2e/) run on Node.js with npm; their JavaScript
# packages come from npm through e2e/package-lock.json. Debian 12's nodejs is
# enough; a newer Node.js already on the machine is used as it is.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: Node.js and npm are missing (run this script as root)" >&2
    exit 1
  fi
  echo "install-deps: installing nodejs npm"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends nodejs npm
fi
