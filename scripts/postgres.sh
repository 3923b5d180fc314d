#!/usr/bin/env bash
# A throwaway PostgreSQL server from Debian's package, for the test command.
#   postgres.sh start DIR   initialise DIR, serve on a unix socket inside it (no TCP port to
#                           collide with), print the DATABASE_URL
#   postgres.sh stop DIR    stop that server and remove DIR
# PostgreSQL refuses to run as root: as root, the server runs as the `postgres` account the
# package creates. Durability is off (fsync, synchronous commit): the data dies with DIR anyway.
set -euo pipefail
bin=$(compgen -G '/usr/lib/postgresql/*/bin' | sort -V | tail -n 1) ||
  { echo "PostgreSQL is not installed (Debian's postgresql package: scripts/install_system.sh)" >&2; exit 1; }
owner=()
[ "$(id -u)" -ne 0 ] || owner=(runuser -u postgres --)

case "${1:-}" in
  start)
    dir=$2
    [ ${#owner[@]} -eq 0 ] || chown postgres: "$dir"
    "${owner[@]}" "$bin/initdb" -D "$dir/data" -U kb -A trust -E UTF8 --locale C.UTF-8 --no-sync \
      >"$dir/initdb.log"
    "${owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -s start \
      -o "-k $dir -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    "$bin/createdb" -h "$dir" -U kb kb
    echo "postgres://kb@${dir//\//%2F}/kb"
    ;;
  stop)
    dir=$2
    [ ! -f "$dir/data/postmaster.pid" ] || "${owner[@]}" "$bin/pg_ctl" -D "$dir/data" -w -s -m fast stop
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start DIR | stop DIR" >&2
    exit 2
    ;;
esac
