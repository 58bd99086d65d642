#!/usr/bin/env bash
# The README's test command (`npm test`): installs what is missing, finds or starts real Kafka and
# Redis, and runs the whole suite. Endpoints given in the environment win (with KAFKA_SASL_BROKERS,
# KAFKA_SASL_* and REDIS_USERNAME/REDIS_PASSWORD if they need credentials); with a Docker engine the
# suite uses testcontainers; otherwise it starts the local stack (scripts/stack/stack.sh) and runs
# over its SASL/SCRAM listener and Redis ACL user.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm ci --no-audit --no-fund

if [ -z "${KAFKA_BROKERS:-}" ] || [ -z "${REDIS_URL:-}" ]; then
  if docker info >/dev/null 2>&1; then
    echo "test: Docker engine found; the suite starts Kafka and Redis with testcontainers"
  else
    echo "test: no endpoints given and no Docker engine; starting the local stack"
    bash scripts/stack/stack.sh up
    # Not exported: the global setup (tests/support/global-setup.ts) reads .stack/env itself and runs
    # the suite over the stack's SASL listener and Redis ACL user; processes a test starts get only
    # the environment that test gives them.
  fi
fi

npx tsc --noEmit -p .
npm run -s console:check && npm run -s console:build
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check . ; exit 1; }
mkdir -p .stack
status=0
npx vitest run --reporter=default --reporter=json --outputFile=.stack/vitest-results.json "$@" || status=$?
results=(.stack/vitest-results.json)
# The fault suite (tests/faults/) kills the detector and restarts the shared broker and Redis, so it
# runs after the rest and alone, one file at a time. Given paths run only what they name.
rm -f .stack/vitest-faults-results.json
if [ "$#" -eq 0 ]; then
  npx vitest run --config vitest.faults.config.ts --reporter=default --reporter=json \
    --outputFile=.stack/vitest-faults-results.json || status=$?
  results+=(.stack/vitest-faults-results.json)
fi
# A plain closing line that any CI reads the same way.
node -e '
  const fs = require("fs");
  const t = { passed: 0, failed: 0, skipped: 0 };
  for (const file of process.argv.slice(1)) {
    if (!fs.existsSync(file)) continue;
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    t.passed += r.numPassedTests; t.failed += r.numFailedTests; t.skipped += r.numPendingTests;
  }
  console.log(`${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
' "${results[@]}" 2>/dev/null || true
exit "$status"
