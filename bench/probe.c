/*
 * rsvp-probe: the measurements of make bench that need a clock next to
 * the database.  It connects with libpq's PG* environment.
 *
 *	rsvp-probe pickup N GAP_MS
 *		Submit N noop jobs one at a time, GAP_MS apart, with the
 *		statements the responder runs (rsvp.submit_status, then rsvp.ring
 *		in its own transaction, pipelined).  The pickup latency of a
 *		job is the time from its insert's commit coming back to the
 *		noop handler starting (its result, {"started_us": N}).
 *		Prints one JSON line: n, p50_ms, p95_ms, p99_ms, max_ms.
 *	rsvp-probe drained TIMEOUT_S
 *		Wait until no job is queued or running (looking every 2 ms,
 *		as bench/peers/peer.mjs does for the peers' drains) and print
 *		the time it saw that, in epoch microseconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#define ID_LEN	37

static PGconn	*conn;

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1)
		;
}

static void
die(const char *what)
{
	fprintf(stderr, "rsvp-probe: %s: %s", what, PQerrorMessage(conn));
	exit(1);
}

static PGresult *
exec_ok(const char *sql, int nparams, const char *const *params)
{
	PGresult *r;

	r = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK &&
	    PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "rsvp-probe: %s: %s", sql,
		    PQresultErrorMessage(r));
		exit(1);
	}
	return r;
}

/*
 * One submit as the responder makes it: the insert and the ring in one
 * pipeline, two transactions.  Returns the time the insert's commit came
 * back; the job's id in id.
 */
static long long
submit(int seq, char id[ID_LEN])
{
	char input[64];
	const char *params[2] = { "noop", input };
	long long committed = 0;
	PGresult *r;
	int syncs = 0;

	snprintf(input, sizeof(input), "{\"probe\": %d}", seq);
	if (PQenterPipelineMode(conn) == 0 ||
	    PQsendQueryPrepared(conn, "enqueue", 2, params, NULL, NULL, 0) == 0 ||
	    PQpipelineSync(conn) == 0 ||
	    PQsendQueryPrepared(conn, "ring", 0, NULL, NULL, NULL, 0) == 0 ||
	    PQpipelineSync(conn) == 0)
		die("submit");
	id[0] = '\0';
	while (syncs < 2) {
		if ((r = PQgetResult(conn)) == NULL)
			continue;
		switch (PQresultStatus(r)) {
		case PGRES_PIPELINE_SYNC:
			if (++syncs == 1)
				committed = now_us();
			break;
		case PGRES_TUPLES_OK:
			if (id[0] == '\0' && PQntuples(r) == 1)
				snprintf(id, ID_LEN, "%s", PQgetvalue(r, 0, 0));
			break;
		default:
			fprintf(stderr, "rsvp-probe: submit: %s",
			    PQresultErrorMessage(r));
			exit(1);
		}
		PQclear(r);
	}
	if (PQexitPipelineMode(conn) == 0 || id[0] == '\0')
		die("submit");
	return committed;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* The nearest-rank percentile p (0..100) of n sorted values, in ms. */
static double
pct_ms(const long long *v, int n, double p)
{
	int k = (int)((p / 100.0) * n + 0.999999);

	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1] / 1000.0;
}

static int
pickup(int n, long gap_ms)
{
	char (*ids)[ID_LEN], *list;
	long long *t0, *lat, start;
	const char *params[1];
	PGresult *r;
	size_t len;
	int i, k, done;

	ids = calloc((size_t)n, ID_LEN);
	t0 = calloc((size_t)n, sizeof(*t0));
	lat = calloc((size_t)n, sizeof(*lat));
	list = malloc((size_t)n * ID_LEN + 3);
	if (ids == NULL || t0 == NULL || lat == NULL || list == NULL) {
		fprintf(stderr, "rsvp-probe: out of memory\n");
		return 1;
	}
	r = PQprepare(conn, "enqueue", "SELECT id FROM"
	    " rsvp.submit_status($1, $2::jsonb, NULL, NULL)", 2, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		die("prepare");
	PQclear(r);
	r = PQprepare(conn, "ring", "SELECT rsvp.ring()", 0, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		die("prepare");
	PQclear(r);

	for (i = 0; i < n; i++) {
		t0[i] = submit(i, ids[i]);
		sleep_ms(gap_ms);
	}

	len = 0;
	list[len++] = '{';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(list + len, ID_LEN + 1, "%s%s",
		    i ? "," : "", ids[i]);
	list[len++] = '}';
	list[len] = '\0';
	params[0] = list;
	start = now_us();
	for (;;) {
		r = exec_ok("SELECT count(*) FROM rsvp.jobs WHERE id ="
		    " ANY ($1::uuid[]) AND finished_at IS NOT NULL", 1, params);
		done = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		if (done == n)
			break;
		if (now_us() - start > 60 * 1000000LL) {
			fprintf(stderr, "rsvp-probe: %d of %d probe jobs did"
			    " not end within 60 s\n", n - done, n);
			return 1;
		}
		sleep_ms(10);
	}
	r = exec_ok("SELECT id, state, (convert_from(result, 'UTF8')::jsonb"
	    " ->> 'started_us') FROM rsvp.jobs WHERE id = ANY ($1::uuid[])",
	    1, params);
	if (PQntuples(r) != n) {
		fprintf(stderr, "rsvp-probe: %d probe jobs found, %d sent\n",
		    PQntuples(r), n);
		return 1;
	}
	for (k = 0; k < n; k++) {
		if (strcmp(PQgetvalue(r, k, 1), "succeeded") != 0 ||
		    PQgetisnull(r, k, 2)) {
			fprintf(stderr, "rsvp-probe: job %s %s\n",
			    PQgetvalue(r, k, 0), PQgetvalue(r, k, 1));
			return 1;
		}
		for (i = 0; i < n; i++)
			if (strcmp(ids[i], PQgetvalue(r, k, 0)) == 0)
				break;
		lat[k] = strtoll(PQgetvalue(r, k, 2), NULL, 10) - t0[i];
	}
	PQclear(r);
	qsort(lat, (size_t)n, sizeof(*lat), cmp_ll);
	printf("{\"test\":\"pickup\",\"n\":%d,\"p50_ms\":%.3f,\"p95_ms\":%.3f,"
	    "\"p99_ms\":%.3f,\"max_ms\":%.3f}\n", n, pct_ms(lat, n, 50),
	    pct_ms(lat, n, 95), pct_ms(lat, n, 99), pct_ms(lat, n, 100));
	free(ids);
	free(t0);
	free(lat);
	free(list);
	return 0;
}

static int
drained(long timeout_s)
{
	long long start = now_us(), t;
	PGresult *r;
	int busy;

	/* Each EXISTS matches a partial index: read that, not the table. */
	PQclear(exec_ok("SET enable_seqscan = off", 0, NULL));
	for (;;) {
		r = exec_ok("SELECT EXISTS (SELECT FROM rsvp.jobs"
		    " WHERE state = 'queued') OR EXISTS (SELECT FROM"
		    " rsvp.jobs WHERE state = 'running')", 0, NULL);
		busy = PQgetvalue(r, 0, 0)[0] == 't';
		t = now_us();
		PQclear(r);
		if (!busy)
			break;
		if (t - start > timeout_s * 1000000LL) {
			fprintf(stderr, "rsvp-probe: jobs still queued or"
			    " running after %ld s\n", timeout_s);
			return 1;
		}
		sleep_ms(2);
	}
	printf("%lld\n", t);
	return 0;
}

/* A whole decimal number from 0 to max, or -1. */
static long
number(const char *s, long max)
{
	char *end;
	long v;

	v = strtol(s, &end, 10);
	return end == s || *end != '\0' || v < 0 || v > max ? -1 : v;
}

int
main(int argc, char **argv)
{
	long n, gap;
	int rc;

	if (argc == 4 && strcmp(argv[1], "pickup") == 0 &&
	    (n = number(argv[2], 100000)) > 0 &&
	    (gap = number(argv[3], 10000)) >= 0) {
		if (PQstatus(conn = PQconnectdb("")) != CONNECTION_OK)
			die("connect");
		rc = pickup((int)n, gap);
	} else if (argc == 3 && strcmp(argv[1], "drained") == 0 &&
	    (n = number(argv[2], 86400)) >= 0) {
		if (PQstatus(conn = PQconnectdb("")) != CONNECTION_OK)
			die("connect");
		rc = drained(n);
	} else {
		fprintf(stderr, "usage: rsvp-probe pickup N GAP_MS\n"
		    "       rsvp-probe drained TIMEOUT_S\n");
		return 2;
	}
	PQfinish(conn);
	return rc;
}
