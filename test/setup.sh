#!/usr/bin/env bash
# Installs everything the test suites need: Debian packages (reference simulators, brokers,
# pseudo-terminals, browser, linters, data) and the locked npm dependencies.
set -euo pipefail

DEBIAN_PACKAGES=(
  python3-brian python3-pynn python3-h5py   # reference simulators (Brian2, PyNN) and an independent HDF5 reader
  socat                                     # real pseudo-terminal pairs for the serial tests
  mosquitto mosquitto-clients openssl       # a real MQTT broker with TLS for the fleet tests
  chromium                                  # a real browser for the dashboard tests (driven by playwright-core)
  shellcheck systemd                        # lint the install scripts, `systemd-analyze verify` the units
  dataset-fashion-mnist                     # real data for the learning benchmark
  g++ make python3                          # native addons (better-sqlite3, serialport, i2c-bus, epoll)
)

if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  missing=()
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}" >&2
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
else
  echo "setup: apt-get not found; install these Debian packages by other means: ${DEBIAN_PACKAGES[*]}" >&2
fi

npm ci --no-audit --no-fund
