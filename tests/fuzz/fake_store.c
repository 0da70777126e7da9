/*
 * A store without a database, for the request harness: it lets app_handle
 * route, validate and answer.  A job id's last character picks the state
 * of the job it reports; anything that would wait says "unavailable".
 */
#include <stdlib.h>
#include <string.h>

#include "store.h"

struct store {
	int	unused;
};

struct store *
store_new(unsigned long timeout_ms, int pooler)
{
	(void)timeout_ms;
	(void)pooler;
	return calloc(1, sizeof(struct store));
}

void
store_free(struct store *st)
{
	free(st);
}

const char *
store_strerror(enum store_error e)
{
	return (unsigned int)e < STORE__MAX ? "store error" :
	    "unknown store error";
}

static void
fake_job(const char *id, struct job_status *js)
{
	size_t n = strlen(id);

	memset(js, 0, sizeof(*js));
	js->id = id;
	js->type = "echo";
	js->state = n > 0 ? (enum job_state)((unsigned char)id[n - 1] %
	    JOB__MAX) : JOB_QUEUED;
	js->progress = 40;
	js->message = "working \"hard\"\n";
	js->attempt = 1;
	js->created_at = "2025-01-01T00:00:00Z";
	js->updated_at = "2025-01-01T00:00:01Z";
	js->started_at = js->state == JOB_QUEUED ? NULL :
	    "2025-01-01T00:00:01Z";
	js->finished_at = job_state_terminal(js->state) ?
	    "2025-01-01T00:00:02Z" : NULL;
	if (js->state == JOB_FAILED) {
		js->error_code = "boom";
		js->error_message = "it broke";
		js->error_status = 500;
	}
	js->retry_after = 1;
	js->expires = "Wed, 01 Jan 2025 00:00:00 GMT";
}

enum store_error
store_submit(struct store *st, const char *type, const char *input,
    const char *idem, const char *reqid, struct job_status *js)
{
	(void)st;
	(void)type;
	(void)input;
	(void)idem;
	(void)reqid;
	fake_job("0b9e6c9e-2f43-4d53-9a3a-7c1f1f6a2b10", js);
	js->state = JOB_QUEUED;
	return STORE_OK;
}

enum store_error
store_cancel(struct store *st, const char *id, char *state, size_t len)
{
	(void)st;
	(void)id;
	if (len > 0)
		state[0] = '\0';
	return STORE_NOT_FOUND;
}

enum store_error
store_quota(struct store *st, const char *client, unsigned int n,
    unsigned int window, int *retry)
{
	(void)st;
	(void)client;
	(void)n;
	(void)window;
	*retry = 0;
	return STORE_OK;
}

enum store_error
store_quota_back(struct store *st, const char *client)
{
	(void)st;
	(void)client;
	return STORE_OK;
}

enum store_error
store_watch(struct store *st, const char *id)
{
	(void)st;
	(void)id;
	return STORE_OK;
}

void
store_unwatch(struct store *st)
{
	(void)st;
}

enum store_error
store_wait(struct store *st, const char *id, long long deadline)
{
	(void)st;
	(void)id;
	(void)deadline;
	return STORE_UNAVAILABLE;
}

enum store_error
store_metrics(struct store *st, PGresult **res)
{
	(void)st;
	*res = NULL;
	return STORE_UNAVAILABLE;
}

enum store_error
store_status(struct store *st, const char *id, int flags,
    struct job_status *js)
{
	(void)st;
	(void)flags;
	if (id[0] == 'f')
		return STORE_NOT_FOUND;
	fake_job(id, js);
	return STORE_OK;
}

enum store_error
store_ping(struct store *st)
{
	(void)st;
	return STORE_OK;
}

void
job_status_clear(struct job_status *js)
{
	memset(js, 0, sizeof(*js));
}
