/*
 * The worker's database session: LISTEN, claims, the lease heartbeat and
 * sweep, and the fenced writes.  Every statement is prepared once per
 * connection.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "db.h"
#include "log.h"
#include "inflight.h"
#include "wdb.h"

enum stmt {
	S_CLAIM,
	S_ARM,
	S_PROGRESS,
	S_FINISH,
	S_FINISH_MANY,
	S_FAIL,
	S_RELEASE,
	S_CANCELED,
	S_HEARTBEAT,
	S_REAP,
	S_REGISTER,
	S_UNREGISTER,
	S_STATS,
	S_PURGE,
	S__MAX
};

static const struct {
	const char	*name;
	const char	*sql;
	int		 nparams;
} stmts[S__MAX] = {
	[S_CLAIM] = { "claim", "SELECT id, type, input, attempt, lease_token,"
	    " timeout_ms, lease_ms FROM rsvp.claim($1, $2::text[], $3)", 3 },
	[S_ARM] = { "arm", "SELECT rsvp.arm()", 0 },
	[S_PROGRESS] = { "progress",
	    "SELECT rsvp.progress($1, $2, $3, $4, $5)", 5 },
	[S_FINISH] = { "finish", "SELECT rsvp.finish($1, $2, $3, $4, $5)", 5 },
	[S_FINISH_MANY] = { "finish_many", "SELECT id FROM rsvp.finish_many("
	    "$1::uuid[], $2::integer[], $3::uuid[], $4::bytea[], $5::text[])"
	    " AS f(id)", 5 },
	[S_FAIL] = { "fail",
	    "SELECT rsvp.fail($1, $2, $3, $4, $5, $6, $7)", 7 },
	[S_RELEASE] = { "release", "SELECT rsvp.release($1, $2, $3)", 3 },
	[S_CANCELED] = { "canceled", "SELECT rsvp.canceled($1, $2, $3)", 3 },
	[S_HEARTBEAT] = { "heartbeat", "SELECT id, cancel_requested FROM"
	    " rsvp.heartbeat($1, $2::uuid[], $3::integer[], $4::uuid[])", 4 },
	[S_REAP] = { "reap", "SELECT rsvp.reap()", 0 },
	[S_REGISTER] = { "register", "SELECT rsvp.worker_start($1, $2, $3, $4,"
	    " $5 * interval '1 millisecond')", 5 },
	[S_UNREGISTER] = { "unregister", "SELECT rsvp.worker_stop($1)", 1 },
	[S_STATS] = { "stats", "SELECT rsvp.record_stats($1::text[],"
	    " $2::integer[], $3::integer[], $4::integer[],"
	    " $5::double precision[], $6::integer[])", 6 },
	[S_PURGE] = { "purge", "SELECT rsvp.purge_expired($1)", 1 },
};

/* Name the worker; listen says whether it LISTENs or only polls. */
void
wdb_init(struct wdb *w, int listen, int slots, unsigned int heartbeat_ms)
{
	memset(w, 0, sizeof(*w));
	if (gethostname(w->host, sizeof(w->host)) == -1)
		snprintf(w->host, sizeof(w->host), "localhost");
	w->host[sizeof(w->host) - 1] = '\0';
	snprintf(w->name, sizeof(w->name), "%s:%ld", w->host, (long)getpid());
	w->listen = listen;
	w->slots = slots;
	w->heartbeat_ms = heartbeat_ms;
}

/* The types to claim, as a text[] literal: names are [a-z0-9_.-] only. */
int
wdb_set_types(struct wdb *w, const char *const *names, size_t n)
{
	struct buf b;
	size_t i;
	int rc;

	buf_init(&b, 64 * 1024);
	rc = buf_puts(&b, "{");
	for (i = 0; i < n && rc == BUF_OK; i++) {
		if (!job_type_valid(names[i], strlen(names[i]))) {
			buf_free(&b);
			return -1;
		}
		rc = buf_printf(&b, "%s%s", i > 0 ? "," : "", names[i]);
	}
	if (rc == BUF_OK)
		rc = buf_puts(&b, "}");
	if (rc != BUF_OK) {
		buf_free(&b);
		return -1;
	}
	free(w->types);
	w->types = b.data;
	return 0;
}

void
wdb_free(struct wdb *w)
{
	wdb_close(w);
	free(w->types);
	w->types = NULL;
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

/*
 * A transaction around several writes, so that one commit, one flush of
 * the log, ends them all.  A lost connection is closed (nothing of the
 * transaction was written).
 */
int
wdb_begin(struct wdb *w)
{
	if (w->conn == NULL)
		return -1;
	if (command(w, "BEGIN") == -1) {
		if (PQstatus(w->conn) != CONNECTION_OK)
			wdb_close(w);
		return -1;
	}
	return 0;
}

/* 0 when committed; -1 when not (rolled back, or the connection lost). */
int
wdb_commit(struct wdb *w)
{
	PGresult *res;
	int ok;

	if (w->conn == NULL)
		return -1;
	res = PQexec(w->conn, "COMMIT");
	/* An aborted transaction "commits" as ROLLBACK. */
	ok = PQresultStatus(res) == PGRES_COMMAND_OK &&
	    strcmp(PQcmdStatus(res), "COMMIT") == 0;
	if (!ok && db_conn_lost(w->conn, res)) {
		PQclear(res);
		wdb_close(w);
		return -1;
	}
	PQclear(res);
	if (!ok)
		log_warnx("COMMIT: the transaction was rolled back");
	return ok ? 0 : -1;
}

void
wdb_rollback(struct wdb *w)
{
	if (w->conn != NULL && command(w, "ROLLBACK") == -1 &&
	    PQstatus(w->conn) != CONNECTION_OK)
		wdb_close(w);
}

/* Run a statement; classify a failure. */
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

/* Run a statement whose answer does not matter. */
static int
exec(struct wdb *w, enum stmt s, const char *const *vals)
{
	PGresult *res;

	if (run(w, s, vals, NULL, NULL, &res) != WDB_DONE)
		return -1;
	PQclear(res);
	return 0;
}

/* Say hello in rsvp.workers: 0, or -1 with the connection closed. */
static int
enroll(struct wdb *w)
{
	const char *vals[5];
	char pid[16], slots[16], hb[16];

	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	snprintf(slots, sizeof(slots), "%d", w->slots);
	vals[0] = w->name;
	vals[1] = w->host;
	vals[2] = pid;
	vals[3] = slots;
	snprintf(hb, sizeof(hb), "%u", w->heartbeat_ms);
	vals[4] = hb;
	if (exec(w, S_REGISTER, vals) == -1) {
		wdb_close(w);
		return -1;
	}
	return 0;
}

/*
 * Connect, LISTEN for the doorbell and for cancels, prepare the
 * statements and say hello in rsvp.workers (the outcome writer's
 * session only connects and prepares).
 */
int
wdb_open(struct wdb *w)
{
	char msg[512];
	PGresult *res;
	int i;

	if ((w->conn = db_connect("rsvp-worker")) == NULL)
		return -1;
	if (command(w, "SELECT pg_catalog.set_config('search_path', '',"
	    " false)") == -1 || (w->listen &&
	    (command(w, "LISTEN rsvp_jobs") == -1 ||
	    command(w, "LISTEN rsvp_cancel") == -1))) {
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
	if (w->outcomes)
		return 0;
	return enroll(w);
}

void
wdb_unregister(struct wdb *w)
{
	const char *vals[1] = { w->name };

	if (w->conn != NULL)
		(void)exec(w, S_UNREGISTER, vals);
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
	if (w->types == NULL)
		return 0;
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
			/* The lease will lapse and the job run again. */
			log_warnx("out of memory for job %s",
			    PQgetvalue(res, i, 0));
			continue;
		}
		j->timeout_ms = strtoll(PQgetvalue(res, i, 5), NULL, 10);
		j->lease_ms = strtoll(PQgetvalue(res, i, 6), NULL, 10);
		out[(*n)++] = j;
	}
	PQclear(res);
	return 0;
}

int
wdb_arm(struct wdb *w)
{
	return exec(w, S_ARM, NULL);
}

/* Re-queue lapsed leases; how many, or -1. */
int
wdb_reap(struct wdb *w)
{
	PGresult *res;
	int n;

	if (run(w, S_REAP, NULL, NULL, NULL, &res) != WDB_DONE)
		return -1;
	n = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return n;
}

/* Purge up to batch finished jobs past their retention; how many, or -1. */
int
wdb_purge(struct wdb *w, int batch)
{
	const char *vals[1];
	char num[16];
	PGresult *res;
	int n;

	snprintf(num, sizeof(num), "%d", batch);
	vals[0] = num;
	if (run(w, S_PURGE, vals, NULL, NULL, &res) != WDB_DONE)
		return -1;
	n = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return n;
}

/*
 * Extend the leases of the jobs given, in one statement.  Each job's
 * held says whether its lease is still ours, cancel whether it was asked
 * to cancel.  Returns -1 when the statement failed.
 */
int
wdb_heartbeat(struct wdb *w, struct job **jobs, size_t n)
{
	struct buf ids, attempts, tokens;
	const char *vals[4];
	PGresult *res;
	size_t i;
	int r, rows, rc = BUF_OK, swept = 0;

	buf_init(&ids, 1024 * 1024);
	buf_init(&attempts, 1024 * 1024);
	buf_init(&tokens, 1024 * 1024);
	rc |= buf_puts(&ids, "{");
	rc |= buf_puts(&attempts, "{");
	rc |= buf_puts(&tokens, "{");
	for (i = 0; i < n; i++) {
		jobs[i]->held = 0;
		jobs[i]->cancel = 0;
		rc |= buf_printf(&ids, "%s%s", i ? "," : "", jobs[i]->id);
		rc |= buf_printf(&attempts, "%s%d", i ? "," : "",
		    jobs[i]->attempt);
		rc |= buf_printf(&tokens, "%s%s", i ? "," : "", jobs[i]->token);
	}
	rc |= buf_puts(&ids, "}");
	rc |= buf_puts(&attempts, "}");
	rc |= buf_puts(&tokens, "}");
	r = -1;
	if (rc == BUF_OK) {
		vals[0] = w->name;
		vals[1] = ids.data;
		vals[2] = attempts.data;
		vals[3] = tokens.data;
		if (run(w, S_HEARTBEAT, vals, NULL, NULL, &res) == WDB_DONE) {
			rows = PQntuples(res);
			for (r = 0; r < rows; r++) {
				/* A row with no id: this worker was swept. */
				if (PQgetisnull(res, r, 0)) {
					swept = 1;
					continue;
				}
				for (i = 0; i < n; i++)
					if (strcmp(jobs[i]->id,
					    PQgetvalue(res, r, 0)) == 0) {
						jobs[i]->held = 1;
						jobs[i]->cancel = strcmp(
						    PQgetvalue(res, r, 1),
						    "t") == 0;
					}
			}
			PQclear(res);
			r = 0;
			if (swept) {
				log_warnx("swept from rsvp.workers while"
				    " alive: registering again");
				r = enroll(w);
			}
		}
	}
	buf_free(&ids);
	buf_free(&attempts);
	buf_free(&tokens);
	return r;
}

/*
 * Read what the server sent: returns how many doorbell rings, and calls
 * on_cancel for each cancel; -1 when the connection is lost.
 */
int
wdb_notified(struct wdb *w, cancel_fn *on_cancel, void *arg)
{
	if (w->conn == NULL)
		return -1;
	if (PQconsumeInput(w->conn) == 0 ||
	    PQstatus(w->conn) != CONNECTION_OK) {
		log_warnx("database connection lost");
		wdb_close(w);
		return -1;
	}
	return wdb_buffered(w, on_cancel, arg);
}

/*
 * The notifications libpq already holds.  One that arrives while a
 * statement runs is read with that statement's answer and never makes
 * the socket readable again: look here before sleeping on the socket.
 */
int
wdb_buffered(struct wdb *w, cancel_fn *on_cancel, void *arg)
{
	PGnotify *n;
	int count = 0;

	if (w->conn == NULL)
		return 0;
	while ((n = PQnotifies(w->conn)) != NULL) {
		if (strcmp(n->relname, "rsvp_cancel") == 0)
			on_cancel(arg, n->extra);
		else
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

/* The three parameters that fence every write: id, attempt, token. */
static void
lease_params(const struct job *j, const char **vals, char *attempt,
    size_t len)
{
	snprintf(attempt, len, "%d", j->attempt);
	vals[0] = j->id;
	vals[1] = attempt;
	vals[2] = j->token;
}

enum wdb_rc
wdb_progress(struct wdb *w, const struct job *j, int pct, const char *msg)
{
	char attempt[16], p[16];
	const char *vals[5];

	lease_params(j, vals, attempt, sizeof(attempt));
	snprintf(p, sizeof(p), "%d", pct);
	vals[3] = p;
	vals[4] = msg;
	return fenced(w, S_PROGRESS, vals, NULL, NULL);
}

enum wdb_rc
wdb_finish(struct wdb *w, const struct job *j)
{
	int lens[5] = { 0, 0, 0, 0, 0 }, fmts[5] = { 0, 0, 0, 1, 0 };
	const char *vals[5];
	char attempt[16];

	lease_params(j, vals, attempt, sizeof(attempt));
	/* The result goes as binary bytea: no escaping, any bytes. */
	vals[3] = j->result.data;
	lens[3] = (int)j->result.len;
	vals[4] = j->result.data != NULL ? j->result_type : NULL;
	return fenced(w, S_FINISH, vals, lens, fmts);
}

/* Append a big-endian 32-bit integer (PostgreSQL's binary format). */
static int
put32(struct buf *b, unsigned long v)
{
	unsigned char c[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
	    (unsigned char)(v >> 8), (unsigned char)v };

	return buf_add(b, c, sizeof(c));
}

/* Append a text[] element: quoted, with " and \ escaped. */
static int
put_quoted(struct buf *b, const char *s)
{
	int rc = buf_add(b, "\"", 1);

	for (; rc == BUF_OK && *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			rc = buf_add(b, "\\", 1);
		if (rc == BUF_OK)
			rc = buf_add(b, s, 1);
	}
	return rc == BUF_OK ? buf_add(b, "\"", 1) : rc;
}

static int
job_cmp(const void *a, const void *b)
{
	const struct job *const *x = a, *const *y = b;

	return strcmp((*x)->id, (*y)->id);
}

static int
id_cmp(const void *key, const void *elem)
{
	const struct job *const *y = elem;

	return strcmp(key, (*y)->id);
}

/*
 * Finish n jobs in one statement, and so in one commit unless the caller
 * opened a transaction.  Each job's wrote becomes WDB_DONE, or
 * WDB_FENCED when its lease is no longer ours; the return is WDB_DONE,
 * or what made the statement fail (nothing was written then).  The
 * results go as one binary bytea[]: no escaping, any bytes.  jobs is
 * left sorted by id: the ids written are looked up in it, not searched
 * for (a batch of a thousand cost half a million comparisons).
 */
enum wdb_rc
wdb_finish_many(struct wdb *w, struct job **jobs, size_t n)
{
	struct buf ids, attempts, tokens, results, types;
	int lens[5] = { 0, 0, 0, 0, 0 }, fmts[5] = { 0, 0, 0, 1, 0 };
	const char *vals[5];
	enum wdb_rc rc = WDB_REFUSED;
	PGresult *res = NULL;
	struct job **hit;
	size_t i, k;
	int ok;

	qsort(jobs, n, sizeof(*jobs), job_cmp);
	buf_init(&ids, INT_MAX);
	buf_init(&attempts, INT_MAX);
	buf_init(&tokens, INT_MAX);
	buf_init(&results, INT_MAX);
	buf_init(&types, INT_MAX);
	/* bytea[]: one dimension, NULLs allowed, element type bytea (17). */
	ok = put32(&results, 1) == BUF_OK && put32(&results, 1) == BUF_OK &&
	    put32(&results, 17) == BUF_OK && put32(&results, n) == BUF_OK &&
	    put32(&results, 1) == BUF_OK;
	for (i = 0; ok && i < n; i++) {
		const char *sep = i == 0 ? "{" : ",";

		ok = buf_printf(&ids, "%s%s", sep, jobs[i]->id) == BUF_OK &&
		    buf_printf(&attempts, "%s%d", sep, jobs[i]->attempt) ==
		    BUF_OK &&
		    buf_printf(&tokens, "%s%s", sep, jobs[i]->token) == BUF_OK &&
		    buf_puts(&types, sep) == BUF_OK;
		if (!ok)
			break;
		if (jobs[i]->result.data == NULL)
			ok = put32(&results, 0xffffffffUL) == BUF_OK &&
			    buf_puts(&types, "NULL") == BUF_OK;
		else
			ok = put32(&results, jobs[i]->result.len) == BUF_OK &&
			    buf_add(&results, jobs[i]->result.data,
			    jobs[i]->result.len) == BUF_OK &&
			    put_quoted(&types, jobs[i]->result_type) == BUF_OK;
	}
	ok = ok && buf_puts(&ids, "}") == BUF_OK &&
	    buf_puts(&attempts, "}") == BUF_OK &&
	    buf_puts(&tokens, "}") == BUF_OK && buf_puts(&types, "}") == BUF_OK;
	if (!ok) {
		log_warnx("finish_many: out of memory");
		goto out;
	}
	vals[0] = ids.data;
	vals[1] = attempts.data;
	vals[2] = tokens.data;
	vals[3] = results.data;
	lens[3] = (int)results.len;
	vals[4] = types.data;
	if ((rc = run(w, S_FINISH_MANY, vals, lens, fmts, &res)) != WDB_DONE)
		goto out;
	for (i = 0; i < n; i++)
		jobs[i]->wrote = WDB_FENCED;
	for (k = 0; k < (size_t)PQntuples(res); k++)
		if ((hit = bsearch(PQgetvalue(res, (int)k, 0), jobs, n,
		    sizeof(*jobs), id_cmp)) != NULL)
			(*hit)->wrote = WDB_DONE;
	PQclear(res);
out:
	buf_free(&ids);
	buf_free(&attempts);
	buf_free(&tokens);
	buf_free(&results);
	buf_free(&types);
	return rc;
}

/*
 * Fail the attempt; *ended becomes JOB_FAILED when the job ended (rather
 * than being queued again for a retry).
 */
enum wdb_rc
wdb_fail(struct wdb *w, const struct job *j, int retryable, int *ended)
{
	char attempt[16], status[16];
	const char *vals[7];
	enum wdb_rc rc;
	PGresult *res;

	lease_params(j, vals, attempt, sizeof(attempt));
	snprintf(status, sizeof(status), "%d", j->err_status >= 400 &&
	    j->err_status <= 599 ? j->err_status : 500);
	vals[3] = j->err_code[0] != '\0' ? j->err_code : "failed";
	vals[4] = j->err_message[0] != '\0' ? j->err_message :
	    "the handler failed";
	vals[5] = status;
	vals[6] = retryable ? "true" : "false";
	if ((rc = run(w, S_FAIL, vals, NULL, NULL, &res)) != WDB_DONE)
		return rc;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0))
		rc = WDB_FENCED;
	else if (strcmp(PQgetvalue(res, 0, 0), "failed") == 0)
		*ended = JOB_FAILED;
	PQclear(res);
	return rc;
}

/* Add the outcomes counted since the last time to rsvp.type_stats. */
int
wdb_record_stats(struct wdb *w, const struct type_stats *t, size_t n)
{
	struct buf a[6];
	const char *vals[6];
	PGresult *res;
	size_t i, k;
	int rc = BUF_OK, r = -1;

	for (k = 0; k < 6; k++) {
		buf_init(&a[k], 1024 * 1024);
		rc |= buf_puts(&a[k], "{");
	}
	for (i = 0; i < n; i++) {
		const char *sep = i > 0 ? "," : "";

		rc |= buf_printf(&a[0], "%s%s", sep, t[i].type);
		rc |= buf_printf(&a[1], "%s%d", sep, t[i].succeeded);
		rc |= buf_printf(&a[2], "%s%d", sep, t[i].failed);
		rc |= buf_printf(&a[3], "%s%d", sep, t[i].canceled);
		rc |= buf_printf(&a[4], "%s%.6f", sep, t[i].duration_sum);
		rc |= buf_printf(&a[5], "%s%d", sep, t[i].duration_count);
	}
	for (k = 0; k < 6; k++) {
		rc |= buf_puts(&a[k], "}");
		vals[k] = a[k].data;
	}
	if (rc == BUF_OK && run(w, S_STATS, vals, NULL, NULL, &res) ==
	    WDB_DONE) {
		PQclear(res);
		r = 0;
	}
	for (k = 0; k < 6; k++)
		buf_free(&a[k]);
	return r;
}

enum wdb_rc
wdb_release(struct wdb *w, const struct job *j)
{
	const char *vals[3];
	char attempt[16];

	lease_params(j, vals, attempt, sizeof(attempt));
	return fenced(w, S_RELEASE, vals, NULL, NULL);
}

enum wdb_rc
wdb_canceled(struct wdb *w, const struct job *j)
{
	const char *vals[3];
	char attempt[16];

	lease_params(j, vals, attempt, sizeof(attempt));
	return fenced(w, S_CANCELED, vals, NULL, NULL);
}
