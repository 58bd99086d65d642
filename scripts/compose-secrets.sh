#!/usr/bin/env bash
# Generates the Docker secrets docker-compose.yml reads, into .secrets/ (git-ignored, mode 600 files):
#   kafka_sasl_password  the detector's SCRAM password (the kafka-users service creates the user)
#   redis_password       the detector's Redis ACL password
#   redis.acl            Redis users: `flowguard` (FlowGuard's commands, none of the dangerous ones,
#                        password stored as SHA-256) and `default` limited to PING for health checks
# Existing files are kept, so running it again changes nothing; delete .secrets/ to rotate.
set -euo pipefail
cd "$(dirname "$0")/.."

SECRETS=.secrets
# The same rules as the local stack's ACL user (scripts/stack/stack.sh).
ACL_RULES='~* &* +@all -@dangerous +info +config|get'

random_secret() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

umask 077
mkdir -p "$SECRETS"
for name in kafka_sasl_password redis_password; do
  if [ ! -s "$SECRETS/$name" ]; then
    random_secret >"$SECRETS/$name"
    echo "compose-secrets: wrote $SECRETS/$name"
  fi
done
hash="$(tr -d '\n' <"$SECRETS/redis_password" | sha256sum | cut -d' ' -f1)"
cat >"$SECRETS/redis.acl.tmp" <<ACL
user default on nopass resetchannels -@all +ping
user flowguard on #$hash resetchannels $ACL_RULES
ACL
mv "$SECRETS/redis.acl.tmp" "$SECRETS/redis.acl"
# Docker secrets are bind-mounted as they are: the containers' users (redis, node) must read them.
chmod 644 "$SECRETS"/*
echo "compose-secrets: $SECRETS/ is ready (docker compose up -d)"
