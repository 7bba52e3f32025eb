#!/bin/sh
# Install the Debian packages that building and testing parley need.
# Idempotent and quiet when everything is present; run as root (or with sudo).
set -eu

PKGS="make gcc clang libclang-rt-14-dev clang-format pkg-config libsodium-dev libjansson-dev
libcmocka-dev libsqlite3-dev libmicrohttpd-dev libcurl4-gnutls-dev curl openssl python3
python3-cryptography"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
