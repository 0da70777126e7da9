/*
 * A whole request without a database.  The input is CGI parameters, one
 * "NAME=value" per line, then an empty line, then the body:
 *
 *	REQUEST_METHOD=POST
 *	PATH_INFO=/jobs/echo
 *	CONTENT_LENGTH=2
 *
 *	{}
 *
 * It goes through request_parse, request_read_body with a memory reader
 * that hands out odd-sized pieces, the route table, uuid_parse,
 * job_type_valid, url_base, and then app_handle with a fake store
 * (fake_store.c) and response_head, as the FastCGI loop would.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "app.h"
#include "fuzz.h"
#include "job.h"
#include "log.h"
#include "request.h"
#include "response.h"
#include "router.h"
#include "url.h"
#include "uuid.h"

#define PARAMS_MAX	64
#define BODY_MAX	4096

struct reader {
	const char	*p;
	size_t		 len;
	size_t		 pos;
	size_t		 step;
};

static struct app app;

static void
noop(struct app *a, const struct request *r, struct response *resp,
    const struct route_arg *ra)
{
	(void)a;
	(void)r;
	(void)resp;
	(void)ra;
}

/* The patterns of app.c's table. */
static const struct route routes[] = {
	{ "/jobs/*", M_POST | M_GET | M_HEAD | M_DELETE, noop },
	{ "/jobs/*/cancel", M_POST, noop },
	{ "/jobs/*/status", M_GET | M_HEAD, noop },
	{ "/jobs/*/result", M_GET | M_HEAD, noop },
	{ "/health", M_GET | M_HEAD, noop },
	{ "/metrics", M_GET | M_HEAD, noop },
};

static ssize_t
mem_read(void *arg, char *buf, size_t n)
{
	struct reader *rd = arg;
	size_t left = rd->len - rd->pos;

	if (n > rd->step)
		n = rd->step;
	if (n > left)
		n = left;
	memcpy(buf, rd->p + rd->pos, n);
	rd->pos += n;
	return (ssize_t)n;
}

/* So that valgrind sees nothing left at exit (make valgrind). */
static void
app_done(void)
{
	store_free(app.store);
	app.store = NULL;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz_request");
	memset(&app, 0, sizeof(app));
	app.cfg.max_body = BODY_MAX;
	app.cfg.max_depth = 16;
	app.cfg.db_timeout = 1000;
	app.cfg.max_retry_after = 60;
	app.cfg.max_wait = 0;
	app.cfg.pending_status = 200;
	app.cfg.cors_origin = "https://a.example";
	app.cfg.signing_ttl = 60;
	if ((app.store = store_new(1000, 0)) == NULL)
		abort();
	atexit(app_done);
	return 0;
}

/* Split the input into NUL-terminated parameters and a body. */
static size_t
split(char *text, size_t len, char **envp, size_t *bodyoff)
{
	size_t i = 0, n = 0, end;
	char *nl;

	*bodyoff = len;
	while (i < len) {
		nl = memchr(text + i, '\n', len - i);
		end = nl == NULL ? len : (size_t)(nl - text);
		if (end == i) {
			*bodyoff = i + 1;
			break;
		}
		text[end] = '\0';
		if (n < PARAMS_MAX)
			envp[n++] = text + i;
		i = end + 1;
	}
	envp[n] = NULL;
	return n;
}

static void
direct(char **envp, const char *body, size_t blen, size_t step)
{
	struct request r;
	struct route_arg ra = { NULL, 0 };
	const struct route *found = NULL;
	struct reader rd = { body, blen, 0, step };
	unsigned int allowed;
	char id[UUID_LEN + 1];
	struct buf b;

	if (request_parse(&r, envp) != REQ_OK) {
		request_free(&r);
		return;
	}
	if (router_match(routes, sizeof(routes) / sizeof(routes[0]), r.path,
	    r.pathlen, r.method, &found, &ra, &allowed) == ROUTE_FOUND &&
	    ra.s != NULL) {
		if (uuid_parse(ra.s, ra.len, id) == 0 &&
		    strlen(id) != UUID_LEN)
			abort();
		(void)job_type_valid(ra.s, ra.len);
	}
	(void)request_is_json(&r);
	buf_init(&b, 1024);
	if (url_base(&b, &r, NULL, 1) == BUF_OK && b.len > 0 &&
	    memchr(b.data, '\n', b.len) != NULL)
		abort();
	buf_free(&b);
	if (request_read_body(&r, BODY_MAX, mem_read, &rd) == REQ_OK &&
	    r.body.len > BODY_MAX)
		abort();
	request_free(&r);
}

static void
whole(char **envp, const char *body, size_t blen, size_t step)
{
	struct request r;
	struct response resp;
	struct reader rd = { body, blen, 0, step };
	struct buf head;

	response_init(&resp);
	if (request_parse(&r, envp) == REQ_OK)
		app_handle(&app, &r, &resp, mem_read, &rd);
	else
		response_problem(&resp, 400, "bad_request", "bad request");
	buf_init(&head, RESPONSE_HEADERS_MAX * 2);
	if (response_head(&resp, &head) == BUF_OK &&
	    (head.len < 8 || memcmp(head.data, "Status: ", 8) != 0))
		abort();
	buf_free(&head);
	response_free(&resp);
	request_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *text, *envp[PARAMS_MAX + 1];
	size_t bodyoff, step;

	if (len == 0)
		return 0;
	/* The first byte is how much the reader hands out at a time. */
	step = (size_t)data[0] % 64 + 1;
	if ((text = malloc(len)) == NULL)
		return 0;
	memcpy(text, data + 1, len - 1);
	split(text, len - 1, envp, &bodyoff);
	direct(envp, text + bodyoff, len - 1 - bodyoff, step);
	whole(envp, text + bodyoff, len - 1 - bodyoff, step);
	free(text);
	return 0;
}
