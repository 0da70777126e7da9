#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "env.h"
#include "log.h"

PGconn *
db_connect(const char *appname)
{
	const char *keys[10], *vals[10];
	char msg[512];
	PGconn *conn;
	int n = 0;

	/* Never wait forever for a server that does not answer. */
	if (getenv("PGCONNECT_TIMEOUT") == NULL) {
		keys[n] = "connect_timeout";
		vals[n++] = "5";
	}
	/*
	 * Notice a server that vanished without closing the connection
	 * (TCP only; a connection string may say otherwise).
	 */
	keys[n] = "keepalives_idle";
	vals[n++] = "10";
	keys[n] = "keepalives_interval";
	vals[n++] = "5";
	keys[n] = "keepalives_count";
	vals[n++] = "3";
	keys[n] = "tcp_user_timeout";
	vals[n++] = "30000";
	keys[n] = "fallback_application_name";
	vals[n++] = appname;
	keys[n] = "dbname";
	vals[n++] = env_str("RSVP_DATABASE_URL", NULL);
	keys[n] = NULL;
	vals[n] = NULL;
	if (vals[n - 1] == NULL) {
		/* No URL: the PG* variables decide. */
		keys[n - 1] = NULL;
	}

	conn = PQconnectdbParams(keys, vals, 1);
	if (conn == NULL) {
		log_warnx("could not connect to the database: out of memory");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		log_warnx("could not connect to the database: %s",
		    db_errmsg(conn, NULL, msg, sizeof(msg)));
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

int
db_state_is(const PGresult *res, const char *state)
{
	const char *s;

	if (res == NULL)
		return 0;
	s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	return s != NULL && strcmp(s, state) == 0;
}

int
db_conn_lost(const PGconn *conn, const PGresult *res)
{
	const char *s;

	if (conn == NULL || PQstatus(conn) != CONNECTION_OK || res == NULL)
		return 1;
	s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	/* Connection exceptions, and the server shutting down or restarting. */
	return s == NULL || strncmp(s, "08", 2) == 0 ||
	    strncmp(s, "57P", 3) == 0;
}

const char *
db_errmsg(const PGconn *conn, const PGresult *res, char *out, size_t len)
{
	const char *m = NULL;
	size_t n;

	if (res != NULL)
		m = PQresultErrorMessage(res);
	if ((m == NULL || *m == '\0') && conn != NULL)
		m = PQerrorMessage(conn);
	if (m == NULL || *m == '\0')
		m = "unknown error";
	n = strcspn(m, "\n");
	if (n >= len)
		n = len - 1;
	memcpy(out, m, n);
	out[n] = '\0';
	return out;
}
