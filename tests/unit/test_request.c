/*
 * Unit tests for cgi/request.c: the CGI environment copied into a struct
 * request, the body read through a callback, the JSON media type test.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "unit.h"

#include "request.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))
#define ENV_MAX		16
#define K16		"kkkkkkkkkkkkkkkk"
#define K128		K16 K16 K16 K16 K16 K16 K16 K16

/* The environment of the current test; its strings outlive the request. */
static char	*env[ENV_MAX + 1];
static struct request req;

/*
 * A body in memory, handed out at most chunk bytes per call; with p NULL
 * it never ends, with chunk 0 every read fails.
 */
struct mem {
	const char	*p;
	size_t		 len;
	size_t		 pos;
	size_t		 chunk;
	int		 calls;
};

static void
setup(void)
{
	memset(env, 0, sizeof(env));
	memset(&req, 0, sizeof(req));
}

static void
teardown(void)
{
	size_t i;

	request_free(&req);
	for (i = 0; i < ENV_MAX; i++) {
		free(env[i]);
		env[i] = NULL;
	}
}

/* Parse a request from NAME=value strings, ending with NULL. */
static enum request_error
parse(const char *first, ...)
{
	const char *s;
	va_list ap;
	size_t i = 0;

	va_start(ap, first);
	for (s = first; s != NULL && i < ENV_MAX; s = va_arg(ap, const char *)) {
		env[i] = strdup(s);
		ck_assert_ptr_nonnull(env[i]);
		i++;
	}
	va_end(ap);
	env[i] = NULL;
	return request_parse(&req, env);
}

static ssize_t
mem_read(void *arg, char *dst, size_t n)
{
	struct mem *m = arg;

	m->calls++;
	if (m->chunk == 0)
		return -1;
	if (m->p == NULL) {
		memset(dst, 'x', n);
		return (ssize_t)n;
	}
	if (n > m->chunk)
		n = m->chunk;
	if (n > m->len - m->pos)
		n = m->len - m->pos;
	memcpy(dst, m->p + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static const struct {
	const char	*env;
	unsigned int	 method;
	const char	*name;
} methods[] = {
	{ "REQUEST_METHOD=GET", M_GET, "GET" },
	{ "REQUEST_METHOD=HEAD", M_HEAD, "HEAD" },
	{ "REQUEST_METHOD=POST", M_POST, "POST" },
	{ "REQUEST_METHOD=PUT", M_PUT, "PUT" },
	{ "REQUEST_METHOD=DELETE", M_DELETE, "DELETE" },
	{ "REQUEST_METHOD=PATCH", M_PATCH, "PATCH" },
	{ "REQUEST_METHOD=OPTIONS", M_OPTIONS, "OPTIONS" },
	{ "REQUEST_METHOD=BREW", M_OTHER, "BREW" },
	{ "REQUEST_METHOD=get", M_OTHER, "get" },
	{ "REQUEST_METHOD=", M_OTHER, "" },
	{ "REQUEST_METHOD_X=POST", M_GET, "GET" },
};

START_TEST(test_methods)
{
	ck_assert_int_eq(parse(methods[_i].env, NULL), REQ_OK);
	ck_assert_uint_eq(req.method, methods[_i].method);
	ck_assert_str_eq(req.method_name, methods[_i].name);
}
END_TEST

START_TEST(test_paths)
{
	ck_assert_int_eq(parse("REQUEST_METHOD=GET", NULL), REQ_OK);
	ck_assert_str_eq(req.path, "/");
	ck_assert_uint_eq(req.pathlen, 1);
	ck_assert_str_eq(req.script, "");
	ck_assert_str_eq(req.query, "");
	ck_assert_ptr_null(req.content_type);
	ck_assert_ptr_null(req.host);
	ck_assert_int_eq(req.https, 0);
	teardown();

	ck_assert_int_eq(parse("PATH_INFO=", "SCRIPT_NAME=/rsvp", NULL),
	    REQ_OK);
	ck_assert_str_eq(req.path, "/");
	ck_assert_str_eq(req.script, "/rsvp");
	teardown();

	ck_assert_int_eq(parse("SCRIPT_NAME=/api", "PATH_INFO=/jobs/echo",
	    "QUERY_STRING=wait=5", "CONTENT_TYPE=application/json",
	    "HTTP_HOST=example.org", "SERVER_NAME=srv", "SERVER_PORT=8080",
	    NULL), REQ_OK);
	ck_assert_str_eq(req.path, "/jobs/echo");
	ck_assert_uint_eq(req.pathlen, 10);
	ck_assert_str_eq(req.script, "/api");
	ck_assert_str_eq(req.query, "wait=5");
	ck_assert_str_eq(req.content_type, "application/json");
	ck_assert_str_eq(req.host, "example.org");
	ck_assert_str_eq(req.server_name, "srv");
	ck_assert_str_eq(req.server_port, "8080");
}
END_TEST

static const struct {
	const char	*a;
	const char	*b;
	int		 https;
} schemes[] = {
	{ "HTTPS=on", NULL, 1 },
	{ "HTTPS=ON", NULL, 1 },
	{ "HTTPS=1", NULL, 1 },
	{ "HTTPS=off", NULL, 0 },
	{ "HTTPS=", NULL, 0 },
	{ "REQUEST_SCHEME=https", NULL, 1 },
	{ "REQUEST_SCHEME=HTTPS", NULL, 1 },
	{ "REQUEST_SCHEME=http", NULL, 0 },
	{ "HTTPS=off", "REQUEST_SCHEME=https", 1 },
	{ "PATH_INFO=/", NULL, 0 },
};

START_TEST(test_https)
{
	ck_assert_int_eq(parse(schemes[_i].a, schemes[_i].b, NULL), REQ_OK);
	ck_assert_int_eq(req.https, schemes[_i].https);
}
END_TEST

static const struct {
	const char	*env;
	enum request_error want;
	int		 has_length;
	size_t		 length;
} lengths[] = {
	{ "PATH_INFO=/", REQ_OK, 0, 0 },
	{ "CONTENT_LENGTH=", REQ_OK, 0, 0 },
	{ "CONTENT_LENGTH=12", REQ_OK, 1, 12 },
	{ "CONTENT_LENGTH=0", REQ_OK, 1, 0 },
	{ "CONTENT_LENGTH=9223372036854775807", REQ_OK, 1, SSIZE_MAX },
	{ "CONTENT_LENGTH=abc", REQ_BADLENGTH, 0, 0 },
	{ "CONTENT_LENGTH=-1", REQ_BADLENGTH, 0, 0 },
	{ "CONTENT_LENGTH=+12", REQ_BADLENGTH, 0, 0 },
	{ "CONTENT_LENGTH= 12", REQ_BADLENGTH, 0, 0 },
	{ "CONTENT_LENGTH=12 ", REQ_BADLENGTH, 0, 0 },
	{ "CONTENT_LENGTH=12abc", REQ_BADLENGTH, 0, 0 },
	{ "CONTENT_LENGTH=1.5", REQ_BADLENGTH, 0, 0 },
	{ "CONTENT_LENGTH=9223372036854775808", REQ_BADLENGTH, 0, 0 },
	{ "CONTENT_LENGTH=18446744073709551616", REQ_BADLENGTH, 0, 0 },
	{ "CONTENT_LENGTH=999999999999999999999999999", REQ_BADLENGTH, 0, 0 },
};

START_TEST(test_length)
{
	ck_assert_int_eq(parse(lengths[_i].env, NULL), lengths[_i].want);
	if (lengths[_i].want == REQ_OK) {
		ck_assert_int_eq(req.has_length, lengths[_i].has_length);
		ck_assert_uint_eq(req.content_length, lengths[_i].length);
	}
}
END_TEST

static int
is_hex_id(const char *s)
{
	return strlen(s) == 32 && strspn(s, "0123456789abcdef") == 32;
}

static const struct {
	const char	*env;
	const char	*kept;		/* NULL: replaced by a random id */
} ids[] = {
	{ "HTTP_X_REQUEST_ID=abc-123_X.y/z~", "abc-123_X.y/z~" },
	{ "HTTP_X_REQUEST_ID=" K128, K128 },
	{ "HTTP_X_REQUEST_ID=a b", NULL },
	{ "HTTP_X_REQUEST_ID=a\"b", NULL },
	{ "HTTP_X_REQUEST_ID=a\\b", NULL },
	{ "HTTP_X_REQUEST_ID=a\rb", NULL },
	{ "HTTP_X_REQUEST_ID=a\nb", NULL },
	{ "HTTP_X_REQUEST_ID=a\tb", NULL },
	{ "HTTP_X_REQUEST_ID=a\x7f", NULL },
	{ "HTTP_X_REQUEST_ID=\xc3\xa9", NULL },
	{ "HTTP_X_REQUEST_ID=", NULL },
	{ "HTTP_X_REQUEST_ID=" K128 "k", NULL },
	{ "PATH_INFO=/", NULL },
};

START_TEST(test_request_id)
{
	char first[REQUEST_ID_MAX + 1];

	ck_assert_uint_eq(strlen(K128), REQUEST_ID_MAX);
	ck_assert_int_eq(parse(ids[_i].env, NULL), REQ_OK);
	if (ids[_i].kept != NULL) {
		ck_assert_str_eq(req.request_id, ids[_i].kept);
		return;
	}
	ck_assert_msg(is_hex_id(req.request_id), "case %d: id \"%s\"", _i,
	    req.request_id);
	/* Random, not a constant. */
	memcpy(first, req.request_id, sizeof(first));
	teardown();
	ck_assert_int_eq(parse(ids[_i].env, NULL), REQ_OK);
	ck_assert_str_ne(first, req.request_id);
}
END_TEST

/*
 * Bodies are made of pattern bytes; a data length of SIZE_MAX is an
 * endless body and a chunk of 0 makes every read fail.
 */
static const struct {
	const char	*length;	/* the CONTENT_LENGTH line */
	size_t		 max;
	size_t		 data;
	size_t		 chunk;
	enum request_error want;
	size_t		 len;		/* what the body then holds */
} bodies[] = {
	{ "CONTENT_LENGTH=17", 17, 17, 5, REQ_OK, 17 },
	{ "CONTENT_LENGTH=100", 100, 100, 1000, REQ_OK, 100 },
	{ "CONTENT_LENGTH=5", 100, 17, 1000, REQ_OK, 5 },
	{ "CONTENT_LENGTH=0", 100, 17, 1000, REQ_OK, 0 },
	{ "CONTENT_LENGTH=40", 100, 17, 3, REQ_SHORT, 17 },
	{ "CONTENT_LENGTH=17", 16, 17, 1000, REQ_TOOBIG, 0 },
	{ "CONTENT_LENGTH=", 16, 17, 4, REQ_TOOBIG, 17 },
	{ "CONTENT_LENGTH=", 16, 16, 4, REQ_OK, 16 },
	{ "PATH_INFO=/", 100000, SIZE_MAX, SIZE_MAX, REQ_TOOBIG, 100001 },
	{ "PATH_INFO=/", 70000, 70000, SIZE_MAX, REQ_OK, 70000 },
	{ "PATH_INFO=/", 100, 17, 1000, REQ_OK, 17 },
	{ "CONTENT_LENGTH=3", 100, 17, 0, REQ_READ, 0 },
};

START_TEST(test_body)
{
	struct mem m;
	size_t i, n;
	char *data;

	n = bodies[_i].data == SIZE_MAX ? 0 : bodies[_i].data;
	data = malloc(n + 1);
	ck_assert_ptr_nonnull(data);
	for (i = 0; i < n; i++)
		data[i] = (char)('a' + i % 26);
	m = (struct mem){ bodies[_i].data == SIZE_MAX ? NULL : data, n, 0,
	    bodies[_i].chunk, 0 };
	ck_assert_int_eq(parse(bodies[_i].length, NULL), REQ_OK);
	ck_assert_int_eq(request_read_body(&req, bodies[_i].max, mem_read,
	    &m), bodies[_i].want);
	ck_assert_uint_eq(req.body.len, bodies[_i].len);
	if (req.body.len > 0) {
		if (m.p != NULL)
			ck_assert_mem_eq(req.body.data, data, req.body.len);
		ck_assert_int_eq(req.body.data[req.body.len], '\0');
	}
	/* A length that is too big, or zero, is known without reading. */
	if (req.has_length && (req.content_length == 0 ||
	    req.content_length > bodies[_i].max))
		ck_assert_int_eq(m.calls, 0);
	free(data);
}
END_TEST

START_TEST(test_drain)
{
	static const char body[] = "{\"hello\":\"world\"}";
	struct mem m = { body, sizeof(body) - 1, 0, 4, 0 };
	struct mem e = { NULL, 0, 0, SIZE_MAX, 0 };

	ck_assert_int_eq(parse("CONTENT_LENGTH=17", NULL), REQ_OK);
	request_drain(&req, mem_read, &m);
	ck_assert_uint_eq(m.pos, m.len);
	teardown();

	m.pos = 0;
	m.calls = 0;
	ck_assert_int_eq(parse("CONTENT_LENGTH=0", NULL), REQ_OK);
	request_drain(&req, mem_read, &m);
	ck_assert_int_eq(m.calls, 0);
	teardown();

	/* An endless body is drained up to a cap, not forever. */
	ck_assert_int_eq(parse("REQUEST_METHOD=POST", NULL), REQ_OK);
	request_drain(&req, mem_read, &e);
	ck_assert_int_gt(e.calls, 0);
}
END_TEST

static const char *const json_types[] = {
	"application/json", "APPLICATION/JSON", "Application/Json",
	"application/json; charset=utf-8", "application/json;charset=utf-8",
	" application/json", "application/problem+json",
	"application/vnd.api+json; ext=x", "application/PROBLEM+JSON",
};

static const char *const other_types[] = {
	"text/plain", "text/json", "text/x+json", "application/jsonx",
	"application/json-patch", "application/+json", "application/xml",
	"application/json+xml", "application", "applicationx/json", "",
};

START_TEST(test_is_json)
{
	struct request r;
	size_t i;

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(request_is_json(&r), 0);
	for (i = 0; i < NITEMS(json_types); i++) {
		r.content_type = json_types[i];
		ck_assert_msg(request_is_json(&r) == 1, "\"%s\" refused",
		    json_types[i]);
	}
	for (i = 0; i < NITEMS(other_types); i++) {
		r.content_type = other_types[i];
		ck_assert_msg(request_is_json(&r) == 0, "\"%s\" accepted",
		    other_types[i]);
	}
}
END_TEST

START_TEST(test_param_and_strerror)
{
	char a[] = "PATH_INFOX=/x", b[] = "PATH_INFO=/y";
	char *e[] = { a, b, NULL };
	int i;

	ck_assert_str_eq(request_param(e, "PATH_INFO"), "/y");
	ck_assert_ptr_null(request_param(e, "PATH"));
	ck_assert_ptr_null(request_param(NULL, "PATH_INFO"));
	for (i = 0; i < REQ__MAX; i++)
		ck_assert_uint_gt(strlen(request_strerror(
		    (enum request_error)i)), 0);
	ck_assert_str_eq(request_strerror(REQ__MAX), "unknown request error");
}
END_TEST

static Suite *
request_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("request");
	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_methods, 0, (int)NITEMS(methods));
	tcase_add_test(tc, test_paths);
	tcase_add_loop_test(tc, test_https, 0, (int)NITEMS(schemes));
	tcase_add_loop_test(tc, test_length, 0, (int)NITEMS(lengths));
	tcase_add_loop_test(tc, test_request_id, 0, (int)NITEMS(ids));
	tcase_add_loop_test(tc, test_body, 0, (int)NITEMS(bodies));
	tcase_add_test(tc, test_drain);
	tcase_add_test(tc, test_is_json);
	tcase_add_test(tc, test_param_and_strerror);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(request_suite)
