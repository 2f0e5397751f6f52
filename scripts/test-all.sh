#!/usr/bin/env bash
# Installs what a fresh machine lacks, builds, runs the static checks and every test, and ends with
# one plain "N passed, N failed" line. Exit status is non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
[ -x /usr/bin/chromium ] || missing+=(chromium)   # status page and HTML report tests (playwright-core)
# Real servers for the InfluxDB, Graphite and VictoriaMetrics providers.
command -v influxd >/dev/null 2>&1 || missing+=(influxdb)
command -v victoria-metrics >/dev/null 2>&1 || missing+=(victoria-metrics)
command -v graphite-manage >/dev/null 2>&1 || missing+=(graphite-web graphite-carbon)
/usr/bin/python3 -c 'import whisper' >/dev/null 2>&1 || missing+=(python3-whisper)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "== installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== npm ci"
  npm ci --no-audit --no-fund || { echo "0 passed, 1 failed"; exit 1; }
fi

passed=0
failed=0
check() {
  local name="$1"; shift
  echo "== $name"
  if "$@"; then passed=$((passed + 1)); return 0; fi
  echo "FAILED: $name"
  failed=$((failed + 1))
  return 1
}
# The end-to-end tests run the built CLI; tell their set-up it is fresh.
check build npm run -s build && export SMARTSPEC_PM_BUILT=1
check typecheck npm run -s typecheck
check lint npm run -s lint

mkdir -p .test-tmp
rm -f .test-tmp/vitest.json
echo "== tests"
npx vitest run --reporter=default --reporter=json --outputFile.json=.test-tmp/vitest.json
test_status=$?
if [ -f .test-tmp/vitest.json ]; then
  read -r tp tf < <(node -e '
    const r = JSON.parse(require("fs").readFileSync(".test-tmp/vitest.json", "utf8"));
    // A file that fails to load counts as one failure even when it has no test.
    const broken = r.testResults.filter((f) => f.status === "failed" && f.assertionResults.length === 0).length;
    console.log(r.numPassedTests, r.numFailedTests + broken);')
  passed=$((passed + tp))
  failed=$((failed + tf))
  if [ "$test_status" -ne 0 ] && [ "$tf" -eq 0 ]; then failed=$((failed + 1)); fi
else
  failed=$((failed + 1))
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
