#include <stdio.h>
#include <string.h>

#include "app.h"
#include "env.h"
#include "log.h"
#include "router.h"
#include "url.h"

#define R_BODY	M_POST		/* methods whose JSON body is read */

static const struct route routes[] = {
	{ "/jobs/*", M_POST, jobs_submit },
	{ "/jobs/*", M_GET | M_HEAD, jobs_status },
	{ "/jobs/*/status", M_GET | M_HEAD, jobs_operation },
	{ "/jobs/*/result", M_GET | M_HEAD, jobs_result },
	{ "/health", M_GET | M_HEAD, ops_health },
};

int
app_config_load(struct config *cfg)
{
	unsigned long v;
	int bad = 0;

	memset(cfg, 0, sizeof(*cfg));
	bad |= env_ulong("RSVP_MAX_BODY", 1024 * 1024, 2, 64UL * 1024 * 1024,
	    &v);
	cfg->max_body = v;
	bad |= env_ulong("RSVP_MAX_DEPTH", 64, 1, 1000, &v);
	cfg->max_depth = (unsigned int)v;
	bad |= env_ulong("RSVP_DB_TIMEOUT", 5000, 1, 600000, &v);
	cfg->db_timeout = v;
	bad |= env_ulong("RSVP_MAX_RETRY_AFTER", 60, 1, 86400, &v);
	cfg->max_retry_after = (unsigned int)v;
	cfg->public_url = env_str("RSVP_PUBLIC_URL", NULL);
	if (cfg->public_url != NULL && !url_public_valid(cfg->public_url)) {
		log_warnx("RSVP_PUBLIC_URL must be http(s)://host[:port][/path],"
		    " not \"%s\"", cfg->public_url);
		bad = -1;
	}
	return bad ? -1 : 0;
}

static void
allow_header(struct response *resp, unsigned int allowed)
{
	static const struct {
		unsigned int	 bit;
		const char	*name;
	} names[] = {
		{ M_GET, "GET" }, { M_HEAD, "HEAD" }, { M_POST, "POST" },
		{ M_PUT, "PUT" }, { M_DELETE, "DELETE" }, { M_PATCH, "PATCH" },
		{ M_OPTIONS, "OPTIONS" },
	};
	char list[128] = "";
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (allowed & names[i].bit) {
			if (list[0] != '\0')
				strncat(list, ", ", sizeof(list) - strlen(list) - 1);
			strncat(list, names[i].name, sizeof(list) - strlen(list) - 1);
		}
	(void)response_header(resp, "Allow", list);
}

/*
 * Route a request, read its body when the route takes one, and call the
 * handler.  Every refusal here is a 4xx with a problem document; the body
 * of a refused request is drained so the client gets the answer.
 */
void
app_handle(struct app *app, struct request *req, struct response *resp,
    body_reader *rd, void *arg)
{
	const struct route *route = NULL;
	struct route_arg ra = { NULL, 0 };
	unsigned int allowed;
	char detail[160];
	enum request_error e;

	(void)response_header(resp, "X-Request-ID", req->request_id);
	switch (router_match(routes, sizeof(routes) / sizeof(routes[0]),
	    req->path, req->pathlen, req->method, &route, &ra, &allowed)) {
	case ROUTE_NOT_FOUND:
		request_drain(req, rd, arg);
		response_problem(resp, 404, "not_found", "no such resource");
		return;
	case ROUTE_NO_METHOD:
		request_drain(req, rd, arg);
		allow_header(resp, allowed);
		snprintf(detail, sizeof(detail), "%s is not allowed here",
		    req->method == M_OTHER ? "this method" : req->method_name);
		response_problem(resp, 405, "method_not_allowed", detail);
		return;
	case ROUTE_FOUND:
		break;
	}

	if (req->method & R_BODY) {
		if (!request_is_json(req)) {
			request_drain(req, rd, arg);
			response_problem(resp, 415, "unsupported_media_type",
			    "the body must be application/json");
			return;
		}
		e = request_read_body(req, app->cfg.max_body, rd, arg);
		switch (e) {
		case REQ_OK:
			break;
		case REQ_TOOBIG:
			request_drain(req, rd, arg);
			snprintf(detail, sizeof(detail),
			    "the body is larger than %zu bytes",
			    app->cfg.max_body);
			response_problem(resp, 413, "too_large", detail);
			return;
		case REQ_NOMEM:
			request_drain(req, rd, arg);
			(void)response_header(resp, "Retry-After", "1");
			response_problem(resp, 503, "unavailable",
			    "the service is out of memory");
			return;
		default:
			response_problem(resp, 400, "bad_request",
			    request_strerror(e));
			return;
		}
	} else
		request_drain(req, rd, arg);

	route->fn(app, req, resp, &ra);
}
