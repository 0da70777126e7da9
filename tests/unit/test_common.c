/*
 * Unit tests for common/: UUIDs, bounded buffers, numbers from the
 * environment, job states and job type names.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "unit.h"

#include "buf.h"
#include "env.h"
#include "job.h"
#include "uuid.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))
#define P(s)		s, sizeof(s) - 1

START_TEST(test_uuid_ok)
{
	static const char lower[] = "0b7c5f3e-1d2a-4c8e-9f00-123456789abc";
	char out[UUID_LEN + 1], *p;

	memset(out, 'z', sizeof(out));
	ck_assert_int_eq(uuid_parse(lower, UUID_LEN, out), 0);
	ck_assert_str_eq(out, lower);
	ck_assert_int_eq(uuid_parse("0B7C5F3E-1D2A-4C8E-9F00-123456789ABC",
	    UUID_LEN, out), 0);
	ck_assert_str_eq(out, lower);
	ck_assert_int_eq(uuid_parse("0b7C5f3E-1d2A-4c8E-9F00-123456789aBc",
	    UUID_LEN, out), 0);
	ck_assert_str_eq(out, lower);

	/* Exactly 36 bytes and no NUL: nothing past them is read. */
	p = malloc(UUID_LEN);
	ck_assert_ptr_nonnull(p);
	memcpy(p, lower, UUID_LEN);
	ck_assert_int_eq(uuid_parse(p, UUID_LEN, out), 0);
	ck_assert_str_eq(out, lower);
	free(p);
}
END_TEST

static const struct {
	const char	*s;
	size_t		 len;
} bad_uuids[] = {
	{ P("0b7c5f3e-1d2a-4c8e-9f00-123456789ab") },
	{ P("0b7c5f3e-1d2a-4c8e-9f00-123456789abcd") },
	{ P("") },
	{ P("0b7c5f3e1d2a-4c8e-9f00-123456789abcd") },
	{ P("0b7c5f3-e1d2a-4c8e-9f00-123456789abc") },
	{ P("0b7c5f3e-1d2a4-c8e-9f00-123456789abc") },
	{ P("0b7c5f3e-1d2a-4c8e9-f00-123456789abc") },
	{ P("0b7c5f3e-1d2a-4c8e-9f00123456789abc-") },
	{ P("0b7c5f3e-1d2a-4c8e-9f00-123456789abg") },
	{ P("g0000000-0000-0000-0000-000000000000") },
	{ P("0b7c5f3e-1d2a-4c8e-9f00-12345678 abc") },
	{ P("0b7c5f3e-1d2a-4c8e-9f00-123456789\0bc") },
	{ P("{b7c5f3e-1d2a-4c8e-9f00-123456789abc}") },
	{ P("0b7c5f3e_1d2a_4c8e_9f00_123456789abc") },
	{ P("0b7c5f3e-1d2a-4c8e-9f00-123456789ab\xc3") },
};

START_TEST(test_uuid_bad)
{
	char out[UUID_LEN + 1];

	ck_assert_msg(uuid_parse(bad_uuids[_i].s, bad_uuids[_i].len, out) ==
	    -1, "case %d accepted", _i);
}
END_TEST

START_TEST(test_uuid_long)
{
	char out[UUID_LEN + 1], *big;

	big = malloc(4096);
	ck_assert_ptr_nonnull(big);
	memset(big, 'a', 4096);
	memcpy(big, "0b7c5f3e-1d2a-4c8e-9f00-123456789abc", UUID_LEN);
	ck_assert_int_eq(uuid_parse(big, 4096, out), -1);
	ck_assert_int_eq(uuid_parse(big, 37, out), -1);
	ck_assert_int_eq(uuid_parse(big, 35, out), -1);
	ck_assert_int_eq(uuid_parse(big, UUID_LEN, out), 0);
	free(big);
}
END_TEST

START_TEST(test_buf)
{
	struct buf b;

	buf_init(&b, 10);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(buf_add(&b, "abc", 3), BUF_OK);
	ck_assert_uint_eq(b.len, 3);
	ck_assert_str_eq(b.data, "abc");
	ck_assert_int_eq(buf_add(&b, "x\0y", 3), BUF_OK);
	ck_assert_uint_eq(b.len, 6);
	ck_assert_mem_eq(b.data, "abcx\0y", 7);
	ck_assert_int_eq(buf_puts(&b, "defg"), BUF_OK);
	ck_assert_uint_eq(b.len, 10);
	ck_assert_int_eq(b.data[10], '\0');
	/* Full: one more byte is too many, nothing changes. */
	ck_assert_int_eq(buf_add(&b, "h", 1), BUF_TOOBIG);
	ck_assert_int_eq(buf_puts(&b, "h"), BUF_TOOBIG);
	ck_assert_int_eq(buf_printf(&b, "%d", 1), BUF_TOOBIG);
	ck_assert_uint_eq(b.len, 10);
	ck_assert_mem_eq(b.data, "abcx\0ydefg", 11);
	ck_assert_int_eq(buf_add(&b, "", 0), BUF_OK);
	ck_assert_int_eq(buf_add(&b, "x", (size_t)-1), BUF_TOOBIG);
	ck_assert_int_eq(buf_reserve(&b, (size_t)-1), BUF_TOOBIG);

	buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(b.data, "");
	ck_assert_int_eq(buf_printf(&b, "%s-%03d", "id", 7), BUF_OK);
	ck_assert_str_eq(b.data, "id-007");
	ck_assert_uint_eq(b.len, 6);
	ck_assert_int_eq(buf_printf(&b, "%s", "12345"), BUF_TOOBIG);
	ck_assert_str_eq(b.data, "id-007");
	ck_assert_int_eq(buf_printf(&b, "%s", "1234"), BUF_OK);
	ck_assert_str_eq(b.data, "id-0071234");
	buf_free(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.max, 10);
	buf_reset(&b);
	buf_free(&b);
}
END_TEST

START_TEST(test_buf_grow)
{
	char chunk[1000];
	struct buf b;
	int i;

	memset(chunk, 'q', sizeof(chunk));
	buf_init(&b, 100000);
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(buf_add(&b, chunk, sizeof(chunk)), BUF_OK);
	ck_assert_uint_eq(b.len, 100000);
	ck_assert_uint_le(b.cap, 100001);
	ck_assert_int_eq(b.data[b.len], '\0');
	ck_assert_int_eq(buf_add(&b, "q", 1), BUF_TOOBIG);
	buf_free(&b);

	buf_init(&b, 0);
	ck_assert_int_eq(buf_add(&b, "", 0), BUF_OK);
	ck_assert_str_eq(b.data, "");
	ck_assert_int_eq(buf_add(&b, "a", 1), BUF_TOOBIG);
	buf_free(&b);
}
END_TEST

START_TEST(test_parse_ulong)
{
	unsigned long v = 42;
	char s[64];

	ck_assert_int_eq(parse_ulong("0", 0, 10, &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(parse_ulong("10", 0, 10, &v), 0);
	ck_assert_uint_eq(v, 10);
	ck_assert_int_eq(parse_ulong("5", 5, 5, &v), 0);
	ck_assert_uint_eq(v, 5);
	snprintf(s, sizeof(s), "%lu", ULONG_MAX);
	ck_assert_int_eq(parse_ulong(s, 0, ULONG_MAX, &v), 0);
	ck_assert_uint_eq(v, ULONG_MAX);

	v = 42;
	ck_assert_int_eq(parse_ulong("4", 5, 10, &v), -1);
	ck_assert_int_eq(parse_ulong("11", 5, 10, &v), -1);
	ck_assert_int_eq(parse_ulong("", 0, 10, &v), -1);
	ck_assert_int_eq(parse_ulong(NULL, 0, 10, &v), -1);
	ck_assert_int_eq(parse_ulong("-1", 0, ULONG_MAX, &v), -1);
	ck_assert_int_eq(parse_ulong("+1", 0, 10, &v), -1);
	ck_assert_int_eq(parse_ulong("1x", 0, 10, &v), -1);
	ck_assert_int_eq(parse_ulong(" 1", 0, 10, &v), -1);
	ck_assert_int_eq(parse_ulong("1 ", 0, 10, &v), -1);
	ck_assert_int_eq(parse_ulong("0x10", 0, 100, &v), -1);
	ck_assert_int_eq(parse_ulong("1.0", 0, 10, &v), -1);
	ck_assert_int_eq(parse_ulong("18446744073709551616", 0, ULONG_MAX,
	    &v), -1);
	ck_assert_int_eq(parse_ulong("99999999999999999999999999", 0,
	    ULONG_MAX, &v), -1);
	/* A refused value leaves the output alone. */
	ck_assert_uint_eq(v, 42);
}
END_TEST

START_TEST(test_env_ulong)
{
	static const char name[] = "RSVP_TEST_ENV_ULONG";
	unsigned long v;

	ck_assert_int_eq(unsetenv(name), 0);
	ck_assert_int_eq(env_ulong(name, 7, 1, 100, &v), 0);
	ck_assert_uint_eq(v, 7);
	ck_assert_int_eq(setenv(name, "", 1), 0);
	ck_assert_int_eq(env_ulong(name, 8, 1, 100, &v), 0);
	ck_assert_uint_eq(v, 8);
	ck_assert_int_eq(setenv(name, "55", 1), 0);
	ck_assert_int_eq(env_ulong(name, 8, 1, 100, &v), 0);
	ck_assert_uint_eq(v, 55);
	ck_assert_int_eq(setenv(name, "100", 1), 0);
	ck_assert_int_eq(env_ulong(name, 8, 1, 100, &v), 0);
	ck_assert_uint_eq(v, 100);

	/* Set but malformed or out of range: an error, not the default. */
	v = 3;
	ck_assert_int_eq(setenv(name, "0", 1), 0);
	ck_assert_int_eq(env_ulong(name, 8, 1, 100, &v), -1);
	ck_assert_int_eq(setenv(name, "101", 1), 0);
	ck_assert_int_eq(env_ulong(name, 8, 1, 100, &v), -1);
	ck_assert_int_eq(setenv(name, "ten", 1), 0);
	ck_assert_int_eq(env_ulong(name, 8, 1, 100, &v), -1);
	ck_assert_int_eq(setenv(name, "-5", 1), 0);
	ck_assert_int_eq(env_ulong(name, 8, 1, 100, &v), -1);
	ck_assert_uint_eq(v, 3);
	ck_assert_int_eq(unsetenv(name), 0);

	ck_assert_int_eq(setenv(name, "x", 1), 0);
	ck_assert_str_eq(env_str(name, "def"), "x");
	ck_assert_int_eq(setenv(name, "", 1), 0);
	ck_assert_str_eq(env_str(name, "def"), "def");
	ck_assert_int_eq(unsetenv(name), 0);
	ck_assert_str_eq(env_str(name, "def"), "def");
}
END_TEST

START_TEST(test_job_state)
{
	static const char *const names[JOB__MAX] = {
		"queued", "running", "succeeded", "failed", "canceled"
	};
	enum job_state s;
	int i;

	for (i = 0; i < JOB__MAX; i++) {
		ck_assert_str_eq(job_state_name((enum job_state)i), names[i]);
		s = JOB__MAX;
		ck_assert_int_eq(job_state_parse(names[i], &s), 0);
		ck_assert_int_eq(s, i);
	}
	s = JOB_RUNNING;
	ck_assert_int_eq(job_state_parse("done", &s), -1);
	ck_assert_int_eq(job_state_parse("", &s), -1);
	ck_assert_int_eq(job_state_parse("Queued", &s), -1);
	ck_assert_int_eq(job_state_parse("queued ", &s), -1);
	ck_assert_int_eq(s, JOB_RUNNING);
	ck_assert_str_eq(job_state_name(JOB__MAX), "unknown");
	ck_assert_str_eq(job_state_name((enum job_state)-1), "unknown");

	ck_assert(!job_state_terminal(JOB_QUEUED));
	ck_assert(!job_state_terminal(JOB_RUNNING));
	ck_assert(job_state_terminal(JOB_SUCCEEDED));
	ck_assert(job_state_terminal(JOB_FAILED));
	ck_assert(job_state_terminal(JOB_CANCELED));
}
END_TEST

START_TEST(test_job_type)
{
	char name[JOB_TYPE_MAX + 2];

	ck_assert(job_type_valid("echo", 4));
	ck_assert(job_type_valid("sha256", 6));
	ck_assert(job_type_valid("a", 1));
	ck_assert(job_type_valid("0", 1));
	ck_assert(job_type_valid("my_type.v2-x", 12));
	/* Only len bytes count. */
	ck_assert(job_type_valid("echo/x", 4));

	memset(name, 'a', sizeof(name));
	ck_assert(job_type_valid(name, JOB_TYPE_MAX));
	ck_assert(!job_type_valid(name, JOB_TYPE_MAX + 1));

	ck_assert(!job_type_valid("", 0));
	ck_assert(!job_type_valid("_echo", 5));
	ck_assert(!job_type_valid(".echo", 5));
	ck_assert(!job_type_valid("-echo", 5));
	ck_assert(!job_type_valid("Echo", 4));
	ck_assert(!job_type_valid("ECHO", 4));
	ck_assert(!job_type_valid("echo/x", 6));
	ck_assert(!job_type_valid("a b", 3));
	ck_assert(!job_type_valid("a\0b", 3));
	ck_assert(!job_type_valid("\xc3\xa9", 2));
	ck_assert(!job_type_valid("a%2f", 4));
}
END_TEST

static Suite *
common_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("common");
	tc = tcase_create("core");
	tcase_add_test(tc, test_uuid_ok);
	tcase_add_loop_test(tc, test_uuid_bad, 0, (int)NITEMS(bad_uuids));
	tcase_add_test(tc, test_uuid_long);
	tcase_add_test(tc, test_buf);
	tcase_add_test(tc, test_buf_grow);
	tcase_add_test(tc, test_parse_ulong);
	tcase_add_test(tc, test_env_ulong);
	tcase_add_test(tc, test_job_state);
	tcase_add_test(tc, test_job_type);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(common_suite)
