#!/usr/bin/env bash
# pg.sh — a throwaway PostgreSQL cluster for gdbt's tests and demo.
#
#   scripts/pg.sh start    start (initialising if needed) and print the URL; idempotent
#   scripts/pg.sh stop     stop the cluster if it is running
#   scripts/pg.sh url      print the URL of the running cluster (fails if it is not running)
#   scripts/pg.sh status   say whether it is running; exit 0 if so, 3 if not
#   scripts/pg.sh psql ... run psql against it
#   scripts/pg.sh destroy  stop it and delete the cluster and all state
#
# If GDBT_PG_URL is set, that server is used instead: start/url/status print it and
# nothing is started or stopped.
#
# State lives in <repo>/.pgdata (git-ignored). The cluster is tuned for speed, not
# durability (fsync=off and friends): never point it at data you want to keep.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state=$repo/.pgdata
urlfile=$state/url
cmd=${1:-}
if [ $# -gt 0 ]; then shift; fi

die() { echo "pg.sh: $*" >&2; exit 1; }

if [ -n "${GDBT_PG_URL:-}" ]; then
	case $cmd in
	start | url | status) echo "$GDBT_PG_URL"; exit 0 ;;
	stop | destroy) echo "pg.sh: GDBT_PG_URL is set; not touching a server this script does not own" >&2; exit 0 ;;
	psql) exec psql "$GDBT_PG_URL" "$@" ;;
	esac
fi

mkdir -p "$state"
# Several test binaries may call "start" at the same moment: serialise.
exec 9>"$state/lock"
flock 9

# The highest installed major version (the glob sorts lexically, so sort numerically).
find_bindir() {
	local d
	for d in /usr/lib/postgresql/*/bin; do
		if [ -x "$d/initdb" ]; then echo "$d"; fi
	done | sort -t/ -k4,4n | tail -n1
}

# Remove the recorded data directory when it lives outside .pgdata (the /tmp fallback).
remove_tmp_datadir() {
	local d
	d=$(cat "$state/datadir" 2>/dev/null || true)
	case $d in
	/tmp/gdbt-pg-*/data) rm -rf "${d%/data}" ;;
	esac
}

bindir=$(find_bindir)
if [ -z "$bindir" ]; then
	case $cmd in
	start) ;;
	stop) exit 0 ;;
	destroy) remove_tmp_datadir; rm -rf "$state"; exit 0 ;;
	status) echo "stopped (PostgreSQL is not installed)"; exit 3 ;;
	*) die "PostgreSQL is not installed (run: scripts/pg.sh start)" ;;
	esac
	[ "$(id -u)" = 0 ] || die "PostgreSQL is not installed and we are not root: apt-get install postgresql"
	echo "pg.sh: installing PostgreSQL with apt-get" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq postgresql >&2 </dev/null
	bindir=$(find_bindir)
	[ -n "$bindir" ] || die "apt-get installed postgresql but no initdb under /usr/lib/postgresql/*/bin"
fi

# As root, PostgreSQL refuses to run: use the postgres OS user. Otherwise run as ourselves.
if [ "$(id -u)" = 0 ]; then
	if ! id postgres >/dev/null 2>&1; then
		useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
	fi
	as_pg() { (cd / && runuser -u postgres -- "$@" 9>&-); }
	owner=postgres
else
	as_pg() { "$@" 9>&-; }
	owner=$(id -un)
fi

# The data directory: <repo>/.pgdata/data, unless the postgres user cannot reach it
# (e.g. a repo under a private home directory); then a per-repo directory in /tmp.
resolve_datadir() {
	if [ -s "$state/datadir" ]; then
		cat "$state/datadir"
		return
	fi
	local d=$state/data
	mkdir -p "$d"
	chmod 700 "$d"
	[ "$owner" = "$(id -un)" ] || chown "$owner:" "$d"
	if ! as_pg test -w "$d" -a -x "$d"; then
		local h
		h=$(printf '%s' "$repo" | sha256sum | cut -c1-12)
		d=/tmp/gdbt-pg-$h/data
		mkdir -p "$d"
		chmod 700 "$d"
		chown -R "$owner:" "/tmp/gdbt-pg-$h"
	fi
	echo "$d" >"$state/datadir"
	echo "$d"
}

data=$(resolve_datadir)

running() {
	[ -f "$data/postmaster.pid" ] && as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1
}

port_in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

url_for() { echo "postgres://postgres@127.0.0.1:$1/postgres?sslmode=disable"; }

init_cluster() {
	[ -f "$data/PG_VERSION" ] && return
	as_pg "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C --no-sync >"$state/initdb.log" 2>&1 ||
		die "initdb failed; see $state/initdb.log"
	# The socket path must fit in sun_path (107 bytes); if the data dir is too deep, TCP only.
	local sockdir="$data"
	[ ${#sockdir} -le 90 ] || sockdir=
	as_pg tee -a "$data/postgresql.conf" >/dev/null <<-EOF

		# gdbt throwaway test cluster: speed over durability.
		listen_addresses = '127.0.0.1'
		unix_socket_directories = '$sockdir'
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		max_connections = 200
		shared_buffers = 128MB
		logging_collector = off
	EOF
}

start() {
	if running; then
		# Running but the URL file is gone (an interrupted start): rebuild it.
		[ -s "$urlfile" ] || url_for "$(cat "$state/port")" >"$urlfile"
		cat "$urlfile"
		return
	fi
	init_cluster
	rm -f "$urlfile"
	local port prev=
	[ -s "$state/port" ] && prev=$(cat "$state/port")
	for port in $prev $(seq 54320 54399); do
		if port_in_use "$port"; then continue; fi
		rm -f "$data/postgres.log"
		if as_pg "$bindir/pg_ctl" -D "$data" -l "$data/postgres.log" -w -t 60 \
			-o "-p $port" start >"$state/pg_ctl.log" 2>&1; then
			echo "$port" >"$state/port"
			url_for "$port" >"$urlfile"
			cat "$urlfile"
			return
		fi
		# Lost a race for the port, or a real failure: tell them apart by the log.
		if ! grep -qiE 'could not bind|address already in use|could not create any TCP' "$data/postgres.log" 2>/dev/null; then
			cat "$state/pg_ctl.log" "$data/postgres.log" >&2 2>/dev/null || true
			die "pg_ctl start failed (data dir $data)"
		fi
	done
	die "no free port in 54320..54399"
}

stop() {
	if running; then
		as_pg "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null
		echo "pg.sh: stopped" >&2
	fi
	rm -f "$urlfile"
}

case $cmd in
start) start ;;
stop) stop ;;
destroy)
	stop
	remove_tmp_datadir
	rm -rf "$state"
	echo "pg.sh: removed the cluster and $state" >&2
	;;
url)
	running && [ -s "$urlfile" ] || die "not running (run: scripts/pg.sh start)"
	cat "$urlfile"
	;;
status)
	if running && [ -s "$urlfile" ]; then
		echo "running: $(cat "$urlfile") (data $data)"
	else
		echo "stopped (data $data)"
		exit 3
	fi
	;;
psql)
	running && [ -s "$urlfile" ] || die "not running (run: scripts/pg.sh start)"
	url=$(cat "$urlfile")
	exec 9>&-
	exec "$bindir/psql" "$url" "$@"
	;;
*)
	echo "usage: scripts/pg.sh {start|stop|url|status|destroy|psql [args...]}" >&2
	exit 2
	;;
esac
