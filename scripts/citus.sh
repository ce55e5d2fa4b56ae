#!/usr/bin/env bash
# A throwaway Citus cluster (a coordinator and two workers, PostgreSQL 15) for the tests and the
# bench, from ../shared/citus beside the repository (or MBILOAD_CITUS_DIR).
#
#   scripts/citus.sh run -- CMD [ARGS...]   runs CMD with MBILOAD_TEST_CITUS_URL set to the
#                                            coordinator's URL, then stops and removes the cluster
#                                            (an URL already in the environment is used as is)
#   scripts/citus.sh start DIR               starts one in DIR and prints its URL (stop: cluster.sh stop DIR)
#
# Citus is installed with the shared install.sh when missing (as root; it upgrades postgresql-15
# to the 15.20 it was built against). CITUS_SHARD_COUNT sets citus.shard_count (default 4: the
# tests create many small tables; the bench passes 32, Citus's own default). Fails, never skips,
# when the cluster cannot be started.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${MBILOAD_CITUS_DIR:-$root/../shared/citus}
lib=/usr/lib/postgresql/15/lib

install_citus() {
  local want=150020 have=0
  [ -x /usr/lib/postgresql/15/bin/postgres ] &&
    have=$(/usr/lib/postgresql/15/bin/postgres -V | awk '{split($3, v, "."); print v[1] * 10000 + v[2]}')
  if [ -f "$lib/citus.so" ] && [ "$have" -ge "$want" ]; then return 0; fi
  [ -x "$shared/install.sh" ] || [ -f "$shared/install.sh" ] || {
    echo "citus.sh: Citus is not installed and $shared/install.sh is missing" >&2; exit 1; }
  [ "$(id -u)" = 0 ] || { echo "citus.sh: Citus is not installed: run $shared/install.sh as root" >&2; exit 1; }
  bash "$shared/install.sh" >&2
}

free_port() { # a base port with the two after it free too
  local p k
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 30000))
    for k in 0 1 2; do
      if (exec 3<>/dev/tcp/127.0.0.1/$((p + k))) 2>/dev/null; then continue 2; fi
    done
    echo "$p"; return 0
  done
  echo "citus.sh: no free port found" >&2; exit 1
}

start() {
  local dir=$1 port url
  install_citus
  port=$(free_port)
  url=$(CITUS_FSYNC=${CITUS_FSYNC:-off} bash "$shared/cluster.sh" start "$dir" "$port" 2 | tail -n 1)
  psql "$url" -XAtq -v ON_ERROR_STOP=1 \
    -c "ALTER SYSTEM SET citus.shard_count = ${CITUS_SHARD_COUNT:-4}" -c "SELECT pg_reload_conf()" >/dev/null
  echo "$url"
}

case ${1:-} in
run)
  shift; [ "${1:-}" = -- ] && shift
  [ $# -gt 0 ] || { sed -n '5,8p' "$0" >&2; exit 2; }
  if [ -n "${MBILOAD_TEST_CITUS_URL:-}" ]; then exec "$@"; fi
  dir=$(mktemp -d /tmp/mbiload-citus-XXXXXX)
  chmod 755 "$dir"
  cleanup() { bash "$shared/cluster.sh" stop "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"; }
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  url=$(start "$dir")
  echo "citus: cluster at $url ($("$lib/../bin/postgres" -V | awk '{print $3}'), citus $(psql "$url" -XAtq -c "SELECT extversion FROM pg_extension WHERE extname = 'citus'"))" >&2
  status=0
  MBILOAD_TEST_CITUS_URL=$url "$@" || status=$?
  exit $status
  ;;
start)
  [ -n "${2:-}" ] || { sed -n '5,8p' "$0" >&2; exit 2; }
  mkdir -p "$2"; chmod 755 "$2"
  start "$2"
  ;;
*) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
