#!/usr/bin/env bash
# The README's first command (`npm run demo`): on a fresh clone, installs what is missing, starts the
# local stack (Kafka + Redis) and the detector, sends a short demo stream (ordinary traffic, a
# merchant, a birthday collection and one crowdfunding campaign) and shows the alerts arriving.
# The detector keeps running afterwards (http://127.0.0.1:8080); stop it with `npm run demo:stop`.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm ci --no-audit --no-fund
npm run -s console:build
bash scripts/stack/stack.sh up

mkdir -p .stack/detector
if [ -f .stack/detector/pid ] && kill -0 "$(cat .stack/detector/pid)" 2>/dev/null; then
  echo "demo: detector already running (pid $(cat .stack/detector/pid))"
else
  nohup npx tsx services/detector/src/server.ts > .stack/detector/detector.log 2>&1 &
  echo $! > .stack/detector/pid
  echo "demo: detector starting (logs: .stack/detector/detector.log)"
fi
for _ in $(seq 1 60); do
  curl -fs http://127.0.0.1:8080/readyz >/dev/null 2>&1 && break
  sleep 1
done
curl -fs http://127.0.0.1:8080/readyz >/dev/null || { echo "demo: detector not ready; see .stack/detector/detector.log"; tail -20 .stack/detector/detector.log; exit 1; }
echo "demo: detector ready on http://127.0.0.1:8080"

npx tsx scripts/watch-alerts.ts --seconds 120 &
watcher=$!
sleep 3
# A new seed each run, so a second demo sends new events rather than replays the detector ignores.
npx tsx services/simulator/src/cli.ts --demo --kafka --rate 2000 --seed "$(date +%s)"
wait "$watcher"
echo
echo "demo: the detector keeps running: curl http://127.0.0.1:8080/v1/wallets/<walletId>/risk"
echo "demo: stop it with 'npm run demo:stop'; stop Kafka and Redis with 'npm run stack:down'"
