/*
 * Unit tests for common/sign.c: the RSVP_SIGNING_KEY list, and signed,
 * expiring job URLs that must not survive any change.  Every query is
 * copied into a buffer of exactly its length, so that reading past it
 * shows up under valgrind.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "unit.h"

#include "sign.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

#define S1	"0123456789abcdef"
#define S2	"fedcba9876543210fedc"
#define S3	"another secret: of some length"
#define ID	"0b5f6a2e-8d4c-4a1b-9f3e-2c7d8e9fa0b1"
#define NOW	1700000000LL
#define EXP	1893456000LL

static enum sign_error
verify(const struct sign_keys *k, enum sign_scope scope, const char *id,
    const char *q, long long now)
{
	enum sign_error e;
	size_t len = strlen(q);
	char *p;

	p = malloc(len);
	if (len > 0) {
		ck_assert_ptr_nonnull(p);
		memcpy(p, q, len);
	}
	e = sign_verify(k, scope, id, p, len, now);
	free(p);
	return e;
}

/* The verdict on a query, and the common case: status, ID, now. */
#define EXPECT(k, sc, id, q, now, want) \
	ck_assert_int_eq(verify((k), (sc), (id), (q), (now)), (want))
#define STATUS(k, q, want)	EXPECT((k), SCOPE_STATUS, ID, (q), NOW, (want))
#define NOQUERY(k, sc, id, exp, q, len) \
	ck_assert_int_eq(sign_query((k), (sc), (id), (exp), (q), (len)), -1)

static void
keys(struct sign_keys *k, const char *spec)
{
	ck_assert_int_eq(sign_keys_parse(spec, k), SIGN_OK);
}

static void
sign(const struct sign_keys *k, enum sign_scope scope, const char *id,
    long long exp, char *q, size_t qlen)
{
	ck_assert_int_eq(sign_query(k, scope, id, exp, q, qlen), 0);
}

static const struct {
	const char	*spec;
	size_t		 n;
	const char	*kid;		/* the signing key's */
	const char	*secret;
} parse_ok[] = {
	{ "k1:" S1, 1, "k1", S1 },
	{ S1, 1, "k0", S1 },
	{ "correct horse battery staple", 1, "k0",
	    "correct horse battery staple" },
	{ "a:" S1 ",b:" S2, 2, "a", S1 },
	{ "new:" S2 ",old:" S1 ",older:" S3, 3, "new", S2 },
	{ "k:abc:def:ghijklmnop", 1, "k", "abc:def:ghijklmnop" },
	{ "K_-9:" S1, 1, "K_-9", S1 },
	{ "k1:" S3, 1, "k1", S3 },
};

START_TEST(test_parse_ok)
{
	struct sign_keys k;

	keys(&k, parse_ok[_i].spec);
	ck_assert_uint_eq(k.n, parse_ok[_i].n);
	ck_assert_str_eq(k.keys[0].kid, parse_ok[_i].kid);
	ck_assert_uint_eq(k.keys[0].secretlen, strlen(parse_ok[_i].secret));
	ck_assert_mem_eq(k.keys[0].secret, parse_ok[_i].secret,
	    k.keys[0].secretlen);
	sign_keys_clear(&k);
	ck_assert_uint_eq(k.n, 0);
}
END_TEST

static const struct {
	const char	*spec;
	enum sign_error	 want;
} parse_bad[] = {
	{ NULL, SIGN_EMPTY },
	{ "", SIGN_EMPTY },
	{ ",k1:" S1, SIGN_EMPTY },
	{ "k1:" S1 ",", SIGN_EMPTY },
	{ "k1:" S1 ",,k2:" S2, SIGN_EMPTY },
	{ ":" S1, SIGN_BADKID },
	{ "k.1:" S1, SIGN_BADKID },
	{ "k 1:" S1, SIGN_BADKID },
	{ " k1:" S1, SIGN_BADKID },
	{ "k\xc3\xa9:" S1, SIGN_BADKID },
	{ S1 "," S2, SIGN_BADKID },
	{ "k1:" S1 "," S2, SIGN_BADKID },
	{ "k1:", SIGN_BADSECRET },
	{ "k1:,k2:" S2, SIGN_BADSECRET },
	{ "k1:short", SIGN_WEAK },
	{ "short", SIGN_WEAK },
	{ "k1:0123456789abcde", SIGN_WEAK },
	{ "k1:" S1 ",k2:short", SIGN_WEAK },
	{ "k1:" S1 ",k1:" S2, SIGN_DUPKID },
	{ "a:" S1 ",b:" S2 ",a:" S3, SIGN_DUPKID },
};

START_TEST(test_parse_bad)
{
	struct sign_keys k;

	ck_assert_msg(sign_keys_parse(parse_bad[_i].spec, &k) ==
	    parse_bad[_i].want, "case %d", _i);
	/* Nothing of a refused list is kept. */
	ck_assert_uint_eq(k.n, 0);
}
END_TEST

START_TEST(test_parse_limits)
{
	struct sign_keys k;
	char spec[4096], s[300];
	size_t i, o;

	/* Eight keys are allowed, nine are not. */
	for (i = 0, o = 0; i < 9; i++)
		o += (size_t)snprintf(spec + o, sizeof(spec) - o, "%sk%zu:%s",
		    i == 0 ? "" : ",", i, S1);
	ck_assert_int_eq(sign_keys_parse(spec, &k), SIGN_TOOMANY);
	ck_assert_uint_eq(k.n, 0);
	*strrchr(spec, ',') = '\0';
	keys(&k, spec);
	ck_assert_uint_eq(k.n, 8);
	ck_assert_str_eq(k.keys[7].kid, "k7");

	/* A kid of 32 characters, and of 33. */
	memset(s, 'K', 33);
	s[33] = '\0';
	snprintf(spec, sizeof(spec), "%s:%s", s, S1);
	ck_assert_int_eq(sign_keys_parse(spec, &k), SIGN_BADKID);
	snprintf(spec, sizeof(spec), "%s:%s", s + 1, S1);
	keys(&k, spec);
	ck_assert_uint_eq(strlen(k.keys[0].kid), 32);

	/* A secret of 256 bytes, and of 257. */
	memset(s, 's', 257);
	s[257] = '\0';
	snprintf(spec, sizeof(spec), "k:%s", s);
	ck_assert_int_eq(sign_keys_parse(spec, &k), SIGN_BADSECRET);
	ck_assert_int_eq(sign_keys_parse(s, &k), SIGN_BADSECRET);
	snprintf(spec, sizeof(spec), "k:%s", s + 1);
	keys(&k, spec);
	ck_assert_uint_eq(k.keys[0].secretlen, 256);
	keys(&k, s + 1);
	ck_assert_str_eq(k.keys[0].kid, "k0");
}
END_TEST

START_TEST(test_strerror)
{
	int i, j;

	for (i = 0; i < SIGN__MAX; i++) {
		ck_assert_ptr_nonnull(sign_strerror(i));
		ck_assert_uint_gt(strlen(sign_strerror(i)), 0);
		for (j = 0; j < i; j++)
			ck_assert_str_ne(sign_strerror(i), sign_strerror(j));
	}
	ck_assert_ptr_nonnull(strstr(sign_strerror(SIGN_WEAK), "16"));
	ck_assert_str_eq(sign_strerror(SIGN__MAX), "unknown signature error");
	ck_assert_str_eq(sign_strerror((enum sign_error)-1),
	    "unknown signature error");
	ck_assert_str_eq(sign_scope_name(SCOPE_STATUS), "status");
	ck_assert_str_eq(sign_scope_name(SCOPE_RESULT), "result");
	ck_assert_str_eq(sign_scope_name(SCOPE_CANCEL), "cancel");
	ck_assert_ptr_null(sign_scope_name(SCOPE__MAX));
}
END_TEST

/* HMAC-SHA256(S1, "rsvp1\nstatus\n" ID "\n1893456000"), from Python. */
#define SIGV	"U3OKvclNH5V-XB6r3kNoKJ5wYmdjQInsivAzIhuO4s0"
#define REST	"kid=k0&sig=" SIGV
#define KNOWN	"exp=1893456000&" REST

START_TEST(test_known_answer)
{
	struct sign_keys k;
	char q[SIGN_QUERY_LEN];

	keys(&k, S1);
	sign(&k, SCOPE_STATUS, ID, EXP, q, sizeof(q));
	ck_assert_str_eq(q, KNOWN);
	STATUS(&k, KNOWN, SIGN_OK);
}
END_TEST

/* Each scope's signature opens that scope and no other. */
START_TEST(test_scopes)
{
	struct sign_keys k;
	char q[SIGN_QUERY_LEN];
	int s;

	keys(&k, "a:" S1 ",b:" S2);
	sign(&k, (enum sign_scope)_i, ID, EXP, q, sizeof(q));
	ck_assert_uint_eq(strlen(strstr(q, "sig=") + 4), SIGN_SIG_LEN);
	for (s = 0; s < SCOPE__MAX; s++)
		ck_assert_int_eq(verify(&k, (enum sign_scope)s, ID, q, NOW),
		    s == _i ? SIGN_OK : SIGN_BAD);
}
END_TEST

/* A sig from the result URL pasted into the status URL. */
START_TEST(test_swapped)
{
	struct sign_keys k;
	char qs[SIGN_QUERY_LEN], qr[SIGN_QUERY_LEN];

	keys(&k, S1);
	sign(&k, SCOPE_STATUS, ID, EXP, qs, sizeof(qs));
	sign(&k, SCOPE_RESULT, ID, EXP, qr, sizeof(qr));
	ck_assert_str_ne(qs, qr);
	memcpy(strstr(qs, "sig=") + 4, strstr(qr, "sig=") + 4, SIGN_SIG_LEN);
	STATUS(&k, qs, SIGN_BAD);
	EXPECT(&k, SCOPE_RESULT, ID, qs, NOW, SIGN_OK);
}
END_TEST

/* Whichever key is listed first signs, and every listed key verifies. */
START_TEST(test_each_key)
{
	static const char *const specs[] = {
		"a:" S1 ",b:" S2 ",c:" S3,
		"b:" S2 ",c:" S3 ",a:" S1,
		"c:" S3 ",a:" S1 ",b:" S2,
	};
	static const char *const kids[] = { "kid=a&", "kid=b&", "kid=c&" };
	struct sign_keys all, k;
	char q[SIGN_QUERY_LEN];

	keys(&all, specs[0]);
	keys(&k, specs[_i]);
	sign(&k, SCOPE_CANCEL, ID, EXP, q, sizeof(q));
	ck_assert_ptr_nonnull(strstr(q, kids[_i]));
	EXPECT(&all, SCOPE_CANCEL, ID, q, NOW, SIGN_OK);
	EXPECT(&k, SCOPE_CANCEL, ID, q, NOW, SIGN_OK);
}
END_TEST

START_TEST(test_rotation)
{
	struct sign_keys k;
	char q[SIGN_QUERY_LEN];

	keys(&k, "old:" S1);
	sign(&k, SCOPE_RESULT, ID, EXP, q, sizeof(q));
	/* A new key in front: old URLs still work. */
	keys(&k, "new:" S2 ",old:" S1);
	EXPECT(&k, SCOPE_RESULT, ID, q, NOW, SIGN_OK);
	/* The old key removed: they do not. */
	keys(&k, "new:" S2);
	EXPECT(&k, SCOPE_RESULT, ID, q, NOW, SIGN_BAD);
	/* The same kid with another secret does not verify either. */
	keys(&k, "new:" S2 ",old:" S3);
	EXPECT(&k, SCOPE_RESULT, ID, q, NOW, SIGN_BAD);
}
END_TEST

START_TEST(test_expiry)
{
	struct sign_keys k;
	char q[SIGN_QUERY_LEN];

	keys(&k, S1);
	sign(&k, SCOPE_STATUS, ID, NOW, q, sizeof(q));
	STATUS(&k, q, SIGN_EXPIRED);
	EXPECT(&k, SCOPE_STATUS, ID, q, NOW + 1, SIGN_EXPIRED);
	EXPECT(&k, SCOPE_STATUS, ID, q, NOW - 1, SIGN_OK);
	sign(&k, SCOPE_STATUS, ID, 0, q, sizeof(q));
	ck_assert_int_eq(strncmp(q, "exp=0&", 6), 0);
	EXPECT(&k, SCOPE_STATUS, ID, q, 0, SIGN_EXPIRED);
	EXPECT(&k, SCOPE_STATUS, ID, q, -1, SIGN_OK);
	/* The far future is 19 digits, and still fits. */
	sign(&k, SCOPE_STATUS, ID, LLONG_MAX, q, sizeof(q));
	STATUS(&k, q, SIGN_OK);
	EXPECT(&k, SCOPE_STATUS, ID, q, LLONG_MAX, SIGN_EXPIRED);
}
END_TEST

static char
flip(char c)
{
	return c == 'A' ? 'B' : 'A';
}

/* Any one character of the signature changed. */
START_TEST(test_tamper_sig)
{
	struct sign_keys k;
	char q[SIGN_QUERY_LEN], *sig;

	keys(&k, S1);
	sign(&k, SCOPE_STATUS, ID, EXP, q, sizeof(q));
	sig = strstr(q, "sig=") + 4;
	sig[_i] = flip(sig[_i]);
	STATUS(&k, q, SIGN_BAD);
	sig[_i] = '*';
	STATUS(&k, q, SIGN_BAD);
}
END_TEST

START_TEST(test_tamper)
{
	struct sign_keys k;
	char q[SIGN_QUERY_LEN], t[SIGN_QUERY_LEN + 8], id[] = ID, *p;

	keys(&k, "a:" S1 ",b:" S2);
	sign(&k, SCOPE_STATUS, ID, EXP, q, sizeof(q));
	STATUS(&k, q, SIGN_OK);

	/* The id. */
	id[0] = flip(id[0]);
	EXPECT(&k, SCOPE_STATUS, id, q, NOW, SIGN_BAD);
	EXPECT(&k, SCOPE_STATUS, ID "0", q, NOW, SIGN_BAD);
	EXPECT(&k, SCOPE_STATUS, "0b5f6a2e", q, NOW, SIGN_BAD);

	/* The expiry: later, or the same with a leading zero. */
	memcpy(t, q, sizeof(q));
	t[4] = '2';
	STATUS(&k, t, SIGN_BAD);
	snprintf(t, sizeof(t), "exp=0%s", q + 4);
	STATUS(&k, t, SIGN_BAD);

	/* The kid: unknown, or the other known key. */
	memcpy(t, q, sizeof(q));
	p = strstr(t, "kid=a");
	ck_assert_ptr_nonnull(p);
	p[4] = 'z';
	STATUS(&k, t, SIGN_BAD);
	p[4] = 'b';
	STATUS(&k, t, SIGN_BAD);
	p[4] = 'A';
	STATUS(&k, t, SIGN_BAD);
}
END_TEST

START_TEST(test_sig_length)
{
	struct sign_keys k;
	char q[SIGN_QUERY_LEN + 8];
	size_t len;

	keys(&k, S1);
	sign(&k, SCOPE_STATUS, ID, EXP, q, sizeof(q));
	len = strlen(q);
	/* Only qlen bytes count: a cut signature is a bad one. */
	ck_assert_int_eq(sign_verify(&k, SCOPE_STATUS, ID, q, len - 1, NOW),
	    SIGN_BAD);
	q[len - 1] = '\0';
	STATUS(&k, q, SIGN_BAD);
	sign(&k, SCOPE_STATUS, ID, EXP, q, sizeof(q));
	memcpy(q + len, "A", 2);
	STATUS(&k, q, SIGN_BAD);
	memcpy(q + len - 1, "==", 3);
	STATUS(&k, q, SIGN_BAD);
}
END_TEST

/* Queries with KNOWN's parameters, others around them or broken. */
static const struct {
	const char	*q;
	enum sign_error	 want;
} queries[] = {
	{ KNOWN, SIGN_OK },
	{ "wait=5&" KNOWN, SIGN_OK },
	{ KNOWN "&wait=5", SIGN_OK },
	{ "&" KNOWN "&", SIGN_OK },
	{ "exp=1893456000&&x&kid=k0&wait=5&sig=" SIGV, SIGN_OK },
	{ "sig=" SIGV "&kid=k0&exp=1893456000", SIGN_OK },
	{ "expx=1&kidx=2&sigx=3&xexp=4&" KNOWN, SIGN_OK },
	{ "a=exp=1&b=&=sig&" KNOWN "&z=", SIGN_OK },
	{ "", SIGN_BAD },
	{ "&", SIGN_BAD },
	{ "&&&", SIGN_BAD },
	{ "=", SIGN_BAD },
	{ "exp=1893456000&kid=k0", SIGN_BAD },		/* no sig */
	{ "exp=1893456000&kid=k0&sig", SIGN_BAD },
	{ "exp=1893456000&kid=k0&sig=", SIGN_BAD },
	{ "exp=1893456000&sig=" SIGV, SIGN_BAD },
	{ "kid=k0&sig=" SIGV, SIGN_BAD },
	{ "exp&" REST, SIGN_BAD },			/* exp without = */
	{ KNOWN "&exp=1893456000", SIGN_BAD },		/* repeated */
	{ KNOWN "&kid=k0", SIGN_BAD },
	{ KNOWN "&sig=" SIGV, SIGN_BAD },
	{ "sig&" KNOWN, SIGN_BAD },
	{ "kid&" KNOWN, SIGN_BAD },
	{ "exp=&" REST, SIGN_BAD },			/* exp not digits */
	{ "exp=-5&" REST, SIGN_BAD },
	{ "exp=+1893456000&" REST, SIGN_BAD },
	{ "exp=1893456000x&" REST, SIGN_BAD },
	{ "exp= 1893456000&" REST, SIGN_BAD },
	{ "exp=0x70dbd880&" REST, SIGN_BAD },
	{ "exp=18934560000000000000&" REST, SIGN_BAD },	/* 20 digits */
	{ "exp=9999999999999999999&" REST, SIGN_BAD },	/* 19, too large */
	{ "exp=1893456000&kid=&sig=" SIGV, SIGN_BAD },
	{ "exp=1893456000&kid=k00&sig=" SIGV, SIGN_BAD },
	{ "exp=1893456000&kid=k0&sig="			/* not base64url */
	    "U3OKvclNH5V+XB6r3kNoKJ5wYmdjQInsivAzIhuO4s0", SIGN_BAD },
	{ "exp=1893456000&kid=k0&sig="			/* stray low bits */
	    "U3OKvclNH5V-XB6r3kNoKJ5wYmdjQInsivAzIhuO4s1", SIGN_BAD },
	{ "exp=1893456000&kid=k0&sig="			/* percent-encoded */
	    "U3OKvclNH5V%2DXB6r3kNoKJ5wYmdjQInsivAzIhuO4s", SIGN_BAD },
	{ "exp=1893456000;kid=k0;sig=" SIGV, SIGN_BAD },
	{ "EXP=1893456000&KID=k0&SIG=" SIGV, SIGN_BAD }, /* names are exact */
};

START_TEST(test_queries)
{
	struct sign_keys k;

	keys(&k, S1);
	ck_assert_msg(verify(&k, SCOPE_STATUS, ID, queries[_i].q, NOW) ==
	    queries[_i].want, "case %d (\"%s\"): want %s", _i,
	    queries[_i].q, sign_strerror(queries[_i].want));
}
END_TEST

/* A query of SIGN_QUERY_MAX bytes is read; one byte more is not. */
START_TEST(test_huge)
{
	struct sign_keys k;
	char *q;

	keys(&k, S1);
	q = malloc(SIGN_QUERY_MAX + 2);
	ck_assert_ptr_nonnull(q);
	memset(q, 'x', SIGN_QUERY_MAX + 1);
	memcpy(q, KNOWN "&pad=", sizeof(KNOWN "&pad=") - 1);
	q[SIGN_QUERY_MAX] = '\0';
	STATUS(&k, q, SIGN_OK);
	q[SIGN_QUERY_MAX] = 'x';
	q[SIGN_QUERY_MAX + 1] = '\0';
	STATUS(&k, q, SIGN_BAD);
	free(q);
}
END_TEST

START_TEST(test_query_args)
{
	struct sign_keys k, none;
	char q[SIGN_QUERY_LEN], id[SIGN_ID_MAX + 2];

	keys(&k, S1);
	sign_keys_clear(&none);
	/* The output fits exactly, or not at all. */
	ck_assert_int_eq(sign_query(&k, SCOPE_STATUS, ID, EXP, q,
	    sizeof(KNOWN)), 0);
	ck_assert_str_eq(q, KNOWN);
	NOQUERY(&k, SCOPE_STATUS, ID, EXP, q, sizeof(KNOWN) - 1);
	ck_assert_str_eq(q, "");
	NOQUERY(&k, SCOPE_STATUS, ID, EXP, NULL, 99);
	NOQUERY(&k, SCOPE_STATUS, ID, EXP, q, 0);
	NOQUERY(NULL, SCOPE_STATUS, ID, EXP, q, sizeof(q));
	NOQUERY(&none, SCOPE_STATUS, ID, EXP, q, sizeof(q));
	NOQUERY(&k, SCOPE__MAX, ID, EXP, q, sizeof(q));
	NOQUERY(&k, SCOPE_STATUS, NULL, EXP, q, sizeof(q));
	NOQUERY(&k, SCOPE_STATUS, "", EXP, q, sizeof(q));
	NOQUERY(&k, SCOPE_STATUS, ID, -1, q, sizeof(q));
	memset(id, 'i', SIGN_ID_MAX + 1);
	id[SIGN_ID_MAX + 1] = '\0';
	NOQUERY(&k, SCOPE_STATUS, id, EXP, q, sizeof(q));
	EXPECT(&k, SCOPE_STATUS, id, KNOWN, NOW, SIGN_BAD);
	id[SIGN_ID_MAX] = '\0';
	sign(&k, SCOPE_STATUS, id, EXP, q, sizeof(q));
	EXPECT(&k, SCOPE_STATUS, id, q, NOW, SIGN_OK);

	STATUS(NULL, KNOWN, SIGN_BAD);
	STATUS(&none, KNOWN, SIGN_BAD);
	EXPECT(&k, SCOPE__MAX, ID, KNOWN, NOW, SIGN_BAD);
	EXPECT(&k, SCOPE_STATUS, NULL, KNOWN, NOW, SIGN_BAD);
	EXPECT(&k, SCOPE_STATUS, "", KNOWN, NOW, SIGN_BAD);
	ck_assert_int_eq(sign_verify(&k, SCOPE_STATUS, ID, NULL, 0, NOW),
	    SIGN_BAD);
	ck_assert_int_eq(sign_verify(&k, SCOPE_STATUS, ID, KNOWN, 0, NOW),
	    SIGN_BAD);
}
END_TEST

static Suite *
sign_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("sign");
	tc = tcase_create("core");
	tcase_add_loop_test(tc, test_parse_ok, 0, (int)NITEMS(parse_ok));
	tcase_add_loop_test(tc, test_parse_bad, 0, (int)NITEMS(parse_bad));
	tcase_add_test(tc, test_parse_limits);
	tcase_add_test(tc, test_strerror);
	tcase_add_test(tc, test_known_answer);
	tcase_add_loop_test(tc, test_scopes, 0, SCOPE__MAX);
	tcase_add_test(tc, test_swapped);
	tcase_add_loop_test(tc, test_each_key, 0, 3);
	tcase_add_test(tc, test_rotation);
	tcase_add_test(tc, test_expiry);
	tcase_add_loop_test(tc, test_tamper_sig, 0, SIGN_SIG_LEN);
	tcase_add_test(tc, test_tamper);
	tcase_add_test(tc, test_sig_length);
	tcase_add_loop_test(tc, test_queries, 0, (int)NITEMS(queries));
	tcase_add_test(tc, test_huge);
	tcase_add_test(tc, test_query_args);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(sign_suite)
