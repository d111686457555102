#!/usr/bin/env bash
# A throwaway PostgreSQL server for the Postgres store's tests: installs
# Debian's postgresql package if its programs are missing, makes a cluster in
# a temporary folder (owned by the postgres user, as initdb refuses root),
# starts it on 127.0.0.1 and prints the URL to export:
#
#   export FAQBOT_TEST_DATABASE_URL=$(scripts/throwaway_postgres.sh start)
#   cargo test
#   scripts/throwaway_postgres.sh stop
#
# PORT (default 55432) and DIR (default /tmp/faqbot-postgres) choose where.
set -euo pipefail
port="${PORT:-55432}"
dir="${DIR:-/tmp/faqbot-postgres}"

# The newest server's programs (the client package alone has this folder too, without initdb).
bin_dir() {
  ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 | xargs -r dirname
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-start}" in
start)
  if [ -z "$(bin_dir)" ]; then
    echo "installing Debian's postgresql package" >&2
    export DEBIAN_FRONTEND=noninteractive
    # The package lists may be missing on a fresh machine.
    apt-get install -y --no-install-recommends postgresql >&2 \
      || { apt-get update >&2 && apt-get install -y --no-install-recommends postgresql >&2; }
  fi
  bin="$(bin_dir)"
  [ -n "$bin" ] || { echo "no PostgreSQL server (initdb) under /usr/lib/postgresql" >&2; exit 1; }
  if [ -f "$dir/data/postmaster.pid" ] && as_postgres "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    exit 0
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync >/dev/null
  as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
  echo "postgres://postgres@127.0.0.1:$port/postgres"
  ;;
stop)
  bin="$(bin_dir)"
  if [ -n "$bin" ] && [ -d "$dir/data" ]; then
    as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|stop" >&2
  exit 2
  ;;
esac
