#!/usr/bin/env bash
# Local Keycloak for the Supergraph realm (no Docker): installs the pinned Keycloak distribution
# from Maven Central into a cache outside the repo and runs it in dev mode on a loopback port.
#
#   scripts/keycloak.sh install            download + unpack + pre-build once (reused afterwards)
#   scripts/keycloak.sh start [--port N]   start with keycloak/realms/supergraph.json imported
#   scripts/keycloak.sh env                print KEYCLOAK_URL, OIDC_ISSUER, ... of the running instance
#   scripts/keycloak.sh status             exit 0 when running
#   scripts/keycloak.sh stop               stop it (whole process group, nothing left behind)
#   scripts/keycloak.sh export FILE        after stop: export the realm (kc.sh export) from its database
#
# Environment (all optional):
#   KEYCLOAK_VERSION            pinned Keycloak version (default below)
#   SUPERGRAPH_CACHE            cache root (default ~/.cache/supergraph)
#   KEYCLOAK_STATE_DIR          pid/port/log/data of one instance (default $SUPERGRAPH_CACHE/keycloak-run)
#   KEYCLOAK_JAVA_HOME          JDK to use (default: the newest JDK >= 17 found on this machine)
#   KEYCLOAK_REALM_FILE         realm to import (default keycloak/realms/supergraph.json)
#   KEYCLOAK_START_TIMEOUT      seconds to wait for readiness (default 240)
#   JAVA_OPTS_KC_HEAP           JVM heap flags (default -Xms64m -Xmx512m)
#   JAVA_OPTS_APPEND            extra JVM flags (default -XX:TieredStopAtLevel=1: C1 only, starts in
#                               ~9 s instead of ~15 s on 2 cores; set to a space for full JIT, e.g. load tests)
#   KC_BOOTSTRAP_ADMIN_USERNAME / KC_BOOTSTRAP_ADMIN_PASSWORD   master-realm admin (default admin / admin)
#   plus the realm placeholders documented in keycloak/README.md (passwords, client secrets, web URIs).
set -euo pipefail

KEYCLOAK_VERSION="${KEYCLOAK_VERSION:-26.7.3}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${SUPERGRAPH_CACHE:-$HOME/.cache/supergraph}"
KC_DIR="$CACHE/keycloak-$KEYCLOAK_VERSION"
MARKER="$KC_DIR/.supergraph-install-ok"
STATE_DIR="${KEYCLOAK_STATE_DIR:-$CACHE/keycloak-run}"
REALM_FILE="${KEYCLOAK_REALM_FILE:-$ROOT/keycloak/realms/supergraph.json}"
REALM="supergraph"
ARTIFACT="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:tar.gz"
DEP_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

log() { printf '[keycloak] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

java_major() { # prints the feature version of a java binary, e.g. 25
  "$1" -XshowSettings:properties -version 2>&1 |
    awk -F' = ' '/java.specification.version/ { v = $2; sub(/^1\./, "", v); print int(v); exit }'
}

# The newest JDK >= 17 on this machine (Keycloak 26.x: 21+ recommended, 17 deprecated but works).
pick_java_home() {
  if [ -n "${KEYCLOAK_JAVA_HOME:-}" ]; then echo "$KEYCLOAK_JAVA_HOME"; return; fi
  local best="" best_v=0 d v candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for d in /usr/lib/jvm/* /opt/* /opt/java/* "$HOME"/.sdkman/candidates/java/*; do
    candidates+=("$d")
  done
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for d in "${candidates[@]}"; do
    [ -x "$d/bin/java" ] || continue
    v="$(java_major "$d/bin/java" || true)"
    [ -n "$v" ] || continue
    if [ "$v" -gt "$best_v" ]; then best="$d"; best_v="$v"; fi
  done
  [ "$best_v" -ge 17 ] || die "no JDK >= 17 found (set KEYCLOAK_JAVA_HOME)"
  echo "$best"
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

port_in_use() {
  node -e 'const s=require("net").createServer();s.once("error",()=>process.exit(0));s.listen(+process.argv[1],"127.0.0.1",()=>{s.close();process.exit(1)})' "$1"
}

installed() {
  [ -f "$MARKER" ] && [ -x "$KC_DIR/bin/kc.sh" ] && [ -f "$KC_DIR/lib/quarkus-run.jar" ] &&
    grep -qx "version=$KEYCLOAK_VERSION" "$MARKER"
}

# A per-instance "home": kc.sh derives its data dir (H2 database, import dir) from the location of
# kc.sh, and Quarkus keeps its build ("augmentation") output in lib/quarkus and lib/app next to
# lib/quarkus-run.jar (located through its real path, so these must be copies, not symlinks).
# Copies of those (~5 MB) plus symlinks to the rest of the shared install (lib/lib, themes, ...)
# give each instance its own data/ and build, while the ~190 MB distribution stays in one place and
# is not modified after install (a rebuild triggered by other options stays inside the home).
make_home() { # make_home DIR
  local home="$1" x
  rm -rf "$home"
  mkdir -p "$home/bin" "$home/lib" "$home/data/import"
  cp "$KC_DIR/bin/kc.sh" "$home/bin/kc.sh"
  for x in conf providers themes version.txt; do ln -s "$KC_DIR/$x" "$home/$x"; done
  for x in "$KC_DIR"/lib/*; do
    if [ "$(basename "$x")" = lib ]; then ln -s "$x" "$home/lib/lib"; else cp -a "$x" "$home/lib/"; fi
  done
}

cmd_install() {
  if installed; then log "Keycloak $KEYCLOAK_VERSION already installed in $KC_DIR"; return 0; fi
  command -v mvn >/dev/null 2>&1 || die "mvn is required to download $ARTIFACT"
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.keycloak-install.lock"
  flock 9
  if installed; then log "Keycloak $KEYCLOAK_VERSION installed by another process"; return 0; fi
  local t0 tmp java_home x
  t0="$(now)"
  tmp="$(mktemp -d "$CACHE/.keycloak-install.XXXXXX")"
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  log "downloading $ARTIFACT from Maven Central (checksums enforced)"
  mvn -q -B -C -Dstyle.color=never "$DEP_PLUGIN:copy" -Dartifact="$ARTIFACT" -DoutputDirectory="$tmp/dl" \
    >"$tmp/mvn.log" 2>&1 || { cat "$tmp/mvn.log" >&2; die "mvn could not fetch $ARTIFACT"; }
  log "unpacking"
  mkdir -p "$tmp/x"
  tar -xzf "$tmp/dl/keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz" -C "$tmp/x"
  [ -x "$tmp/x/keycloak-$KEYCLOAK_VERSION/bin/kc.sh" ] || die "unexpected archive layout"
  rm -rf "$KC_DIR"
  mv "$tmp/x/keycloak-$KEYCLOAK_VERSION" "$KC_DIR"

  # Pre-build ("re-augment") the server for dev mode once, so that every start skips the ~25 s
  # Quarkus augmentation. kc.sh exits with 10 after augmenting and then re-launches the server;
  # a copy of kc.sh without the re-launch stops right there.
  java_home="$(pick_java_home)"
  make_home "$tmp/home"
  sed -i 's/^\(\s*\)eval exec .*JAVA_RUN_OPTS.*$/\1exit 0/' "$tmp/home/bin/kc.sh"
  if grep -q 'eval exec' "$tmp/home/bin/kc.sh"; then
    log "kc.sh layout changed; skipping the dev-mode pre-build (the first start will do it)"
  else
    log "pre-building the dev-mode server image with $(basename "$java_home")"
    local status=0
    JAVA_HOME="$java_home" timeout 600 "$tmp/home/bin/kc.sh" start-dev --health-enabled=true \
      --http-host=127.0.0.1 --http-port="$(free_port)" --http-management-port="$(free_port)" \
      </dev/null >"$tmp/build.log" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
      tail -20 "$tmp/build.log" >&2
      die "dev-mode pre-build failed (exit $status)"
    fi
    for x in "$tmp"/home/lib/*; do
      [ -L "$x" ] && continue
      rm -rf "${KC_DIR:?}/lib/$(basename "$x")"
      cp -a "$x" "$KC_DIR/lib/"
    done
  fi
  {
    echo "version=$KEYCLOAK_VERSION"
    echo "artifact=$ARTIFACT"
    echo "sha1=$(sha1sum "$tmp/dl/keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz" | cut -d' ' -f1)"
    echo "java_home=$java_home"
    echo "installed_at=$(date -u +%FT%TZ)"
  } >"$MARKER"
  rm -rf "$tmp"
  trap - EXIT
  exec 9>&- # release the install lock (and keep it out of the server's inherited fds)
  log "installed Keycloak $KEYCLOAK_VERSION in $KC_DIR in $(elapsed "$t0") s"
}

read_state() { # sets PID PGID (empty when not running)
  PID=""; PGID=""
  [ -f "$STATE_DIR/pid" ] || return 0
  PID="$(cat "$STATE_DIR/pid")"
  PGID="$(cat "$STATE_DIR/pgid" 2>/dev/null || echo "$PID")"
  if ! kill -0 "$PID" 2>/dev/null; then PID=""; fi
}

our_java_pids() { # java processes started from this state dir's home (matched literally)
  local home
  home="$(readlink -f "$STATE_DIR/home" 2>/dev/null || echo "$STATE_DIR/home")"
  # shellcheck disable=SC2009 # pgrep -f takes a regex; the home path is matched literally here
  ps -eo pid=,args= | grep -F -- "-Dkc.home.dir=$home/bin/.." | grep -v -F 'grep' | awk '{print $1}' || true
}

group_alive() { [ -n "${PGID:-}" ] && pgrep -g "$PGID" >/dev/null 2>&1; }

cmd_status() {
  read_state
  if [ -n "$PID" ]; then log "running (pid $PID)"; return 0; fi
  log "not running"; return 1
}

cmd_env() {
  read_state
  if [ -z "$PID" ] || [ ! -f "$STATE_DIR/env" ]; then die "Keycloak is not running (state dir $STATE_DIR)"; fi
  cat "$STATE_DIR/env"
}

cmd_stop() {
  read_state
  local pids
  if [ -n "$PID" ]; then
    log "stopping Keycloak (pid $PID, process group $PGID)"
    kill -TERM -- "-$PGID" 2>/dev/null || kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 1 60); do
      group_alive || [ -n "$(our_java_pids)" ] || break
      sleep 0.5
    done
    if group_alive; then
      log "still running after 30 s; sending SIGKILL"
      kill -KILL -- "-$PGID" 2>/dev/null || true
    fi
  fi
  pids="$(our_java_pids)"
  if [ -n "$pids" ]; then
    log "killing leftover java process(es): $pids"
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    sleep 0.5
  fi
  [ -z "$(our_java_pids)" ] || die "a Keycloak java process is still running"
  rm -f "$STATE_DIR/pid" "$STATE_DIR/pgid" "$STATE_DIR/env"
  log "stopped"
}

cmd_export() { # export FILE: realm (with users) from the last instance's database; server must be stopped
  local file="${1:-}"
  [ -n "$file" ] || die "usage: keycloak.sh export FILE"
  case "$file" in /*) ;; *) file="$PWD/$file" ;; esac
  read_state
  [ -z "$PID" ] || die "stop Keycloak first: export opens the H2 database, which the running server locks"
  [ -d "$STATE_DIR/home/data/h2" ] || die "no database in $STATE_DIR/home/data (start Keycloak once first)"
  log "exporting realm $REALM to $file (runs Keycloak in export mode, ~30 s)"
  JAVA_HOME="$(pick_java_home)" "$STATE_DIR/home/bin/kc.sh" export --realm "$REALM" --file "$file" \
    </dev/null >"$STATE_DIR/export.log" 2>&1 || { tail -20 "$STATE_DIR/export.log" >&2; die "export failed"; }
  log "exported. It holds resolved secrets, password hashes and generated ids: put the \${...} placeholders back before committing it as keycloak/realms/$REALM.json"
}

cmd_start() {
  local port="" mport=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --port) port="${2:?--port needs a value}"; shift 2 ;;
      --port=*) port="${1#--port=}"; shift ;;
      *) die "unknown option for start: $1" ;;
    esac
  done
  read_state
  if [ -n "$PID" ] && [ -f "$STATE_DIR/env" ]; then
    log "already running (pid $PID)"; cat "$STATE_DIR/env"; return 0
  fi
  [ -f "$REALM_FILE" ] || die "realm file not found: $REALM_FILE"
  [ -z "$(our_java_pids)" ] || die "a Keycloak java process from $STATE_DIR is still running: run 'keycloak.sh stop' first"
  cmd_install
  local java_home
  java_home="$(pick_java_home)"
  if [ -z "$port" ]; then port="$(free_port)"; elif port_in_use "$port"; then die "port $port is in use"; fi
  mport="$(free_port)"
  [ "$mport" != "$port" ] || mport="$(free_port)"

  mkdir -p "$STATE_DIR"
  rm -f "$STATE_DIR/pid" "$STATE_DIR/pgid" "$STATE_DIR/env"
  make_home "$STATE_DIR/home" # fresh data dir (H2) per run
  cp "$REALM_FILE" "$STATE_DIR/home/data/import/$REALM.json"
  echo "$port" >"$STATE_DIR/port"
  echo "$mport" >"$STATE_DIR/management-port"

  log "starting Keycloak $KEYCLOAK_VERSION on http://127.0.0.1:$port (JDK: $java_home)"
  local t0
  t0="$(now)"
  # setsid: own session and process group, so stop can end kc.sh and its java child together.
  JAVA_HOME="$java_home" \
    JAVA_OPTS_KC_HEAP="${JAVA_OPTS_KC_HEAP:--Xms64m -Xmx512m}" \
    JAVA_OPTS_APPEND="${JAVA_OPTS_APPEND:--XX:TieredStopAtLevel=1}" \
    KC_BOOTSTRAP_ADMIN_USERNAME="${KC_BOOTSTRAP_ADMIN_USERNAME:-admin}" \
    KC_BOOTSTRAP_ADMIN_PASSWORD="${KC_BOOTSTRAP_ADMIN_PASSWORD:-admin}" \
    setsid "$STATE_DIR/home/bin/kc.sh" start-dev --import-realm \
    --http-host=127.0.0.1 --http-port="$port" \
    --http-management-port="$mport" --health-enabled=true \
    </dev/null >"$STATE_DIR/keycloak.log" 2>&1 &
  local pid=$!
  # From a script (no job control) the background child is not a group leader, so setsid does not
  # fork: the pid is the new session and process-group id.
  echo "$pid" >"$STATE_DIR/pid"
  echo "$pid" >"$STATE_DIR/pgid"

  local base="http://127.0.0.1:$port" wk deadline issuer=""
  wk="$base/realms/$REALM/.well-known/openid-configuration"
  deadline=$(($(date +%s) + ${KEYCLOAK_START_TIMEOUT:-240}))
  while :; do
    if issuer="$(curl -fsS --max-time 2 "$wk" 2>/dev/null |
      node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).issuer))' 2>/dev/null)" &&
      [ -n "$issuer" ]; then
      break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -40 "$STATE_DIR/keycloak.log" >&2
      rm -f "$STATE_DIR/pid" "$STATE_DIR/pgid"
      die "Keycloak exited during startup (log: $STATE_DIR/keycloak.log)"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail -40 "$STATE_DIR/keycloak.log" >&2
      cmd_stop || true
      die "Keycloak not ready after ${KEYCLOAK_START_TIMEOUT:-240} s (log: $STATE_DIR/keycloak.log)"
    fi
    sleep 0.25
  done
  local secs pgid
  secs="$(elapsed "$t0")"
  pgid="$(ps -o pgid= -p "$pid" | tr -d ' ' || true)"
  [ -z "$pgid" ] || echo "$pgid" >"$STATE_DIR/pgid"
  cat >"$STATE_DIR/env" <<EOF
KEYCLOAK_URL=$base
OIDC_ISSUER=$issuer
OIDC_JWKS_URI=$issuer/protocol/openid-connect/certs
OIDC_TOKEN_ENDPOINT=$issuer/protocol/openid-connect/token
KEYCLOAK_ADMIN_CONSOLE=$base/admin/master/console/#/$REALM
KEYCLOAK_MANAGEMENT_URL=http://127.0.0.1:$mport
KEYCLOAK_VERSION=$KEYCLOAK_VERSION
KEYCLOAK_PID=$pid
KEYCLOAK_LOG=$STATE_DIR/keycloak.log
KEYCLOAK_START_SECONDS=$secs
EOF
  log "ready in $secs s"
  cat "$STATE_DIR/env"
}

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }

case "${1:-}" in
  install) shift; cmd_install "$@" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop ;;
  env) shift; cmd_env ;;
  export) shift; cmd_export "$@" ;;
  status) shift; cmd_status ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
