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
	# RSVP_BUILD_DIR: programs built elsewhere (make check SANITIZE=1).
	cp "$TOP/${RSVP_BUILD_DIR:-.}/cgi/rsvp.fcgi" \
	    "$TOP/${RSVP_BUILD_DIR:-.}/worker/rsvp-worker" "$RUN/bin/"
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
	pg_logins
}

# pg_logins: the login roles the programs connect as, members of the
# group roles of sql/004_console.sql (trust authentication here, so no
# passwords): rsvp_web_login for the responder, rsvp_worker_login for the
# workers, rsvp_admin_login for make psql.  The suites stay the superuser.
pg_logins() {
	psql -X -q -v ON_ERROR_STOP=1 >"$RUN/log/logins.log" 2>&1 <<'SQL' ||
DO $$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['rsvp_web', 'rsvp_worker', 'rsvp_admin'] LOOP
		IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles
		    WHERE rolname = r || '_login') THEN
			EXECUTE format('CREATE ROLE %I LOGIN IN ROLE %I',
			    r || '_login', r);
		END IF;
	END LOOP;
END
$$;
SQL
	    { cat "$RUN/log/logins.log" >&2; return 1; }
}

pg_down() {
	[ -d "$RUN/pg/data" ] || return 0
	"${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$RUN/pg/data" -m fast -w stop \
	    >/dev/null 2>&1 || true
}

# app_env [web|worker]: the environment handed to the responder or the
# workers: libpq's and ours, with PGUSER that program's login role.
app_env() {
	local v
	for v in PGHOST PGPORT PGUSER PGDATABASE $(compgen -e | grep '^RSVP_'); do
		if [ "$v" = PGUSER ] && [ -n "${1:-}" ]; then
			printf 'PGUSER=rsvp_%s_login\n' "$1"
		else
			printf '%s=%s\n' "$v" "${!v}"
		fi
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
	done < <(app_env web)
	[ "$(id -u)" = 0 ] && user="server.username = \"$APP_USER\"
server.groupname = \"$APP_USER\""
	render "$TOP/deploy/lighttpd/rsvp.conf.in" "$RUN/lighttpd.conf" \
	    BIND=127.0.0.1 PORT="$port" DOCROOT="$RUN/www" LOGDIR="$RUN/log" \
	    USERNAME="$user" MAX_REQUEST_KIB=$(( (${RSVP_MAX_BODY:-1048576} / 1024) * 2 + 64 )) \
	    MOUNT=/ SOCKDIR="$RUN/sock" PROCS="$procs" \
	    BINDIR="${RSVP_WRAP:+$RSVP_WRAP }$RUN/bin" \
	    ENVIRONMENT="$envs"
	# LIGHTTPD_EXTRA: a file of more configuration (make bench's mounts).
	[ -z "${LIGHTTPD_EXTRA:-}" ] || cat "$LIGHTTPD_EXTRA" >>"$RUN/lighttpd.conf"
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

# --- The other web servers (deploy/apache, deploy/nginx).  Each runs as
# its own instance with its own configuration under $RUN, on a loopback
# port; as root it drops to $APP_USER.  RESPONDER_LOG names the file the
# responder's log lines land in, MOUNT the path it is mounted at.
APACHE=$(PATH=$PATH:/usr/sbin:/sbin command -v apache2 || echo /usr/sbin/apache2)
APACHE_MODDIR=${APACHE_MODDIR:-/usr/lib/apache2/modules}
NGINX=$(PATH=$PATH:/usr/sbin:/sbin command -v nginx || echo /usr/sbin/nginx)
SPAWN_FCGI=$(PATH=$PATH:/usr/sbin:/sbin command -v spawn-fcgi || echo /usr/bin/spawn-fcgi)
RESPONDER_LOG=
MOUNT=

# server_up SERVER PORT [PROCS]: the responder behind SERVER (lighttpd,
# apache, apache-proxy, apache-cgi, apache-htaccess or nginx); its pid in
# SERVER_PID.
server_up() {
	case $1 in
	lighttpd) lighttpd_up "$2" "${3:-2}" || return 1
		SERVER_PID=$LIGHTTPD_PID RESPONDER_LOG=$RUN/log/responder.log MOUNT= ;;
	apache) apache_up "$2" "${3:-2}" ;;
	apache-proxy) apache_proxy_up "$2" "${3:-2}" ;;
	apache-cgi) apache_cgi_up "$2" ;;
	apache-htaccess) apache_htaccess_up "$2" ;;
	nginx) nginx_up "$2" "${3:-2}" ;;
	*) echo "unknown SERVER '$1': lighttpd, apache, apache-proxy," \
		    "apache-cgi, apache-htaccess or nginx" >&2
		return 1 ;;
	esac
}

# apache_start CONF PORT: check CONF, start Apache in the foreground.
apache_start() {
	mkdir -p "$RUN/apache"
	"$APACHE" -t -d "$RUN/apache" -f "$1" >"$RUN/log/apache-check.log" 2>&1 ||
	    { cat "$RUN/log/apache-check.log" >&2; return 1; }
	"$APACHE" -d "$RUN/apache" -f "$1" -DFOREGROUND >>"$RUN/log/apache.out" 2>&1 &
	SERVER_PID=$!
	STACK_PIDS+=("$SERVER_PID")
	RESPONDER_LOG=$RUN/log/apache-error.log
	wait_http "http://127.0.0.1:$2/" || {
		cat "$RUN/log/apache-error.log" "$RUN/log/apache.out" >&2
		return 1
	}
}

apache_user() {
	[ "$(id -u)" = 0 ] && printf 'User %s\nGroup %s\n' "$APP_USER" "$APP_USER"
	return 0
}

# apache_up PORT [PROCS]: Apache 2.4 + mod_fcgid, the responder at "/",
# its class of PROCS processes started at once (rsvp-fcgid-prespawn).
apache_up() {
	local port=$1 procs=${2:-2} envs="" line
	while IFS= read -r line; do
		envs+="FcgidInitialEnv ${line%%=*} \"${line#*=}\""$'\n'
	done < <(app_env web)
	render "$TOP/deploy/apache/rsvp-fcgid.conf.in" "$RUN/apache.conf" \
	    RUNDIR="$RUN/apache" BIND=127.0.0.1 PORT="$port" LOGDIR="$RUN/log" \
	    USERNAME="$(apache_user)" MODDIR="$APACHE_MODDIR" DOCROOT="$RUN/www" \
	    MAX_REQUEST_LEN=$(( ${RSVP_MAX_BODY:-1048576} * 2 + 65536 )) \
	    PROCS="$procs" SPAWN_SCORE_LIMIT=$(( procs * 4 )) \
	    ENVIRONMENT="$envs" BINDIR="$RUN/bin"
	MOUNT=
	apache_start "$RUN/apache.conf" "$port" || return 1
	"$TOP/deploy/apache/rsvp-fcgid-prespawn" "http://127.0.0.1:$port/health" \
	    "$procs" "$RUN/bin/rsvp.fcgi" ||
	    { cat "$RUN/log/apache-error.log" >&2; return 1; }
}

# shared_host_start PORT MOUNT: the hosting provider's Apache
# (deploy/apache/shared-host.conf.in), the responder at MOUNT.
shared_host_start() {
	render "$TOP/deploy/apache/shared-host.conf.in" "$RUN/apache.conf" \
	    RUNDIR="$RUN/apache" BIND=127.0.0.1 PORT="$1" LOGDIR="$RUN/log" \
	    USERNAME="$(apache_user)" MODDIR="$APACHE_MODDIR" DOCROOT="$RUN/www"
	MOUNT=$2
	apache_start "$RUN/apache.conf" "$1"
}

# apache_cgi_up PORT: Apache + mod_cgid as a shared host; the responder
# is a plain CGI program, www/api/rsvp.cgi, configured only by the
# .htaccess next to it.
apache_cgi_up() {
	local port=$1 envs="" line
	while IFS= read -r line; do
		envs+="SetEnv ${line%%=*} \"${line#*=}\""$'\n'
	done < <(app_env web)
	mkdir -p "$RUN/www/api"
	cp "$RUN/bin/rsvp.fcgi" "$RUN/www/api/rsvp.cgi"
	render "$TOP/deploy/apache/htaccess-cgi.in" "$RUN/www/api/.htaccess" \
	    ENVIRONMENT="$envs"
	chmod 755 "$RUN/www/api" "$RUN/www/api/rsvp.cgi"
	chmod 644 "$RUN/www/api/.htaccess"
	shared_host_start "$port" /api/rsvp.cgi
}

# apache_htaccess_up PORT: the shared host of apache_cgi_up, the
# responder under mod_fcgid this time: www/api/rsvp.fcgi, the .htaccess
# next to it and the wrapper that sets its environment (rsvp-env.sh), as a
# customer uploads them.  The host's mod_fcgid settings are its defaults.
apache_htaccess_up() {
	local port=$1 envs="" line value q="'" api=$RUN/www/api
	while IFS= read -r line; do
		value=${line#*=}
		envs+="export ${line%%=*}='${value//$q/$q\\$q$q}'"$'\n'
	done < <(app_env web)
	mkdir -p "$api"
	cp "$RUN/bin/rsvp.fcgi" "$api/rsvp.fcgi"
	render "$TOP/deploy/apache/htaccess-fcgid.in" "$api/.htaccess" DIR="$api"
	render "$TOP/deploy/apache/rsvp-env.sh.in" "$api/rsvp-env.sh" \
	    ENVIRONMENT="$envs"
	chmod 755 "$api" "$api/rsvp.fcgi"
	chmod 644 "$api/.htaccess"
	# Readable by the user the responder runs as, nobody else.
	chmod 700 "$api/rsvp-env.sh"
	[ "$(id -u)" = 0 ] && chown "$APP_USER" "$api/rsvp-env.sh"
	shared_host_start "$port" /api/rsvp.fcgi
}

# apache_proxy_up PORT [PROCS]: Apache 2.4 + mod_proxy_fcgi passing the
# API to the responder pool of fcgi_pool_up, mounted at "/".
apache_proxy_up() {
	local port=$1 procs=${2:-2}
	fcgi_pool_up "$procs" || return 1
	render "$TOP/deploy/apache/rsvp-proxy-fcgi.conf.in" "$RUN/apache.conf" \
	    RUNDIR="$RUN/apache" BIND=127.0.0.1 PORT="$port" LOGDIR="$RUN/log" \
	    USERNAME="$(apache_user)" MODDIR="$APACHE_MODDIR" DOCROOT="$RUN/www" \
	    MAX_BODY=$(( ${RSVP_MAX_BODY:-1048576} * 2 + 65536 )) \
	    SOCKET="$FCGI_SOCKET"
	MOUNT=
	apache_start "$RUN/apache.conf" "$port" || return 1
	RESPONDER_LOG=$RUN/log/responder.log
}

# fcgi_pool_up [PROCS]: spawn-fcgi binds the socket (0660, $APP_USER)
# and starts the pool supervisor on it (PROCS responders, each respawned
# when it dies; systemd does the same in production), for nginx or
# Apache's mod_proxy_fcgi.  The socket in FCGI_SOCKET, the pool's pid in
# FCGI_POOL_PID; the responders' stderr in $RUN/log/responder.log.
fcgi_pool_up() {
	local procs=${1:-2} envs=() own=() i
	FCGI_SOCKET=$RUN/sock/rsvp.fcgi.sock
	mapfile -t envs < <(app_env web)
	cp "$TOP/deploy/nginx/rsvp-fcgi-pool" "$RUN/bin/"
	chmod 755 "$RUN/bin/rsvp-fcgi-pool"
	[ "$(id -u)" = 0 ] && own=(-u "$APP_USER" -g "$APP_USER" -U "$APP_USER" -G "$APP_USER")
	env -i PATH=/usr/bin:/bin "${envs[@]}" "$SPAWN_FCGI" -n -s "$FCGI_SOCKET" -M 0660 \
	    "${own[@]}" -- "$RUN/bin/rsvp-fcgi-pool" "$procs" "$RUN/bin/rsvp.fcgi" \
	    >>"$RUN/log/spawn-fcgi.out" 2>>"$RUN/log/responder.log" &
	FCGI_POOL_PID=$!
	STACK_PIDS+=("$FCGI_POOL_PID")
	for i in $(seq 50); do [ -S "$FCGI_SOCKET" ] && return 0; sleep 0.1; done
	echo "fcgi_pool_up: no socket at $FCGI_SOCKET" >&2
	cat "$RUN/log/spawn-fcgi.out" "$RUN/log/responder.log" >&2
	return 1
}

# nginx_up PORT [PROCS]: the responder pool of fcgi_pool_up; nginx
# passes the API to its socket.
nginx_up() {
	local port=$1 procs=${2:-2} user=""
	fcgi_pool_up "$procs" || return 1

	mkdir -p "$RUN/nginx/tmp"
	[ "$(id -u)" = 0 ] && user="user $APP_USER $APP_USER;"
	render "$TOP/deploy/nginx/rsvp.conf.in" "$RUN/nginx.conf" \
	    USER="$user" RUNDIR="$RUN/nginx" LOGDIR="$RUN/log" BIND=127.0.0.1 \
	    PORT="$port" DOCROOT="$RUN/www" SOCKET="$FCGI_SOCKET" \
	    MAX_BODY=$(( ${RSVP_MAX_BODY:-1048576} * 2 + 65536 ))
	"$NGINX" -t -q -e "$RUN/log/nginx-error.log" -p "$RUN/nginx/" -c "$RUN/nginx.conf" \
	    >"$RUN/log/nginx-check.log" 2>&1 ||
	    { cat "$RUN/log/nginx-check.log" >&2; return 1; }
	"$NGINX" -e "$RUN/log/nginx-error.log" -p "$RUN/nginx/" -c "$RUN/nginx.conf" \
	    -g 'daemon off;' >>"$RUN/log/nginx.out" 2>&1 &
	SERVER_PID=$!
	STACK_PIDS+=("$SERVER_PID")
	RESPONDER_LOG=$RUN/log/responder.log MOUNT=
	wait_http "http://127.0.0.1:$port/health" || {
		cat "$RUN/log/nginx-error.log" "$RUN/log/responder.log" >&2
		return 1
	}
}

# drain_cron_up [SECONDS]: what cron does on a shared host: rsvp-worker
# --drain every SECONDS (default 1), never a daemon.  Its pid in
# DRAIN_PID.
drain_cron_up() {
	local every=${1:-1} envs=()
	mapfile -t envs < <(app_env worker)
	(
		c=
		trap 'kill $c 2>/dev/null; wait $c; exit 0' TERM
		while :; do
			"${AS_APP[@]}" env -i PATH=/usr/bin:/bin "${envs[@]}" \
			    "$RUN/bin/rsvp-worker" --drain --max-time 55 \
			    >>"$RUN/log/worker.log" 2>&1 &
			c=$!
			wait $c
			sleep "$every" & c=$!
			wait $c
		done
	) &
	DRAIN_PID=$!
	STACK_PIDS+=("$DRAIN_PID")
}

# free_port: a port for a test's server on 127.0.0.1 that nothing listens
# on, below the kernel's range of ports for outgoing connections, where
# none of those can be holding it when the server binds.
free_port() {
	local lo p
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range
	[ "$lo" -gt 21000 ] || lo=32768
	for p in $(shuf -i "20000-$(( lo - 1 ))" -n 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
		echo "$p"
		return 0
	done
	return 1
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
	mapfile -t envs < <(app_env worker)
	"${AS_APP[@]}" env -i PATH=/usr/bin:/bin "${envs[@]}" \
	    ${RSVP_WRAP:-} "$RUN/bin/rsvp-worker" "$@" >>"$RUN/log/worker.log" 2>&1 &
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
