#!/usr/bin/env bash
# One-shot set-up on Debian 12: system packages (skipped when present), npm ci, build.
set -euo pipefail
cd "$(dirname "$0")/.."

# python3-torch runs the PyTorch code that `visionlab export --format pytorch` writes, in its tests.
APT_PACKAGES=(libdnnl-dev libopenblas-dev dataset-fashion-mnist chromium fonts-dejavu-core python3-torch)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: these Debian packages are missing: ${missing[*]}" >&2
    echo "setup: run this script as root, or install them first: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: Debian packages already present"
fi

if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
else
  echo "setup: node_modules up to date"
fi
if reason=$(scripts/native-stale.sh); then
  echo "setup: $reason: rebuilding it"
  node scripts/build-native.mjs
else
  echo "setup: native addon up to date"
fi
npm run --silent build
