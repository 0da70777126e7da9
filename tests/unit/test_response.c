/*
 * Unit tests for cgi/response.c: header lines that no client text can
 * split, the CGI response head, RFC 9457 problem documents.
 */
#include <string.h>

#include <check.h>

#include "unit.h"
#include <json-c/json.h>

#include "buf.h"
#include "response.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

static struct response resp;

static void
setup(void)
{
	response_init(&resp);
}

static void
teardown(void)
{
	response_free(&resp);
}

START_TEST(test_header_ok)
{
	static const char want[] = "X-Request-ID: abc\r\n"
	    "Location: http://h/jobs/x\r\nX-Tab: a\tb\r\nX-Empty: \r\n"
	    "X-Utf8: \xc3\xa9\r\nwww-authenticate-2: x\r\n";

	ck_assert_int_eq(resp.status, 200);
	ck_assert_uint_eq(resp.headers_len, 0);
	ck_assert_int_eq(response_header(&resp, "X-Request-ID", "abc"), 0);
	ck_assert_int_eq(response_header(&resp, "Location",
	    "http://h/jobs/x"), 0);
	ck_assert_int_eq(response_header(&resp, "X-Tab", "a\tb"), 0);
	ck_assert_int_eq(response_header(&resp, "X-Empty", ""), 0);
	ck_assert_int_eq(response_header(&resp, "X-Utf8", "\xc3\xa9"), 0);
	ck_assert_int_eq(response_header(&resp, "www-authenticate-2", "x"), 0);
	ck_assert_uint_eq(resp.headers_len, sizeof(want) - 1);
	ck_assert_mem_eq(resp.headers, want, sizeof(want) - 1);
}
END_TEST

static const struct {
	const char	*name;
	const char	*value;
} bad_headers[] = {
	{ "X-A", "a\rb" },
	{ "X-A", "a\nb" },
	{ "X-A", "a\r\nSet-Cookie: x=1" },
	{ "X-A", "\r\n" },
	{ "X-A", "a\x01" },
	{ "X-A", "\x1f" },
	{ "X-A", "\x0b" },
	{ "X-A", "a\x7f" },
	{ "", "a" },
	{ "A B", "a" },
	{ "A:B", "a" },
	{ "A\r\nB", "a" },
	{ "A_B", "a" },
	{ "A\tB", "a" },
	{ "\xc3\xa9", "a" },
};

START_TEST(test_header_bad)
{
	ck_assert_int_eq(response_header(&resp, "X-First", "1"), 0);
	ck_assert_msg(response_header(&resp, bad_headers[_i].name,
	    bad_headers[_i].value) == -1, "case %d accepted", _i);
	ck_assert_uint_eq(resp.headers_len, strlen("X-First: 1\r\n"));
	ck_assert_mem_eq(resp.headers, "X-First: 1\r\n", resp.headers_len);
}
END_TEST

START_TEST(test_header_overflow)
{
	char value[1001], before[RESPONSE_HEADERS_MAX];
	size_t len;
	int i;

	memset(value, 'v', 1000);
	value[1000] = '\0';
	/* Four lines of 1010 bytes fit, a fifth does not. */
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(response_header(&resp, "X-Fill", value), 0);
	len = resp.headers_len;
	ck_assert_uint_eq(len, 4 * 1010);
	memcpy(before, resp.headers, len);
	ck_assert_int_eq(response_header(&resp, "X-Fill", value), -1);
	ck_assert_uint_eq(resp.headers_len, len);
	ck_assert_mem_eq(resp.headers, before, len);

	/* 56 bytes are left: a 55-byte line fits, a 56-byte one does not. */
	value[49] = '\0';
	ck_assert_int_eq(response_header(&resp, "X-B", value), -1);
	ck_assert_uint_eq(resp.headers_len, len);
	ck_assert_mem_eq(resp.headers, before, len);
	value[48] = '\0';
	ck_assert_int_eq(response_header(&resp, "X-B", value), 0);
	ck_assert_uint_eq(resp.headers_len, len + 55);
	ck_assert_mem_eq(resp.headers, before, len);
	ck_assert_int_eq(response_header(&resp, "X", ""), -1);
	ck_assert_uint_eq(resp.headers_len, RESPONSE_HEADERS_MAX - 1);
	ck_assert_mem_eq(resp.headers + len, "X-B: ", 5);
	ck_assert_mem_eq(resp.headers + len + 53, "\r\n", 2);
}
END_TEST

static void
head_is(const char *want)
{
	struct buf out;

	buf_init(&out, 65536);
	ck_assert_int_eq(response_head(&resp, &out), BUF_OK);
	ck_assert_ptr_nonnull(out.data);
	ck_assert_str_eq(out.data, want);
	ck_assert_uint_eq(out.len, strlen(want));
	buf_free(&out);
}

START_TEST(test_head)
{
	struct buf small;

	resp.status = 202;
	resp.content_type = "application/json";
	ck_assert_int_eq(buf_puts(&resp.body, "{\"id\":1}\n"), BUF_OK);
	ck_assert_int_eq(response_header(&resp, "Location", "/jobs/1"), 0);
	head_is("Status: 202 Accepted\r\nContent-Type: application/json\r\n"
	    "Content-Length: 9\r\nLocation: /jobs/1\r\n\r\n");

	/* The head is refused whole when the buffer is too small. */
	buf_init(&small, 20);
	ck_assert_int_eq(response_head(&resp, &small), BUF_TOOBIG);
	buf_free(&small);
}
END_TEST

START_TEST(test_head_no_length)
{
	resp.status = 204;
	head_is("Status: 204 No Content\r\n\r\n");
	resp.status = 304;
	ck_assert_int_eq(response_header(&resp, "ETag", "\"x\""), 0);
	head_is("Status: 304 Not Modified\r\nETag: \"x\"\r\n\r\n");
	resp.status = 200;
	resp.headers_len = 0;
	head_is("Status: 200 OK\r\nContent-Length: 0\r\n\r\n");
}
END_TEST

/* Parse the problem body and check its members. */
static void
problem_is(int status, const char *title, const char *code,
    const char *detail)
{
	struct json_object *o, *v, *e;

	ck_assert_int_eq(resp.status, status);
	ck_assert_str_eq(resp.content_type, "application/problem+json");
	ck_assert_uint_gt(resp.body.len, 0);
	ck_assert_int_eq(resp.body.data[resp.body.len - 1], '\n');
	o = json_tokener_parse(resp.body.data);
	ck_assert_ptr_nonnull(o);
	ck_assert(json_object_is_type(o, json_type_object));
	ck_assert(json_object_object_get_ex(o, "type", &v));
	ck_assert_str_eq(json_object_get_string(v), "about:blank");
	ck_assert(json_object_object_get_ex(o, "title", &v));
	ck_assert_str_eq(json_object_get_string(v), title);
	ck_assert(json_object_object_get_ex(o, "status", &v));
	ck_assert(json_object_is_type(v, json_type_int));
	ck_assert_int_eq(json_object_get_int(v), status);
	ck_assert(json_object_object_get_ex(o, "detail", &v));
	ck_assert_str_eq(json_object_get_string(v), detail);
	ck_assert(json_object_object_get_ex(o, "error", &e));
	ck_assert(json_object_is_type(e, json_type_object));
	ck_assert(json_object_object_get_ex(e, "code", &v));
	ck_assert_str_eq(json_object_get_string(v), code);
	ck_assert(json_object_object_get_ex(e, "message", &v));
	ck_assert_str_eq(json_object_get_string(v), detail);
	json_object_put(o);
}

START_TEST(test_problem)
{
	ck_assert_int_eq(buf_puts(&resp.body, "old body"), BUF_OK);
	resp.content_type = "text/plain";
	response_problem(&resp, 404, "not_found", "no such job");
	problem_is(404, "Not Found", "not_found", "no such job");
	ck_assert_ptr_null(strstr(resp.body.data, "old body"));

	response_problem(&resp, 422, "invalid_input", "bad");
	problem_is(422, "Unprocessable Content", "invalid_input", "bad");
}
END_TEST

START_TEST(test_problem_escaped)
{
	static const char detail[] = "say \"hi\"\n\x01\t\\ </x> \xc3\xa9";
	size_t i;

	response_problem(&resp, 400, "in\"valid", detail);
	problem_is(400, "Bad Request", "in\"valid", detail);
	/* Only the final newline is a raw control character. */
	for (i = 0; i + 1 < resp.body.len; i++)
		ck_assert_msg((unsigned char)resp.body.data[i] >= 0x20,
		    "raw control character at %zu", i);
}
END_TEST

START_TEST(test_content_type)
{
	char long_type[200];

	ck_assert_int_eq(response_content_type(&resp,
	    "text/plain; charset=utf-8"), 0);
	ck_assert_str_eq(resp.content_type, "text/plain; charset=utf-8");
	ck_assert_ptr_eq(resp.content_type, resp.ctype);

	memset(long_type, 'a', sizeof(long_type));
	long_type[127] = '\0';
	ck_assert_int_eq(response_content_type(&resp, long_type), 0);
	ck_assert_str_eq(resp.content_type, long_type);
	ck_assert_int_eq(response_content_type(&resp, "text/csv"), 0);

	long_type[127] = 'a';
	long_type[128] = '\0';
	ck_assert_int_eq(response_content_type(&resp, long_type), -1);
	long_type[199] = '\0';
	ck_assert_int_eq(response_content_type(&resp, long_type), -1);
	ck_assert_int_eq(response_content_type(&resp, ""), -1);
	ck_assert_int_eq(response_content_type(&resp, "text/plain\r\nX: y"),
	    -1);
	ck_assert_int_eq(response_content_type(&resp, "text/plain\n"), -1);
	ck_assert_int_eq(response_content_type(&resp, "text/plain\r"), -1);
	ck_assert_int_eq(response_content_type(&resp, "a\tb"), -1);
	ck_assert_int_eq(response_content_type(&resp, "a\x7f"), -1);
	ck_assert_int_eq(response_content_type(&resp, "text/\xc3\xa9"), -1);
	/* A refused type leaves the previous one. */
	ck_assert_str_eq(resp.content_type, "text/csv");
}
END_TEST

static const struct {
	int		 code;
	const char	*reason;
} reasons[] = {
	{ 200, "OK" },
	{ 202, "Accepted" },
	{ 204, "No Content" },
	{ 303, "See Other" },
	{ 304, "Not Modified" },
	{ 400, "Bad Request" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 413, "Content Too Large" },
	{ 415, "Unsupported Media Type" },
	{ 422, "Unprocessable Content" },
	{ 500, "Internal Server Error" },
	{ 503, "Service Unavailable" },
	{ 418, "Client Error" },
	{ 599, "Server Error" },
	{ 100, "Unknown" },
	{ 302, "Unknown" },
};

START_TEST(test_reason)
{
	ck_assert_str_eq(http_reason(reasons[_i].code), reasons[_i].reason);
}
END_TEST

static Suite *
response_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("response");
	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_header_ok);
	tcase_add_loop_test(tc, test_header_bad, 0, (int)NITEMS(bad_headers));
	tcase_add_test(tc, test_header_overflow);
	tcase_add_test(tc, test_head);
	tcase_add_test(tc, test_head_no_length);
	tcase_add_test(tc, test_problem);
	tcase_add_test(tc, test_problem_escaped);
	tcase_add_test(tc, test_content_type);
	tcase_add_loop_test(tc, test_reason, 0, (int)NITEMS(reasons));
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(response_suite)
