/*
 * Unit tests for worker/command.c: real commands (mostly /bin/sh -c
 * scripts) run as jobs, on the test thread or on a pool thread, with a
 * check after each run that no descriptor and no child was left behind.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

/*
 * Under valgrind posix_spawn runs as a fork, so what happens between it
 * and the exec (an exec error, the mask) is valgrind's, not glibc's.
 */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND	0
#endif

#include "unit.h"

#include "command.h"
#include "config.h"
#include "handler.h"
#include "pool.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))
#define JOB_ID		"0b7c5f3e-1d2a-4c8e-9f00-123456789abc"
#define JOB_TOKEN	"11111111-2222-4333-8444-555555555555"
#define DEFAULT_PATH	"PATH=/usr/local/bin:/usr/bin:/bin"
#define P(s)		s, sizeof(s) - 1

static struct pool		*pool;
static int			 fds[2] = { -1, -1 };
static struct job		*job;
static struct command_type	 type;
static char			 dir[] = "/tmp/rsvp-command-XXXXXX";
static char			 script[1024];

static void
setup(void)
{
	int fl;

	/* As in the worker: a write to a closed pipe is EPIPE, not death. */
	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(pipe(fds), 0);
	fl = fcntl(fds[1], F_GETFL);
	ck_assert_int_ne(fl, -1);
	ck_assert_int_ne(fcntl(fds[1], F_SETFL, fl | O_NONBLOCK), -1);
	pool = pool_new(1, fds[1]);
	ck_assert_ptr_nonnull(pool);
	job = NULL;
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char path[64];

	job_free(job);
	job = NULL;
	pool_free(pool);
	pool = NULL;
	close(fds[0]);
	close(fds[1]);
	snprintf(path, sizeof(path), "%s/pid", dir);
	unlink(path);
	rmdir(dir);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
fd_count(void)
{
	struct dirent *e;
	DIR *d;
	int n = 0;

	d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		n++;
	closedir(d);
	return n;
}

/* The type runs argv (NULL-ended) with the given result type and cap. */
static void
set_type(const char *rtype, size_t max, const char *const *argv)
{
	size_t i;

	memset(&type, 0, sizeof(type));
	snprintf(type.name, sizeof(type.name), "cmd");
	for (i = 0; argv[i] != NULL; i++)
		type.argv[i] = (char *)argv[i];
	snprintf(type.result_type, sizeof(type.result_type), "%s", rtype);
	type.max_output = max;
}

static void
sh_type(const char *rtype, const char *fmt, const char *arg)
{
	const char *argv[] = { "/bin/sh", "-c", script, NULL };

	snprintf(script, sizeof(script), fmt, arg);
	set_type(rtype, 1024 * 1024, argv);
}

static void
new_job(const char *input, size_t len)
{
	job_free(job);
	job = job_new(JOB_ID, "cmd", JOB_TOKEN, 2, input, len);
	ck_assert_ptr_nonnull(job);
	job->pool = pool;
}

/* Run the type on this thread; nothing may be left open or unreaped. */
static int
run(const char *input, size_t len)
{
	int rc, n, st;

	new_job(input, len);
	n = fd_count();
	rc = command_run(job, &type, 300);
	ck_assert_int_eq(fd_count(), n);
	ck_assert_int_eq(waitpid(-1, &st, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	return rc;
}

static void
result_is(const char *want, size_t len, const char *rtype)
{
	ck_assert_str_eq(job->err_code, "");
	ck_assert_int_eq(job->err_status, 0);
	ck_assert_uint_eq(job->result.len, len);
	ck_assert_ptr_nonnull(job->result.data);
	ck_assert_mem_eq(job->result.data, want, len);
	ck_assert_str_eq(job->result_type, rtype);
}

static void
error_is(int status, const char *code, const char *msg)
{
	ck_assert_int_eq(job->err_status, status);
	ck_assert_str_eq(job->err_code, code);
	if (msg != NULL)
		ck_assert_str_eq(job->err_message, msg);
	ck_assert_uint_gt(strlen(job->err_message), 0);
	ck_assert_uint_eq(job->result.len, 0);
}

START_TEST(test_echo)
{
	static const char in[] = "{\"a\":[1,2,{\"b\":\"\\u00e9\"}]}";

	sh_type("application/json", "%s", "cat");
	ck_assert_int_eq(run(P(in)), HANDLER_OK);
	result_is(P(in), "application/json");
	ck_assert_int_eq(job->progress_dirty, 0);
}
END_TEST

/* Input and output well past a pipe's buffer move without deadlock. */
START_TEST(test_big_io)
{
	size_t len = 1024 * 1024 + 7, i;
	char *in;

	in = malloc(len);
	ck_assert_ptr_nonnull(in);
	for (i = 0; i < len; i++)
		in[i] = 'a' + i % 26;
	sh_type("text/plain", "%s", "cat");
	type.max_output = len;
	ck_assert_int_eq(run(in, len), HANDLER_OK);
	result_is(in, len, "text/plain");
	free(in);
}
END_TEST

START_TEST(test_env)
{
	static const char *const argv[] = { "/usr/bin/env", NULL };
	static const char want[] = DEFAULT_PATH "\n"
	    "RSVP_JOB_ID=" JOB_ID "\nRSVP_JOB_TYPE=cmd\nRSVP_ATTEMPT=2\n"
	    "LANG=C.UTF-8\nX=a b\n";
	static const char want_path[] = "RSVP_JOB_ID=" JOB_ID "\n"
	    "RSVP_JOB_TYPE=cmd\nRSVP_ATTEMPT=2\nPATH=/opt/bin\n";

	ck_assert_int_eq(setenv("RSVP_LEAK", "secret", 1), 0);
	set_type("text/plain", 4096, argv);
	type.env[0] = (char *)"LANG=C.UTF-8";
	type.env[1] = (char *)"X=a b";
	ck_assert_int_eq(run(P("{}")), HANDLER_OK);
	result_is(P(want), "text/plain");

	/* The type's PATH replaces the default one. */
	type.env[0] = (char *)"PATH=/opt/bin";
	type.env[1] = NULL;
	ck_assert_int_eq(run(P("{}")), HANDLER_OK);
	result_is(P(want_path), "text/plain");
}
END_TEST

START_TEST(test_placeholders)
{
	static const char *const argv[] = { "/bin/sh", "-c",
	    "printf '%s|' \"$@\"", "sh", "{id}", "x{attempt}y{attempt}",
	    "{type}", "{nope}", "{id", "{{id}}", "{ID}", "", NULL };
	static const char want[] = JOB_ID "|x2y2|cmd|{nope}|{id|{" JOB_ID
	    "}|{ID}||";

	set_type("text/plain", 4096, argv);
	ck_assert_int_eq(run(P("{}")), HANDLER_OK);
	result_is(P(want), "text/plain");
}
END_TEST

/* The same through the configuration file's syntax. */
START_TEST(test_from_config)
{
	static const char text[] = "[type cmd]\n"
	    "command = /bin/sh -c \"printf '%s,' \\\"$@\\\"; cat\" sh "
	    "{id} \"a {attempt}\"\n"
	    "result-type = text/plain; charset=utf-8\n"
	    "env = GREETING=hello world\n";
	static const char want[] = JOB_ID ",a 2,{\"x\":1}";
	struct worker_config cfg;
	const struct command_type *t;
	char err[128];
	int n;

	ck_assert_int_eq(config_parse(P(text), &cfg, err, sizeof(err)),
	    CONFIG_OK);
	t = config_find(&cfg, "cmd");
	ck_assert_ptr_nonnull(t);
	new_job(P("{\"x\":1}"));
	n = fd_count();
	ck_assert_int_eq(command_run(job, t, 1000), HANDLER_OK);
	ck_assert_int_eq(fd_count(), n);
	result_is(P(want), "text/plain; charset=utf-8");
	config_free(&cfg);
}
END_TEST

/* Nothing from the input reaches a shell: it is data on stdin only. */
START_TEST(test_input_is_data)
{
	char in[512], path[64];
	struct stat st;

	snprintf(in, sizeof(in), "{\"a\":\"; touch %s/pid\",\"b\":\"$(touch "
	    "%s/pid)\",\"c\":\"`touch %s/pid`\",\"d\":\"' && touch %s/pid\"}",
	    dir, dir, dir, dir);
	sh_type("application/json", "%s", "cat");
	ck_assert_int_eq(run(in, strlen(in)), HANDLER_OK);
	result_is(in, strlen(in), "application/json");
	snprintf(path, sizeof(path), "%s/pid", dir);
	ck_assert_int_eq(stat(path, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* ls lists 0, 1, 2 and the directory it opened itself: nothing else. */
START_TEST(test_no_inherited_fds)
{
	static const char *const argv[] = { "/bin/ls", "/proc/self/fd", NULL };
	int extra;

	extra = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(extra, 3);
	set_type("text/plain", 4096, argv);
	ck_assert_int_eq(run(P("{}")), HANDLER_OK);
	result_is(P("0\n1\n2\n3\n"), "text/plain");
	close(extra);
}
END_TEST

static int
h_command(struct job *j, const char *input, size_t len)
{
	(void)input;
	(void)len;
	return command_run(j, &type, 300);
}

static const struct handler cmd_handler = { "cmd", h_command };

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

static int
run_on_pool(const char *input, size_t len)
{
	int rc;

	new_job(input, len);
	job->handler = &cmd_handler;
	pool_run(pool, job);
	ck_assert_int_ne(wait_for(&job->finished, 30.0), 0);
	pool_lock(pool);
	rc = job->rc;
	pool_unlock(pool);
	return rc;
}

/* The hex mask that follows name in /proc/PID/status text. */
static unsigned long long
status_mask(const char *status, const char *name)
{
	const char *p;

	p = strstr(status, name);
	ck_assert_ptr_nonnull(p);
	return strtoull(p + strlen(name), NULL, 16);
}

/*
 * From a pool thread, which blocks every signal, in a process that
 * ignores SIGPIPE, cat reads its own state: a process group of its own,
 * an empty mask and no ignored signal among 1..31.  (glibc's posix_spawn
 * always leaves its two internal signals, 32 and 33, ignored.)
 */
START_TEST(test_child_state)
{
	static const char *const argv[] = { "/bin/cat", "/proc/self/stat",
	    "/proc/self/status", NULL };
	char *p, *end;
	long pid, pgrp;

	if (RUNNING_ON_VALGRIND)
		return;
	set_type("text/plain", 65536, argv);
	ck_assert_int_eq(run_on_pool(P("{}")), HANDLER_OK);
	ck_assert_ptr_nonnull(job->result.data);
	/* "pid (comm) S ppid pgrp ..." on the first line. */
	pid = strtol(job->result.data, NULL, 10);
	p = strchr(job->result.data, '\n');
	ck_assert_ptr_nonnull(p);
	*p = '\0';
	p = strrchr(job->result.data, ')');
	ck_assert_ptr_nonnull(p);
	strtol(p + 4, &end, 10);
	pgrp = strtol(end, NULL, 10);
	ck_assert_int_gt(pid, 1);
	ck_assert_int_eq(pgrp, pid);
	p = job->result.data + strlen(job->result.data) + 1;
	ck_assert_uint_eq(status_mask(p, "\nSigBlk:\t"), 0);
	ck_assert_uint_eq(status_mask(p, "\nSigIgn:\t") & 0x7fffffffULL, 0);

	/* So SIGPIPE kills a command as it would any program. */
	sh_type("text/plain", "%s", "kill -PIPE $$");
	ck_assert_int_eq(run_on_pool(P("{}")), HANDLER_FAIL);
	error_is(500, "signal_13", NULL);
}
END_TEST

START_TEST(test_progress)
{
	sh_type("application/json", "%s",
	    "echo 'progress 10 starting' >&2; echo 'progress 50' >&2; "
	    "printf 'progress 75 tab\\there\\r\\n' >&2; echo '{}'");
	ck_assert_int_eq(run(P("{}")), HANDLER_OK);
	result_is(P("{}\n"), "application/json");
	ck_assert_int_eq(job->progress_dirty, 1);
	ck_assert_int_eq(job->progress, 75);
	ck_assert_str_eq(job->message, "tab?here");
}
END_TEST

START_TEST(test_tempfail)
{
	sh_type("application/json", "%s",
	    "echo 'progress 5 a' >&2; echo first >&2; echo 'last line' >&2; "
	    "echo '' >&2; echo '  ' >&2; echo '{}'; exit 75");
	ck_assert_int_eq(run(P("{}")), HANDLER_RETRY);
	error_is(503, "tempfail", "last line");
	ck_assert_int_eq(job->progress, 5);
	ck_assert_str_eq(job->message, "a");

	sh_type("application/json", "%s", "exit 75");
	ck_assert_int_eq(run(P("{}")), HANDLER_RETRY);
	error_is(503, "tempfail", "the command asked to be retried");
}
END_TEST

START_TEST(test_exit)
{
	sh_type("application/json", "%s", "echo '{}'; printf oops >&2; exit 3");
	ck_assert_int_eq(run(P("{}")), HANDLER_FAIL);
	error_is(500, "exit_3", "oops");

	sh_type("application/json", "%s", "exit 3");
	ck_assert_int_eq(run(P("{}")), HANDLER_FAIL);
	error_is(500, "exit_3", "the command exited with status 3");
	sh_type("application/json", "%s", "exit 1");
	ck_assert_int_eq(run(P("{}")), HANDLER_FAIL);
	error_is(500, "exit_1", NULL);
	sh_type("application/json", "%s", "exit 255");
	ck_assert_int_eq(run(P("{}")), HANDLER_FAIL);
	error_is(500, "exit_255", NULL);

	/* The message is cleaned: no control characters, only UTF-8. */
	sh_type("application/json", "%s",
	    "printf 'caf\\303\\251 \\001 \\377 \\340\\200\\200 x\\n' >&2; "
	    "exit 2");
	ck_assert_int_eq(run(P("{}")), HANDLER_FAIL);
	error_is(500, "exit_2", "caf\xc3\xa9 ? ? ??? x");
}
END_TEST

START_TEST(test_signal)
{
	sh_type("application/json", "%s", "kill -9 $$");
	ck_assert_int_eq(run(P("{}")), HANDLER_FAIL);
	error_is(500, "signal_9", "the command was killed by signal 9");

	sh_type("application/json", "%s", "echo dying >&2; kill -TERM $$");
	ck_assert_int_eq(run(P("{}")), HANDLER_FAIL);
	error_is(500, "signal_15", "dying");
}
END_TEST

/* An over-long stderr line is cut, and its tail is not a new line. */
START_TEST(test_long_stderr)
{
	char want[512];

	sh_type("application/json", "%s", "{ head -c 3000 /dev/zero | "
	    "tr '\\0' x; echo 'progress 50 no'; } >&2; exit 4");
	ck_assert_int_eq(run(P("{}")), HANDLER_FAIL);
	memset(want, 'x', sizeof(want) - 1);
	want[sizeof(want) - 1] = '\0';
	error_is(500, "exit_4", want);
	ck_assert_int_eq(job->progress_dirty, 0);

	/* 1024 bytes are a whole line; the next one is read as usual. */
	sh_type("application/json", "%s", "{ head -c 1024 /dev/zero | "
	    "tr '\\0' x; echo; echo 'progress 60 yes'; } >&2; exit 4");
	ck_assert_int_eq(run(P("{}")), HANDLER_FAIL);
	error_is(500, "exit_4", want);
	ck_assert_int_eq(job->progress, 60);
	ck_assert_str_eq(job->message, "yes");
}
END_TEST

START_TEST(test_too_large)
{
	char want[1000];
	double t0;

	memset(want, 'y', sizeof(want));
	sh_type("text/plain", "%s", "head -c 1000 /dev/zero | tr '\\0' y");
	type.max_output = 1000;
	ck_assert_int_eq(run(P("{}")), HANDLER_OK);
	result_is(want, sizeof(want), "text/plain");

	sh_type("text/plain", "%s", "head -c 1001 /dev/zero");
	type.max_output = 1000;
	ck_assert_int_eq(run(P("{}")), HANDLER_FAIL);
	error_is(500, "output_too_large", NULL);

	/* A command that would write forever is killed. */
	sh_type("text/plain", "%s", "cat /dev/zero");
	type.max_output = 100000;
	t0 = now();
	ck_assert_int_eq(run(P("{}")), HANDLER_FAIL);
	error_is(500, "output_too_large", NULL);
	ck_assert_double_lt(now() - t0, 5.0);
}
END_TEST

static const struct {
	const char	*type;
	const char	*out;
	int		 ok;
} json_cases[] = {
	{ "application/json", "not json", 0 },
	{ "application/json", "{\"a\":1} x", 0 },
	{ "application/json", "{\"a\":", 0 },
	{ "Application/JSON", "nope", 0 },
	{ "application/json; charset=utf-8", "nope", 0 },
	{ "application/problem+json", "nope", 0 },
	{ "application/vnd.x+json;v=1", "nope", 0 },
	{ "", "nope", 0 },
	{ "application/json", "{\"a\":1}\n", 1 },
	{ "application/json", " [1, 2] ", 1 },
	{ "application/vnd.x+json", "{}", 1 },
	{ "text/plain", "nope", 1 },
	{ "application/jsonx", "nope", 1 },
	{ "application/octet-stream", "\x01\x02", 1 },
};

START_TEST(test_result_type)
{
	sh_type(json_cases[_i].type, "printf '%%s' \"$0\"", NULL);
	type.argv[3] = (char *)json_cases[_i].out;
	if (json_cases[_i].ok) {
		ck_assert_int_eq(run(P("{}")), HANDLER_OK);
		result_is(json_cases[_i].out, strlen(json_cases[_i].out),
		    json_cases[_i].type[0] != '\0' ? json_cases[_i].type :
		    "application/json");
	} else {
		ck_assert_int_eq(run(P("{}")), HANDLER_FAIL);
		error_is(500, "invalid_result",
		    "the command's output is not valid JSON");
	}
}
END_TEST

START_TEST(test_empty_output)
{
	sh_type("application/json", "%s", "echo 'progress 100 done' >&2");
	ck_assert_int_eq(run(P("{}")), HANDLER_OK);
	ck_assert_ptr_null(job->result.data);
	ck_assert_uint_eq(job->result.len, 0);
	ck_assert_str_eq(job->result_type, "");
	ck_assert_str_eq(job->err_code, "");
	ck_assert_int_eq(job->progress, 100);

	/* Empty input: stdin is closed at once. */
	sh_type("text/plain", "%s", "wc -c");
	ck_assert_int_eq(run("", 0), HANDLER_OK);
	result_is(P("0\n"), "text/plain");
}
END_TEST

/* A command that never reads its (large) input is no problem. */
START_TEST(test_input_unread)
{
	size_t len = 1024 * 1024;
	char *in;

	in = malloc(len);
	ck_assert_ptr_nonnull(in);
	memset(in, ' ', len);
	sh_type("application/json", "%s", "exec 0<&-; echo '{}'");
	ck_assert_int_eq(run(in, len), HANDLER_OK);
	result_is(P("{}\n"), "application/json");
	sh_type("application/json", "%s", "exit 0");
	ck_assert_int_eq(run(in, len), HANDLER_OK);
	ck_assert_ptr_null(job->result.data);
	free(in);
}
END_TEST

START_TEST(test_spawn_failed)
{
	static const char *const missing[] = { "/nonexistent/cmd", NULL };
	static const char *const noexec[] = { "/etc/passwd", NULL };
	static char word[64 * 1024 - 30];
	static const char *const longword[] = { "/bin/echo", word, NULL };
	size_t i;

	/* A word that placeholders make too long is refused at once. */
	for (i = 0; i + 4 < sizeof(word); i += 4)
		memcpy(word + i, "{id}", 4);
	set_type("text/plain", 4096, longword);
	ck_assert_int_eq(run(P("{}")), HANDLER_FAIL);
	error_is(500, "spawn_failed", NULL);
	ck_assert_ptr_nonnull(strstr(job->err_message, "longer than"));
	word[20] = '\0';
	ck_assert_int_eq(run(P("{}")), HANDLER_OK);
	result_is(P(JOB_ID JOB_ID JOB_ID JOB_ID JOB_ID "\n"), "text/plain");

	if (RUNNING_ON_VALGRIND)
		return;
	set_type("application/json", 4096, missing);
	ck_assert_int_eq(run(P("{}")), HANDLER_FAIL);
	error_is(500, "spawn_failed", NULL);
	ck_assert_ptr_nonnull(strstr(job->err_message, "/nonexistent/cmd"));
	ck_assert_ptr_nonnull(strstr(job->err_message, strerror(ENOENT)));

	set_type("application/json", 4096, noexec);
	ck_assert_int_eq(run(P("{}")), HANDLER_FAIL);
	error_is(500, "spawn_failed", NULL);
}
END_TEST

/* Out of descriptors is a failure for now, worth a retry later. */
START_TEST(test_spawn_emfile)
{
	static const char *const argv[] = { "/bin/true", NULL };
	struct rlimit old, low;
	int fd, rc;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	fd = dup(0);
	ck_assert_int_ge(fd, 0);
	close(fd);
	set_type("application/json", 4096, argv);
	new_job(P("{}"));
	low = old;
	low.rlim_cur = (rlim_t)fd + 1;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	rc = command_run(job, &type, 300);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert_int_eq(rc, HANDLER_RETRY);
	error_is(500, "spawn_failed", NULL);
	ck_assert_ptr_nonnull(strstr(job->err_message, strerror(EMFILE)));
}
END_TEST

/* Live processes (zombies do not count) in the process group. */
static int
group_alive(pid_t pgid)
{
	char path[300], buf[512], *p, *end;
	struct dirent *e;
	size_t len;
	FILE *f;
	DIR *d;
	int n = 0;

	d = opendir("/proc");
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[len] = '\0';
		/* "pid (comm) S ppid pgrp ...", and comm may hold anything. */
		if ((p = strrchr(buf, ')')) == NULL || strlen(p) < 5)
			continue;
		strtol(p + 4, &end, 10);
		if (strtol(end, NULL, 10) == pgid && p[2] != 'Z' && p[2] != 'X')
			n++;
	}
	closedir(d);
	return n;
}

/* Killed processes take a moment to become zombies. */
static int
group_gone(pid_t pgid)
{
	int i;

	for (i = 0; i < 100 && group_alive(pgid) > 0; i++)
		usleep(10000);
	return group_alive(pgid) == 0;
}

static pid_t
read_pid(double secs)
{
	char path[64], buf[32];
	double until = now() + secs;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/pid", dir);
	while (now() < until) {
		if ((fd = open(path, O_RDONLY)) != -1) {
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n > 1 && buf[n - 1] == '\n') {
				buf[n] = '\0';
				return (pid_t)strtol(buf, NULL, 10);
			}
		}
		usleep(10000);
	}
	return -1;
}

/*
 * A command that ignores SIGTERM, with a child that does too, is killed
 * kill_grace_ms after the stop, all of its group with it.
 */
START_TEST(test_stop)
{
	double t0;
	pid_t pgid;
	int i;

	sh_type("application/json", "trap '' TERM; echo $$ > %s/pid; "
	    "sleep 30 & sleep 30; wait", dir);
	new_job(P("{}"));
	job->handler = &cmd_handler;
	pool_run(pool, job);
	pgid = read_pid(10.0);
	ck_assert_int_gt(pgid, 1);
	for (i = 0; i < 500 && group_alive(pgid) < 3; i++)
		usleep(10000);
	ck_assert_int_ge(group_alive(pgid), 3);
	usleep(200000);
	ck_assert_int_eq(wait_for(&job->finished, 0.0), 0);

	t0 = now();
	pool_stop(pool, job, STOP_SHUTDOWN);
	ck_assert_int_ne(wait_for(&job->finished, 10.0), 0);
	ck_assert_double_lt(now() - t0, 1.5);
	ck_assert_double_ge(now() - t0, 0.25);
	pool_lock(pool);
	ck_assert_int_eq(job->rc, HANDLER_FAIL);
	pool_unlock(pool);
	error_is(500, "stopped", "the command was stopped");
	ck_assert(group_gone(pgid));
}
END_TEST

/* SIGTERM alone ends a command that does not ignore it. */
START_TEST(test_stop_term)
{
	double t0;
	pid_t pgid;

	sh_type("application/json", "echo $$ > %s/pid; sleep 30", dir);
	new_job(P("{}"));
	job->handler = &cmd_handler;
	pool_run(pool, job);
	pgid = read_pid(10.0);
	ck_assert_int_gt(pgid, 1);
	t0 = now();
	pool_stop(pool, job, STOP_FENCED);
	ck_assert_int_ne(wait_for(&job->finished, 10.0), 0);
	ck_assert_double_lt(now() - t0, 1.0);
	error_is(500, "stopped", "the command was stopped");
	ck_assert(group_gone(pgid));
}
END_TEST

START_TEST(test_stop_before)
{
	char path[64];

	sh_type("application/json", "touch %s/pid", dir);
	new_job(P("{}"));
	pool_stop(pool, job, STOP_SHUTDOWN);
	ck_assert_int_eq(command_run(job, &type, 300), HANDLER_FAIL);
	error_is(500, "stopped", NULL);
	snprintf(path, sizeof(path), "%s/pid", dir);
	ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

/* A grandchild holding stdout open does not keep the job running. */
START_TEST(test_grandchild)
{
	double t0;
	pid_t pgid;

	sh_type("application/json", "echo $$ > %s/pid; sleep 30 & echo '{}'",
	    dir);
	t0 = now();
	ck_assert_int_eq(run(P("{}")), HANDLER_OK);
	ck_assert_double_lt(now() - t0, 3.0);
	result_is(P("{}\n"), "application/json");
	pgid = read_pid(1.0);
	ck_assert_int_gt(pgid, 1);
	ck_assert(group_gone(pgid));
}
END_TEST

static const struct {
	const char	*line;
	size_t		 len;
	int		 pct;		/* -1: rejected */
	const char	*msg;
} progress_cases[] = {
	{ P("progress 0"), 0, "" },
	{ P("progress 100"), 100, "" },
	{ P("progress 5 hello world"), 5, "hello world" },
	{ P("progress\t7\tmsg"), 7, "msg" },
	{ P("progress   42   two  spaces "), 42, "two  spaces " },
	{ P("progress 007"), 7, "" },
	{ P("progress 5 "), 5, "" },
	{ P("progress 50 tab\there\x01\x7f!"), 50, "tab?here?" "?!" },
	{ P("progress 9 caf\xc3\xa9 \xff"), 9, "caf\xc3\xa9 ?" },
	{ P("progress 101"), -1, NULL },
	{ P("progress -1"), -1, NULL },
	{ P("progress 1000"), -1, NULL },
	{ P("progress 0100"), -1, NULL },
	{ P("progress +5"), -1, NULL },
	{ P("progress 5.5"), -1, NULL },
	{ P("progress 5x"), -1, NULL },
	{ P("progress 5,"), -1, NULL },
	{ P("progress"), -1, NULL },
	{ P("progress "), -1, NULL },
	{ P("progress x"), -1, NULL },
	{ P("progress x 5"), -1, NULL },
	{ P("progresss 5"), -1, NULL },
	{ P("progress5"), -1, NULL },
	{ P("Progress 5"), -1, NULL },
	{ P(" progress 5"), -1, NULL },
	{ P("progres"), -1, NULL },
	{ P(""), -1, NULL },
	{ P("progress \x00" "5"), -1, NULL },
	/* len, not the NUL, ends the line. */
	{ "progress 50 hi", 11, 50, "" },
	{ "progress 50 hi", 10, 5, "" },
	{ "progress 50 hi", 13, 50, "h" },
	{ "progress 50 hi", 8, -1, NULL },
	{ "progress 50 hi", 7, -1, NULL },
	{ "progress 50 hi", 0, -1, NULL },
	{ P("progress 5 a\x00z"), 5, "a?z" },
};

START_TEST(test_progress_parse)
{
	char msg[64], *line;
	int pct = -7;

	/* A copy of exactly len bytes: nothing past it can be read. */
	line = malloc(progress_cases[_i].len + 1);
	ck_assert_ptr_nonnull(line);
	memcpy(line, progress_cases[_i].line, progress_cases[_i].len);
	memset(msg, 'z', sizeof(msg));
	if (progress_cases[_i].pct == -1) {
		ck_assert_int_eq(progress_parse(line, progress_cases[_i].len,
		    &pct, msg, sizeof(msg)), -1);
	} else {
		ck_assert_int_eq(progress_parse(line, progress_cases[_i].len,
		    &pct, msg, sizeof(msg)), 0);
		ck_assert_int_eq(pct, progress_cases[_i].pct);
		ck_assert_str_eq(msg, progress_cases[_i].msg);
	}
	free(line);
}
END_TEST

START_TEST(test_progress_parse_msglen)
{
	char msg[8];
	int pct;

	memset(msg, 'z', sizeof(msg));
	ck_assert_int_eq(progress_parse(P("progress 1 abcdef"), &pct, msg, 4),
	    0);
	ck_assert_str_eq(msg, "abc");
	ck_assert_int_eq(msg[4], 'z');
	/* A character is never cut in two. */
	ck_assert_int_eq(progress_parse(P("progress 1 a\xc3\xa9"), &pct, msg,
	    3), 0);
	ck_assert_str_eq(msg, "a");
	ck_assert_int_eq(progress_parse(P("progress 1 abc"), &pct, msg, 1), 0);
	ck_assert_str_eq(msg, "");
	memset(msg, 'z', sizeof(msg));
	ck_assert_int_eq(progress_parse(P("progress 2 abc"), &pct, msg, 0), 0);
	ck_assert_int_eq(msg[0], 'z');
	ck_assert_int_eq(progress_parse(P("progress 3 abc"), &pct, NULL, 0), 0);
	ck_assert_int_eq(pct, 3);
}
END_TEST

static Suite *
command_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("command");
	tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_echo);
	tcase_add_test(tc, test_big_io);
	tcase_add_test(tc, test_env);
	tcase_add_test(tc, test_placeholders);
	tcase_add_test(tc, test_from_config);
	tcase_add_test(tc, test_input_is_data);
	tcase_add_test(tc, test_no_inherited_fds);
	tcase_add_test(tc, test_child_state);
	tcase_add_test(tc, test_progress);
	tcase_add_test(tc, test_tempfail);
	tcase_add_test(tc, test_exit);
	tcase_add_test(tc, test_signal);
	tcase_add_test(tc, test_long_stderr);
	tcase_add_test(tc, test_too_large);
	tcase_add_loop_test(tc, test_result_type, 0, (int)NITEMS(json_cases));
	tcase_add_test(tc, test_empty_output);
	tcase_add_test(tc, test_input_unread);
	tcase_add_test(tc, test_spawn_failed);
	tcase_add_test(tc, test_spawn_emfile);
	tcase_add_test(tc, test_stop);
	tcase_add_test(tc, test_stop_term);
	tcase_add_test(tc, test_stop_before);
	tcase_add_test(tc, test_grandchild);
	tcase_add_loop_test(tc, test_progress_parse, 0,
	    (int)NITEMS(progress_cases));
	tcase_add_test(tc, test_progress_parse_msglen);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(command_suite)
