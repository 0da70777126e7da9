/*
 * The monitors and the result: GET /jobs/{id}, /jobs/{id}/status and
 * /jobs/{id}/result.
 */
#include <stdio.h>
#include <string.h>

#include "answer.h"
#include "doc.h"
#include "headers.h"

/* Wait as ?wait=N or Prefer: wait=N asks; -1 with the answer set on error. */
static int
long_poll(struct app *app, const struct request *req, struct response *resp,
    struct job_status *js, int flags, int *prefer)
{
	enum store_error e;
	int wait;

	wait = answer_wait_seconds(app, req, prefer);
	if (*prefer)
		(void)response_header(resp, "Vary", "Prefer");
	if (wait <= 0)
		return 0;
	if ((e = answer_wait(app, (unsigned int)wait, 0, js, flags)) !=
	    STORE_OK) {
		job_status_clear(js);
		answer_store_error(resp, e);
		return -1;
	}
	if (*prefer) {
		char v[32];

		snprintf(v, sizeof(v), "wait=%d", wait);
		(void)response_header(resp, "Preference-Applied", v);
	}
	return 0;
}

/* GET /jobs/{id}: the status monitor. */
void
jobs_status(struct app *app, const struct request *req,
    struct response *resp, const struct route_arg *ra)
{
	const char *v = request_get(req, "HTTP_PREFER");
	struct prefer pf = { -1, 0, 0, 0 };
	struct job_status js;
	struct links l;
	int flags = 0, prefer;

	if (v != NULL)
		prefer_parse(v, strlen(v), &pf);
	if (pf.return_representation)
		flags = STATUS_RESULT;
	if (answer_load(app, req, resp, ra, SCOPE_STATUS, flags, &js) == -1)
		return;
	if (long_poll(app, req, resp, &js, flags, &prefer) == -1)
		return;
	if (answer_links(&l, app, req) == -1) {
		answer_store_error(resp, STORE_NOMEM);
		job_status_clear(&js);
		return;
	}
	if (js.state == JOB_SUCCEEDED && pf.return_representation) {
		/* The status and the result in one 200. */
		if (answer_status(app, req, resp, &js, &l, DOC_RESULT) == 0) {
			(void)response_header(resp, "Preference-Applied",
			    "return=representation");
			if (!prefer)
				(void)response_header(resp, "Vary", "Prefer");
		}
	} else if (answer_status(app, req, resp, &js, &l, 0) == 0) {
		if (js.state == JOB_SUCCEEDED) {
			if (answer_url_header(resp, "Location", &l, js.id,
			    LINK_RESULT) == 0)
				resp->status = 303;
		} else if (!job_state_terminal(js.state))
			resp->status = app->cfg.pending_status;
	}
	answer_not_modified(req, resp);
	job_status_clear(&js);
}

/* GET /jobs/{id}/status: the operation monitor, always 200. */
void
jobs_operation(struct app *app, const struct request *req,
    struct response *resp, const struct route_arg *ra)
{
	struct job_status js;
	struct links l;
	int prefer;

	if (answer_load(app, req, resp, ra, SCOPE_STATUS, STATUS_RESULT,
	    &js) == -1)
		return;
	if (long_poll(app, req, resp, &js, STATUS_RESULT, &prefer) == -1)
		return;
	if (answer_links(&l, app, req) == -1)
		answer_store_error(resp, STORE_NOMEM);
	else if (answer_status(app, req, resp, &js, &l,
	    DOC_RESULT | DOC_RESOURCE) == 0)
		answer_not_modified(req, resp);
	job_status_clear(&js);
}

/* GET /jobs/{id}/result */
void
jobs_result(struct app *app, const struct request *req,
    struct response *resp, const struct route_arg *ra)
{
	struct job_status js;
	struct links l;

	if (answer_load(app, req, resp, ra, SCOPE_RESULT, STATUS_RESULT,
	    &js) == -1)
		return;
	switch (js.state) {
	case JOB_QUEUED:
	case JOB_RUNNING:
		/* Not there yet: a poller that takes 202 as "wait" waits. */
		if (answer_links(&l, app, req) == -1)
			answer_store_error(resp, STORE_NOMEM);
		else if (answer_status(app, req, resp, &js, &l, 0) == 0)
			resp->status = 202;
		break;
	case JOB_SUCCEEDED:
		(void)response_header(resp, "Cache-Control", "no-store");
		if (js.expires != NULL)
			(void)response_header(resp, "Expires", js.expires);
		if (js.result == NULL) {
			resp->status = 204;
			break;
		}
		if (buf_add(&resp->body, js.result, js.result_len) != BUF_OK) {
			answer_store_error(resp, STORE_NOMEM);
			break;
		}
		/* A stored type that is no valid header falls back to JSON. */
		if (js.result_type == NULL ||
		    response_content_type(resp, js.result_type) == -1)
			resp->content_type = "application/json";
		(void)response_header(resp, "X-Content-Type-Options",
		    "nosniff");
		break;
	case JOB_FAILED:
		response_problem(resp, js.error_status >= 400 &&
		    js.error_status <= 599 ? js.error_status : 500,
		    js.error_code != NULL ? js.error_code : "failed",
		    js.error_message != NULL ? js.error_message :
		    "the job failed");
		(void)response_header(resp, "Cache-Control", "no-store");
		break;
	case JOB_CANCELED:
		response_problem(resp, 410, "canceled", "the job was canceled");
		(void)response_header(resp, "Cache-Control", "no-store");
		break;
	default:
		answer_store_error(resp, STORE_FAILED);
		break;
	}
	job_status_clear(&js);
}
