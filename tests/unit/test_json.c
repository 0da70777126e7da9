/*
 * Unit tests for cgi/json_check.c: the strict validator for request
 * bodies.  Every document is copied into a buffer of exactly its length
 * with no NUL after it, so valgrind or ASan reports any read past len.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "unit.h"

#include "json_check.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))
#define T(s, e)		{ s, sizeof(s) - 1, e }
#define DEPTH		64

struct tcase {
	const char	*s;
	size_t		 len;
	enum json_error	 want;
};

/* Check (s, len) from a malloc'd copy that has no byte past len. */
static enum json_error
check_exact(const char *s, size_t len, unsigned int max, size_t *where)
{
	enum json_error e;
	char *p;

	p = malloc(len == 0 ? 1 : len);
	ck_assert_ptr_nonnull(p);
	if (len > 0)
		memcpy(p, s, len);
	e = json_check(p, len, max, where);
	free(p);
	return e;
}

static const struct tcase valid[] = {
	T("{}", JSON_OK),
	T("[]", JSON_OK),
	T("0", JSON_OK),
	T("-0", JSON_OK),
	T("7", JSON_OK),
	T("1234567890", JSON_OK),
	T("-12.5e+3", JSON_OK),
	T("1E-2", JSON_OK),
	T("1e5", JSON_OK),
	T("0.5", JSON_OK),
	T("0e0", JSON_OK),
	T("true", JSON_OK),
	T("false", JSON_OK),
	T("null", JSON_OK),
	T("\"\"", JSON_OK),
	T("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", JSON_OK),
	T("\"\\u00e9\\uABCD\\u0041\"", JSON_OK),
	T("\"\\ud83d\\ude00\"", JSON_OK),
	T("\"\\uDBFF\\uDFFF\"", JSON_OK),
	T("\"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\"",
	    JSON_OK),
	T("\"\xed\x9f\xbf \xee\x80\x80 \x7f\"", JSON_OK),
	T(" \t\r\n{\"a\" : [1, 2.0, {\"b\":null}] } \n", JSON_OK),
	T("{\"a\":{\"b\":{\"c\":[true,false,null,\"x\"]}},\"d\":-1}", JSON_OK),
	T("[[], {}, [[]], \"\\u005c\"]", JSON_OK),
	T("  42  ", JSON_OK),
};

START_TEST(test_valid)
{
	const struct tcase *t = &valid[_i];
	size_t where = 99;

	ck_assert_msg(check_exact(t->s, t->len, DEPTH, &where) == JSON_OK,
	    "valid document %d rejected", _i);
	ck_assert_uint_eq(where, t->len);
}
END_TEST

static const struct tcase rejected[] = {
	/* Nothing but white space. */
	T("", JSON_EMPTY),
	T(" ", JSON_EMPTY),
	T("\t\r\n ", JSON_EMPTY),
	/* Syntax. */
	T("'a'", JSON_SYNTAX),
	T("{'a':1}", JSON_SYNTAX),
	T("NaN", JSON_SYNTAX),
	T("[NaN]", JSON_SYNTAX),
	T("Infinity", JSON_SYNTAX),
	T("-Infinity", JSON_SYNTAX),
	T("[1,]", JSON_SYNTAX),
	T("{\"a\":1,}", JSON_SYNTAX),
	T("[,1]", JSON_SYNTAX),
	T("\"a\tb\"", JSON_SYNTAX),
	T("\"\x01\"", JSON_SYNTAX),
	T("\"\x1f\"", JSON_SYNTAX),
	T("\"\\x\"", JSON_SYNTAX),
	T("\"\\U0041\"", JSON_SYNTAX),
	T("\"\\'\"", JSON_SYNTAX),
	T("\"\\u12g4\"", JSON_SYNTAX),
	T("\"\\u12\"", JSON_SYNTAX),
	T("\"\\ud800\\uzzzz\"", JSON_SYNTAX),
	T("[01]", JSON_SYNTAX),
	T("[-01]", JSON_SYNTAX),
	T("[00]", JSON_SYNTAX),
	T("1.", JSON_SYNTAX),
	T("1.e5", JSON_SYNTAX),
	T("1e", JSON_SYNTAX),
	T("1e+", JSON_SYNTAX),
	T("1E-", JSON_SYNTAX),
	T("-", JSON_SYNTAX),
	T("-a", JSON_SYNTAX),
	T(".5", JSON_SYNTAX),
	T("+1", JSON_SYNTAX),
	T("{\"a\" 1}", JSON_SYNTAX),
	T("{1:2}", JSON_SYNTAX),
	T("{\"a\"}", JSON_SYNTAX),
	T("[1 2]", JSON_SYNTAX),
	T("tru", JSON_SYNTAX),
	T("nul", JSON_SYNTAX),
	T("True", JSON_SYNTAX),
	T("fals", JSON_SYNTAX),
	T("]", JSON_SYNTAX),
	T("[}", JSON_SYNTAX),
	T("{]", JSON_SYNTAX),
	T("\"abc", JSON_SYNTAX),
	/* UTF-8 and surrogates. */
	T("\"\xff\"", JSON_UTF8),
	T("\"\x80\"", JSON_UTF8),
	T("\"\xc0\xaf\"", JSON_UTF8),
	T("\"\xc1\xbf\"", JSON_UTF8),
	T("\"\xe0\x80\xaf\"", JSON_UTF8),
	T("\"\xf0\x80\x80\xaf\"", JSON_UTF8),
	T("\"\xed\xa0\x80\"", JSON_UTF8),
	T("\"\xed\xbf\xbf\"", JSON_UTF8),
	T("\"\xe2\x82\"", JSON_UTF8),
	T("\"\xe2\x82", JSON_UTF8),
	T("\"\xc3", JSON_UTF8),
	T("\"\xe2\x82\x41\"", JSON_UTF8),
	T("\"\xf4\x90\x80\x80\"", JSON_UTF8),
	T("\"\xf5\x80\x80\x80\"", JSON_UTF8),
	T("\xff", JSON_UTF8),
	T("\"\\ud800\"", JSON_UTF8),
	T("\"\\udc00\"", JSON_UTF8),
	T("\"\\ud800x\"", JSON_UTF8),
	T("\"\\ud800\\n\"", JSON_UTF8),
	T("\"\\ud800\\u0041\"", JSON_UTF8),
	T("\"\\ud800\\ud800\"", JSON_UTF8),
	T("\"\\ud800", JSON_UTF8),
	/* NUL bytes and \u0000. */
	T("\"\\u0000\"", JSON_NUL),
	T("\"a\0b\"", JSON_NUL),
	T("1\0", JSON_NUL),
	T("{}\0", JSON_NUL),
	T("\0", JSON_NUL),
	T("[\0]", JSON_NUL),
	T("[1,\0]", JSON_NUL),
	T("[1\0]", JSON_NUL),
	T("{\0}", JSON_NUL),
	T("{\"a\":1\0}", JSON_NUL),
	/* Data after the value. */
	T("{} x", JSON_TRAILING),
	T("1 2", JSON_TRAILING),
	T("[]]", JSON_TRAILING),
	T("\"a\"\"b\"", JSON_TRAILING),
	T("truex", JSON_TRAILING),
	T("null null", JSON_TRAILING),
	T("{}{}", JSON_TRAILING),
};

START_TEST(test_rejected)
{
	const struct tcase *t = &rejected[_i];
	enum json_error e;

	e = check_exact(t->s, t->len, DEPTH, NULL);
	ck_assert_msg(e == t->want, "case %d: got %d (%s), want %d (%s)",
	    _i, e, json_strerror(e), t->want, json_strerror(t->want));
}
END_TEST

/* A leading zero is rejected at the top level too, whatever it is called. */
START_TEST(test_leading_zero_top)
{
	ck_assert_int_ne(check_exact("01", 2, DEPTH, NULL), JSON_OK);
	ck_assert_int_ne(check_exact("-01", 3, DEPTH, NULL), JSON_OK);
	ck_assert_int_ne(check_exact("00", 2, DEPTH, NULL), JSON_OK);
}
END_TEST

static const char doc[] =
    "{\"a\":[1,-2.5e+3,true,false,null,\"x\\u00e9\\ud83d\\ude00\xc3\xa9"
    "\xe2\x82\xac\xf0\x9f\x98\x80\"],\"b\":{\"c\":\"\\n\"},\"d\":0.5E-1}";

/* Every proper prefix of a valid document is rejected, never as EMPTY. */
START_TEST(test_truncated)
{
	size_t n, len = sizeof(doc) - 1;
	enum json_error e;

	ck_assert_int_eq(check_exact(doc, len, DEPTH, NULL), JSON_OK);
	for (n = 0; n < len; n++) {
		e = check_exact(doc, n, DEPTH, NULL);
		ck_assert_msg(e != JSON_OK, "prefix of %zu bytes accepted", n);
		if (n > 0)
			ck_assert_msg(e != JSON_EMPTY,
			    "prefix of %zu bytes called empty", n);
	}
}
END_TEST

/* The error offset reported to the client always lies within the input. */
START_TEST(test_where_within_len)
{
	size_t n, where, len = sizeof(doc) - 1;

	for (n = 0; n < len; n++) {
		where = (size_t)-1;
		(void)check_exact(doc, n, DEPTH, &where);
		ck_assert_msg(where <= n,
		    "prefix of %zu bytes: error at offset %zu", n, where);
	}
	where = (size_t)-1;
	ck_assert_int_eq(check_exact("\"\\", 2, DEPTH, &where), JSON_SYNTAX);
	ck_assert_uint_le(where, 2);
}
END_TEST

START_TEST(test_where)
{
	size_t where;

	ck_assert_int_eq(check_exact("{} x", 4, DEPTH, &where), JSON_TRAILING);
	ck_assert_uint_eq(where, 3);
	ck_assert_int_eq(check_exact("[1,]", 4, DEPTH, &where), JSON_SYNTAX);
	ck_assert_uint_eq(where, 3);
	ck_assert_int_eq(check_exact("\"\xff\"", 3, DEPTH, &where), JSON_UTF8);
	ck_assert_uint_eq(where, 1);
}
END_TEST

/* Build n nested arrays (or objects) around a 1. */
static char *
nest(unsigned int n, int object, size_t *len)
{
	size_t i, per = object ? 5 : 1, sz = n * (per + 1) + 1;
	char *p, *q;

	p = malloc(sz);
	ck_assert_ptr_nonnull(p);
	q = p;
	for (i = 0; i < n; i++) {
		if (object) {
			memcpy(q, "{\"a\":", 5);
			q += 5;
		} else
			*q++ = '[';
	}
	*q++ = '1';
	for (i = 0; i < n; i++)
		*q++ = object ? '}' : ']';
	*len = (size_t)(q - p);
	return p;
}

START_TEST(test_depth)
{
	static const char sib[] = "[[],[1],{\"a\":1},{}]";
	unsigned int max;
	size_t len;
	int object;
	char *p;

	for (object = 0; object <= 1; object++) {
		for (max = 1; max <= DEPTH; max += DEPTH - 1) {
			p = nest(max, object, &len);
			ck_assert_int_eq(check_exact(p, len, max, NULL),
			    JSON_OK);
			free(p);
			p = nest(max + 1, object, &len);
			ck_assert_int_eq(check_exact(p, len, max, NULL),
			    JSON_DEPTH);
			free(p);
		}
	}
	/* Depth 0 allows scalars only. */
	ck_assert_int_eq(check_exact("1", 1, 0, NULL), JSON_OK);
	ck_assert_int_eq(check_exact("[]", 2, 0, NULL), JSON_DEPTH);
	/* Siblings do not add up: the depth is that of the deepest path. */
	ck_assert_int_eq(check_exact(sib, sizeof(sib) - 1, 2, NULL), JSON_OK);
}
END_TEST

START_TEST(test_strerror)
{
	int e;

	for (e = 0; e < JSON__MAX; e++) {
		ck_assert_ptr_nonnull(json_strerror((enum json_error)e));
		ck_assert_uint_gt(strlen(json_strerror((enum json_error)e)), 0);
	}
	ck_assert_str_eq(json_strerror(JSON__MAX), "unknown JSON error");
	ck_assert_str_eq(json_strerror(JSON_OK), "valid JSON");
}
END_TEST

static Suite *
json_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("json_check");
	tc = tcase_create("core");
	tcase_add_loop_test(tc, test_valid, 0, (int)NITEMS(valid));
	tcase_add_loop_test(tc, test_rejected, 0, (int)NITEMS(rejected));
	tcase_add_test(tc, test_leading_zero_top);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_where_within_len);
	tcase_add_test(tc, test_where);
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_strerror);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(json_suite)
