#!/usr/bin/env bash
# Local FlowGuard stack without Docker: a real Apache Kafka broker (KRaft, single combined
# broker+controller node, jars resolved from Maven Central by scripts/stack/pom.xml), a standalone
# Redis, and a three-master Redis Cluster. Everything lives under <repo>/.stack/.
#
# Kafka listens in plaintext and, on two more listeners, with SASL/SCRAM-SHA-256 for the user
# `flowguard`, once without and once with TLS (a certificate of the stack's own CA). Every Redis keeps
# its data in an append-only file (fsync every second), never evicts, and knows the ACL user
# `flowguard` (FlowGuard's commands, not FLUSHALL/FLUSHDB/SHUTDOWN/DEBUG); the default Redis user
# stays open on 127.0.0.1 for the tooling. Passwords are generated once per stack into
# .stack/credentials; .stack/env names both the plaintext and the authenticated endpoints.
#
#   bash scripts/stack/stack.sh up             start what is not running, wait until usable, write .stack/env
#   bash scripts/stack/stack.sh down [--clean] stop everything this script started (--clean also wipes
#                                              data, logs and credentials, keeping the Kafka jar cache)
#   bash scripts/stack/stack.sh status         running/stopped per component; exit 0 if all run, 3 if not
#   bash scripts/stack/stack.sh redis-restart [--kill]
#                                              crash the standalone Redis (SHUTDOWN NOSAVE, or SIGKILL)
#                                              and start it again on the same data
#   bash scripts/stack/stack.sh kafka-restart [--kill]
#                                              stop the broker (SIGTERM, or SIGKILL) and start it again
#   bash scripts/stack/stack.sh deps           only install missing system packages (root + apt-get)
#
# Environment: KAFKA_PORT (9092; the controller uses KAFKA_PORT+1), KAFKA_SASL_PORT (KAFKA_PORT+2),
# KAFKA_SASL_SSL_PORT (KAFKA_PORT+3), REDIS_PORT (6390, not 6379 so a machine-wide Redis is left
# alone), REDIS_CLUSTER_PORTS ("7101 7102 7103"; each node also uses port+10000 for the cluster bus),
# KAFKA_HEAP_OPTS ("-Xms256m -Xmx1g"), STACK_START_TIMEOUT (120 s).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/scripts/stack"
STACK="$ROOT/.stack"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="$((KAFKA_PORT + 1))"
KAFKA_SASL_PORT="${KAFKA_SASL_PORT:-$((KAFKA_PORT + 2))}"
KAFKA_SASL_SSL_PORT="${KAFKA_SASL_SSL_PORT:-$((KAFKA_PORT + 3))}"
REDIS_PORT="${REDIS_PORT:-6390}"
read -r -a CLUSTER_PORTS <<<"$(echo "${REDIS_CLUSTER_PORTS:-7101 7102 7103}" | tr ',' ' ')"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g}"
START_TIMEOUT="${STACK_START_TIMEOUT:-120}"

KAFKA_DIR="$STACK/kafka"
KAFKA_LIBS="$KAFKA_DIR/libs"
KAFKA_DATA="$KAFKA_DIR/data"
KAFKA_LOGS="$KAFKA_DIR/logs"
KAFKA_PROPS="$KAFKA_DIR/server.properties"
KAFKA_PID="$KAFKA_DIR/kafka.pid"
KAFKA_READY="$KAFKA_DIR/ready"        # holds the pid of a broker that reached "Kafka Server started"
KAFKA_LOG_OFFSET="$KAFKA_DIR/log-offset" # size of server.log when the current broker was launched
KAFKA_SCRAM_MARKER="$KAFKA_DIR/scram-user" # digest of the credential the broker was given
REDIS_DIR="$STACK/redis"
CLUSTER_DIR="$STACK/redis-cluster"

# The one user FlowGuard authenticates as, on the SASL listeners and in every Redis.
STACK_USER=flowguard
KAFKA_SCRAM_MECHANISM=SCRAM-SHA-256
CREDENTIALS="$STACK/credentials"
TLS_DIR="$STACK/tls" # the stack's CA and the broker's certificate for 127.0.0.1
# FlowGuard's commands (scripts by EVALSHA/EVAL, INFO for the client's ready check, CONFIG GET for the
# durability check, CLUSTER SLOTS for the cluster client), none of the dangerous ones (FLUSHALL,
# FLUSHDB, SHUTDOWN, DEBUG, KEYS, CONFIG SET, ACL, ...).
REDIS_ACL_RULES='~* &* +@all -@dangerous +info +config|get'

log() { echo "stack: $*"; }
die() {
  echo "stack: error: $*" >&2
  exit 1
}
now_ms() { date +%s%3N; }

# --- processes and ports ---------------------------------------------------------------------------

# pid_of PIDFILE PATTERN...: print the pid if the file names a live process whose command line contains
# every PATTERN (so a stale pid file, or a pid reused by an unrelated process, does not count).
pid_of() {
  local file="$1" pid cmd pattern
  shift
  [ -s "$file" ] || return 1
  pid="$(tr -dc '0-9' <"$file")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  for pattern in "$@"; do
    case "$cmd" in *"$pattern"*) ;; *) return 1 ;; esac
  done
  echo "$pid"
}

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

wait_gone() { # wait_gone PID SECONDS
  local pid="$1" deadline=$((SECONDS + $2))
  while kill -0 "$pid" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# Serialise up/down/status-changing commands (parallel test runners may all call `up`). Children get
# fd 9 closed so a daemon never keeps holding the lock.
take_lock() {
  mkdir -p "$STACK"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$STACK/.lock"
    flock -w 600 9 || die "timed out waiting for another stack.sh holding $STACK/.lock"
  fi
}

# --- system packages -------------------------------------------------------------------------------

java_major() {
  java -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1
}

APT_UPDATED=0
apt_install() {
  [ "$#" -gt 0 ] || return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    die "missing system packages: $* (install them, or run this script as root on a Debian/Ubuntu machine)"
  fi
  export DEBIAN_FRONTEND=noninteractive
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    apt-get update -qq 9>&-
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  apt-get install -y -qq --no-install-recommends "$@" 9>&- >/dev/null
}

jdk_package() {
  if apt-cache policy default-jdk-headless 2>/dev/null | grep -c 'Candidate: [0-9]' >/dev/null; then
    echo default-jdk-headless
  else
    echo openjdk-17-jdk-headless
  fi
}

# ensure_tools TOOL...: install the Debian package of each missing tool (java needs 17+ for Kafka 4).
ensure_tools() {
  local missing=() tool major
  for tool in "$@"; do
    case "$tool" in
      java)
        major="$(command -v java >/dev/null 2>&1 && java_major || true)"
        if [ -z "$major" ] || [ "$major" -lt 17 ]; then
          command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && missing+=("$(jdk_package)") ||
            missing+=("java-17+")
        fi
        ;;
      mvn) command -v mvn >/dev/null 2>&1 || missing+=(maven) ;;
      redis-server | redis-cli) command -v "$tool" >/dev/null 2>&1 || missing+=(redis-server) ;;
      openssl) command -v openssl >/dev/null 2>&1 || missing+=(openssl) ;;
    esac
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  # shellcheck disable=SC2207
  missing=($(printf '%s\n' "${missing[@]}" | sort -u))
  apt_install "${missing[@]}"
  # A freshly installed redis-server package may auto-start the distro service on 6379; that is the
  # machine's business, the stack never uses that port.
  if [[ " ${missing[*]} " == *" java-17+ "* ]]; then die "Java 17 or newer is required for Kafka"; fi
}

cmd_deps() {
  take_lock
  ensure_tools java mvn redis-server redis-cli openssl
  log "system packages present: java $(java_major), $(mvn -B -v 2>/dev/null | sed "s/\x1b\[[0-9;]*m//g" | head -n 1 | cut -d" " -f1-3), $(redis-server --version | cut -d' ' -f1-3)"
}

# --- credentials -----------------------------------------------------------------------------------

random_secret() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# Generated once per stack and kept until `down --clean`, so clients configured from .stack/env keep
# working across restarts.
ensure_credentials() {
  [ -s "$CREDENTIALS" ] && return 0
  (
    umask 077
    printf 'KAFKA_SASL_PASSWORD=%s\nREDIS_PASSWORD=%s\n' "$(random_secret)" "$(random_secret)" >"$CREDENTIALS.tmp"
  )
  mv "$CREDENTIALS.tmp" "$CREDENTIALS"
}

credential() { sed -n "s/^$1=//p" "$CREDENTIALS"; }

# A CA of the stack's own and a broker certificate for 127.0.0.1 signed by it (PEM, the key
# unencrypted PKCS#8 next to the chain in broker.pem, which Kafka reads as a PEM keystore). Clients
# trust ca.crt (KAFKA_SASL_SSL_CA_FILE). Made once per stack.
ensure_tls_material() {
  [ -s "$TLS_DIR/broker.pem" ] && [ -s "$TLS_DIR/ca.crt" ] && return 0
  ensure_tools openssl
  log "creating the stack's CA and broker certificate in $TLS_DIR"
  rm -rf "$TLS_DIR.tmp"
  mkdir -p "$TLS_DIR.tmp"
  (
    cd "$TLS_DIR.tmp"
    umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=FlowGuard local stack CA" \
      -keyout ca.key -out ca.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout broker.key -out broker.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >broker.ext
    openssl x509 -req -in broker.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile broker.ext -out broker.crt 2>/dev/null
    cat broker.key broker.crt >broker.pem
    chmod 644 ca.crt
    rm -f broker.csr broker.ext ca.srl
  ) || die "openssl could not create the stack's certificates"
  rm -rf "$TLS_DIR"
  mv "$TLS_DIR.tmp" "$TLS_DIR"
}

# --- Kafka -----------------------------------------------------------------------------------------

kafka_version() { sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HERE/pom.xml" | head -n 1; }

resolve_kafka_libs() {
  local version pom_sum tmp
  version="$(kafka_version)"
  pom_sum="$(sha256sum "$HERE/pom.xml" | cut -d' ' -f1)"
  if [ -f "$KAFKA_LIBS/kafka_2.13-$version.jar" ] && [ "$(cat "$KAFKA_LIBS/.pom.sha256" 2>/dev/null)" = "$pom_sum" ]; then
    return 0
  fi
  ensure_tools mvn
  log "resolving Apache Kafka $version jars with Maven into $KAFKA_LIBS (once)"
  tmp="$KAFKA_DIR/libs.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$KAFKA_DIR"
  if ! mvn -q -B -f "$HERE/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$tmp" 9>&- >"$KAFKA_DIR/maven.log" 2>&1; then
    rm -rf "$tmp"
    tail -n 30 "$KAFKA_DIR/maven.log" >&2 || true
    die "Maven could not resolve the Kafka jars (full output: $KAFKA_DIR/maven.log)"
  fi
  [ -f "$tmp/kafka_2.13-$version.jar" ] || die "Maven finished but $tmp has no kafka_2.13-$version.jar"
  echo "$pom_sum" >"$tmp/.pom.sha256"
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
}

write_kafka_props() {
  cat >"$KAFKA_PROPS.tmp" <<EOF
# Generated by scripts/stack/stack.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,SASL_PLAINTEXT://127.0.0.1:$KAFKA_SASL_PORT,SASL_SSL://127.0.0.1:$KAFKA_SASL_SSL_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL_PLAINTEXT://127.0.0.1:$KAFKA_SASL_PORT,SASL_SSL://127.0.0.1:$KAFKA_SASL_SSL_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
# SCRAM on both SASL listeners; the users live in the KRaft metadata log (see ensure_kafka_scram_user).
sasl.enabled.mechanisms=$KAFKA_SCRAM_MECHANISM
listener.name.sasl_plaintext.$(echo "$KAFKA_SCRAM_MECHANISM" | tr 'A-Z' 'a-z').sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.$(echo "$KAFKA_SCRAM_MECHANISM" | tr 'A-Z' 'a-z').sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.ssl.keystore.type=PEM
listener.name.sasl_ssl.ssl.keystore.location=$TLS_DIR/broker.pem
log.dirs=$KAFKA_DATA
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
num.network.threads=2
num.io.threads=4
log.retention.hours=24
log.segment.bytes=67108864
EOF
  mv "$KAFKA_PROPS.tmp" "$KAFKA_PROPS"
}

kafka_java() { # kafka_java HEAP MAIN ARGS...: run a Kafka class with the resolved jars
  local heap="$1"
  shift
  # shellcheck disable=SC2086
  java $heap -Djava.awt.headless=true -Dlog4j2.configurationFile="$HERE/log4j2.properties" \
    -Dkafka.logs.dir="$KAFKA_LOGS" -cp "$KAFKA_LIBS/*" "$@"
}

format_kafka_storage() {
  [ -f "$KAFKA_DATA/meta.properties" ] && return 0
  local cluster_id
  if [ -s "$KAFKA_DIR/cluster-id" ]; then
    cluster_id="$(cat "$KAFKA_DIR/cluster-id")"
  else
    cluster_id="$(kafka_java "-Xmx128m" kafka.tools.StorageTool random-uuid 9>&- 2>/dev/null | tail -n 1)"
    [ -n "$cluster_id" ] || die "kafka.tools.StorageTool random-uuid printed nothing"
    echo "$cluster_id" >"$KAFKA_DIR/cluster-id"
  fi
  log "formatting Kafka storage $KAFKA_DATA (cluster id $cluster_id)"
  mkdir -p "$KAFKA_DATA"
  if ! kafka_java "-Xmx256m" kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_PROPS" \
    9>&- >"$KAFKA_LOGS/format.log" 2>&1; then
    cat "$KAFKA_LOGS/format.log" >&2
    die "formatting Kafka storage failed (see $KAFKA_LOGS/format.log)"
  fi
}

kafka_pid() { pid_of "$KAFKA_PID" kafka.Kafka "$KAFKA_PROPS"; }

kafka_started_since() { # "Kafka Server started" written after byte offset $1 of server.log
  local offset="$1"
  [ -f "$KAFKA_LOGS/server.log" ] || return 1
  # grep -c, not grep -q: -q exits at the match, and with more than a pipe buffer of log after it
  # (a broker restarted under a busy detector logs that much in a second) tail dies of SIGPIPE, which
  # pipefail reports as failure at every later check: the restart "never" became ready.
  tail -c +"$((offset + 1))" "$KAFKA_LOGS/server.log" 2>/dev/null | grep -c 'Kafka Server started' >/dev/null
}

start_kafka() {
  local pid offset deadline
  mkdir -p "$KAFKA_LOGS"
  if pid="$(kafka_pid)"; then
    grep -q "^listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT," "$KAFKA_PROPS" ||
      die "the stack's Kafka (pid $pid) runs with another port than KAFKA_PORT=$KAFKA_PORT; stop it first (stack.sh down with the old KAFKA_PORT)"
    grep -q "^listeners=.*,SASL_PLAINTEXT://127.0.0.1:$KAFKA_SASL_PORT,SASL_SSL://127.0.0.1:$KAFKA_SASL_SSL_PORT" "$KAFKA_PROPS" ||
      die "the stack's Kafka (pid $pid) was started without the SASL listeners on ports $KAFKA_SASL_PORT and $KAFKA_SASL_SSL_PORT (an older stack.sh, or other KAFKA_SASL_PORT/KAFKA_SASL_SSL_PORT); restart it with \`bash scripts/stack/stack.sh kafka-restart\` (keeps its data)"
    if [ "$(cat "$KAFKA_READY" 2>/dev/null)" = "$pid" ] && port_open "$KAFKA_PORT"; then
      log "Kafka already running (pid $pid, port $KAFKA_PORT)"
      return 0
    fi
    log "Kafka process $pid exists but is not ready yet; waiting"
    offset="$(cat "$KAFKA_LOG_OFFSET" 2>/dev/null || echo 0)"
  else
    rm -f "$KAFKA_PID" "$KAFKA_READY"
    for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$KAFKA_SASL_PORT" "$KAFKA_SASL_SSL_PORT"; do
      port_open "$port" && die "port $port is in use by a process this stack did not start; free it or set KAFKA_PORT"
    done
    ensure_tools java
    resolve_kafka_libs
    ensure_tls_material
    write_kafka_props
    format_kafka_storage
    offset="$(stat -c %s "$KAFKA_LOGS/server.log" 2>/dev/null || echo 0)"
    echo "$offset" >"$KAFKA_LOG_OFFSET"
    log "starting Kafka $(kafka_version) on 127.0.0.1:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT)"
    # shellcheck disable=SC2086
    nohup java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
      -Djava.awt.headless=true -Dlog4j2.configurationFile="$HERE/log4j2.properties" \
      -Dkafka.logs.dir="$KAFKA_LOGS" -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_PROPS" \
      </dev/null >"$KAFKA_LOGS/kafka.out" 2>&1 9>&- &
    pid=$!
    echo "$pid" >"$KAFKA_PID"
  fi
  deadline=$((SECONDS + START_TIMEOUT))
  until port_open "$KAFKA_PORT" && kafka_started_since "$offset"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$KAFKA_PID"
      tail -n 25 "$KAFKA_LOGS/server.log" "$KAFKA_LOGS/kafka.out" >&2 2>/dev/null || true
      die "Kafka exited while starting; see $KAFKA_LOGS/server.log and $KAFKA_LOGS/kafka.out"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      die "Kafka (pid $pid) did not accept clients on port $KAFKA_PORT within ${START_TIMEOUT}s; see $KAFKA_LOGS/server.log (still running; \`stack.sh down\` stops it)"
    fi
    sleep 0.5
  done
  echo "$pid" >"$KAFKA_READY"
  log "Kafka ready (pid $pid)"
}

# Upserts the SCRAM credential of $STACK_USER through the Admin API on the plaintext listener (the
# broker has no authorizer, so that listener may alter credentials). Skipped when this cluster already
# got this password: the marker holds a digest of cluster id, user and password.
ensure_kafka_scram_user() {
  local want
  want="$(printf '%s\n' "$(cat "$KAFKA_DIR/cluster-id")" "$STACK_USER" "$(credential KAFKA_SASL_PASSWORD)" |
    sha256sum | cut -d' ' -f1)"
  [ "$(cat "$KAFKA_SCRAM_MARKER" 2>/dev/null)" = "$want" ] && return 0
  log "creating the Kafka $KAFKA_SCRAM_MECHANISM user $STACK_USER"
  mkdir -p "$KAFKA_LOGS/tools"
  if ! credential KAFKA_SASL_PASSWORD | java -Xmx128m -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$HERE/log4j2.properties" -Dkafka.logs.dir="$KAFKA_LOGS/tools" \
    -cp "$KAFKA_LIBS/*" "$HERE/ScramUser.java" "127.0.0.1:$KAFKA_PORT" "$KAFKA_SCRAM_MECHANISM" "$STACK_USER" \
    9>&- >"$KAFKA_LOGS/scram-user.log" 2>&1; then
    cat "$KAFKA_LOGS/scram-user.log" >&2
    die "could not create the SCRAM user (see $KAFKA_LOGS/scram-user.log)"
  fi
  echo "$want" >"$KAFKA_SCRAM_MARKER"
}

stop_kafka() { # stop_kafka [KILL]
  local pid
  if pid="$(kafka_pid)"; then
    if [ "${1:-}" = KILL ]; then
      log "killing Kafka (pid $pid, SIGKILL)"
      kill -KILL "$pid" 2>/dev/null || true
    else
      log "stopping Kafka (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
    fi
    if ! wait_gone "$pid" 30; then
      log "Kafka did not stop within 30s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 10 || die "could not stop Kafka pid $pid"
    fi
  fi
  rm -f "$KAFKA_PID" "$KAFKA_READY" "$KAFKA_LOG_OFFSET"
}

# --- Redis -----------------------------------------------------------------------------------------

redis_pid() { pid_of "$1/redis.pid" redis-server ":$2"; } # redis_pid DIR PORT

redis_ping() { [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]; }

# write_redis_conf DIR PORT [extra config lines...]: the node's whole configuration, regenerated on
# every start. The ACL user's password is stored as its SHA-256, so the file holds no secret.
write_redis_conf() {
  local dir="$1" port="$2" line password_hash
  shift 2
  password_hash="$(credential REDIS_PASSWORD | tr -d '\n' | sha256sum | cut -d' ' -f1)"
  {
    echo "# Generated by scripts/stack/stack.sh on every start; edit the script, not this file."
    echo "port $port"
    echo "bind 127.0.0.1"
    echo "daemonize yes"
    echo "dir \"$dir\""
    echo "pidfile \"$dir/redis.pid\""
    echo "logfile \"$dir/redis.log\""
    echo "# Durable: every write goes to the append-only file, fsynced once a second; no RDB snapshots."
    echo "save \"\""
    echo "appendonly yes"
    echo "appendfsync everysec"
    echo "# Never evict: every FlowGuard key has a TTL, so volatile-* policies would drop live state."
    echo "maxmemory-policy noeviction"
    echo "user $STACK_USER reset on #$password_hash $REDIS_ACL_RULES"
    for line in "$@"; do echo "$line"; done
  } >"$dir/redis.conf.tmp"
  chmod 600 "$dir/redis.conf.tmp"
  mv "$dir/redis.conf.tmp" "$dir/redis.conf"
}

# apply_redis_settings NAME PORT: the same durability and ACL user on the running node, through stdin
# (no secret on a command line). Needed when the node was started by an older stack.sh; a no-op else.
apply_redis_settings() {
  local name="$1" port="$2" password_hash replies
  password_hash="$(credential REDIS_PASSWORD | tr -d '\n' | sha256sum | cut -d' ' -f1)"
  replies="$(printf '%s\n' \
    'CONFIG SET appendonly yes' \
    'CONFIG SET appendfsync everysec' \
    'CONFIG SET maxmemory-policy noeviction' \
    "ACL SETUSER $STACK_USER reset on #$password_hash $REDIS_ACL_RULES" |
    redis-cli -h 127.0.0.1 -p "$port" 2>&1)"
  [ "$(echo "$replies" | grep -cx OK)" = 4 ] || die "$name (port $port) refused its settings: $replies"
}

# start_redis NAME DIR PORT [extra config lines...]
start_redis() {
  local name="$1" dir="$2" port="$3" pid deadline
  shift 3
  mkdir -p "$dir"
  if pid="$(redis_pid "$dir" "$port")" && redis_ping "$port"; then
    apply_redis_settings "$name" "$port"
    log "$name already running (pid $pid, port $port)"
    return 0
  fi
  if [ -z "${pid:-}" ]; then
    if pid="$(pid_of "$dir/redis.pid" redis-server)"; then
      die "$name in $dir runs (pid $pid) on another port than $port; stop it first (stack.sh down with the old ports)"
    fi
    rm -f "$dir/redis.pid"
    port_open "$port" && die "port $port is in use by a process this stack did not start; free it or change the port"
    write_redis_conf "$dir" "$port" "$@"
    redis-server "$dir/redis.conf" 9>&- >/dev/null
  fi
  deadline=$((SECONDS + 30))
  until redis_pid "$dir" "$port" >/dev/null && redis_ping "$port"; do
    [ "$SECONDS" -lt "$deadline" ] || {
      tail -n 20 "$dir/redis.log" >&2 2>/dev/null || true
      die "$name did not answer PING on port $port within 30s; see $dir/redis.log"
    }
    sleep 0.2
  done
  apply_redis_settings "$name" "$port"
  log "$name ready (pid $(redis_pid "$dir" "$port"), port $port)"
}

# stop_redis NAME DIR PORT [KILL]: SHUTDOWN NOSAVE still flushes and fsyncs the append-only file, so
# nothing acknowledged is lost; KILL loses up to the last second of writes, like a crash.
stop_redis() {
  local name="$1" dir="$2" port="$3" pid
  if pid="$(redis_pid "$dir" "$port")"; then
    if [ "${4:-}" = KILL ]; then
      log "killing $name (pid $pid, SIGKILL)"
      kill -KILL "$pid" 2>/dev/null || true
    else
      log "stopping $name (pid $pid, SHUTDOWN NOSAVE)"
      timeout 5 redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
    fi
    if ! wait_gone "$pid" 10; then
      kill -TERM "$pid" 2>/dev/null || true
      wait_gone "$pid" 5 || kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$dir/redis.pid"
}

cluster_field() { # cluster_field PORT FIELD
  redis-cli -h 127.0.0.1 -p "$1" cluster info 2>/dev/null | tr -d '\r' | sed -n "s/^$2://p"
}

start_redis_cluster() {
  local port assigned known fresh=1 deadline all_ok
  for port in "${CLUSTER_PORTS[@]}"; do
    start_redis "Redis Cluster node $port" "$CLUSTER_DIR/$port" "$port" \
      "cluster-enabled yes" "cluster-config-file nodes.conf" "cluster-node-timeout 2000"
  done
  for port in "${CLUSTER_PORTS[@]}"; do
    assigned="$(cluster_field "$port" cluster_slots_assigned)"
    known="$(cluster_field "$port" cluster_known_nodes)"
    if [ "${assigned:-0}" != 0 ] || [ "${known:-1}" != 1 ]; then fresh=0; fi
  done
  if [ "$fresh" = 1 ]; then
    local addrs=()
    for port in "${CLUSTER_PORTS[@]}"; do addrs+=("127.0.0.1:$port"); done
    log "creating Redis Cluster ${addrs[*]} (masters only)"
    if ! redis-cli --cluster create "${addrs[@]}" --cluster-replicas 0 --cluster-yes \
      >"$CLUSTER_DIR/create.log" 2>&1; then
      cat "$CLUSTER_DIR/create.log" >&2
      die "redis-cli --cluster create failed (see $CLUSTER_DIR/create.log)"
    fi
  fi
  deadline=$((SECONDS + 60))
  while :; do
    all_ok=1
    for port in "${CLUSTER_PORTS[@]}"; do
      [ "$(cluster_field "$port" cluster_state)" = ok ] &&
        [ "$(cluster_field "$port" cluster_known_nodes)" = "${#CLUSTER_PORTS[@]}" ] || all_ok=0
    done
    [ "$all_ok" = 1 ] && break
    if [ "$SECONDS" -ge "$deadline" ]; then
      for port in "${CLUSTER_PORTS[@]}"; do
        echo "--- node $port" >&2
        redis-cli -h 127.0.0.1 -p "$port" cluster info 2>&1 | head -n 7 >&2 || true
      done
      die "Redis Cluster did not reach cluster_state:ok within 60s (logs: $CLUSTER_DIR/<port>/redis.log; \`stack.sh down --clean\` recreates it)"
    fi
    sleep 0.3
  done
  log "Redis Cluster ok (${#CLUSTER_PORTS[@]} masters, 16384 slots)"
}

# --- commands --------------------------------------------------------------------------------------

cluster_nodes_csv() {
  local port out=()
  for port in "${CLUSTER_PORTS[@]}"; do out+=("127.0.0.1:$port"); done
  (
    IFS=,
    echo "${out[*]}"
  )
}

write_env() {
  (
    umask 077
    cat >"$STACK/env.tmp" <<EOF
# Written by scripts/stack/stack.sh up. Plaintext listener and default Redis user:
KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
REDIS_URL=redis://127.0.0.1:$REDIS_PORT
REDIS_CLUSTER_NODES=$(cluster_nodes_csv)
# The SASL listeners (same broker; the second with TLS, trusting the stack's CA) and the ACL user
# (every Redis above). The secrets are generated once per stack (.stack/credentials). With these,
# use KAFKA_SASL_BROKERS (or KAFKA_SASL_SSL_BROKERS with KAFKA_TLS=true) as KAFKA_BROKERS.
KAFKA_SASL_BROKERS=127.0.0.1:$KAFKA_SASL_PORT
KAFKA_SASL_SSL_BROKERS=127.0.0.1:$KAFKA_SASL_SSL_PORT
KAFKA_SASL_SSL_CA_FILE=$TLS_DIR/ca.crt
KAFKA_SASL_MECHANISM=$(echo "$KAFKA_SCRAM_MECHANISM" | tr 'A-Z' 'a-z')
KAFKA_SASL_USERNAME=$STACK_USER
KAFKA_SASL_PASSWORD=$(credential KAFKA_SASL_PASSWORD)
REDIS_USERNAME=$STACK_USER
REDIS_PASSWORD=$(credential REDIS_PASSWORD)
EOF
  )
  mv "$STACK/env.tmp" "$STACK/env"
}

cmd_up() {
  local started
  started="$(now_ms)"
  take_lock
  ensure_tools java redis-server redis-cli
  mkdir -p "$STACK"
  ensure_credentials
  start_kafka
  ensure_kafka_scram_user
  start_redis "Redis" "$REDIS_DIR" "$REDIS_PORT"
  start_redis_cluster
  write_env

  local elapsed=$(($(now_ms) - started))
  cat <<EOF

FlowGuard local stack is up ($((elapsed / 1000)).$(printf '%03d' $((elapsed % 1000)) | cut -c1-1)s)
  Kafka          127.0.0.1:$KAFKA_PORT   (KRaft controller 127.0.0.1:$KAFKA_CONTROLLER_PORT)
  Kafka SASL     127.0.0.1:$KAFKA_SASL_PORT   ($KAFKA_SCRAM_MECHANISM, user $STACK_USER)
  Kafka SASL+TLS 127.0.0.1:$KAFKA_SASL_SSL_PORT   (CA $TLS_DIR/ca.crt)
  Redis          redis://127.0.0.1:$REDIS_PORT   (AOF everysec, noeviction, ACL user $STACK_USER)
  Redis Cluster  $(cluster_nodes_csv)
  env file       $STACK/env   (passwords: $CREDENTIALS)
  logs           $KAFKA_LOGS/server.log
                 $REDIS_DIR/redis.log
                 $CLUSTER_DIR/<port>/redis.log
EOF
}

cmd_down() {
  local clean=0 port
  [ "${1:-}" = "--clean" ] && clean=1
  take_lock
  stop_kafka
  stop_redis "Redis" "$REDIS_DIR" "$REDIS_PORT"
  for port in "${CLUSTER_PORTS[@]}"; do
    stop_redis "Redis Cluster node $port" "$CLUSTER_DIR/$port" "$port"
  done
  if [ "$clean" = 1 ]; then
    log "removing stack data, logs and credentials (keeping the Kafka jar cache $KAFKA_LIBS)"
    rm -rf "$KAFKA_DATA" "$KAFKA_LOGS" "$KAFKA_DIR/cluster-id" "$KAFKA_PROPS" "$KAFKA_SCRAM_MARKER" \
      "$REDIS_DIR" "$CLUSTER_DIR" "$STACK/env" "$CREDENTIALS" "$TLS_DIR"
  fi
  log "stack is down"
}

# A crash of the standalone Redis for the fault tests: the same node comes back on the same data.
cmd_redis_restart() {
  local how=NOSAVE started
  [ "${1:-}" = "--kill" ] && how=KILL
  take_lock
  redis_pid "$REDIS_DIR" "$REDIS_PORT" >/dev/null || die "the stack's Redis (port $REDIS_PORT) is not running"
  ensure_credentials
  started="$(now_ms)"
  stop_redis "Redis" "$REDIS_DIR" "$REDIS_PORT" "$how"
  start_redis "Redis" "$REDIS_DIR" "$REDIS_PORT"
  log "Redis restarted in $(($(now_ms) - started)) ms with $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" dbsize) keys"
}

cmd_kafka_restart() {
  local how=TERM
  [ "${1:-}" = "--kill" ] && how=KILL
  take_lock
  ensure_credentials
  stop_kafka "$how"
  start_kafka
  ensure_kafka_scram_user
}

redis_details() { # redis_details PORT: a running node's durability settings and whether the user exists
  local aof policy user=none
  aof="$(redis-cli -h 127.0.0.1 -p "$1" config get appendonly 2>/dev/null | sed -n 2p)"
  policy="$(redis-cli -h 127.0.0.1 -p "$1" config get maxmemory-policy 2>/dev/null | sed -n 2p)"
  redis-cli -h 127.0.0.1 -p "$1" acl users 2>/dev/null | grep -cx "$STACK_USER" >/dev/null && user="$STACK_USER"
  echo "appendonly $aof, $policy, ACL user $user"
}

cmd_status() {
  local all=0 pid port state details
  if pid="$(kafka_pid)"; then
    if [ "$(cat "$KAFKA_READY" 2>/dev/null)" = "$pid" ] && port_open "$KAFKA_PORT"; then state=running; else
      state=starting
      all=3
    fi
  else
    state=stopped pid=-
    all=3
  fi
  printf '%-28s %-9s port %-5s pid %s\n' kafka "$state" "$KAFKA_PORT" "$pid"
  details="$KAFKA_SCRAM_MECHANISM, user $STACK_USER"
  if [ "$state" = running ] && port_open "$KAFKA_SASL_PORT"; then
    [ -s "$KAFKA_SCRAM_MARKER" ] || {
      details="$details (not created yet)"
      all=3
    }
  else
    state=stopped
    all=3
  fi
  printf '%-28s %-9s port %-5s %s\n' kafka-sasl "$state" "$KAFKA_SASL_PORT" "$details"
  if [ "$state" = running ] && port_open "$KAFKA_SASL_SSL_PORT"; then state=running; else
    state=stopped
    all=3
  fi
  printf '%-28s %-9s port %-5s %s\n' kafka-sasl-ssl "$state" "$KAFKA_SASL_SSL_PORT" "$details, TLS (CA $TLS_DIR/ca.crt)"
  if pid="$(redis_pid "$REDIS_DIR" "$REDIS_PORT")" && redis_ping "$REDIS_PORT"; then
    state=running details="$(redis_details "$REDIS_PORT")"
  else
    state=stopped pid="${pid:--}" details=""
    all=3
  fi
  printf '%-28s %-9s port %-5s pid %-8s %s\n' redis "$state" "$REDIS_PORT" "$pid" "$details"
  for port in "${CLUSTER_PORTS[@]}"; do
    if pid="$(redis_pid "$CLUSTER_DIR/$port" "$port")" && redis_ping "$port"; then
      state=running details="$(redis_details "$port")"
      [ "$(cluster_field "$port" cluster_state)" = ok ] || {
        state="running (cluster_state:$(cluster_field "$port" cluster_state))"
        all=3
      }
    else
      state=stopped pid="${pid:--}" details=""
      all=3
    fi
    printf '%-28s %-9s port %-5s pid %-8s %s\n' "redis-cluster-$port" "$state" "$port" "$pid" "$details"
  done
  if [ -s "$STACK/env" ]; then
    echo "env file: $STACK/env (KAFKA_SASL_BROKERS/MECHANISM/USERNAME, KAFKA_SASL_SSL_BROKERS/CA_FILE, REDIS_USERNAME; passwords not shown)"
  fi
  return "$all"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down "${2:-}" ;;
  status) cmd_status ;;
  redis-restart) cmd_redis_restart "${2:-}" ;;
  kafka-restart) cmd_kafka_restart "${2:-}" ;;
  deps) cmd_deps ;;
  *)
    echo "usage: bash scripts/stack/stack.sh up|down [--clean]|status|redis-restart [--kill]|kafka-restart [--kill]|deps" >&2
    exit 2
    ;;
esac
