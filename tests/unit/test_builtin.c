/*
 * Unit tests for worker/builtin.c and the handler API of worker/pool.c.
 * Most handlers run directly on the test thread with a real pool behind
 * them; one sleep job runs on the pool's thread and is stopped.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "unit.h"

#include "handler.h"
#include "pool.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))
#define JOB_ID		"0b7c5f3e-1d2a-4c8e-9f00-123456789abc"
#define JOB_TOKEN	"11111111-2222-4333-8444-555555555555"

static struct pool	*pool;
static int		 fds[2] = { -1, -1 };
static struct job	*job;

static void
setup(void)
{
	int fl;

	ck_assert_int_eq(pipe(fds), 0);
	fl = fcntl(fds[1], F_GETFL);
	ck_assert_int_ne(fl, -1);
	ck_assert_int_ne(fcntl(fds[1], F_SETFL, fl | O_NONBLOCK), -1);
	pool = pool_new(1, fds[1]);
	ck_assert_ptr_nonnull(pool);
	job = NULL;
}

static void
teardown(void)
{
	job_free(job);
	job = NULL;
	pool_free(pool);
	pool = NULL;
	close(fds[0]);
	close(fds[1]);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Make the test's job and run its handler here; returns what it returned. */
static int
run(const char *type, const char *input)
{
	job_free(job);
	job = job_new(JOB_ID, type, JOB_TOKEN, 1, input, strlen(input));
	ck_assert_ptr_nonnull(job);
	job->pool = pool;
	job->handler = builtin_find(type);
	ck_assert_ptr_nonnull(job->handler);
	return job->handler->run(job, job->input, job->input_len);
}

static void
result_is(const char *want)
{
	ck_assert_uint_eq(job->result.len, strlen(want));
	ck_assert_str_eq(job->result.data, want);
	ck_assert_str_eq(job->result_type, "application/json");
	ck_assert_int_eq(job->err_status, 0);
	ck_assert_str_eq(job->err_code, "");
}

static void
error_is(int status, const char *code)
{
	ck_assert_int_eq(job->err_status, status);
	ck_assert_str_eq(job->err_code, code);
	ck_assert_uint_gt(strlen(job->err_message), 0);
	ck_assert_uint_eq(job->result.len, 0);
}

START_TEST(test_job_new)
{
	static const char in[] = "{\"a\":1}";

	job = job_new(JOB_ID, "echo", JOB_TOKEN, 3, in, 4);
	ck_assert_ptr_nonnull(job);
	ck_assert_str_eq(job->id, JOB_ID);
	ck_assert_str_eq(job->type, "echo");
	ck_assert_str_eq(job->token, JOB_TOKEN);
	ck_assert_int_eq(job->attempt, 3);
	ck_assert_uint_eq(job->input_len, 4);
	ck_assert_str_eq(job->input, "{\"a\"");
	ck_assert_ptr_ne(job->input, in);
	ck_assert_int_eq(job->finished, 0);
	ck_assert(!job_stopping(job));
}
END_TEST

START_TEST(test_echo)
{
	static const char in[] = "{\"a\":[1,2,{\"b\":\"\\u00e9\"}]}";

	ck_assert_int_eq(run("echo", in), HANDLER_OK);
	result_is(in);
	ck_assert_ptr_ne(job->result.data, job->input);
}
END_TEST

START_TEST(test_sha256)
{
	ck_assert_int_eq(run("sha256", "{\"data\":\"abc\"}"), HANDLER_OK);
	result_is("{\"sha256\":\"ba7816bf8f01cfea414140de5dae2223b00361a3961"
	    "77a9cb410ff61f20015ad\"}");
	ck_assert_int_eq(run("sha256", "{\"data\":\"\"}"), HANDLER_OK);
	result_is("{\"sha256\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649"
	    "b934ca495991b7852b855\"}");
}
END_TEST

static const char *const sha_bad[] = {
	"{}",
	"{\"data\":1}",
	"{\"data\":null}",
	"{\"data\":[\"abc\"]}",
	"{\"data\":{\"x\":\"abc\"}}",
	"{\"Data\":\"abc\"}",
};

START_TEST(test_sha256_bad)
{
	ck_assert_int_eq(run("sha256", sha_bad[_i]), HANDLER_FAIL);
	error_is(422, "invalid_input");
}
END_TEST

START_TEST(test_sleep)
{
	double t0, dt;

	t0 = now();
	ck_assert_int_eq(run("sleep", "{\"seconds\":0.3}"), HANDLER_OK);
	dt = now() - t0;
	ck_assert_msg(dt >= 0.25 && dt < 3.0, "slept %.3f s", dt);
	result_is("{\"slept\":0.3}");
	ck_assert_int_eq(job->progress_dirty, 1);
	ck_assert_uint_gt(strlen(job->message), 0);
	ck_assert_int_ge(job->progress, 0);
	ck_assert_int_lt(job->progress, 100);

	ck_assert_int_eq(run("sleep", "{\"seconds\":0}"), HANDLER_OK);
	result_is("{\"slept\":0}");
}
END_TEST

static const char *const sleep_bad[] = {
	"{\"seconds\":-1}",
	"{\"seconds\":-0.001}",
	"{\"seconds\":4000}",
	"{\"seconds\":3600.5}",
	"{\"seconds\":1e300}",
	"{\"seconds\":\"x\"}",
	"{\"seconds\":\"1\"}",
	"{\"seconds\":null}",
	"{\"seconds\":true}",
	"{\"seconds\":[1]}",
};

START_TEST(test_sleep_bad)
{
	ck_assert_int_eq(run("sleep", sleep_bad[_i]), HANDLER_FAIL);
	error_is(422, "invalid_input");
}
END_TEST

/* A job told to stop before it runs returns at once. */
START_TEST(test_sleep_stopped_before)
{
	double t0;

	job = job_new(JOB_ID, "sleep", JOB_TOKEN, 1, "{\"seconds\":30}", 14);
	ck_assert_ptr_nonnull(job);
	job->pool = pool;
	job->handler = builtin_find("sleep");
	pool_stop(pool, job, STOP_SHUTDOWN);
	ck_assert(job_stopping(job));
	ck_assert_int_eq(atomic_load(&job->stop), STOP_SHUTDOWN);
	/* A second reason does not replace the first. */
	pool_stop(pool, job, STOP_FENCED);
	ck_assert_int_eq(atomic_load(&job->stop), STOP_SHUTDOWN);
	t0 = now();
	ck_assert_int_eq(job->handler->run(job, job->input, job->input_len),
	    HANDLER_FAIL);
	ck_assert_double_lt(now() - t0, 1.0);
	ck_assert_uint_eq(job->result.len, 0);
	ck_assert_uint_gt(strlen(job->err_code), 0);
}
END_TEST

/* Wait up to secs for the job's field to turn non-zero. */
static int
wait_for(const int *field, double secs)
{
	double until = now() + secs;
	int v;

	for (;;) {
		pool_lock(pool);
		v = *field;
		pool_unlock(pool);
		if (v != 0 || now() > until)
			return v;
		usleep(10000);
	}
}

/* A sleep on the pool's thread ends soon after it is told to stop. */
START_TEST(test_sleep_stopped_running)
{
	struct job *ev[4];
	double t0;
	size_t n, i;
	int seen = 0;

	job = job_new(JOB_ID, "sleep", JOB_TOKEN, 1, "{\"seconds\":30}", 14);
	ck_assert_ptr_nonnull(job);
	job->handler = builtin_find("sleep");
	pool_run(pool, job);
	ck_assert_ptr_eq(job->pool, pool);
	ck_assert_int_ne(wait_for(&job->progress_dirty, 5.0), 0);
	t0 = now();
	pool_stop(pool, job, STOP_SHUTDOWN);
	ck_assert_int_ne(wait_for(&job->finished, 5.0), 0);
	ck_assert_double_lt(now() - t0, 1.0);
	pool_lock(pool);
	ck_assert_int_eq(job->rc, HANDLER_FAIL);
	pool_unlock(pool);

	/* The main loop hears of it through the event list and the pipe. */
	n = pool_events(pool, ev, NITEMS(ev));
	for (i = 0; i < n; i++)
		if (ev[i] == job)
			seen = 1;
	ck_assert_int_eq(seen, 1);
	ck_assert_int_eq(pool_events(pool, ev, NITEMS(ev)), 0);
	ck_assert_int_gt(read(fds[0], ev, 1), 0);
}
END_TEST

START_TEST(test_fail)
{
	ck_assert_int_eq(run("fail", "{}"), HANDLER_FAIL);
	ck_assert_int_eq(job->err_status, 500);
	ck_assert_str_eq(job->err_code, "failed");
	ck_assert_str_eq(job->err_message, "the job failed as asked");
	ck_assert_uint_eq(job->result.len, 0);

	ck_assert_int_eq(run("fail",
	    "{\"code\":\"x\",\"message\":\"m\",\"status\":422}"), HANDLER_FAIL);
	ck_assert_int_eq(job->err_status, 422);
	ck_assert_str_eq(job->err_code, "x");
	ck_assert_str_eq(job->err_message, "m");

	/* The message is data, never a format. */
	ck_assert_int_eq(run("fail", "{\"message\":\"100%s %n\"}"),
	    HANDLER_FAIL);
	ck_assert_str_eq(job->err_message, "100%s %n");

	/* A status outside 4xx..5xx, or not a number, is ignored. */
	ck_assert_int_eq(run("fail", "{\"status\":200}"), HANDLER_FAIL);
	ck_assert_int_eq(job->err_status, 500);
	ck_assert_int_eq(run("fail", "{\"status\":600}"), HANDLER_FAIL);
	ck_assert_int_eq(job->err_status, 500);
	ck_assert_int_eq(run("fail", "{\"status\":\"422\",\"code\":7}"),
	    HANDLER_FAIL);
	ck_assert_int_eq(job->err_status, 500);
	ck_assert_str_eq(job->err_code, "failed");
}
END_TEST

/* noop: any input; the result is when it started, in epoch microseconds. */
START_TEST(test_noop)
{
	struct timespec ts;
	long long before, after, started;
	char tail[8];

	clock_gettime(CLOCK_REALTIME, &ts);
	before = (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	ck_assert_int_eq(run("noop", "[1, \"not an object\"]"), HANDLER_OK);
	clock_gettime(CLOCK_REALTIME, &ts);
	after = (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	ck_assert_str_eq(job->result_type, "application/json");
	ck_assert_int_eq(sscanf(job->result.data, "{\"started_us\":%lld%7s",
	    &started, tail), 2);
	ck_assert_str_eq(tail, "}");
	ck_assert_int_ge(started, before);
	ck_assert_int_le(started, after);
}
END_TEST

static const char *const nonobjects[] = {
	"[1]", "3", "\"s\"", "null", "true", "[]",
};

START_TEST(test_non_object)
{
	static const char *const types[] = { "sleep", "sha256", "fail" };
	size_t i;

	for (i = 0; i < NITEMS(types); i++) {
		ck_assert_int_eq(run(types[i], nonobjects[_i]), HANDLER_FAIL);
		error_is(422, "invalid_input");
	}
}
END_TEST

START_TEST(test_find)
{
	const struct handler *h;
	size_t i;

	ck_assert_uint_eq(builtin_count(), 5);
	ck_assert_ptr_null(builtin_find("nope"));
	ck_assert_ptr_null(builtin_find(""));
	ck_assert_ptr_null(builtin_find("ECHO"));
	ck_assert_ptr_null(builtin_find("echo "));
	ck_assert_ptr_nonnull(builtin_find("echo"));
	ck_assert_ptr_nonnull(builtin_find("sleep"));
	ck_assert_ptr_nonnull(builtin_find("sha256"));
	ck_assert_ptr_nonnull(builtin_find("fail"));
	ck_assert_ptr_nonnull(builtin_find("noop"));
	for (i = 0; i < builtin_count(); i++) {
		h = builtin_at(i);
		ck_assert_ptr_nonnull(h);
		ck_assert_ptr_eq(builtin_find(h->name), h);
		ck_assert_ptr_nonnull(h->run);
	}
	ck_assert_ptr_null(builtin_at(builtin_count()));
}
END_TEST

START_TEST(test_progress_and_result)
{
	char *big;

	job = job_new(JOB_ID, "echo", JOB_TOKEN, 1, "{}", 2);
	ck_assert_ptr_nonnull(job);
	job->pool = pool;
	job_progress(job, 150, NULL);
	ck_assert_int_eq(job->progress, 100);
	ck_assert_str_eq(job->message, "");
	ck_assert_int_eq(job->progress_dirty, 1);
	job_progress(job, -5, "x");
	ck_assert_int_eq(job->progress, 0);
	ck_assert_str_eq(job->message, "x");

	ck_assert_int_eq(job_result(job, "ab", 2, "text/plain"), HANDLER_OK);
	ck_assert_str_eq(job->result.data, "ab");
	ck_assert_str_eq(job->result_type, "text/plain");

	big = malloc(RESULT_MAX + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, 'r', RESULT_MAX + 1);
	ck_assert_int_eq(job_result(job, big, RESULT_MAX + 1, NULL),
	    HANDLER_FAIL);
	ck_assert_int_eq(job->err_status, 500);
	ck_assert_str_eq(job->err_code, "result_too_large");
	ck_assert_int_eq(job_result(job, big, RESULT_MAX, NULL), HANDLER_OK);
	ck_assert_uint_eq(job->result.len, RESULT_MAX);
	free(big);
}
END_TEST

static Suite *
builtin_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("builtin");
	tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_job_new);
	tcase_add_test(tc, test_echo);
	tcase_add_test(tc, test_sha256);
	tcase_add_test(tc, test_noop);
	tcase_add_loop_test(tc, test_sha256_bad, 0, (int)NITEMS(sha_bad));
	tcase_add_test(tc, test_sleep);
	tcase_add_loop_test(tc, test_sleep_bad, 0, (int)NITEMS(sleep_bad));
	tcase_add_test(tc, test_sleep_stopped_before);
	tcase_add_test(tc, test_sleep_stopped_running);
	tcase_add_test(tc, test_fail);
	tcase_add_loop_test(tc, test_non_object, 0, (int)NITEMS(nonobjects));
	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_progress_and_result);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(builtin_suite)
