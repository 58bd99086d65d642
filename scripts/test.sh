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
# A plain closing line that any CI reads the same way.
node -e '
  const r = JSON.parse(require("fs").readFileSync(".stack/vitest-results.json", "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
' 2>/dev/null || true
exit "$status"
