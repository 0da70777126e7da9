#include <stdio.h>
#include <string.h>
#include <time.h>

#include "answer.h"
#include "clock.h"
#include "doc.h"
#include "env.h"
#include "headers.h"
#include "url.h"

/* Answer a store failure: the client learns what it can act on. */
void
answer_store_error(struct response *resp, enum store_error e)
{
	switch (e) {
	case STORE_NOT_FOUND:
		response_problem(resp, 404, "not_found", "no such job");
		break;
	case STORE_UNKNOWN_TYPE:
		response_problem(resp, 404, "unknown_type",
		    "no such job type");
		break;
	case STORE_BAD_INPUT:
		response_problem(resp, 400, "invalid_input",
		    "the database refused the input");
		break;
	case STORE_CONFLICT:
		response_problem(resp, 422, "idempotency_key_reused",
		    "this Idempotency-Key was used for another request");
		break;
	case STORE_UNAVAILABLE:
	case STORE_NOMEM:
		(void)response_header(resp, "Retry-After", "5");
		response_problem(resp, 503, "unavailable",
		    "the service is unavailable, try again later");
		break;
	default:
		response_problem(resp, 500, "internal",
		    "the service failed to answer");
		break;
	}
}

/*
 * The links of this request: its base URL and, with signing, the expiry
 * the signatures carry, rounded up to the hour so that a document and its
 * ETag stay the same from one poll to the next.
 */
int
answer_links(struct links *l, const struct app *app,
    const struct request *req)
{
	struct buf b;
	long long exp;
	int rc;

	buf_init(&b, sizeof(l->base) - 1);
	rc = url_base(&b, req, app->cfg.public_url, app->cfg.trust_proxy);
	if (rc == BUF_OK)
		memcpy(l->base, b.data, b.len + 1);
	buf_free(&b);
	l->keys = app->cfg.signing ? &app->cfg.keys : NULL;
	exp = (long long)time(NULL) + app->cfg.signing_ttl;
	l->expires = (exp + 3599) / 3600 * 3600;
	return rc == BUF_OK ? 0 : -1;
}

/* Add a header whose value is one of the job's URLs. */
int
answer_url_header(struct response *resp, const char *name,
    const struct links *l, const char *id, enum link k)
{
	struct buf u;
	int rc = -1;

	buf_init(&u, 4096);
	if (links_url(l, &u, id, k) == BUF_OK)
		rc = response_header(resp, name, u.data);
	buf_free(&u);
	return rc;
}

/*
 * The status document in the body, with what every monitor answer
 * carries: no-store, an ETag, Expires, and Retry-After while pending.
 */
int
answer_status(struct app *app, const struct request *req,
    struct response *resp, const struct job_status *js,
    const struct links *l, int flags)
{
	char v[16];
	int s;

	(void)req;
	buf_reset(&resp->body);
	if (doc_status(&resp->body, js, l, flags) != BUF_OK) {
		answer_store_error(resp, STORE_NOMEM);
		return -1;
	}
	resp->content_type = "application/json";
	(void)response_header(resp, "Cache-Control", "no-store");
	if (etag_make(resp->etag, sizeof(resp->etag), resp->body.data,
	    resp->body.len) == 0)
		(void)response_header(resp, "ETag", resp->etag);
	else
		resp->etag[0] = '\0';
	if (js->expires != NULL)
		(void)response_header(resp, "Expires", js->expires);
	if (!job_state_terminal(js->state)) {
		s = js->retry_after < 1 ? 1 : js->retry_after;
		if ((unsigned int)s > app->cfg.max_retry_after)
			s = (int)app->cfg.max_retry_after;
		snprintf(v, sizeof(v), "%d", s);
		(void)response_header(resp, "Retry-After", v);
	}
	return 0;
}

/*
 * A conditional GET whose ETag still matches: 304, no body.  Any 2xx
 * answer is conditional (RFC 9110, 13.2.1): the monitor's 202 while
 * pending (RSVP_PENDING_STATUS=202) as much as its 200.
 */
void
answer_not_modified(const struct request *req, struct response *resp)
{
	const char *inm = request_get(req, "HTTP_IF_NONE_MATCH");

	if (inm == NULL || resp->status < 200 || resp->status > 299 ||
	    resp->etag[0] == '\0' ||
	    !etag_matches(inm, strlen(inm), resp->etag))
		return;
	resp->status = 304;
	resp->content_type = NULL;
	buf_reset(&resp->body);
}

/*
 * The job of /jobs/{id}...: its id is checked before any query and, with
 * signing, its signature for the scope; a failure of either answers
 * exactly as an unknown id does.
 */
int
answer_load(struct app *app, const struct request *req,
    struct response *resp, const struct route_arg *ra, enum sign_scope scope,
    int flags, struct job_status *js)
{
	char id[UUID_LEN + 1];
	enum store_error e;

	if (uuid_parse(ra->s, ra->len, id) == -1 || (app->cfg.signing &&
	    sign_verify(&app->cfg.keys, scope, id, req->query,
	    strlen(req->query), (long long)time(NULL)) != SIGN_OK)) {
		response_problem(resp, 404, "not_found", "no such job");
		return -1;
	}
	snprintf(resp->job_id, sizeof(resp->job_id), "%s", id);
	if ((e = store_status(app->store, id, flags, js)) != STORE_OK) {
		answer_store_error(resp, e);
		return -1;
	}
	return 0;
}

/*
 * How long the client asks to wait: ?wait=N or Prefer: wait=N, capped by
 * RSVP_MAX_WAIT.  0 for none; *prefer says whether Prefer asked.
 */
int
answer_wait_seconds(const struct app *app, const struct request *req,
    int *prefer)
{
	struct prefer pf;
	const char *q = req->query, *v;
	unsigned long n;
	char num[16];
	size_t len;
	int wait = 0;

	*prefer = 0;
	for (; *q != '\0'; q += strcspn(q, "&"), q += *q == '&') {
		if (strncmp(q, "wait=", 5) != 0)
			continue;
		len = strcspn(q + 5, "&");
		if (len > 0 && len < sizeof(num)) {
			memcpy(num, q + 5, len);
			num[len] = '\0';
			if (parse_ulong(num, 0, 86400, &n) == 0)
				wait = (int)n;
		}
	}
	if ((v = request_get(req, "HTTP_PREFER")) != NULL) {
		prefer_parse(v, strlen(v), &pf);
		if (pf.wait >= 0) {
			wait = pf.wait;
			*prefer = 1;
		}
	}
	if ((unsigned int)wait > app->cfg.max_wait)
		wait = (int)app->cfg.max_wait;
	return wait;
}

static int
changed(const struct job_status *js, const char *updated, enum job_state s,
    int until_end)
{
	if (until_end)
		return job_state_terminal(js->state);
	return js->state != s || js->updated_at == NULL ||
	    strcmp(js->updated_at, updated) != 0;
}

/*
 * Wait up to secs seconds for the job to change (its state or progress)
 * or, with until_end, to end; js is read again each time it may have.
 * Waiting does not spin: it sleeps on the job's notification, and reads
 * the job again at least once a second should one be lost.
 */
enum store_error
answer_wait(struct app *app, unsigned int secs, int until_end,
    struct job_status *js, int flags)
{
	char id[UUID_LEN + 1], updated[48];
	long long deadline = clock_ms() + (long long)secs * 1000;
	struct job_status next;
	enum job_state state = js->state;
	enum store_error e;

	if (secs == 0 || job_state_terminal(js->state))
		return STORE_OK;
	snprintf(id, sizeof(id), "%s", js->id);
	snprintf(updated, sizeof(updated), "%s",
	    js->updated_at != NULL ? js->updated_at : "");
	if ((e = store_watch(app->store, id)) != STORE_OK)
		return e;
	/* js stays the last status read, whatever ends the wait. */
	for (;;) {
		if ((e = store_status(app->store, id, flags, &next)) != STORE_OK)
			break;
		job_status_clear(js);
		*js = next;
		if (changed(js, updated, state, until_end) ||
		    clock_ms() >= deadline ||
		    (e = store_wait(app->store, id, deadline)) != STORE_OK)
			break;
	}
	store_unwatch(app->store);
	return e;
}
