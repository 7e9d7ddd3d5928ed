#!/bin/sh
# Installs the Debian packages tangle needs to build and test, when missing.
# Run by `make demo` / `make check`; needs root (or sudo) only if something
# is missing.
set -e
PKGS="cmake make gcc clang pkg-config libunwind-dev libdw-dev libcmocka-dev python3"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "tangle: installing missing packages:$missing"
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "tangle: missing packages:$missing (run as root, or install them)" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
