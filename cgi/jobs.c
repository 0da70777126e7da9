#include <stdio.h>
#include <string.h>

#include "app.h"
#include "doc.h"
#include "json_check.h"
#include "log.h"
#include "router.h"
#include "url.h"
#include "uuid.h"

#define URL_MAX	4096

/* Answer a store failure: the client learns what it can act on. */
static void
store_failed(struct response *resp, enum store_error e)
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

static void
retry_after(struct response *resp, const struct app *app,
    const struct job_status *js)
{
	char v[16];
	int s = js->retry_after;

	if (s < 1)
		s = 1;
	if ((unsigned int)s > app->cfg.max_retry_after)
		s = (int)app->cfg.max_retry_after;
	snprintf(v, sizeof(v), "%d", s);
	(void)response_header(resp, "Retry-After", v);
}

/* Add a header whose value is base + "/jobs/" + id + suffix. */
static int
url_header(struct response *resp, const char *name, const char *base,
    const char *id, const char *suffix)
{
	struct buf u;
	int rc = -1;

	buf_init(&u, URL_MAX);
	if (doc_url(&u, base, id, suffix) == BUF_OK)
		rc = response_header(resp, name, u.data);
	buf_free(&u);
	return rc;
}

/*
 * Put the status document in the body, with the headers every monitor
 * answer carries.  Returns -1 (with a problem set) when out of memory.
 */
static int
status_body(struct app *app, const struct request *req,
    struct response *resp, const struct job_status *js, int flags)
{
	struct buf base;
	int rc;

	buf_init(&base, URL_MAX);
	rc = url_base(&base, req, app->cfg.public_url);
	if (rc == BUF_OK)
		rc = doc_status(&resp->body, js, base.data, flags);
	buf_free(&base);
	if (rc != BUF_OK) {
		store_failed(resp, STORE_NOMEM);
		return -1;
	}
	resp->content_type = "application/json";
	(void)response_header(resp, "Cache-Control", "no-store");
	if (!job_state_terminal(js->state))
		retry_after(resp, app, js);
	return 0;
}

/* The id of /jobs/{id}: malformed ids never reach SQL. */
static int
parse_id(struct response *resp, const struct route_arg *ra,
    char id[UUID_LEN + 1])
{
	if (uuid_parse(ra->s, ra->len, id) == -1) {
		response_problem(resp, 404, "not_found", "no such job");
		return -1;
	}
	memcpy(resp->job_id, id, UUID_LEN + 1);
	return 0;
}

/* Look the job of /jobs/{id}... up; -1 with the answer set if it fails. */
static int
load_job(struct app *app, struct response *resp, const struct route_arg *ra,
    int flags, struct job_status *js)
{
	char id[UUID_LEN + 1];
	enum store_error e;

	if (parse_id(resp, ra, id) == -1)
		return -1;
	if ((e = store_status(app->store, id, flags, js)) != STORE_OK) {
		store_failed(resp, e);
		return -1;
	}
	return 0;
}

/* POST /jobs/{type} */
void
jobs_submit(struct app *app, const struct request *req,
    struct response *resp, const struct route_arg *ra)
{
	char type[JOB_TYPE_MAX + 1], detail[160];
	struct job_status js;
	enum json_error je;
	enum store_error e;
	struct buf base;
	size_t where;

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

	if ((e = store_submit(app->store, type, req->body.data,
	    req->request_id, &js)) != STORE_OK) {
		store_failed(resp, e);
		return;
	}
	snprintf(resp->job_id, sizeof(resp->job_id), "%s", js.id);
	buf_init(&base, URL_MAX);
	if (url_base(&base, req, app->cfg.public_url) != BUF_OK ||
	    status_body(app, req, resp, &js, 0) == -1) {
		buf_free(&base);
		job_status_clear(&js);
		store_failed(resp, STORE_NOMEM);
		return;
	}
	resp->status = 202;
	(void)url_header(resp, "Location", base.data, js.id, "");
	(void)url_header(resp, "Operation-Location", base.data, js.id,
	    "/status");
	(void)url_header(resp, "Azure-AsyncOperation", base.data, js.id,
	    "/status");
	buf_free(&base);
	job_status_clear(&js);
}

/* GET /jobs/{id}: the status monitor. */
void
jobs_status(struct app *app, const struct request *req,
    struct response *resp, const struct route_arg *ra)
{
	struct job_status js;
	struct buf base;

	if (load_job(app, resp, ra, 0, &js) == -1)
		return;
	if (status_body(app, req, resp, &js, 0) == 0 &&
	    js.state == JOB_SUCCEEDED) {
		buf_init(&base, URL_MAX);
		if (url_base(&base, req, app->cfg.public_url) == BUF_OK &&
		    url_header(resp, "Location", base.data, js.id,
		    "/result") == 0)
			resp->status = 303;
		else
			store_failed(resp, STORE_NOMEM);
		buf_free(&base);
	}
	job_status_clear(&js);
}

/* GET /jobs/{id}/status: the operation monitor, always 200. */
void
jobs_operation(struct app *app, const struct request *req,
    struct response *resp, const struct route_arg *ra)
{
	struct job_status js;

	if (load_job(app, resp, ra, STATUS_RESULT, &js) == -1)
		return;
	(void)status_body(app, req, resp, &js, DOC_RESULT | DOC_RESOURCE);
	job_status_clear(&js);
}

/* GET /jobs/{id}/result */
void
jobs_result(struct app *app, const struct request *req,
    struct response *resp, const struct route_arg *ra)
{
	struct job_status js;

	if (load_job(app, resp, ra, STATUS_RESULT, &js) == -1)
		return;
	switch (js.state) {
	case JOB_QUEUED:
	case JOB_RUNNING:
		if (status_body(app, req, resp, &js, 0) == 0)
			resp->status = 202;
		break;
	case JOB_SUCCEEDED:
		(void)response_header(resp, "Cache-Control", "no-store");
		if (js.result == NULL) {
			resp->status = 204;
			break;
		}
		if (buf_add(&resp->body, js.result, js.result_len) != BUF_OK) {
			store_failed(resp, STORE_NOMEM);
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
		store_failed(resp, STORE_FAILED);
		break;
	}
	job_status_clear(&js);
}

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
		store_failed(resp, STORE_NOMEM);
}
