#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "env.h"
#include "log.h"
#include "router.h"
#include "url.h"

#define R_BODY	M_POST		/* methods whose JSON body is read */

static const struct route routes[] = {
	{ "/jobs/*", M_POST, jobs_submit },
	{ "/jobs/*", M_GET | M_HEAD, jobs_status },
	{ "/jobs/*", M_DELETE, jobs_cancel },
	{ "/jobs/*/cancel", M_POST, jobs_cancel },
	{ "/jobs/*/status", M_GET | M_HEAD, jobs_operation },
	{ "/jobs/*/result", M_GET | M_HEAD, jobs_result },
	{ "/health", M_GET | M_HEAD, ops_health },
	{ "/metrics", M_GET | M_HEAD, ops_metrics },
};

/* RSVP_QUOTA: "N/S", N submits per S seconds per client. */
static int
quota_load(struct config *cfg)
{
	const char *q = env_str("RSVP_QUOTA", NULL), *h;
	unsigned long n, w;
	char num[16];
	size_t len, i;

	if (q == NULL)
		return 0;
	len = strcspn(q, "/");
	if (len == 0 || len >= sizeof(num) || q[len] != '/')
		goto bad;
	memcpy(num, q, len);
	num[len] = '\0';
	if (parse_ulong(num, 1, 1000000, &n) == -1 ||
	    parse_ulong(q + len + 1, 1, 86400, &w) == -1)
		goto bad;
	cfg->quota = (unsigned int)n;
	cfg->quota_window = (unsigned int)w;
	/* The client is its address, or the value of the header named. */
	snprintf(cfg->quota_param, sizeof(cfg->quota_param), "REMOTE_ADDR");
	if ((h = env_str("RSVP_QUOTA_HEADER", NULL)) != NULL) {
		if (strlen(h) > 60)
			goto bad;
		len = (size_t)snprintf(cfg->quota_param,
		    sizeof(cfg->quota_param), "HTTP_%s", h);
		for (i = 5; i < len; i++) {
			char c = cfg->quota_param[i];

			if (c == '-')
				c = '_';
			else if (c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			else if (!((c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9')))
				goto bad;
			cfg->quota_param[i] = c;
		}
	}
	return 0;
bad:
	log_warnx("RSVP_QUOTA must be N/S (N submits per S seconds) and"
	    " RSVP_QUOTA_HEADER a header name");
	return -1;
}

int
app_config_load(struct config *cfg)
{
	const char *s;
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
	bad |= env_ulong("RSVP_MAX_WAIT", 25, 0, 3600, &v);
	cfg->max_wait = (unsigned int)v;
	bad |= env_ulong("RSVP_PENDING_STATUS", 200, 200, 202, &v);
	cfg->pending_status = (int)v;
	if (v != 200 && v != 202) {
		log_warnx("RSVP_PENDING_STATUS must be 200 or 202");
		bad = -1;
	}
	bad |= env_ulong("RSVP_THREADS", 1, 1, 256, &v);
	cfg->threads = (unsigned int)v;
	bad |= env_ulong("RSVP_SIGNING_TTL", 86400, 60, 365UL * 86400, &v);
	cfg->signing_ttl = (unsigned int)v;
	cfg->public_url = env_str("RSVP_PUBLIC_URL", NULL);
	if (cfg->public_url != NULL && !url_public_valid(cfg->public_url)) {
		log_warnx("RSVP_PUBLIC_URL must be http(s)://host[:port][/path],"
		    " not \"%s\"", cfg->public_url);
		bad = -1;
	}
	cfg->cors_origin = env_str("RSVP_CORS_ORIGIN", NULL);
	s = env_str("RSVP_TRUST_PROXY", NULL);
	cfg->trust_proxy = s != NULL && strcmp(s, "0") != 0;
	s = env_str("RSVP_POOLER", NULL);
	if (s != NULL && strcmp(s, "transaction") != 0 &&
	    strcmp(s, "session") != 0) {
		log_warnx("RSVP_POOLER must be transaction or session");
		bad = -1;
	}
	cfg->pooler = s != NULL && strcmp(s, "transaction") == 0;
	if ((s = env_str("RSVP_SIGNING_KEY", NULL)) != NULL) {
		enum sign_error e = sign_keys_parse(s, &cfg->keys);

		if (e != SIGN_OK) {
			log_warnx("RSVP_SIGNING_KEY: %s", sign_strerror(e));
			bad = -1;
		}
		cfg->signing = 1;
	}
	bad |= quota_load(cfg);
	return bad ? -1 : 0;
}

static void
allow_header(struct response *resp, const char *name, unsigned int allowed)
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
	size_t i, n = 0;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (allowed & names[i].bit)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
			    n > 0 ? ", " : "", names[i].name);
	(void)response_header(resp, name, list);
}

/*
 * CORS, on every answer (redirects and errors too): the configured
 * origin, or the request's when it is in the configured list.
 */
static void
cors(const struct app *app, const struct request *req,
    struct response *resp)
{
	const char *list = app->cfg.cors_origin, *origin, *p;
	size_t n;

	if (list == NULL)
		return;
	if (strcmp(list, "*") == 0)
		(void)response_header(resp, "Access-Control-Allow-Origin", "*");
	else {
		origin = request_get(req, "HTTP_ORIGIN");
		(void)response_header(resp, "Vary", "Origin");
		if (origin == NULL)
			return;
		for (p = list; *p != '\0'; p += n, p += strspn(p, ", ")) {
			p += strspn(p, ", ");
			n = strcspn(p, ", ");
			if (n > 0 && strlen(origin) == n &&
			    strncasecmp(p, origin, n) == 0)
				break;
		}
		if (*p == '\0')
			return;
		(void)response_header(resp, "Access-Control-Allow-Origin",
		    origin);
	}
	(void)response_header(resp, "Access-Control-Expose-Headers",
	    "Location, Operation-Location, Azure-AsyncOperation, Retry-After,"
	    " ETag, Expires, Preference-Applied, X-Request-ID");
}

static void
preflight(const struct app *app, struct response *resp)
{
	resp->status = 204;
	if (app->cfg.cors_origin == NULL)
		return;
	(void)response_header(resp, "Access-Control-Allow-Methods",
	    "GET, POST, DELETE");
	(void)response_header(resp, "Access-Control-Allow-Headers",
	    "Content-Type, Idempotency-Key, Prefer, X-Request-ID,"
	    " If-None-Match");
	(void)response_header(resp, "Access-Control-Max-Age", "600");
}

static void
dispatch(struct app *app, struct request *req, struct response *resp,
    body_reader *rd, void *arg)
{
	const struct route *route = NULL;
	struct route_arg ra = { NULL, 0 };
	unsigned int allowed;
	char detail[160];
	enum request_error e;
	enum route_match rm;

	/* OPTIONS matches no route: it learns every method the path allows. */
	rm = router_match(routes, sizeof(routes) / sizeof(routes[0]),
	    req->path, req->pathlen, req->method == M_OPTIONS ? 0 :
	    req->method, &route, &ra, &allowed);
	if (rm == ROUTE_NOT_FOUND) {
		request_drain(req, rd, arg);
		response_problem(resp, 404, "not_found", "no such resource");
		return;
	}
	if (req->method == M_OPTIONS) {
		request_drain(req, rd, arg);
		allow_header(resp, "Allow", allowed | M_OPTIONS);
		preflight(app, resp);
		return;
	}
	if (rm == ROUTE_NO_METHOD) {
		request_drain(req, rd, arg);
		allow_header(resp, "Allow", allowed | M_OPTIONS);
		snprintf(detail, sizeof(detail), "%s is not allowed here",
		    req->method == M_OTHER ? "this method" : req->method_name);
		response_problem(resp, 405, "method_not_allowed", detail);
		return;
	}
	if ((req->method & R_BODY) && route->fn == jobs_submit) {
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

/*
 * Route a request, read its body when the route takes one, and call the
 * handler.  Every refusal here is a 4xx with a problem document; the body
 * of a refused request is drained so the client gets the answer.
 */
void
app_handle(struct app *app, struct request *req, struct response *resp,
    body_reader *rd, void *arg)
{
	(void)response_header(resp, "X-Request-ID", req->request_id);
	dispatch(app, req, resp, rd, arg);
	cors(app, req, resp);
}
