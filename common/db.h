#ifndef RSVP_DB_H
#define RSVP_DB_H

#include <libpq-fe.h>

/*
 * Connect as libpq would with RSVP_DATABASE_URL (a URI or a conninfo
 * string) or, without it, with the PG* variables.  The application name
 * is a fallback the connection string may override.  Logs and returns
 * NULL on failure.
 */
PGconn	*db_connect(const char *);

/* Nonzero when the result failed with the SQLSTATE given. */
int	 db_state_is(const PGresult *, const char *);

/* Nonzero when the failure is the connection's, not the statement's. */
int	 db_conn_lost(const PGconn *, const PGresult *);

/* The first line of a failed result's message, for the logs. */
const char	*db_errmsg(const PGconn *, const PGresult *, char *, size_t);

#endif
