/*
 * Out of memory is an error that is handled, never a crash (STYLE.md,
 * Code 4): each allocation of request parsing, body reading and response
 * building is made to fail in turn (failalloc.c), and the code must
 * answer an error or an empty body, and leak nothing (make valgrind runs
 * this suite under memcheck).
 */
#include <string.h>
#include <sys/types.h>

#include <check.h>

#include "unit.h"
#include "buf.h"
#include "doc.h"
#include "failalloc.h"
#include "links.h"
#include "request.h"
#include "response.h"
#include "sign.h"
#include "store.h"

/* Far more allocations than any operation below makes. */
#define ROUNDS_MAX	10000

struct reader {
	const char	*p;
	size_t		 len;
	size_t		 pos;
};

static ssize_t
mem_read(void *arg, char *buf, size_t n)
{
	struct reader *rd = arg;

	if (n > 1000)
		n = 1000;
	if (n > rd->len - rd->pos)
		n = rd->len - rd->pos;
	memcpy(buf, rd->p + rd->pos, n);
	rd->pos += n;
	return (ssize_t)n;
}

static char body[150000];

/* Parse and read one request; returns its error. */
static enum request_error
one_request(int has_length)
{
	static char p0[] = "REQUEST_METHOD=POST", p1[] = "PATH_INFO=/jobs/x",
	    p2[] = "CONTENT_TYPE=application/json", p3[] = "HTTP_X_NONE=1",
	    p4[] = "CONTENT_LENGTH=150000";
	char *envp[] = { p0, p1, p2, has_length ? p4 : p3, NULL };
	struct reader rd = { body, sizeof(body), 0 };
	struct request r;
	enum request_error e;

	e = request_parse(&r, envp);
	if (e == REQ_OK)
		e = request_read_body(&r, sizeof(body) + 10, mem_read, &rd);
	/* No ck_assert here: Check allocates in it, and it is armed. */
	if (e == REQ_OK && r.body.len != sizeof(body))
		e = REQ_SHORT;
	request_free(&r);
	return e;
}

static void
fill_body(void)
{
	memset(body, ' ', sizeof(body));
	body[0] = '[';
	body[sizeof(body) - 1] = ']';
}

START_TEST(test_request_nomem)
{
	enum request_error e;
	unsigned long n;
	int failures = 0;

	fill_body();
	for (n = 1; n < ROUNDS_MAX; n++) {
		failalloc_arm(n);
		e = one_request(_i);
		failalloc_disarm();
		if (!failalloc_fired()) {
			ck_assert_int_eq(e, REQ_OK);
			break;
		}
		ck_assert_msg(e == REQ_NOMEM || e == REQ_OK,
		    "allocation %lu: %s", n, request_strerror(e));
		failures += e == REQ_NOMEM;
	}
	ck_assert_uint_lt(n, ROUNDS_MAX);
	ck_assert_int_gt(failures, 0);
}
END_TEST

START_TEST(test_problem_nomem)
{
	struct response resp;
	unsigned long n;

	for (n = 1; n < ROUNDS_MAX; n++) {
		response_init(&resp);
		failalloc_arm(n);
		response_problem(&resp, 503, "unavailable",
		    "the service is out of memory");
		failalloc_disarm();
		ck_assert_int_eq(resp.status, 503);
		/* A whole document or none. */
		if (resp.body.len > 0)
			ck_assert_msg(resp.body.data[resp.body.len - 1] ==
			    '\n' && strstr(resp.body.data, "\"status\":503") !=
			    NULL, "allocation %lu: %s", n, resp.body.data);
		response_free(&resp);
		if (!failalloc_fired())
			break;
	}
	ck_assert_uint_lt(n, ROUNDS_MAX);
	ck_assert_uint_gt(n, 1);
}
END_TEST

static void
fake_status(struct job_status *js, enum job_state state)
{
	memset(js, 0, sizeof(*js));
	js->id = "0b9e6c9e-2f43-4d53-9a3a-7c1f1f6a2b10";
	js->type = "echo";
	js->state = state;
	js->progress = 40;
	js->message = "resizing";
	js->attempt = 1;
	js->created_at = "2025-01-01T00:00:00Z";
	js->updated_at = "2025-01-01T00:00:01Z";
	js->started_at = "2025-01-01T00:00:01Z";
	if (state == JOB_FAILED) {
		js->finished_at = "2025-01-01T00:00:02Z";
		js->error_code = "boom";
		js->error_message = "it broke";
		js->error_status = 500;
	}
	if (state == JOB_SUCCEEDED) {
		js->finished_at = "2025-01-01T00:00:02Z";
		js->result_type = "application/json";
		js->result = (unsigned char *)"{\"ok\":true}";
		js->result_len = 11;
	}
	js->retry_after = 3;
}

START_TEST(test_doc_nomem)
{
	static const enum job_state states[] = {
		JOB_RUNNING, JOB_FAILED, JOB_SUCCEEDED,
	};
	struct sign_keys keys;
	struct job_status js;
	struct links l;
	struct buf out;
	unsigned long n;
	int rc;

	ck_assert_int_eq(sign_keys_parse("k1:0123456789abcdef0123456789",
	    &keys), SIGN_OK);
	memset(&l, 0, sizeof(l));
	memcpy(l.base, "http://h", 9);
	l.keys = _i % 2 ? &keys : NULL;
	l.expires = 1900000000LL;
	fake_status(&js, states[_i / 2]);
	/*
	 * OpenSSL 3 builds its library context on the first HMAC and does
	 * not survive a failed allocation in there: let it happen first.
	 */
	buf_init(&out, RESPONSE_BODY_MAX);
	ck_assert_int_eq(doc_status(&out, &js, &l, DOC_RESOURCE), BUF_OK);
	buf_free(&out);
	for (n = 1; n < ROUNDS_MAX; n++) {
		buf_init(&out, RESPONSE_BODY_MAX);
		failalloc_arm(n);
		/*
		 * Not DOC_RESULT with a result: json-c 0.16's tokener itself
		 * dereferences NULL when an allocation fails (SECURITY.md).
		 */
		rc = doc_status(&out, &js, &l, js.state == JOB_SUCCEEDED ?
		    DOC_RESOURCE : DOC_RESULT | DOC_RESOURCE);
		failalloc_disarm();
		ck_assert_msg(rc == BUF_OK || rc == BUF_NOMEM,
		    "allocation %lu: %d", n, rc);
		if (rc == BUF_OK)
			ck_assert_ptr_nonnull(strstr(out.data, js.id));
		buf_free(&out);
		if (!failalloc_fired()) {
			ck_assert_int_eq(rc, BUF_OK);
			break;
		}
	}
	ck_assert_uint_lt(n, ROUNDS_MAX);
	sign_keys_clear(&keys);
}
END_TEST

static Suite *
nomem_suite(void)
{
	Suite *s = suite_create("nomem");
	TCase *tc = tcase_create("nomem");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_request_nomem, 0, 2);
	tcase_add_test(tc, test_problem_nomem);
	tcase_add_loop_test(tc, test_doc_nomem, 0, 6);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(nomem_suite)
