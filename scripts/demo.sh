#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, start a local Prometheus loaded
# with a generated two-day history, and check the example spec at a healthy instant and during an
# incident (examples/workspace); then the same against a local InfluxDB 1.x (examples/influxdb).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=""
if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then missing="prometheus"; fi
if ! command -v influxd >/dev/null 2>&1; then missing="$missing influxdb"; fi
if [ -n "$missing" ]; then
  echo "== installing Debian packages:$missing"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund; fi
npm run -s build
exec node --import tsx scripts/demo.ts
