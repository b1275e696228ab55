#!/usr/bin/env bash
# Installs the system packages Meshgate builds and tests with (Debian/Ubuntu).
# Safe to run again: it does nothing when everything is already there.
set -euo pipefail
pkgs=(libsodium-dev pkg-config nginx-light iproute2 curl openssl)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
