#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "wdb.h"

enum stmt {
	S_CLAIM,
	S_ARM,
	S_PROGRESS,
	S_FINISH,
	S_FAIL,
	S_RELEASE,
	S__MAX
};

static const struct {
	const char	*name;
	const char	*sql;
	int		 nparams;
} stmts[S__MAX] = {
	[S_CLAIM] = { "claim", "SELECT id, type, input, attempt, lease_token"
	    " FROM rsvp.claim($1, $2::text[], $3)", 3 },
	[S_ARM] = { "arm", "SELECT rsvp.arm()", 0 },
	[S_PROGRESS] = { "progress",
	    "SELECT rsvp.progress($1, $2, $3, $4, $5)", 5 },
	[S_FINISH] = { "finish", "SELECT rsvp.finish($1, $2, $3, $4, $5)", 5 },
	[S_FAIL] = { "fail",
	    "SELECT rsvp.fail($1, $2, $3, $4, $5, $6, $7) IS NOT NULL", 7 },
	[S_RELEASE] = { "release", "SELECT rsvp.release($1, $2, $3)", 3 },
};

/* Name the worker and list the types it has handlers for. */
int
wdb_init(struct wdb *w)
{
	char host[64];
	size_t i, n;
	int len;

	memset(w, 0, sizeof(*w));
	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(w->name, sizeof(w->name), "%s:%ld", host, (long)getpid());
	n = 0;
	w->types[n++] = '{';
	for (i = 0; i < builtin_count(); i++) {
		len = snprintf(w->types + n, sizeof(w->types) - n, "%s%s",
		    i > 0 ? "," : "", builtin_at(i)->name);
		if (len < 0 || (size_t)len >= sizeof(w->types) - n - 1)
			return -1;
		n += (size_t)len;
	}
	w->types[n++] = '}';
	w->types[n] = '\0';
	return 0;
}

void
wdb_close(struct wdb *w)
{
	PQfinish(w->conn);
	w->conn = NULL;
}

static int
command(struct wdb *w, const char *sql)
{
	char msg[512];
	PGresult *res;
	int ok;

	res = PQexec(w->conn, sql);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK ||
	    PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok)
		log_warnx("%s: %s", sql, db_errmsg(w->conn, res, msg,
		    sizeof(msg)));
	PQclear(res);
	return ok ? 0 : -1;
}

/* Connect, LISTEN for the doorbell and prepare the statements. */
int
wdb_open(struct wdb *w)
{
	char msg[512];
	PGresult *res;
	int i;

	if ((w->conn = db_connect("rsvp-worker")) == NULL)
		return -1;
	if (command(w, "SELECT pg_catalog.set_config('search_path', '',"
	    " false)") == -1 || command(w, "LISTEN rsvp_jobs") == -1) {
		wdb_close(w);
		return -1;
	}
	for (i = 0; i < S__MAX; i++) {
		res = PQprepare(w->conn, stmts[i].name, stmts[i].sql,
		    stmts[i].nparams, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			log_warnx("could not prepare %s: %s", stmts[i].name,
			    db_errmsg(w->conn, res, msg, sizeof(msg)));
			PQclear(res);
			wdb_close(w);
			return -1;
		}
		PQclear(res);
	}
	return 0;
}

/* Run a statement that answers one row; classify a failure. */
static enum wdb_rc
run(struct wdb *w, enum stmt s, const char *const *vals, const int *lens,
    const int *fmts, PGresult **out)
{
	char msg[512];
	PGresult *res;

	*out = NULL;
	if (w->conn == NULL)
		return WDB_LOST;
	res = PQexecPrepared(w->conn, stmts[s].name, stmts[s].nparams, vals,
	    lens, fmts, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		*out = res;
		return WDB_DONE;
	}
	log_warnx("%s: %s", stmts[s].name, db_errmsg(w->conn, res, msg,
	    sizeof(msg)));
	if (db_conn_lost(w->conn, res)) {
		PQclear(res);
		wdb_close(w);
		return WDB_LOST;
	}
	PQclear(res);
	return WDB_REFUSED;
}

/* Claim up to max jobs; *n says how many were claimed into out. */
int
wdb_claim(struct wdb *w, int max, struct job **out, int *n)
{
	const char *vals[3];
	char limit[16];
	PGresult *res;
	struct job *j;
	int i, rows;

	*n = 0;
	snprintf(limit, sizeof(limit), "%d", max);
	vals[0] = w->name;
	vals[1] = w->types;
	vals[2] = limit;
	if (run(w, S_CLAIM, vals, NULL, NULL, &res) != WDB_DONE)
		return -1;
	rows = PQntuples(res);
	for (i = 0; i < rows && i < max; i++) {
		j = job_new(PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
		    PQgetvalue(res, i, 4),
		    (int)strtol(PQgetvalue(res, i, 3), NULL, 10),
		    PQgetvalue(res, i, 2), (size_t)PQgetlength(res, i, 2));
		if (j == NULL) {
			/* The lease will expire and the job run elsewhere. */
			log_warnx("out of memory for job %s",
			    PQgetvalue(res, i, 0));
			continue;
		}
		j->handler = builtin_find(j->type);
		out[(*n)++] = j;
	}
	PQclear(res);
	return 0;
}

int
wdb_arm(struct wdb *w)
{
	PGresult *res;

	if (run(w, S_ARM, NULL, NULL, NULL, &res) != WDB_DONE)
		return -1;
	PQclear(res);
	return 0;
}

/* Read what the server sent; the number of doorbell rings, or -1. */
int
wdb_notified(struct wdb *w)
{
	PGnotify *n;
	int count = 0;

	if (w->conn == NULL)
		return -1;
	if (PQconsumeInput(w->conn) == 0 || PQstatus(w->conn) != CONNECTION_OK) {
		log_warnx("database connection lost");
		wdb_close(w);
		return -1;
	}
	while ((n = PQnotifies(w->conn)) != NULL) {
		count++;
		PQfreemem(n);
	}
	return count;
}

/* A fenced write answers one boolean: did it change the job? */
static enum wdb_rc
fenced(struct wdb *w, enum stmt s, const char *const *vals, const int *lens,
    const int *fmts)
{
	enum wdb_rc rc;
	PGresult *res;

	if ((rc = run(w, s, vals, lens, fmts, &res)) != WDB_DONE)
		return rc;
	rc = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0 ?
	    WDB_DONE : WDB_FENCED;
	PQclear(res);
	return rc;
}

enum wdb_rc
wdb_progress(struct wdb *w, const struct job *j, int pct, const char *msg)
{
	char attempt[16], p[16];
	const char *vals[5];

	snprintf(attempt, sizeof(attempt), "%d", j->attempt);
	snprintf(p, sizeof(p), "%d", pct);
	vals[0] = j->id;
	vals[1] = attempt;
	vals[2] = j->token;
	vals[3] = p;
	vals[4] = msg;
	return fenced(w, S_PROGRESS, vals, NULL, NULL);
}

enum wdb_rc
wdb_finish(struct wdb *w, const struct job *j)
{
	const char *vals[5];
	int lens[5] = { 0, 0, 0, 0, 0 }, fmts[5] = { 0, 0, 0, 1, 0 };
	char attempt[16];

	snprintf(attempt, sizeof(attempt), "%d", j->attempt);
	vals[0] = j->id;
	vals[1] = attempt;
	vals[2] = j->token;
	/* The result goes as binary bytea: no escaping, any bytes. */
	vals[3] = j->result.data != NULL ? j->result.data : NULL;
	lens[3] = (int)j->result.len;
	vals[4] = j->result.data != NULL ? j->result_type : NULL;
	return fenced(w, S_FINISH, vals, lens, fmts);
}

enum wdb_rc
wdb_fail(struct wdb *w, const struct job *j, int retryable)
{
	char attempt[16], status[16];
	const char *vals[7];

	snprintf(attempt, sizeof(attempt), "%d", j->attempt);
	snprintf(status, sizeof(status), "%d", j->err_status >= 400 &&
	    j->err_status <= 599 ? j->err_status : 500);
	vals[0] = j->id;
	vals[1] = attempt;
	vals[2] = j->token;
	vals[3] = j->err_code[0] != '\0' ? j->err_code : "failed";
	vals[4] = j->err_message[0] != '\0' ? j->err_message :
	    "the handler failed";
	vals[5] = status;
	vals[6] = retryable ? "true" : "false";
	return fenced(w, S_FAIL, vals, NULL, NULL);
}

enum wdb_rc
wdb_release(struct wdb *w, const struct job *j)
{
	const char *vals[3];
	char attempt[16];

	snprintf(attempt, sizeof(attempt), "%d", j->attempt);
	vals[0] = j->id;
	vals[1] = attempt;
	vals[2] = j->token;
	return fenced(w, S_RELEASE, vals, NULL, NULL);
}
