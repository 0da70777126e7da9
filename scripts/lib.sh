# Shared by scripts/run and the test suites (sourced, bash): a throwaway
# PostgreSQL cluster, lighttpd with the responder, and workers, all under
# one run folder and all stopped by stack_down.
#
# As root, PostgreSQL runs as "postgres" and the responder and workers as
# an unprivileged user ($APP_USER): neither may run as root.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
LIGHTTPD=$(PATH=$PATH:/usr/sbin:/sbin command -v lighttpd || echo /usr/sbin/lighttpd)
STACK_PIDS=()

if [ "$(id -u)" = 0 ]; then
	PG_USER=postgres
	APP_USER=${APP_USER:-www-data}
	id "$APP_USER" >/dev/null 2>&1 || APP_USER=nobody
	AS_PG=(setpriv --reuid="$PG_USER" --regid="$PG_USER" --init-groups --)
	AS_APP=(setpriv --reuid="$APP_USER" --regid="$APP_USER" --init-groups --)
else
	PG_USER=$(id -un)
	APP_USER=$PG_USER
	AS_PG=()
	AS_APP=()
fi

# stack_init DIR: use DIR (created, emptied) as the run folder.
stack_init() {
	RUN=$1
	rm -rf "$RUN"
	mkdir -p "$RUN"/{pg,log,bin,sock,www}
	chmod 755 "$RUN" "$RUN"/{pg,bin,www}
	if [ "$(id -u)" = 0 ]; then
		chown "$PG_USER" "$RUN/pg"
		chown "$APP_USER" "$RUN/log" "$RUN/sock"
	fi
	chmod 750 "$RUN/sock"
	cp "$TOP/cgi/rsvp.fcgi" "$TOP/worker/rsvp-worker" "$RUN/bin/"
	cp -R "$TOP/web/." "$RUN/www/"
	chmod -R a+rX "$RUN/www"
	chmod 755 "$RUN/bin/"*
	export PGHOST="$RUN/pg" PGPORT=5432 PGUSER=rsvp PGDATABASE=rsvp
	unset PGPASSWORD PGSERVICE RSVP_DATABASE_URL
}

# stack_rundir NAME: a run folder the unprivileged users can reach:
# $TOP/.run/NAME when they can, else a fresh folder under /tmp.
stack_rundir() {
	local dir="$TOP/.run/$1"
	mkdir -p "$TOP/.run"
	if [ "$(id -u)" != 0 ] ||
	    { "${AS_PG[@]}" test -x "$TOP/.run" &&
	      "${AS_APP[@]}" test -x "$TOP/.run"; } 2>/dev/null; then
		chmod 755 "$TOP/.run"
		echo "$dir"
	else
		mktemp -d "/tmp/rsvp-$1.XXXXXX"
	fi
}

# pg_up [setting=value ...]: initdb, start, create the database, migrate.
pg_up() {
	local opt conf="$RUN/pg/data/postgresql.conf"
	"${AS_PG[@]}" "$PGBIN/initdb" -D "$RUN/pg/data" -U rsvp \
	    --auth=trust -E UTF8 --locale=C.UTF-8 >"$RUN/log/initdb.log" 2>&1 ||
	    { cat "$RUN/log/initdb.log" >&2; return 1; }
	{
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$RUN/pg'"
		echo "port = 5432"
		echo "max_connections = 100"
		for opt in "$@"; do echo "$opt"; done
	} | "${AS_PG[@]}" tee -a "$conf" >/dev/null
	touch "$RUN/log/postgres.log"
	[ "$(id -u)" = 0 ] && chown "$PG_USER" "$RUN/log/postgres.log"
	"${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$RUN/pg/data" \
	    -l "$RUN/log/postgres.log" -w -t 60 start >/dev/null ||
	    { tail -n 20 "$RUN/log/postgres.log" >&2; return 1; }
	"$PGBIN/createdb" rsvp || return 1
	"$TOP/sql/migrate" >"$RUN/log/migrate.log" ||
	    { cat "$RUN/log/migrate.log" >&2; return 1; }
}

pg_down() {
	[ -d "$RUN/pg/data" ] || return 0
	"${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$RUN/pg/data" -m fast -w stop \
	    >/dev/null 2>&1 || true
}

# The environment handed to the responder and the workers: libpq's and ours.
app_env() {
	local v
	for v in PGHOST PGPORT PGUSER PGDATABASE $(compgen -e | grep '^RSVP_'); do
		printf '%s=%s\n' "$v" "${!v}"
	done
}

# render TEMPLATE OUT NAME=VALUE...: fill in @NAME@ placeholders.
render() {
	local in=$1 out=$2 text kv
	shift 2
	text=$(<"$in")
	for kv in "$@"; do
		text=${text//@${kv%%=*}@/${kv#*=}}
	done
	printf '%s\n' "$text" >"$out"
}

# lighttpd_up PORT [PROCS]: lighttpd with the responder mounted at "/".
lighttpd_up() {
	local port=$1 procs=${2:-2} envs="" line user=""
	while IFS= read -r line; do
		envs+="\"${line%%=*}\" => \"${line#*=}\", "
	done < <(app_env)
	[ "$(id -u)" = 0 ] && user="server.username = \"$APP_USER\"
server.groupname = \"$APP_USER\""
	render "$TOP/deploy/lighttpd/rsvp.conf.in" "$RUN/lighttpd.conf" \
	    BIND=127.0.0.1 PORT="$port" DOCROOT="$RUN/www" LOGDIR="$RUN/log" \
	    USERNAME="$user" MAX_REQUEST_KIB=$(( (${RSVP_MAX_BODY:-1048576} / 1024) * 2 + 64 )) \
	    MOUNT=/ SOCKDIR="$RUN/sock" BINDIR="$RUN/bin" PROCS="$procs" \
	    ENVIRONMENT="$envs"
	"$LIGHTTPD" -tt -f "$RUN/lighttpd.conf" >"$RUN/log/lighttpd-check.log" 2>&1 ||
	    { cat "$RUN/log/lighttpd-check.log" >&2; return 1; }
	"$LIGHTTPD" -D -f "$RUN/lighttpd.conf" >>"$RUN/log/lighttpd.out" 2>&1 &
	LIGHTTPD_PID=$!
	STACK_PIDS+=("$LIGHTTPD_PID")
	wait_http "http://127.0.0.1:$port/health" || {
		cat "$RUN/log/lighttpd.log" "$RUN/log/lighttpd.out" >&2
		return 1
	}
}

# wait_http URL: until it answers at all (any status), at most 10 s.
wait_http() {
	local i
	for i in $(seq 100); do
		curl -s -o /dev/null "$1" && return 0
		sleep 0.1
	done
	return 1
}

# worker_up [ARGS]: start a worker in the background; its pid in WORKER_PID.
worker_up() {
	local envs=()
	mapfile -t envs < <(app_env)
	"${AS_APP[@]}" env -i PATH=/usr/bin:/bin "${envs[@]}" \
	    "$RUN/bin/rsvp-worker" "$@" >>"$RUN/log/worker.log" 2>&1 &
	WORKER_PID=$!
	STACK_PIDS+=("$WORKER_PID")
}

# stack_down: stop everything started, newest first.
stack_down() {
	local i pid
	for (( i=${#STACK_PIDS[@]}-1; i>=0; i-- )); do
		pid=${STACK_PIDS[i]}
		kill -TERM "$pid" 2>/dev/null || continue
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	STACK_PIDS=()
	pg_down
}
