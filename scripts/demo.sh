#!/usr/bin/env bash
# The README's first command (`npm run demo`): on a fresh clone, installs what is missing, starts the
# local stack (Kafka + Redis) and the detector, sends a short demo stream (ordinary traffic, a
# merchant, a birthday collection and one crowdfunding campaign) and shows the alerts arriving.
# The detector keeps running afterwards (http://127.0.0.1:$PORT, 8080 by default) in a process group
# of its own (scripts/detector-daemon.sh); `npm run demo:stop` stops the whole group.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8080}"
export PORT

[ -d node_modules ] || npm ci --no-audit --no-fund
npm run -s console:build
bash scripts/stack/stack.sh up

# The API answers only with a key: the demo makes one analyst key with every scope, once, kept in
# .stack (git-ignored). Its hash is in the key file the detector reads; the key itself is shown below.
KEYS_FILE="$PWD/.stack/api-keys.json"
DEMO_KEY_FILE="$PWD/.stack/demo-api-key"
if [ ! -s "$DEMO_KEY_FILE" ]; then
  (umask 077 && node bin/flowguard.mjs keys create --name demo-analyst --file "$KEYS_FILE" \
    --scopes risk:read,alerts:read,flags:write,flags:approve,watchlist:write,transactions:write \
    >"$DEMO_KEY_FILE" 2>/dev/null)
fi
export API_KEYS_FILE="$KEYS_FILE"
FLOWGUARD_API_KEY="$(cat "$DEMO_KEY_FILE")"
export FLOWGUARD_API_KEY

bash scripts/detector-daemon.sh start
for _ in $(seq 1 60); do
  curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 1
done
curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null || {
  echo "demo: detector not ready; see .stack/detector/detector.log"
  tail -20 .stack/detector/detector.log
  exit 1
}
echo "demo: detector ready on http://127.0.0.1:$PORT"

npx tsx scripts/watch-alerts.ts --seconds 120 &
watcher=$!
sleep 3
# A new seed each run, so a second demo sends new events rather than replays the detector ignores.
npx tsx services/simulator/src/cli.ts --demo --kafka --rate 2000 --seed "$(date +%s)"
wait "$watcher"
echo
echo "demo: the analyst console: http://127.0.0.1:$PORT/console/ (sign in with the key in .stack/demo-api-key)"
echo "demo: the detector keeps running: curl -H \"authorization: Bearer \$(cat .stack/demo-api-key)\" http://127.0.0.1:$PORT/v1/wallets/<walletId>/risk"
echo "demo: stop it with 'npm run demo:stop'; stop Kafka and Redis with 'npm run stack:down'"
