/*
 * Unit tests for cgi/router.c, against a route table of our own so that
 * the tests do not change when the application's table does.
 */
#include <string.h>

#include <check.h>

#include "unit.h"

#include "request.h"
#include "router.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))
#define P(s)		s, sizeof(s) - 1

static int	called;

static void
fn_health(struct app *a, const struct request *r, struct response *w,
    const struct route_arg *ra)
{
	(void)a;
	(void)r;
	(void)w;
	(void)ra;
	called = 1;
}

static void
fn_submit(struct app *a, const struct request *r, struct response *w,
    const struct route_arg *ra)
{
	(void)a;
	(void)r;
	(void)w;
	(void)ra;
	called = 2;
}

static void
fn_job(struct app *a, const struct request *r, struct response *w,
    const struct route_arg *ra)
{
	(void)a;
	(void)r;
	(void)w;
	(void)ra;
	called = 3;
}

static void
fn_status(struct app *a, const struct request *r, struct response *w,
    const struct route_arg *ra)
{
	(void)a;
	(void)r;
	(void)w;
	(void)ra;
	called = 4;
}

static void
fn_result(struct app *a, const struct request *r, struct response *w,
    const struct route_arg *ra)
{
	(void)a;
	(void)r;
	(void)w;
	(void)ra;
	called = 5;
}

static const struct route routes[] = {
	{ "/health", M_GET | M_HEAD, fn_health },
	{ "/jobs/*", M_POST, fn_submit },
	{ "/jobs/*", M_GET | M_DELETE, fn_job },
	{ "/jobs/*/status", M_GET, fn_status },
	{ "/jobs/*/result", M_GET | M_HEAD, fn_result },
};

static const struct {
	const char	*path;
	unsigned int	 method;
	route_fn	*fn;
	const char	*arg;
} found[] = {
	{ "/health", M_GET, fn_health, NULL },
	{ "/health", M_HEAD, fn_health, NULL },
	{ "/jobs/echo", M_POST, fn_submit, "echo" },
	{ "/jobs/0b7c5f3e-1d2a-4c8e-9f00-123456789abc", M_GET, fn_job,
	    "0b7c5f3e-1d2a-4c8e-9f00-123456789abc" },
	{ "/jobs/abc", M_DELETE, fn_job, "abc" },
	{ "/jobs/abc/status", M_GET, fn_status, "abc" },
	{ "/jobs/x/result", M_HEAD, fn_result, "x" },
};

START_TEST(test_found)
{
	const struct route *rt = NULL;
	struct route_arg arg = { NULL, 0 };
	unsigned int allowed = 0;
	const char *p = found[_i].path;

	ck_assert_int_eq(router_match(routes, NITEMS(routes), p, strlen(p),
	    found[_i].method, &rt, &arg, &allowed), ROUTE_FOUND);
	ck_assert_ptr_nonnull(rt);
	ck_assert_msg(rt->fn == found[_i].fn, "%s: wrong route", p);
	if (found[_i].arg == NULL) {
		ck_assert_ptr_null(arg.s);
		ck_assert_uint_eq(arg.len, 0);
	} else {
		ck_assert_uint_eq(arg.len, strlen(found[_i].arg));
		ck_assert_mem_eq(arg.s, found[_i].arg, arg.len);
		/* The argument points into the path, not into a copy. */
		ck_assert_ptr_eq(arg.s, p + strlen("/jobs/"));
	}
	called = 0;
	rt->fn(NULL, NULL, NULL, &arg);
	ck_assert_int_ne(called, 0);
}
END_TEST

static const struct {
	const char	*path;
	unsigned int	 method;
	unsigned int	 allowed;
} nomethod[] = {
	{ "/health", M_POST, M_GET | M_HEAD },
	{ "/jobs/abc", M_PUT, M_POST | M_GET | M_DELETE },
	{ "/jobs/abc", M_OTHER, M_POST | M_GET | M_DELETE },
	{ "/jobs/abc/status", M_DELETE, M_GET },
	{ "/jobs/abc/result", M_POST, M_GET | M_HEAD },
};

START_TEST(test_no_method)
{
	const struct route *rt = NULL;
	struct route_arg arg;
	unsigned int allowed = 12345;
	const char *p = nomethod[_i].path;

	ck_assert_int_eq(router_match(routes, NITEMS(routes), p, strlen(p),
	    nomethod[_i].method, &rt, &arg, &allowed), ROUTE_NO_METHOD);
	ck_assert_uint_eq(allowed, nomethod[_i].allowed);
	ck_assert_ptr_null(rt);
}
END_TEST

static const struct {
	const char	*path;
	size_t		 len;
} notfound[] = {
	{ P("") },
	{ P("/") },
	{ P("/jobs") },
	{ P("/jobs/") },
	{ P("/jobs//status") },
	{ P("/jobs/a/b") },
	{ P("/jobs/../x") },
	{ P("/jobsx/a") },
	{ P("/health/") },
	{ P("/healthz") },
	{ P("/Health") },
	{ P("health") },
	{ P("//health") },
	{ P("/jobs/a/status/") },
	{ P("/jobs/a/statusx") },
	{ P("/jobs/a/") },
	{ P("/health\0") },
	{ P("/health\0/x") },
	{ P("/jobs/a\0b") },
	{ P("/jobs/\0") },
	{ P("/jobs/a\0/status") },
};

START_TEST(test_not_found)
{
	const struct route *rt = NULL;
	struct route_arg arg;
	unsigned int allowed = 12345;
	unsigned int m;

	for (m = M_GET; m <= M_OTHER; m <<= 1) {
		ck_assert_msg(router_match(routes, NITEMS(routes),
		    notfound[_i].path, notfound[_i].len, m, &rt, &arg,
		    &allowed) == ROUTE_NOT_FOUND,
		    "case %d (\"%s\", %zu bytes) matched for method %#x", _i,
		    notfound[_i].path, notfound[_i].len, m);
		ck_assert_uint_eq(allowed, 0);
		ck_assert_ptr_null(rt);
	}
}
END_TEST

/* The path is (buf, len): bytes past len are never looked at. */
START_TEST(test_length_bounds)
{
	const struct route *rt = NULL;
	struct route_arg arg;
	unsigned int allowed;

	ck_assert_int_eq(router_match(routes, NITEMS(routes), "/health/xyz",
	    7, M_GET, &rt, &arg, &allowed), ROUTE_FOUND);
	ck_assert_ptr_eq(rt, &routes[0]);
	ck_assert_int_eq(router_match(routes, NITEMS(routes),
	    "/jobs/abc/status", 9, M_GET, &rt, &arg, &allowed), ROUTE_FOUND);
	ck_assert_ptr_eq(rt, &routes[2]);
	ck_assert_uint_eq(arg.len, 3);
	rt = NULL;
	ck_assert_int_eq(router_match(routes, NITEMS(routes), "/jobs/abc",
	    6, M_GET, &rt, &arg, &allowed), ROUTE_NOT_FOUND);
	ck_assert_int_eq(router_match(routes, 0, "/health", 7, M_GET, &rt,
	    &arg, &allowed), ROUTE_NOT_FOUND);
	ck_assert_uint_eq(allowed, 0);
	ck_assert_ptr_null(rt);
}
END_TEST

static Suite *
router_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("router");
	tc = tcase_create("core");
	tcase_add_loop_test(tc, test_found, 0, (int)NITEMS(found));
	tcase_add_loop_test(tc, test_no_method, 0, (int)NITEMS(nomethod));
	tcase_add_loop_test(tc, test_not_found, 0, (int)NITEMS(notfound));
	tcase_add_test(tc, test_length_bounds);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(router_suite)
