/*
 * Unit tests for cgi/headers.c: Idempotency-Key, Prefer, If-None-Match
 * and the ETags we make.  Every input is copied into a buffer of exactly
 * its length, so that reading past it shows up under valgrind.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "unit.h"

#include "headers.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))
#define P(s)		s, sizeof(s) - 1

/* A copy with no NUL after it. */
static char *
dup_exact(const char *s, size_t len)
{
	char *p;

	p = malloc(len);
	if (len > 0) {
		ck_assert_ptr_nonnull(p);
		memcpy(p, s, len);
	}
	return p;
}

static const struct {
	const char	*s;
	size_t		 len;
	const char	*want;
} idem_ok[] = {
	{ P("\"abc\""), "abc" },
	{ P("  \"abc\"\t "), "abc" },
	{ P("\"a b\""), "a b" },
	{ P("\" \""), " " },
	{ P("\"a\\\"b\""), "a\"b" },
	{ P("\"a\\\\b\""), "a\\b" },
	{ P("\"\\\"\""), "\"" },
	{ P("\"~!#$%&'()*+,-./:;<=>?@[]^_`{|}\""),
	    "~!#$%&'()*+,-./:;<=>?@[]^_`{|}" },
	{ P("abc"), "abc" },
	{ P("\t8e0c9a1c-1f2b-4c3d-9e4f-5a6b7c8d9e0f "),
	    "8e0c9a1c-1f2b-4c3d-9e4f-5a6b7c8d9e0f" },
	{ P("a:b/c=d?e"), "a:b/c=d?e" },
	{ P("x"), "x" },
};

START_TEST(test_idem_ok)
{
	char out[IDEM_KEY_MAX + 1], *in;

	in = dup_exact(idem_ok[_i].s, idem_ok[_i].len);
	ck_assert_msg(idem_key_parse(in, idem_ok[_i].len, out,
	    sizeof(out)) == 0, "case %d refused", _i);
	ck_assert_str_eq(out, idem_ok[_i].want);
	free(in);
}
END_TEST

static const struct {
	const char	*s;
	size_t		 len;
} idem_bad[] = {
	{ P("") },			/* empty */
	{ P("  \t ") },			/* blanks only */
	{ P("\"\"") },			/* an empty sf-string */
	{ P("\"abc") },			/* unterminated */
	{ P("\"") },			/* a lone quote */
	{ P("\"abc\"x") },		/* garbage after the quote */
	{ P("\"abc\" x") },
	{ P("\"abc\"\"") },
	{ P("\"a\"b\"") },
	{ P("\"a\\qb\"") },		/* an escape other than \" and \\ */
	{ P("\"a\\nb\"") },
	{ P("\"abc\\") },		/* a backslash at the end */
	{ P("\"abc\\\"") },		/* the closing quote is escaped */
	{ P("\"a\tb\"") },		/* HTAB is not in an sf-string */
	{ P("\"a\nb\"") },		/* control characters */
	{ P("\"a\x01" "b\"") },
	{ P("\"a\x7f" "b\"") },
	{ P("\"a\0b\"") },
	{ P("\"\xc3\xa9\"") },		/* non-ASCII */
	{ P("a b") },			/* a bare token with a blank */
	{ P("a\tb") },
	{ P("a,b") },			/* a comma */
	{ P("a\"b") },			/* a quote inside a token */
	{ P("a\\b") },			/* a backslash */
	{ P("abc\x01") },
	{ P("abc\x7f") },
	{ P("\xc3\xa9") },
	{ P("a\0b") },
	{ P("\r\nabc") },
};

START_TEST(test_idem_bad)
{
	char out[IDEM_KEY_MAX + 1], *in;

	in = dup_exact(idem_bad[_i].s, idem_bad[_i].len);
	memset(out, 'x', sizeof(out));
	ck_assert_msg(idem_key_parse(in, idem_bad[_i].len, out,
	    sizeof(out)) == -1, "case %d accepted", _i);
	ck_assert_str_eq(out, "");
	free(in);
}
END_TEST

/* 255 characters are kept, 256 are not, counted after unescaping. */
START_TEST(test_idem_length)
{
	char out[IDEM_KEY_MAX + 1], *in, raw[2 * IDEM_KEY_MAX + 8];
	size_t n;

	memset(raw, 'k', sizeof(raw));
	in = dup_exact(raw, 255);
	ck_assert_int_eq(idem_key_parse(in, 255, out, sizeof(out)), 0);
	ck_assert_uint_eq(strlen(out), 255);
	free(in);
	in = dup_exact(raw, 256);
	ck_assert_int_eq(idem_key_parse(in, 256, out, sizeof(out)), -1);
	free(in);

	raw[0] = '"';
	raw[256] = '"';
	in = dup_exact(raw, 257);
	ck_assert_int_eq(idem_key_parse(in, 257, out, sizeof(out)), 0);
	ck_assert_uint_eq(strlen(out), 255);
	free(in);
	raw[257] = '"';
	raw[256] = 'k';
	in = dup_exact(raw, 258);
	ck_assert_int_eq(idem_key_parse(in, 258, out, sizeof(out)), -1);
	free(in);

	/* 255 escaped characters take 510 bytes and still fit. */
	raw[0] = '"';
	for (n = 1; n < 511; n += 2) {
		raw[n] = '\\';
		raw[n + 1] = '\\';
	}
	raw[511] = '"';
	in = dup_exact(raw, 512);
	ck_assert_int_eq(idem_key_parse(in, 512, out, sizeof(out)), 0);
	ck_assert_uint_eq(strlen(out), 255);
	ck_assert_int_eq(out[0], '\\');
	free(in);

	/* Only len bytes count. */
	ck_assert_int_eq(idem_key_parse("abc def", 3, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "abc");
	ck_assert_int_eq(idem_key_parse("\"ab\"x", 4, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "ab");
}
END_TEST

START_TEST(test_idem_args)
{
	char out[IDEM_KEY_MAX + 1];

	ck_assert_int_eq(idem_key_parse("abc", 3, out, IDEM_KEY_MAX), -1);
	ck_assert_int_eq(idem_key_parse("abc", 3, NULL, sizeof(out)), -1);
	ck_assert_int_eq(idem_key_parse(NULL, 0, out, sizeof(out)), -1);
}
END_TEST

static const struct {
	const char	*s;
	size_t		 len;
	int		 wait, repr, minimal, async;
} prefers[] = {
	{ P(""), -1, 0, 0, 0 },
	{ P("wait=10"), 10, 0, 0, 0 },
	{ P("WAIT=10"), 10, 0, 0, 0 },
	{ P("wait = 10"), 10, 0, 0, 0 },
	{ P("wait\t=\t4"), 4, 0, 0, 0 },
	{ P("wait=\"10\""), 10, 0, 0, 0 },
	{ P("wait=0"), 0, 0, 0, 0 },
	{ P("wait=007"), 7, 0, 0, 0 },
	{ P("wait=2147483647"), INT_MAX, 0, 0, 0 },
	{ P("wait=2147483648"), INT_MAX, 0, 0, 0 },
	{ P("wait=99999999999999999999999999"), INT_MAX, 0, 0, 0 },
	/* A malformed value ignores the preference. */
	{ P("wait=-1"), -1, 0, 0, 0 },
	{ P("wait=abc"), -1, 0, 0, 0 },
	{ P("wait=1.5"), -1, 0, 0, 0 },
	{ P("wait=\"\""), -1, 0, 0, 0 },
	{ P("wait=\"1 \""), -1, 0, 0, 0 },
	{ P("wait"), -1, 0, 0, 0 },
	/* The first occurrence wins, even when it is not understood. */
	{ P("wait=5, wait=10"), 5, 0, 0, 0 },
	{ P("wait=5,wait=10"), 5, 0, 0, 0 },
	{ P("wait=abc, wait=10"), -1, 0, 0, 0 },
	{ P("return=minimal, return=representation"), -1, 0, 1, 0 },
	{ P("return=other, return=minimal"), -1, 0, 0, 0 },
	/* A malformed element is skipped as if it were not there. */
	{ P("wait=5 5, wait=10"), 10, 0, 0, 0 },
	{ P("=5, wait=3"), 3, 0, 0, 0 },
	{ P("wait=, wait=3"), 3, 0, 0, 0 },
	{ P("wait=3 x, return=minimal"), -1, 0, 1, 0 },
	{ P("wait=3\x01"), -1, 0, 0, 0 },
	{ P("wait=3\x80"), -1, 0, 0, 0 },
	{ P("wait=3\0"), -1, 0, 0, 0 },
	{ P("wait=\"3"), -1, 0, 0, 0 },
	{ P("wait=\"3\\"), -1, 0, 0, 0 },
	{ P("wait=\"3\x01\""), -1, 0, 0, 0 },
	{ P("wait=4;\"x\""), -1, 0, 0, 0 },
	{ P("wait=4;x=\"y"), -1, 0, 0, 0 },
	{ P("wait=4;x="), -1, 0, 0, 0 },
	{ P("foo=\"unterminated, wait=3"), -1, 0, 0, 0 },
	{ P("foo=\"a\\\", wait=3\", wait=4"), 4, 0, 0, 0 },
	{ P("@, wait=3"), 3, 0, 0, 0 },
	{ P("return=representation"), -1, 1, 0, 0 },
	{ P("return=minimal"), -1, 0, 1, 0 },
	{ P("Return=Minimal"), -1, 0, 1, 0 },
	{ P("return=\"minimal\""), -1, 0, 1, 0 },
	{ P("return=\"mini\\mal\""), -1, 0, 1, 0 },
	{ P("return=minimalist"), -1, 0, 0, 0 },
	{ P("return=\"\""), -1, 0, 0, 0 },
	{ P("return"), -1, 0, 0, 0 },
	{ P("respond-async"), -1, 0, 0, 1 },
	{ P("RESPOND-ASYNC"), -1, 0, 0, 1 },
	{ P("respond-async=\"\""), -1, 0, 0, 1 },
	{ P("respond-async=1"), -1, 0, 0, 0 },
	{ P("respond-async, wait=100"), 100, 0, 0, 1 },
	{ P("Respond-Async ; foo=bar, return=minimal; x"), -1, 0, 1, 1 },
	{ P("foo, bar=baz, wait=3"), 3, 0, 0, 0 },
	{ P("foo=\"a,b\", wait=3"), 3, 0, 0, 0 },
	{ P(", , wait=3 ,,"), 3, 0, 0, 0 },
	{ P("wait=3;"), 3, 0, 0, 0 },
	{ P("wait=3 ; ;x=1 ; y = \"z;,\""), 3, 0, 0, 0 },
	{ P("wait=3;;"), 3, 0, 0, 0 },
	/* Several Prefer lines, joined. */
	{ P("return=minimal, wait=7, respond-async"), 7, 0, 1, 1 },
	{ P("handling=lenient, return=representation; x=1, wait=2"),
	    2, 1, 0, 0 },
};

START_TEST(test_prefer)
{
	struct prefer p;
	char *in;

	in = dup_exact(prefers[_i].s, prefers[_i].len);
	memset(&p, 0x55, sizeof(p));
	prefer_parse(in, prefers[_i].len, &p);
	ck_assert_msg(p.wait == prefers[_i].wait, "case %d: wait %d",
	    _i, p.wait);
	ck_assert_msg(p.return_representation == prefers[_i].repr,
	    "case %d: representation", _i);
	ck_assert_msg(p.return_minimal == prefers[_i].minimal,
	    "case %d: minimal", _i);
	ck_assert_msg(p.respond_async == prefers[_i].async,
	    "case %d: respond-async", _i);
	free(in);
}
END_TEST

START_TEST(test_prefer_bounds)
{
	struct prefer p;

	prefer_parse(NULL, 0, &p);
	ck_assert_int_eq(p.wait, -1);
	ck_assert_int_eq(p.return_minimal, 0);
	/* Only len bytes count. */
	prefer_parse("wait=45", 6, &p);
	ck_assert_int_eq(p.wait, 4);
	prefer_parse("wait=\"4\"", 7, &p);
	ck_assert_int_eq(p.wait, -1);
}
END_TEST

static const struct {
	const char	*s;
	size_t		 len;
	int		 want;
} inms[] = {
	{ P("*"), 1 },
	{ P(" * "), 1 },
	{ P("\"abc\""), 1 },
	{ P("W/\"abc\""), 1 },
	{ P("\"x\", \"abc\""), 1 },
	{ P("\"x\",\"abc\" ,"), 1 },
	{ P(" , W/\"x\",W/\"abc\"\t"), 1 },
	{ P("\"abc\", \"\""), 1 },
	{ P("\"x\""), 0 },
	{ P("\"ABC\""), 0 },
	{ P("\"abc \""), 0 },
	{ P("\"\""), 0 },
	/* Malformed lists never match, even when our tag is in them. */
	{ P(""), 0 },
	{ P(" , "), 0 },
	{ P("abc"), 0 },
	{ P("\"abc"), 0 },
	{ P("\"abc\", garbage"), 0 },
	{ P("\"abc\", \"x"), 0 },
	{ P("\"abc\"x"), 0 },
	{ P("\"abc\" \"abc\""), 0 },
	{ P("W/abc"), 0 },
	{ P("w/\"abc\""), 0 },
	{ P("W\"abc\""), 0 },
	{ P("W/"), 0 },
	{ P("W"), 0 },
	{ P("*, \"abc\""), 0 },
	{ P("\"abc\", *"), 0 },
	{ P("**"), 0 },
	{ P("\"a bc\""), 0 },
	{ P("\"abc\", \"a\x01\""), 0 },
	{ P("\"abc\", \"a\x7f\""), 0 },
	{ P("\"abc\"\0"), 0 },
};

START_TEST(test_inm)
{
	char *in;

	in = dup_exact(inms[_i].s, inms[_i].len);
	ck_assert_msg(etag_matches(in, inms[_i].len, "\"abc\"") ==
	    inms[_i].want, "case %d: want %d", _i, inms[_i].want);
	free(in);
}
END_TEST

START_TEST(test_inm_args)
{
	/* W/ counts on neither side. */
	ck_assert_int_eq(etag_matches(P("\"abc\""), "W/\"abc\""), 1);
	ck_assert_int_eq(etag_matches(P("W/\"abc\""), "W/\"abc\""), 1);
	/* A tag of ours that is not a quoted string matches nothing. */
	ck_assert_int_eq(etag_matches(P("\"abc\""), "abc"), 0);
	ck_assert_int_eq(etag_matches(P("*"), "abc"), 0);
	ck_assert_int_eq(etag_matches(P("\"\""), "\""), 0);
	ck_assert_int_eq(etag_matches(P("\"abc\""), NULL), 0);
	ck_assert_int_eq(etag_matches(NULL, 0, "\"abc\""), 0);
	/* Only len bytes count. */
	ck_assert_int_eq(etag_matches("\"abc\"x", 5, "\"abc\""), 1);
	ck_assert_int_eq(etag_matches("\"abc\"", 4, "\"abc\""), 0);
}
END_TEST

static const struct {
	const char	*data;
	size_t		 len;
	const char	*want;
} etags[] = {
	{ P(""), "\"47DEQpj8HBSa-_TImW-5JA\"" },
	{ P("abc"), "\"ungWv48Bz-pBQUDeXa4iIw\"" },
	{ P("{\"a\":1}"), "\"AVq9f1zFei3ZS3WQ8ErYCA\"" },
};

START_TEST(test_etag_make)
{
	char out[ETAG_LEN + 1], *in;

	in = dup_exact(etags[_i].data, etags[_i].len);
	ck_assert_int_eq(etag_make(out, sizeof(out), in, etags[_i].len), 0);
	ck_assert_str_eq(out, etags[_i].want);
	ck_assert_uint_eq(strlen(out), ETAG_LEN);
	/* What we make, If-None-Match finds. */
	ck_assert_int_eq(etag_matches(out, strlen(out), out), 1);
	free(in);
}
END_TEST

START_TEST(test_etag_make_args)
{
	char out[ETAG_LEN + 1], a[ETAG_LEN + 1];

	ck_assert_int_eq(etag_make(out, ETAG_LEN, "abc", 3), -1);
	ck_assert_int_eq(etag_make(NULL, sizeof(out), "abc", 3), -1);
	ck_assert_int_eq(etag_make(out, sizeof(out), NULL, 3), -1);
	ck_assert_int_eq(etag_make(out, sizeof(out), NULL, 0), 0);
	ck_assert_str_eq(out, etags[0].want);
	ck_assert_int_eq(etag_make(a, sizeof(a), "abd", 3), 0);
	ck_assert_int_eq(etag_make(out, sizeof(out), "abc", 3), 0);
	ck_assert_str_ne(a, out);
}
END_TEST

static Suite *
headers_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("headers");
	tc = tcase_create("core");
	tcase_add_loop_test(tc, test_idem_ok, 0, (int)NITEMS(idem_ok));
	tcase_add_loop_test(tc, test_idem_bad, 0, (int)NITEMS(idem_bad));
	tcase_add_test(tc, test_idem_length);
	tcase_add_test(tc, test_idem_args);
	tcase_add_loop_test(tc, test_prefer, 0, (int)NITEMS(prefers));
	tcase_add_test(tc, test_prefer_bounds);
	tcase_add_loop_test(tc, test_inm, 0, (int)NITEMS(inms));
	tcase_add_test(tc, test_inm_args);
	tcase_add_loop_test(tc, test_etag_make, 0, (int)NITEMS(etags));
	tcase_add_test(tc, test_etag_make_args);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(headers_suite)
