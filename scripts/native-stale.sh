#!/usr/bin/env bash
# Exits 0 (and says why) when the native addon under ROOT (default: this checkout) must be rebuilt:
# it is missing, a file of native/src or native/binding.gyp is newer than it, or it does not load.
# `npm ci` builds the addon, but a pull that changes native/ and not the lock file leaves the old one.
set -uo pipefail
root=${1:-"$(dirname "$0")/.."}
addon="$root/native/build/Release/visionlab_native.node"
if [[ ! -f $addon ]]; then
  echo "the native addon is not built"
  exit 0
fi
newer=$(find "$root/native/src" "$root/native/binding.gyp" -newer "$addon" -print -quit 2>/dev/null)
if [[ -n $newer ]]; then
  echo "${newer#"$root/"} is newer than the native addon"
  exit 0
fi
if ! node -e 'require(process.argv[1])' "$(realpath "$addon")" 2>/dev/null; then
  echo "the native addon does not load"
  exit 0
fi
exit 1
