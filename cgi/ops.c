/*
 * GET /health and GET /metrics.
 */
#include <stdio.h>
#include <string.h>

#include "answer.h"

/* GET /health: 200 when the database answers. */
void
ops_health(struct app *app, const struct request *req,
    struct response *resp, const struct route_arg *ra)
{
	(void)req;
	(void)ra;
	(void)response_header(resp, "Cache-Control", "no-store");
	if (store_ping(app->store) != STORE_OK) {
		(void)response_header(resp, "Retry-After", "5");
		response_problem(resp, 503, "unavailable",
		    "the database does not answer");
		return;
	}
	resp->content_type = "application/json";
	if (buf_puts(&resp->body, "{\"status\":\"ok\"}\n") != BUF_OK)
		answer_store_error(resp, STORE_NOMEM);
}

static const struct {
	const char	*row;		/* rsvp.metrics().metric */
	const char	*name;		/* the Prometheus name */
	const char	*kind;
	const char	*help;
} metrics[] = {
	{ "jobs", "rsvp_jobs", "gauge",
	    "Jobs queued or running, by type and state." },
	{ "finished", "rsvp_jobs_finished_total", "counter",
	    "Jobs ended, by type and final state." },
	{ "submitted", "rsvp_jobs_submitted_total", "counter",
	    "Jobs submitted." },
	{ "oldest_queued", "rsvp_oldest_queued_seconds", "gauge",
	    "Age of the oldest due queued job." },
	{ "duration_sum", "rsvp_job_duration_seconds_sum", "summary",
	    "Run time of the jobs that succeeded, by type." },
	{ "duration_count", "rsvp_job_duration_seconds_count", NULL, NULL },
	{ "workers", "rsvp_workers", "gauge", "Live workers." },
};

/* The family name: a summary's _sum and _count belong to one. */
static int
family(const char *name)
{
	size_t n = strlen(name);

	if (n > 4 && strcmp(name + n - 4, "_sum") == 0)
		n -= 4;
	return (int)n;
}

/*
 * GET /metrics: Prometheus text.  Its cost follows the live queue and
 * the number of types: finished jobs are counted as they finish.
 */
void
ops_metrics(struct app *app, const struct request *req,
    struct response *resp, const struct route_arg *ra)
{
	struct buf *b = &resp->body;
	enum store_error e;
	PGresult *res;
	size_t m;
	int i, n, rc = BUF_OK;

	(void)req;
	(void)ra;
	if ((e = store_metrics(app->store, &res)) != STORE_OK) {
		answer_store_error(resp, e);
		return;
	}
	n = PQntuples(res);
	for (m = 0; m < sizeof(metrics) / sizeof(metrics[0]); m++) {
		if (metrics[m].kind != NULL)
			rc |= buf_printf(b, "# HELP %.*s %s\n# TYPE %.*s %s\n",
			    family(metrics[m].name), metrics[m].name,
			    metrics[m].help, family(metrics[m].name),
			    metrics[m].name, metrics[m].kind);
		for (i = 0; i < n; i++) {
			if (strcmp(PQgetvalue(res, i, 0), metrics[m].row) != 0)
				continue;
			rc |= buf_puts(b, metrics[m].name);
			if (!PQgetisnull(res, i, 1) && !PQgetisnull(res, i, 2))
				rc |= buf_printf(b, "{type=\"%s\",state=\"%s\"}",
				    PQgetvalue(res, i, 1), PQgetvalue(res, i, 2));
			else if (!PQgetisnull(res, i, 1))
				rc |= buf_printf(b, "{type=\"%s\"}",
				    PQgetvalue(res, i, 1));
			rc |= buf_printf(b, " %s\n", PQgetvalue(res, i, 3));
		}
	}
	PQclear(res);
	if (rc != BUF_OK) {
		answer_store_error(resp, STORE_NOMEM);
		return;
	}
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	(void)response_header(resp, "Cache-Control", "no-store");
}
