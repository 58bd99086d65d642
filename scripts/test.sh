#!/usr/bin/env bash
# The README's test command (`npm test`): installs what is missing, finds or starts real Kafka and
# Redis, and runs the whole suite. Endpoints given in the environment win; with a Docker engine the
# suite uses testcontainers; otherwise it starts the local stack (scripts/stack/stack.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm ci --no-audit --no-fund

if [ -z "${KAFKA_BROKERS:-}" ] || [ -z "${REDIS_URL:-}" ]; then
  if docker info >/dev/null 2>&1; then
    echo "test: Docker engine found; the suite starts Kafka and Redis with testcontainers"
  else
    echo "test: no endpoints given and no Docker engine; starting the local stack"
    bash scripts/stack/stack.sh up
    set -a
    # shellcheck disable=SC1091
    . .stack/env
    set +a
  fi
fi

npx tsc --noEmit -p .
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check . ; exit 1; }
npx vitest run "$@"
