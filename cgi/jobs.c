/*
 * POST /jobs/{type} and cancellation: the requests that change jobs.
 */
#include <stdio.h>
#include <string.h>

#include "answer.h"
#include "doc.h"
#include "headers.h"
#include "json_check.h"
#include "log.h"

/*
 * Answer a job that ended while the client waited: as its monitor would,
 * with the result in a 200 when Prefer: return=representation asked.
 */
static void
answer_ended(struct app *app, const struct request *req,
    struct response *resp, const struct job_status *js,
    const struct links *l, int representation)
{
	if (js->state == JOB_SUCCEEDED && representation) {
		if (answer_status(app, req, resp, js, l, DOC_RESULT) == 0) {
			resp->status = 200;
			(void)response_header(resp, "Preference-Applied",
			    "return=representation");
		}
		return;
	}
	if (answer_status(app, req, resp, js, l, 0) == -1)
		return;
	resp->status = 200;
	if (js->state == JOB_SUCCEEDED &&
	    answer_url_header(resp, "Location", l, js->id, LINK_RESULT) == 0)
		resp->status = 303;
}

/*
 * The client's quota, when one is configured: keyed on its address or on
 * the configured header, *who (NULL without a quota).  Returns -1 with
 * the answer set when over it.
 */
static int
quota(struct app *app, const struct request *req, struct response *resp,
    const char **who)
{
	const char *client;
	enum store_error e;
	char v[16];
	int retry;

	*who = NULL;
	if (app->cfg.quota == 0)
		return 0;
	client = request_get(req, app->cfg.quota_param);
	if (client == NULL || *client == '\0')
		client = "-";
	e = store_quota(app->store, client, app->cfg.quota,
	    app->cfg.quota_window, &retry);
	if (e != STORE_OK) {
		answer_store_error(resp, e);
		return -1;
	}
	if (retry > 0) {
		snprintf(v, sizeof(v), "%d", retry);
		(void)response_header(resp, "Retry-After", v);
		response_problem(resp, 429, "too_many_requests",
		    "over the submit quota; try again later");
		return -1;
	}
	*who = client;
	return 0;
}

/* POST /jobs/{type} */
void
jobs_submit(struct app *app, const struct request *req,
    struct response *resp, const struct route_arg *ra)
{
	char type[JOB_TYPE_MAX + 1], detail[160], key[IDEM_KEY_MAX + 1];
	const char *idem = NULL, *v, *client;
	struct prefer pf = { -1, 0, 0, 0 };
	struct job_status js, again;
	enum json_error je;
	enum store_error e;
	struct links l;
	size_t where;
	int wait, prefer, flags = 0;

	if (!job_type_valid(ra->s, ra->len)) {
		response_problem(resp, 404, "unknown_type", "no such job type");
		return;
	}
	memcpy(type, ra->s, ra->len);
	type[ra->len] = '\0';

	je = json_check(req->body.data, req->body.len, app->cfg.max_depth,
	    &where);
	if (je != JSON_OK) {
		if (je == JSON_EMPTY)
			snprintf(detail, sizeof(detail), "%s",
			    json_strerror(je));
		else
			snprintf(detail, sizeof(detail), "%s (at byte %zu)",
			    json_strerror(je), where);
		response_problem(resp, 400, "invalid_json", detail);
		return;
	}
	if ((v = request_get(req, "HTTP_IDEMPOTENCY_KEY")) != NULL) {
		if (idem_key_parse(v, strlen(v), key, sizeof(key)) == -1) {
			response_problem(resp, 400, "invalid_idempotency_key",
			    "Idempotency-Key must be a quoted string of 1 to"
			    " 255 printable characters");
			return;
		}
		idem = key;
	}
	if (answer_links(&l, app, req) == -1) {
		answer_store_error(resp, STORE_NOMEM);
		return;
	}
	if (quota(app, req, resp, &client) == -1)
		return;

	if ((e = store_submit(app->store, type, req->body.data,
	    req->request_id, idem, &js)) != STORE_OK) {
		/* Refused: nothing stored, nothing counted. */
		if (client != NULL && (e == STORE_UNKNOWN_TYPE ||
		    e == STORE_BAD_INPUT || e == STORE_CONFLICT) &&
		    store_quota_back(app->store, client) != STORE_OK)
			log_warnx("could not give back a unit of quota");
		answer_store_error(resp, e);
		return;
	}
	snprintf(resp->job_id, sizeof(resp->job_id), "%s", js.id);

	/* Prefer: wait=N, the synchronous facade. */
	wait = answer_wait_seconds(app, req, &prefer);
	if (prefer) {
		(void)response_header(resp, "Vary", "Prefer");
		if ((v = request_get(req, "HTTP_PREFER")) != NULL)
			prefer_parse(v, strlen(v), &pf);
		if (pf.return_representation)
			flags = STATUS_RESULT;
		/*
		 * A key's job may have ended already: read it with its result,
		 * which the submit does not return; without it, no result.
		 */
		if (flags != 0 && js.state == JOB_SUCCEEDED) {
			if (store_status(app->store, js.id, flags, &again) ==
			    STORE_OK) {
				job_status_clear(&js);
				js = again;
			} else
				pf.return_representation = 0;
		}
		/*
		 * The job is stored: should the wait fail, the client still
		 * gets its 202, with the status last read, never an error
		 * that would have it submit again.
		 */
		if (wait > 0 && (e = answer_wait(app, (unsigned int)wait, 1,
		    &js, flags)) != STORE_OK)
			log_warnx("job %s: the wait ended early: %s",
			    resp->job_id, store_strerror(e));
		else if (job_state_terminal(js.state)) {
			snprintf(detail, sizeof(detail), "wait=%d", wait);
			(void)response_header(resp, "Preference-Applied",
			    detail);
			answer_ended(app, req, resp, &js, &l,
			    pf.return_representation);
			job_status_clear(&js);
			return;
		}
	}
	if (answer_status(app, req, resp, &js, &l, 0) == 0) {
		resp->status = 202;
		(void)answer_url_header(resp, "Location", &l, js.id,
		    LINK_STATUS);
		(void)answer_url_header(resp, "Operation-Location", &l, js.id,
		    LINK_OPERATION);
		(void)answer_url_header(resp, "Azure-AsyncOperation", &l, js.id,
		    LINK_OPERATION);
		/* A key's job that has ended: its monitor has the news now. */
		if (job_state_terminal(js.state))
			(void)response_header(resp, "Retry-After", "1");
	}
	job_status_clear(&js);
}

/* DELETE /jobs/{id} and POST /jobs/{id}/cancel */
void
jobs_cancel(struct app *app, const struct request *req,
    struct response *resp, const struct route_arg *ra)
{
	struct job_status js;
	enum store_error e;
	char state[16], detail[96];
	struct links l;

	if (answer_load(app, req, resp, ra, SCOPE_CANCEL, 0, &js) == -1)
		return;
	if (job_state_terminal(js.state)) {
		snprintf(detail, sizeof(detail), "the job has already %s",
		    js.state == JOB_CANCELED ? "been canceled" :
		    job_state_name(js.state));
		job_status_clear(&js);
		response_problem(resp, 409, "already_finished", detail);
		return;
	}
	e = store_cancel(app->store, js.id, state, sizeof(state));
	if (e == STORE_OK) {
		job_status_clear(&js);
		e = store_status(app->store, resp->job_id, 0, &js);
	}
	if (e != STORE_OK) {
		answer_store_error(resp, e);
		return;
	}
	if (answer_links(&l, app, req) == -1) {
		job_status_clear(&js);
		answer_store_error(resp, STORE_NOMEM);
		return;
	}
	if (strcmp(state, "canceled") == 0 || strcmp(state, "canceling") == 0) {
		/* Canceled at once (200), or asked of its worker (202). */
		if (answer_status(app, req, resp, &js, &l, 0) == 0)
			resp->status = strcmp(state, "canceled") == 0 &&
			    js.state == JOB_CANCELED ? 200 : 202;
	} else {
		snprintf(detail, sizeof(detail), "the job has already %s",
		    strcmp(state, "succeeded") == 0 ? "succeeded" :
		    strcmp(state, "failed") == 0 ? "failed" : "ended");
		response_problem(resp, 409, "already_finished", detail);
	}
	job_status_clear(&js);
}
