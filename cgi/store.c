#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "db.h"
#include "log.h"
#include "store.h"

struct store {
	PGconn		*conn;
	unsigned long	 timeout_ms;
	int		 pooler;	/* transaction pooling: no session state */
	struct gather	*gather;	/* submits go there, when set */
};

/*
 * A statement waiting in a gather: its parameters, then, once a round
 * has run it, its answer.
 */
struct pending {
	const char *const	*params;
	size_t			 len;	/* of the input, to weigh a round */
	PGresult		*res;	/* its row, as a result of its own */
	enum store_error	 e;
	int			 finished;
	pthread_cond_t		 wake;	/* finished, or a round to run */
	struct pending		*next;
};

/*
 * The submits of a process's threads, gathered: whichever thread finds
 * no round running takes what is waiting and sends it as one call of
 * rsvp.submit_many() on the gather's own connection, so the submits that
 * arrive while one commit is in flight share the next.
 */
struct gather {
	pthread_mutex_t	 mu;
	struct store	*st;
	struct pending	*head;
	struct pending	**tail;
	int		 busy;		/* a round is running */
};

/* At most this many statements, or about this many bytes, in one round. */
#define ROUND_MAX	32
#define ROUND_BYTES	(1024 * 1024)

enum stmt {
	S_ENQUEUE,
	S_ENQUEUE_MANY,
	S_RING,
	S_STATUS,
	S_STATUS_RESULT,
	S_PING,
	S_CANCEL,
	S_QUOTA,
	S_QUOTA_BACK,
	S_WATCH,
	S_METRICS,
	S__MAX
};

/* The columns of rsvp.status_of(), in order. */
#define STATUS_COLUMNS	16

static const struct {
	const char	*name;
	const char	*sql;
	int		 nparams;
} stmts[S__MAX] = {
	[S_ENQUEUE] = { "rsvp_enqueue",
	    "SELECT * FROM rsvp.submit_status($1, $2::jsonb, $3, $4)", 4 },
	[S_ENQUEUE_MANY] = { "rsvp_enqueue_many",
	    "SELECT * FROM rsvp.submit_many($1, $2, $3, $4)", 4 },
	[S_RING] = { "rsvp_ring", "SELECT rsvp.ring()", 0 },
	/*
	 * status_by_id is inlined into these, and planned once a session;
	 * rsvp_web may read the columns it reads (sql/grants.sql).
	 */
	[S_STATUS] = { "rsvp_status", "SELECT * FROM rsvp.status_by_id($1)",
	    1 },
	[S_STATUS_RESULT] = { "rsvp_status_result",
	    "SELECT s.*, j.result FROM rsvp.status_by_id($1) s"
	    " JOIN rsvp.jobs j ON j.id = s.id", 1 },
	[S_PING] = { "rsvp_ping", "SELECT 1", 0 },
	[S_CANCEL] = { "rsvp_cancel", "SELECT rsvp.cancel($1)", 1 },
	[S_QUOTA] = { "rsvp_quota", "SELECT rsvp.take_quota($1, $2, $3)", 3 },
	[S_QUOTA_BACK] = { "rsvp_quota_back", "SELECT rsvp.give_back_quota($1)",
	    1 },
	[S_WATCH] = { "rsvp_watch", "SELECT rsvp.watch($1)", 1 },
	[S_METRICS] = { "rsvp_metrics",
	    "SELECT metric, type, state, value FROM rsvp.metrics()", 0 },
};

static const char *const messages[STORE__MAX] = {
	[STORE_OK] = "no error",
	[STORE_NOT_FOUND] = "no such job",
	[STORE_UNKNOWN_TYPE] = "unknown job type",
	[STORE_BAD_INPUT] = "the database refused the input",
	[STORE_CONFLICT] = "the idempotency key was used for another request",
	[STORE_UNAVAILABLE] = "the database is unavailable",
	[STORE_NOMEM] = "out of memory",
	[STORE_FAILED] = "the database failed",
};

const char *
store_strerror(enum store_error e)
{
	if (e < 0 || e >= STORE__MAX)
		return "unknown store error";
	return messages[e];
}

struct store *
store_new(unsigned long timeout_ms, int pooler)
{
	struct store *st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	st->timeout_ms = timeout_ms;
	st->pooler = pooler;
	return st;
}

void
store_free(struct store *st)
{
	if (st == NULL)
		return;
	PQfinish(st->conn);
	free(st);
}

static void
disconnect(struct store *st)
{
	PQfinish(st->conn);
	st->conn = NULL;
}

static int
connect_prepare(struct store *st)
{
	char msg[512], timeout[32];
	const char *val[1];
	PGresult *res;
	int i;

	if ((st->conn = db_connect("rsvp.fcgi")) == NULL)
		return -1;
	/*
	 * Behind a transaction pooler a session is not ours: no SET, no
	 * LISTEN, no named statements (statement_timeout belongs on the role).
	 */
	if (st->pooler)
		return 0;
	/* Keep a slow database from holding a web server slot for long. */
	snprintf(timeout, sizeof(timeout), "%lu", st->timeout_ms);
	val[0] = timeout;
	res = PQexecParams(st->conn, "SELECT pg_catalog.set_config("
	    "'statement_timeout', $1, false)", 1, NULL, val, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		log_warnx("could not set statement_timeout: %s",
		    db_errmsg(st->conn, res, msg, sizeof(msg)));
		PQclear(res);
		disconnect(st);
		return -1;
	}
	PQclear(res);
	for (i = 0; i < S__MAX; i++) {
		res = PQprepare(st->conn, stmts[i].name, stmts[i].sql,
		    stmts[i].nparams, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			log_warnx("could not prepare %s: %s", stmts[i].name,
			    db_errmsg(st->conn, res, msg, sizeof(msg)));
			PQclear(res);
			disconnect(st);
			return -1;
		}
		PQclear(res);
	}
	return 0;
}

/*
 * Is an idle connection still there?  A server that restarted or closed
 * the session has said so on the socket: a FATAL message, then the end of
 * the stream.  libpq reads the message without marking the connection
 * bad, so read on until the socket has nothing more to say.
 */
static int
alive(PGconn *conn)
{
	struct pollfd pfd;
	int i;

	pfd.fd = PQsocket(conn);
	if (pfd.fd < 0)
		return 0;
	for (i = 0; i < 8; i++) {
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, 0) == -1)
			return 0;
		if (pfd.revents == 0)
			return 1;
		if ((pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0 ||
		    PQconsumeInput(conn) == 0 ||
		    PQstatus(conn) != CONNECTION_OK)
			return 0;
	}
	return 1;
}

/*
 * Make sure there is a live connection, before a statement is sent, so
 * that no request pays for a dead one.
 */
static int
ensure(struct store *st)
{
	if (st->conn != NULL && PQstatus(st->conn) == CONNECTION_OK) {
		if (!alive(st->conn)) {
			log_warnx("database connection lost, reconnecting");
			disconnect(st);
		}
	} else if (st->conn != NULL)
		disconnect(st);
	if (st->conn == NULL && connect_prepare(st) == -1)
		return -1;
	return 0;
}

/* A statement's result as a store_error; *out keeps it on success. */
/*
 * What a refusal means to the client: an unknown type, a reused key,
 * input the database would not take (a data exception, say from jsonb),
 * a database too slow or short of something; else a failure.
 */
static enum store_error
state_error(const char *state)
{
	static const char *const busy[] = { "57014", "53100", "53200",
	    "53300", "40001", "40P01", "55P03" };
	size_t i;

	if (state == NULL)
		return STORE_FAILED;
	if (strcmp(state, "RV001") == 0)
		return STORE_UNKNOWN_TYPE;
	if (strcmp(state, "RV422") == 0)
		return STORE_CONFLICT;
	if (strncmp(state, "22", 2) == 0)
		return STORE_BAD_INPUT;
	/* Timed out, out of space or memory, or a lock conflict. */
	for (i = 0; i < sizeof(busy) / sizeof(busy[0]); i++)
		if (strcmp(state, busy[i]) == 0)
			return STORE_UNAVAILABLE;
	return STORE_FAILED;
}

static enum store_error
classify(struct store *st, enum stmt s, PGresult *res, PGresult **out)
{
	enum store_error e;
	char msg[512];

	*out = NULL;
	if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		*out = res;
		return STORE_OK;
	}
	if (res == NULL)
		e = STORE_NOMEM;
	else
		e = state_error(PQresultErrorField(res, PG_DIAG_SQLSTATE));
	if (e == STORE_UNKNOWN_TYPE || e == STORE_CONFLICT ||
	    e == STORE_BAD_INPUT) {
		PQclear(res);
		return e;
	}
	log_warnx("%s: %s", stmts[s].name, db_errmsg(st->conn, res, msg,
	    sizeof(msg)));
	if (db_conn_lost(st->conn, res)) {
		PQclear(res);
		disconnect(st);
		return STORE_UNAVAILABLE;
	}
	PQclear(res);
	return e;
}

/* Run a statement; on failure say why as a store_error. */
static enum store_error
run(struct store *st, enum stmt s, const char *const *params,
    PGresult **out)
{
	PGresult *res;

	*out = NULL;
	if (ensure(st) == -1)
		return STORE_UNAVAILABLE;
	if (st->pooler)
		res = PQexecParams(st->conn, stmts[s].sql, stmts[s].nparams,
		    NULL, params, NULL, NULL, 0);
	else
		res = PQexecPrepared(st->conn, stmts[s].name, stmts[s].nparams,
		    params, NULL, NULL, 0);
	return classify(st, s, res, out);
}

static int
send_stmt(struct store *st, enum stmt s, const char *const *params)
{
	if (st->pooler)
		return PQsendQueryParams(st->conn, stmts[s].sql,
		    stmts[s].nparams, NULL, params, NULL, NULL, 0);
	return PQsendQueryPrepared(st->conn, stmts[s].name, stmts[s].nparams,
	    params, NULL, NULL, 0);
}

/*
 * The insert and the doorbell in one round trip: pipeline mode, each
 * statement followed by a Sync, so each is a transaction of its own and
 * the ring runs only after the insert has committed.  Returns the
 * insert's result (or NULL); the ring's does not matter.
 */
static PGresult *
enqueue_and_ring(struct store *st, enum stmt s, const char *const *params)
{
	PGresult *r, *enq = NULL;
	int syncs = 0;

	if (PQenterPipelineMode(st->conn) == 0)
		return NULL;
	if (send_stmt(st, s, params) == 0 ||
	    PQpipelineSync(st->conn) == 0 ||
	    send_stmt(st, S_RING, NULL) == 0 ||
	    PQpipelineSync(st->conn) == 0) {
		disconnect(st);
		return NULL;
	}
	while (syncs < 2) {
		if ((r = PQgetResult(st->conn)) == NULL) {
			/* The end of one statement's results, or of the link. */
			if (PQstatus(st->conn) != CONNECTION_OK)
				break;
			continue;
		}
		if (PQresultStatus(r) == PGRES_PIPELINE_SYNC)
			syncs++;
		else if (syncs == 0 && enq == NULL) {
			enq = r;
			continue;
		}
		PQclear(r);
	}
	if (syncs < 2 || PQexitPipelineMode(st->conn) == 0) {
		/* Leave no connection in a state we cannot account for. */
		disconnect(st);
		if (enq != NULL && PQresultStatus(enq) != PGRES_TUPLES_OK) {
			PQclear(enq);
			enq = NULL;
		}
	}
	return enq;
}

static const char *
col(const PGresult *res, int c)
{
	return PQgetisnull(res, 0, c) ? NULL : PQgetvalue(res, 0, c);
}

/* An integer column; the database guarantees its form. */
static int
num(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

static enum store_error
fill(PGresult *res, struct job_status *js, int with_result)
{
	const char *v;
	size_t n;

	memset(js, 0, sizeof(*js));
	if (PQntuples(res) != 1 || PQnfields(res) < STATUS_COLUMNS) {
		PQclear(res);
		return STORE_NOT_FOUND;
	}
	js->res = res;
	js->id = col(res, 0);
	js->type = col(res, 1);
	if (job_state_parse(PQgetvalue(res, 0, 2), &js->state) == -1) {
		job_status_clear(js);
		return STORE_FAILED;
	}
	js->progress = num(PQgetvalue(res, 0, 3));
	js->message = col(res, 4);
	js->attempt = num(PQgetvalue(res, 0, 5));
	js->created_at = col(res, 6);
	js->updated_at = col(res, 7);
	js->started_at = col(res, 8);
	js->finished_at = col(res, 9);
	js->error_code = col(res, 10);
	js->error_message = col(res, 11);
	js->error_status = PQgetisnull(res, 0, 12) ? 0 :
	    num(PQgetvalue(res, 0, 12));
	js->result_type = col(res, 13);
	js->retry_after = PQgetisnull(res, 0, 14) ? 0 :
	    num(PQgetvalue(res, 0, 14));
	js->expires = col(res, 15);
	if (with_result && (v = col(res, STATUS_COLUMNS)) != NULL) {
		js->result = PQunescapeBytea((const unsigned char *)v, &n);
		if (js->result == NULL) {
			job_status_clear(js);
			return STORE_NOMEM;
		}
		js->result_len = n;
	}
	return STORE_OK;
}

/* Add one element to a PostgreSQL array literal: NULL, or quoted. */
static int
array_add(struct buf *b, const char *v)
{
	const char *p;

	if (buf_puts(b, b->len > 1 ? "," : "") != BUF_OK)
		return -1;
	if (v == NULL)
		return buf_puts(b, "NULL") == BUF_OK ? 0 : -1;
	if (buf_puts(b, "\"") != BUF_OK)
		return -1;
	for (p = v; *p != '\0'; p++) {
		if ((*p == '"' || *p == '\\') && buf_add(b, "\\", 1) != BUF_OK)
			return -1;
		if (buf_add(b, p, 1) != BUF_OK)
			return -1;
	}
	return buf_puts(b, "\"") == BUF_OK ? 0 : -1;
}

/* Row r of a result, as a result of its own for fill(). */
static PGresult *
one_row(const PGresult *res, int r)
{
	PGresult *o;
	int c;

	if ((o = PQcopyResult(res, PG_COPYRES_ATTRS)) == NULL)
		return NULL;
	for (c = 0; c < STATUS_COLUMNS; c++)
		if (PQsetvalue(o, 0, c, PQgetisnull(res, r, c) ? NULL :
		    PQgetvalue(res, r, c), PQgetisnull(res, r, c) ? -1 :
		    PQgetlength(res, r, c)) == 0) {
			PQclear(o);
			return NULL;
		}
	return o;
}

/* The columns of rsvp.submit_many() after a status: ord, SQLSTATE, why. */
#define MANY_ORD	STATUS_COLUMNS
#define MANY_STATE	(STATUS_COLUMNS + 1)
#define MANY_MESSAGE	(STATUS_COLUMNS + 2)

/* Run n submits from list as one call, and answer each. */
static void
round_submits(struct store *st, struct pending *list, int n)
{
	struct buf arr[4];
	const char *params[4];
	struct pending *s;
	enum store_error e = STORE_OK;
	PGresult *res = NULL;
	int i, r;

	if (n == 1) {
		/* Alone: the plain submit, the same transaction. */
		if (ensure(st) == -1)
			list->e = STORE_UNAVAILABLE;
		else
			list->e = classify(st, S_ENQUEUE, enqueue_and_ring(st,
			    S_ENQUEUE, list->params), &list->res);
		return;
	}
	for (i = 0; i < 4; i++) {
		buf_init(&arr[i], (size_t)-1 / 2);
		if (buf_puts(&arr[i], "{") != BUF_OK)
			e = STORE_NOMEM;
	}
	for (s = list, r = 0; r < n && e == STORE_OK; s = s->next, r++)
		for (i = 0; i < 4; i++)
			if (array_add(&arr[i], s->params[i]) == -1)
				e = STORE_NOMEM;
	for (i = 0; i < 4 && e == STORE_OK; i++)
		if (buf_puts(&arr[i], "}") != BUF_OK)
			e = STORE_NOMEM;
	if (e == STORE_OK && ensure(st) == -1)
		e = STORE_UNAVAILABLE;
	if (e == STORE_OK) {
		for (i = 0; i < 4; i++)
			params[i] = arr[i].data;
		e = classify(st, S_ENQUEUE_MANY,
		    enqueue_and_ring(st, S_ENQUEUE_MANY, params), &res);
	}
	for (i = 0; i < 4; i++)
		buf_free(&arr[i]);
	if (e == STORE_OK && (PQntuples(res) != n ||
	    PQnfields(res) != MANY_MESSAGE + 1)) {
		log_warnx("%s: %d rows for %d submits", stmts[S_ENQUEUE_MANY].name,
		    PQntuples(res), n);
		e = STORE_FAILED;
	}
	for (s = list, r = 0; r < n; s = s->next, r++) {
		s->res = NULL;
		if ((s->e = e) != STORE_OK)
			continue;
		if (num(PQgetvalue(res, r, MANY_ORD)) != r + 1)
			s->e = STORE_FAILED;
		else if (!PQgetisnull(res, r, MANY_STATE)) {
			s->e = state_error(PQgetvalue(res, r, MANY_STATE));
			if (s->e == STORE_FAILED || s->e == STORE_UNAVAILABLE)
				log_warnx("%s: %s: %s",
				    stmts[S_ENQUEUE_MANY].name,
				    PQgetvalue(res, r, MANY_STATE),
				    PQgetvalue(res, r, MANY_MESSAGE));
		} else if ((s->res = one_row(res, r)) == NULL)
			s->e = STORE_NOMEM;
	}
	PQclear(res);
}

/*
 * Wait in the gather until a round has answered p.  Each waiting thread
 * sleeps on its own condition: a round's end wakes the threads it
 * answered, and the oldest still waiting, to run the next.
 */
static void
gather_wait(struct gather *g, struct pending *p)
{
	struct pending *list, *s, *next;
	size_t bytes;
	int n;

	pthread_cond_init(&p->wake, NULL);
	p->finished = 0;
	p->next = NULL;
	pthread_mutex_lock(&g->mu);
	*g->tail = p;
	g->tail = &p->next;
	while (!p->finished) {
		if (g->busy) {
			pthread_cond_wait(&p->wake, &g->mu);
			continue;
		}
		/* Take the oldest waiting, up to a round's worth. */
		list = g->head;
		bytes = 0;
		for (s = list, n = 0; s != NULL && n < ROUND_MAX &&
		    (n == 0 || bytes < ROUND_BYTES); s = s->next, n++)
			bytes += s->len;
		g->head = s;
		if (s == NULL)
			g->tail = &g->head;
		g->busy = 1;
		pthread_mutex_unlock(&g->mu);

		round_submits(g->st, list, n);

		pthread_mutex_lock(&g->mu);
		for (s = list; n-- > 0; s = next) {
			next = s->next;
			s->finished = 1;
			if (s != p)
				pthread_cond_signal(&s->wake);
		}
		g->busy = 0;
		if (g->head != NULL)
			pthread_cond_signal(&g->head->wake);
	}
	pthread_mutex_unlock(&g->mu);
	pthread_cond_destroy(&p->wake);
}

struct gather *
gather_new(unsigned long timeout_ms, int pooler)
{
	struct gather *g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	if ((g->st = store_new(timeout_ms, pooler)) == NULL) {
		free(g);
		return NULL;
	}
	pthread_mutex_init(&g->mu, NULL);
	g->tail = &g->head;
	return g;
}

void
gather_free(struct gather *g)
{
	if (g == NULL)
		return;
	store_free(g->st);
	pthread_mutex_destroy(&g->mu);
	free(g);
}

void
store_gather(struct store *st, struct gather *g)
{
	st->gather = g;
}

enum store_error
store_submit(struct store *st, const char *type, const char *input,
    const char *request_id, const char *idem_key, struct job_status *js)
{
	const char *params[4] = { type, input, request_id, idem_key };
	enum store_error e;
	PGresult *res;

	/*
	 * Should the ring fail, the workers' poll still finds the job: only
	 * the insert decides the answer.
	 */
	if (st->gather != NULL) {
		struct pending p = { .params = params, .len = strlen(input) };

		gather_wait(st->gather, &p);
		e = p.e;
		res = p.res;
	} else if (ensure(st) == -1)
		return STORE_UNAVAILABLE;
	else
		e = classify(st, S_ENQUEUE, enqueue_and_ring(st, S_ENQUEUE,
		    params), &res);
	if (e != STORE_OK)
		return e;
	if ((e = fill(res, js, 0)) != STORE_OK)
		return e == STORE_NOT_FOUND ? STORE_FAILED : e;
	return STORE_OK;
}

enum store_error
store_status(struct store *st, const char *id, int flags,
    struct job_status *js)
{
	const char *params[1] = { id };
	enum store_error e;
	PGresult *res;

	e = run(st, flags & STATUS_RESULT ? S_STATUS_RESULT : S_STATUS, params,
	    &res);
	if (e != STORE_OK)
		return e;
	return fill(res, js, flags & STATUS_RESULT);
}

enum store_error
store_ping(struct store *st)
{
	enum store_error e;
	PGresult *res;

	if ((e = run(st, S_PING, NULL, &res)) == STORE_OK)
		PQclear(res);
	return e;
}

/* Cancel a job; state gets what rsvp.cancel() answered. */
enum store_error
store_cancel(struct store *st, const char *id, char *state, size_t len)
{
	const char *params[1] = { id };
	enum store_error e;
	PGresult *res;

	if ((e = run(st, S_CANCEL, params, &res)) != STORE_OK)
		return e;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		PQclear(res);
		return STORE_NOT_FOUND;
	}
	snprintf(state, len, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return STORE_OK;
}

/* Count a submit against a client's quota; *retry is 0 when allowed. */
enum store_error
store_quota(struct store *st, const char *client, unsigned int limit,
    unsigned int window, int *retry)
{
	char l[16], w[16];
	const char *params[3] = { client, l, w };
	enum store_error e;
	PGresult *res;

	snprintf(l, sizeof(l), "%u", limit);
	snprintf(w, sizeof(w), "%u", window);
	if ((e = run(st, S_QUOTA, params, &res)) != STORE_OK)
		return e;
	*retry = num(PQgetvalue(res, 0, 0));
	PQclear(res);
	return STORE_OK;
}

/* Give back the unit of a submit that stored nothing. */
enum store_error
store_quota_back(struct store *st, const char *client)
{
	const char *params[1] = { client };
	enum store_error e;
	PGresult *res;

	if ((e = run(st, S_QUOTA_BACK, params, &res)) == STORE_OK)
		PQclear(res);
	return e;
}

/* LISTEN or UNLISTEN: 0, or -1 with the connection closed. */
static int
listen_cmd(struct store *st, const char *sql)
{
	char msg[512];
	PGresult *res;
	int rc = 0;

	res = PQexec(st->conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_warnx("%s: %s", sql, db_errmsg(st->conn, res, msg,
		    sizeof(msg)));
		disconnect(st);
		rc = -1;
	}
	PQclear(res);
	return rc;
}

/*
 * Ask for the job's changes to be announced: the caller will wait, and
 * calls store_unwatch when it is done; on failure there is nothing to
 * undo.  The session listens only while a request waits: every
 * notification wakes every listening session's backend, whatever its
 * channel, so idle responders must not listen.
 * LISTEN comes first, and the caller reads the job after it: a change
 * committed in between is seen by that read, one after it is announced.
 */
enum store_error
store_watch(struct store *st, const char *id)
{
	const char *params[1] = { id };
	enum store_error e;
	PGresult *res;

	if (!st->pooler && (ensure(st) == -1 ||
	    listen_cmd(st, "LISTEN rsvp_watch") == -1))
		return STORE_UNAVAILABLE;
	if ((e = run(st, S_WATCH, params, &res)) != STORE_OK) {
		store_unwatch(st);
		return e;
	}
	PQclear(res);
	return STORE_OK;
}

/* The wait is over: stop listening, drop what was announced meanwhile. */
void
store_unwatch(struct store *st)
{
	PGnotify *n;

	if (st->pooler || st->conn == NULL)
		return;
	if (listen_cmd(st, "UNLISTEN rsvp_watch") == -1)
		return;
	while ((n = PQnotifies(st->conn)) != NULL)
		PQfreemem(n);
}

/*
 * Wait until the job is announced or the deadline (monotonic ms) passes,
 * but never more than a second: the caller reads the job again either
 * way, so a lost notification costs at most that.  Without LISTEN (behind
 * a pooler) this is the one-second poll.
 */
enum store_error
store_wait(struct store *st, const char *id, long long deadline)
{
	struct pollfd pfd;
	PGnotify *n;
	long long until, left;
	int found = 0;

	until = clock_ms() + 1000;
	if (deadline < until)
		until = deadline;
	if (st->pooler || st->conn == NULL) {
		if ((left = until - clock_ms()) > 0)
			poll(NULL, 0, (int)left);
		return STORE_OK;
	}
	pfd.fd = PQsocket(st->conn);
	pfd.events = POLLIN;
	for (;;) {
		/* What arrived with earlier answers is already queued. */
		while ((n = PQnotifies(st->conn)) != NULL) {
			if (strcmp(n->extra, id) == 0)
				found = 1;
			PQfreemem(n);
		}
		if (found || (left = until - clock_ms()) <= 0)
			break;
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)left) <= 0)
			break;
		if (PQconsumeInput(st->conn) == 0) {
			disconnect(st);
			return STORE_UNAVAILABLE;
		}
	}
	return STORE_OK;
}

/* The rows of rsvp.metrics(); the caller clears the result. */
enum store_error
store_metrics(struct store *st, PGresult **res)
{
	return run(st, S_METRICS, NULL, res);
}

void
job_status_clear(struct job_status *js)
{
	PQfreemem(js->result);
	PQclear(js->res);
	memset(js, 0, sizeof(*js));
}
