/*
 * Unit tests for worker/config.c: every key, the defaults, the quoting of
 * commands, and each rejection with its error code and line number.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "unit.h"

#include "config.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

static struct worker_config	cfg;
static char			err[256];

static void
setup(void)
{
	config_defaults(&cfg);
	memset(err, 'z', sizeof(err));
	err[sizeof(err) - 1] = '\0';
}

static void
teardown(void)
{
	config_free(&cfg);
}

static enum config_error
parse(const char *text)
{
	config_free(&cfg);
	return config_parse(text, strlen(text), &cfg, err, sizeof(err));
}

/* The error names its line, and cfg is left empty with the defaults. */
static void
fails_at(enum config_error e, const char *text, size_t len, size_t line)
{
	char want[32];

	config_free(&cfg);
	ck_assert_int_eq(config_parse(text, len, &cfg, err, sizeof(err)), e);
	snprintf(want, sizeof(want), "line %zu: ", line);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0,
	    "error \"%s\" does not begin \"%s\"", err, want);
	ck_assert_uint_gt(strlen(err), strlen(want));
	ck_assert_ptr_null(cfg.types);
	ck_assert_uint_eq(cfg.ntypes, 0);
	ck_assert_uint_eq(cfg.jobs, 4);
	ck_assert_uint_eq(cfg.poll_ms, 1000);
}

static void
defaults_are(const struct worker_config *c)
{
	ck_assert_uint_eq(c->jobs, 4);
	ck_assert_uint_eq(c->poll_ms, 1000);
	ck_assert_uint_eq(c->heartbeat_ms, 5000);
	ck_assert_uint_eq(c->sweep_ms, 1000);
	ck_assert_uint_eq(c->purge_ms, 60000);
	ck_assert_uint_eq(c->grace_ms, 30000);
	ck_assert_uint_eq(c->kill_grace_ms, 5000);
	ck_assert_str_eq(c->user, "");
	ck_assert_ptr_null(c->types);
	ck_assert_uint_eq(c->ntypes, 0);
}

START_TEST(test_defaults)
{
	struct worker_config c;

	memset(&c, 0x5a, sizeof(c));
	config_defaults(&c);
	defaults_are(&c);

	ck_assert_int_eq(parse(""), CONFIG_OK);
	defaults_are(&cfg);
	ck_assert_int_eq(config_parse(NULL, 0, &cfg, err, sizeof(err)),
	    CONFIG_OK);
	defaults_are(&cfg);
	ck_assert_int_eq(parse("\n\n  \t\n# only a comment\n   # another\n"),
	    CONFIG_OK);
	defaults_are(&cfg);
	/* A cfg full of garbage is simply overwritten. */
	memset(&c, 0x5a, sizeof(c));
	ck_assert_int_eq(config_parse("jobs = 2", 8, &c, NULL, 0), CONFIG_OK);
	ck_assert_uint_eq(c.jobs, 2);
	ck_assert_uint_eq(c.prefetch, 0);
	config_free(&c);
	ck_assert_int_eq(config_parse("prefetch = 64", 13, &c, NULL, 0),
	    CONFIG_OK);
	ck_assert_uint_eq(c.prefetch, 64);
	config_free(&c);
	ck_assert_int_eq(config_parse("prefetch = 4097", 15, &c, NULL, 0),
	    CONFIG_VALUE);
	ck_assert_uint_eq(c.ntypes, 0);
	config_free(&c);
}
END_TEST

START_TEST(test_globals)
{
	ck_assert_int_eq(parse(
	    "# the worker\n"
	    "jobs = 8\n"
	    "poll-interval=20\n"
	    "heartbeat-interval\t=\t30   # ms\n"
	    "  sweep-interval =40\n"
	    "purge-interval = 50\n"
	    "grace= 0\n"
	    "kill-grace = 600000\n"
	    "user = rsvp_worker-1.x\n"), CONFIG_OK);
	ck_assert_uint_eq(cfg.jobs, 8);
	ck_assert_uint_eq(cfg.poll_ms, 20);
	ck_assert_uint_eq(cfg.heartbeat_ms, 30);
	ck_assert_uint_eq(cfg.sweep_ms, 40);
	ck_assert_uint_eq(cfg.purge_ms, 50);
	ck_assert_uint_eq(cfg.grace_ms, 0);
	ck_assert_uint_eq(cfg.kill_grace_ms, 600000);
	ck_assert_str_eq(cfg.user, "rsvp_worker-1.x");
	ck_assert_uint_eq(cfg.ntypes, 0);

	ck_assert_int_eq(parse("jobs = 1\npoll-interval = 60000\n"
	    "heartbeat-interval = 3600000\nsweep-interval = 10\n"
	    "purge-interval = 3600000\n"
	    "grace = 3600000\nkill-grace = 0\nuser ="), CONFIG_OK);
	ck_assert_uint_eq(cfg.jobs, 1);
	ck_assert_uint_eq(cfg.poll_ms, 60000);
	ck_assert_uint_eq(cfg.heartbeat_ms, 3600000);
	ck_assert_uint_eq(cfg.sweep_ms, 10);
	ck_assert_uint_eq(cfg.purge_ms, 3600000);
	ck_assert_uint_eq(cfg.grace_ms, 3600000);
	ck_assert_uint_eq(cfg.kill_grace_ms, 0);
	ck_assert_str_eq(cfg.user, "");
	ck_assert_int_eq(parse("jobs = 1024\nuser = "
	    "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc"),
	    CONFIG_OK);
	ck_assert_uint_eq(cfg.jobs, 1024);
	ck_assert_uint_eq(strlen(cfg.user), 63);
}
END_TEST

static const char *const bad_values[] = {
	"jobs = 0", "jobs = 1025", "jobs = -1", "jobs = +4", "jobs = 4x",
	"jobs =", "jobs = 0x10", "jobs = 4 4", "jobs = 99999999999999999999",
	"jobs = 4294967300", "jobs = \"4\"",
	"poll-interval = 9", "poll-interval = 60001",
	"heartbeat-interval = 9", "heartbeat-interval = 3600001",
	"sweep-interval = 9", "sweep-interval = 3600001",
	"purge-interval = 9", "purge-interval = 3600001", "purge-interval = 1m",
	"grace = 3600001", "grace = -0", "kill-grace = 600001",
	"user = -rsvp", "user = rs vp", "user = rsvp:x", "user = r\xc3\xa9",
	"user = abcdefghijabcdefghijabcdefghij"
	    "abcdefghijabcdefghijabcdefghijabcd",
};

START_TEST(test_bad_value)
{
	fails_at(CONFIG_VALUE, bad_values[_i], strlen(bad_values[_i]), 1);
}
END_TEST

START_TEST(test_type)
{
	const struct command_type *t;

	ck_assert_int_eq(parse(
	    "jobs = 2\n"
	    "\n"
	    "[type resize]\n"
	    "command = /usr/local/bin/resize --job {id} --attempt {attempt}\n"
	    "result-type = image/png\n"
	    "max-output = 10485760\n"
	    "env = LANG=C.UTF-8\n"
	    "env=_X1=a=b c  \n"
	    "[ type   echo.v2 ]   # the other one\n"
	    "command=/bin/cat\n"), CONFIG_OK);
	ck_assert_uint_eq(cfg.jobs, 2);
	ck_assert_uint_eq(cfg.ntypes, 2);
	t = config_find(&cfg, "resize");
	ck_assert_ptr_eq(t, &cfg.types[0]);
	ck_assert_str_eq(t->name, "resize");
	ck_assert_str_eq(t->argv[0], "/usr/local/bin/resize");
	ck_assert_str_eq(t->argv[1], "--job");
	ck_assert_str_eq(t->argv[2], "{id}");
	ck_assert_str_eq(t->argv[3], "--attempt");
	ck_assert_str_eq(t->argv[4], "{attempt}");
	ck_assert_ptr_null(t->argv[5]);
	ck_assert_str_eq(t->result_type, "image/png");
	ck_assert_uint_eq(t->max_output, 10485760);
	ck_assert_str_eq(t->env[0], "LANG=C.UTF-8");
	ck_assert_str_eq(t->env[1], "_X1=a=b c");
	ck_assert_ptr_null(t->env[2]);

	t = config_find(&cfg, "echo.v2");
	ck_assert_ptr_eq(t, &cfg.types[1]);
	ck_assert_str_eq(t->argv[0], "/bin/cat");
	ck_assert_ptr_null(t->argv[1]);
	ck_assert_str_eq(t->result_type, "application/json");
	ck_assert_uint_eq(t->max_output, 16UL * 1024 * 1024);
	ck_assert_ptr_null(t->env[0]);

	ck_assert_ptr_null(config_find(&cfg, "nope"));
	ck_assert_ptr_null(config_find(&cfg, "Resize"));
	ck_assert_ptr_null(config_find(&cfg, "resize "));
	ck_assert_ptr_null(config_find(&cfg, NULL));
	ck_assert_ptr_null(config_find(NULL, "resize"));
}
END_TEST

START_TEST(test_type_values)
{
	const struct command_type *t;

	ck_assert_int_eq(parse("[type a]\ncommand = /x\n"
	    "result-type = text/plain; charset=utf-8\nmax-output = 1\n"
	    "[type b]\ncommand = /x\nresult-type = application/problem+json;"
	    "  a=b;c=d\nmax-output = 1073741824\n"), CONFIG_OK);
	t = config_find(&cfg, "a");
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->result_type, "text/plain; charset=utf-8");
	ck_assert_uint_eq(t->max_output, 1);
	t = config_find(&cfg, "b");
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->result_type,
	    "application/problem+json;  a=b;c=d");
	ck_assert_uint_eq(t->max_output, 1073741824UL);
}
END_TEST

START_TEST(test_quoting)
{
	const struct command_type *t;

	ck_assert_int_eq(parse("[type q]\n"
	    "command = /bin/sh  -c \t\"echo \\\"hi\\\" \\\\ # not a comment\" "
	    "'x' a\"b c\"d \"\" \"\\n\\\\\" \\bare # a comment\n"),
	    CONFIG_OK);
	t = config_find(&cfg, "q");
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->argv[0], "/bin/sh");
	ck_assert_str_eq(t->argv[1], "-c");
	ck_assert_str_eq(t->argv[2], "echo \"hi\" \\ # not a comment");
	ck_assert_str_eq(t->argv[3], "'x'");
	ck_assert_str_eq(t->argv[4], "ab cd");
	ck_assert_str_eq(t->argv[5], "");
	ck_assert_str_eq(t->argv[6], "\\n\\");
	ck_assert_str_eq(t->argv[7], "\\bare");
	ck_assert_ptr_null(t->argv[8]);
}
END_TEST

/* Placeholders stay as they are: command.c fills them in at run time. */
START_TEST(test_placeholders)
{
	const struct command_type *t;

	ck_assert_int_eq(parse("[type p]\ncommand = /bin/{type} {id} "
	    "--a={attempt}x {other} {id \"{ id}\" {}\n"), CONFIG_OK);
	t = config_find(&cfg, "p");
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->argv[0], "/bin/{type}");
	ck_assert_str_eq(t->argv[1], "{id}");
	ck_assert_str_eq(t->argv[2], "--a={attempt}x");
	ck_assert_str_eq(t->argv[3], "{other}");
	ck_assert_str_eq(t->argv[4], "{id");
	ck_assert_str_eq(t->argv[5], "{ id}");
	ck_assert_str_eq(t->argv[6], "{}");
	ck_assert_ptr_null(t->argv[7]);
}
END_TEST

START_TEST(test_crlf)
{
	const struct command_type *t;

	ck_assert_int_eq(parse("jobs = 7\r\n\r\n[type a]\r\n"
	    "command = /bin/true \"x y\"\r\nenv = A=b\r\n"), CONFIG_OK);
	ck_assert_uint_eq(cfg.jobs, 7);
	t = config_find(&cfg, "a");
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->argv[0], "/bin/true");
	ck_assert_str_eq(t->argv[1], "x y");
	ck_assert_ptr_null(t->argv[2]);
	ck_assert_str_eq(t->env[0], "A=b");

	/* No final newline, and a lone \r inside a line is no blank. */
	ck_assert_int_eq(parse("jobs = 9"), CONFIG_OK);
	ck_assert_uint_eq(cfg.jobs, 9);
	fails_at(CONFIG_SYNTAX, "jobs = 9\rx\n", 11, 1);
}
END_TEST

/* The parser reads len bytes of a buffer that has no NUL after them. */
START_TEST(test_no_nul)
{
	static const char text[] = "jobs = 12\n[type a]\ncommand = /b";
	char *p;

	p = malloc(sizeof(text) - 1);
	ck_assert_ptr_nonnull(p);
	memcpy(p, text, sizeof(text) - 1);
	ck_assert_int_eq(config_parse(p, sizeof(text) - 1, &cfg, err,
	    sizeof(err)), CONFIG_OK);
	ck_assert_uint_eq(cfg.jobs, 12);
	ck_assert_str_eq(cfg.types[0].argv[0], "/b");
	config_free(&cfg);
	/* A shorter len cuts the text short. */
	ck_assert_int_eq(config_parse(p, 8, &cfg, err, sizeof(err)),
	    CONFIG_OK);
	ck_assert_uint_eq(cfg.jobs, 1);
	config_free(&cfg);
	free(p);
}
END_TEST

static const struct {
	const char		*text;
	enum config_error	 e;
	size_t			 line;
} bad[] = {
	{ "foo = 1", CONFIG_KEY, 1 },
	{ "JOBS = 1", CONFIG_KEY, 1 },
	{ "jobs x = 1", CONFIG_KEY, 1 },
	{ "jobs = 2\n\n# c\nfoo=bar", CONFIG_KEY, 4 },
	{ "command = /bin/true", CONFIG_KEY, 1 },
	{ "env = A=b", CONFIG_KEY, 1 },
	{ "max-output = 5", CONFIG_KEY, 1 },
	{ "result-type = text/plain", CONFIG_KEY, 1 },
	{ "[type a]\ncommand = /x\njobs = 3", CONFIG_KEY, 3 },
	{ "[type a]\ncommand = /x\nuser = x", CONFIG_KEY, 3 },
	{ "[type a]\ncommand = /x\ncmd = /y", CONFIG_KEY, 3 },
	{ "jobs", CONFIG_SYNTAX, 1 },
	{ "jobs 4", CONFIG_SYNTAX, 1 },
	{ "= 4", CONFIG_SYNTAX, 1 },
	{ "  =", CONFIG_SYNTAX, 1 },
	{ "[type]", CONFIG_SYNTAX, 1 },
	{ "[type ]", CONFIG_SYNTAX, 1 },
	{ "[type a", CONFIG_SYNTAX, 1 },
	{ "type a]", CONFIG_SYNTAX, 1 },
	{ "[", CONFIG_SYNTAX, 1 },
	{ "[]", CONFIG_SYNTAX, 1 },
	{ "[kind a]", CONFIG_SYNTAX, 1 },
	{ "[typea]", CONFIG_SYNTAX, 1 },
	{ "[types a]", CONFIG_SYNTAX, 1 },
	{ "[type a] x", CONFIG_SYNTAX, 1 },
	{ "x\x01y = 1", CONFIG_SYNTAX, 1 },
	{ "jobs = 1\x7f", CONFIG_SYNTAX, 1 },
	{ "[type A]", CONFIG_VALUE, 1 },
	{ "[type -a]", CONFIG_VALUE, 1 },
	{ "[type a b]", CONFIG_VALUE, 1 },
	{ "[type a/b]", CONFIG_VALUE, 1 },
	{ "[type a\xc3\xa9]", CONFIG_VALUE, 1 },
	{ "[type abcdefghijabcdefghijabcdefghij"
	  "abcdefghijabcdefghijabcdefghijk]",
	  CONFIG_VALUE, 1 },
	{ "[type a]\ncommand = /x\n[type b]\ncommand = /y\n[type a]\n"
	  "command = /z", CONFIG_DUPLICATE, 5 },
	{ "jobs = 1\njobs = 2", CONFIG_DUPLICATE, 2 },
	{ "user = a\nuser = a", CONFIG_DUPLICATE, 2 },
	{ "[type a]\ncommand = /x\ncommand = /x", CONFIG_DUPLICATE, 3 },
	{ "[type a]\ncommand = /x\nresult-type = a/b\nresult-type = a/b",
	  CONFIG_DUPLICATE, 4 },
	{ "[type a]\ncommand = /x\nmax-output = 1\nmax-output = 1",
	  CONFIG_DUPLICATE, 4 },
	{ "[type a]\ncommand = /x\nenv = A=1\nenv = B=2\nenv = A=3",
	  CONFIG_DUPLICATE, 5 },
	/* A section without a command: the error names the section. */
	{ "[type a]", CONFIG_VALUE, 1 },
	{ "[type a]\nresult-type = text/plain\n", CONFIG_VALUE, 1 },
	{ "jobs = 1\n[type a]\n\n[type b]\ncommand = /x", CONFIG_VALUE, 2 },
	{ "[type a]\ncommand = /x\n\n[type b]\n", CONFIG_VALUE, 4 },
	{ "[type a]\ncommand = bin/true", CONFIG_VALUE, 2 },
	{ "[type a]\ncommand = true", CONFIG_VALUE, 2 },
	{ "[type a]\ncommand = ./true", CONFIG_VALUE, 2 },
	{ "[type a]\ncommand = {id}", CONFIG_VALUE, 2 },
	{ "[type a]\ncommand = \"\" /bin/true", CONFIG_VALUE, 2 },
	{ "[type a]\ncommand =", CONFIG_VALUE, 2 },
	{ "[type a]\ncommand = # nothing", CONFIG_VALUE, 2 },
	{ "[type a]\ncommand = \"/bin/true", CONFIG_SYNTAX, 2 },
	{ "[type a]\ncommand = /bin/x \"a\\\"", CONFIG_SYNTAX, 2 },
	{ "[type a]\ncommand = /bin/x \"a # b", CONFIG_SYNTAX, 2 },
	{ "[type a]\ncommand = /x\nresult-type =", CONFIG_VALUE, 3 },
	{ "[type a]\ncommand = /x\nresult-type = text plain", CONFIG_VALUE, 3 },
	{ "[type a]\ncommand = /x\nresult-type = a/b ;c=d", CONFIG_VALUE, 3 },
	{ "[type a]\ncommand = /x\nresult-type = a/b;\tc=d", CONFIG_VALUE, 3 },
	{ "[type a]\ncommand = /x\nresult-type = a/\xc3\xa9", CONFIG_VALUE, 3 },
	{ "[type a]\ncommand = /x\nmax-output = 0", CONFIG_VALUE, 3 },
	{ "[type a]\ncommand = /x\nmax-output = 1073741825", CONFIG_VALUE, 3 },
	{ "[type a]\ncommand = /x\nmax-output = 1k", CONFIG_VALUE, 3 },
	{ "[type a]\ncommand = /x\nmax-output =", CONFIG_VALUE, 3 },
	{ "[type a]\ncommand = /x\nmax-output = -1", CONFIG_VALUE, 3 },
	{ "[type a]\ncommand = /x\nenv = FOO", CONFIG_VALUE, 3 },
	{ "[type a]\ncommand = /x\nenv =", CONFIG_VALUE, 3 },
	{ "[type a]\ncommand = /x\nenv = =x", CONFIG_VALUE, 3 },
	{ "[type a]\ncommand = /x\nenv = 1A=x", CONFIG_VALUE, 3 },
	{ "[type a]\ncommand = /x\nenv = A-B=x", CONFIG_VALUE, 3 },
	{ "[type a]\ncommand = /x\nenv = A B=x", CONFIG_VALUE, 3 },
	{ "[type a]\ncommand = /x\nenv = \xc3\xa9=x", CONFIG_VALUE, 3 },
	{ "[type a]\ncommand = /x\nenv = RSVP_JOB_ID=x", CONFIG_VALUE, 3 },
	{ "[type a]\ncommand = /x\nenv = RSVP_JOB_TYPE=x", CONFIG_VALUE, 3 },
	{ "[type a]\ncommand = /x\nenv = RSVP_ATTEMPT=1", CONFIG_VALUE, 3 },
};

START_TEST(test_bad)
{
	fails_at(bad[_i].e, bad[_i].text, strlen(bad[_i].text), bad[_i].line);
}
END_TEST

START_TEST(test_messages)
{
	ck_assert_int_eq(parse("jobs = 1\n\n\n\n\n\nfoo = 1\n"), CONFIG_KEY);
	ck_assert_str_eq(err, "line 7: unknown key \"foo\"");
	ck_assert_int_eq(parse("[type a]\ncommand = x"), CONFIG_VALUE);
	ck_assert_ptr_nonnull(strstr(err, "absolute"));
	ck_assert_int_eq(parse("[type a]\ncommand = /x\n[type a]"),
	    CONFIG_DUPLICATE);
	ck_assert_str_eq(err, "line 3: type \"a\" is defined twice");
	ck_assert_int_eq(parse("[type zz]\n"), CONFIG_VALUE);
	ck_assert_str_eq(err, "line 1: type \"zz\" has no command");

	/* A short err is cut, never overrun; none at all is fine too. */
	memset(err, 'z', sizeof(err));
	ck_assert_int_eq(config_parse("foo = 1", 7, &cfg, err, 6), CONFIG_KEY);
	ck_assert_str_eq(err, "line ");
	ck_assert_int_eq(err[6], 'z');
	ck_assert_int_eq(config_parse("foo = 1", 7, &cfg, err, 1), CONFIG_KEY);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(config_parse("foo = 1", 7, &cfg, NULL, 0), CONFIG_KEY);
	ck_assert_int_eq(config_parse("foo = 1", 7, &cfg, err, 0), CONFIG_KEY);
	/* A long key is quoted only in part. */
	ck_assert_int_eq(parse("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa = 1"), CONFIG_KEY);
	ck_assert_uint_lt(strlen(err), 80);
	/* Success clears it. */
	ck_assert_int_eq(parse("jobs = 1"), CONFIG_OK);
	ck_assert_str_eq(err, "");
}
END_TEST

START_TEST(test_nul)
{
	static const char t1[] = "jobs = 4\njo\0bs = 5\n";
	static const char t2[] = "[type a]\ncommand = /bin/x \"a\0b\"\n";
	static const char t3[] = "# comment \0 here\n";

	fails_at(CONFIG_SYNTAX, t1, sizeof(t1) - 1, 2);
	fails_at(CONFIG_SYNTAX, t2, sizeof(t2) - 1, 2);
	fails_at(CONFIG_SYNTAX, t3, sizeof(t3) - 1, 1);
	fails_at(CONFIG_SYNTAX, "\0", 1, 1);
}
END_TEST

/* Append n words "/w" and one more, then check the limit. */
START_TEST(test_words)
{
	char *text, *p;
	size_t i, size = 64 + 4 * (CONFIG_MAX_WORDS + 1);

	text = malloc(size);
	ck_assert_ptr_nonnull(text);
	p = text + snprintf(text, size, "[type w]\ncommand =");
	for (i = 0; i < CONFIG_MAX_WORDS; i++)
		p += snprintf(p, size - (size_t)(p - text), " /w");
	ck_assert_int_eq(parse(text), CONFIG_OK);
	ck_assert_str_eq(cfg.types[0].argv[CONFIG_MAX_WORDS - 1], "/w");
	ck_assert_ptr_null(cfg.types[0].argv[CONFIG_MAX_WORDS]);
	snprintf(p, size - (size_t)(p - text), " x");
	fails_at(CONFIG_VALUE, text, strlen(text), 2);
	free(text);
}
END_TEST

START_TEST(test_long_word)
{
	char *text;
	size_t size = 64 + 4097;

	text = malloc(size);
	ck_assert_ptr_nonnull(text);
	snprintf(text, size, "[type w]\ncommand = /");
	memset(text + strlen(text), 'a', 4095);
	text[20 + 4095] = '\0';
	ck_assert_int_eq(parse(text), CONFIG_OK);
	ck_assert_uint_eq(strlen(cfg.types[0].argv[0]), 4096);
	text[20 + 4095] = 'a';
	text[20 + 4096] = '\0';
	fails_at(CONFIG_VALUE, text, strlen(text), 2);
	free(text);
}
END_TEST

START_TEST(test_env_max)
{
	char text[64 + 16 * (CONFIG_MAX_ENV + 1)], *p, *big;
	size_t i, size = 64 + 4097;

	p = text + snprintf(text, sizeof(text), "[type e]\ncommand = /x\n");
	for (i = 0; i < CONFIG_MAX_ENV; i++)
		p += snprintf(p, sizeof(text) - (size_t)(p - text),
		    "env = V%zu=%zu\n", i, i);
	ck_assert_int_eq(parse(text), CONFIG_OK);
	ck_assert_str_eq(cfg.types[0].env[CONFIG_MAX_ENV - 1], "V63=63");
	ck_assert_ptr_null(cfg.types[0].env[CONFIG_MAX_ENV]);
	snprintf(p, sizeof(text) - (size_t)(p - text), "env = W=1\n");
	fails_at(CONFIG_VALUE, text, strlen(text), 3 + CONFIG_MAX_ENV);

	/* An env line holds at most 4096 bytes. */
	big = malloc(size);
	ck_assert_ptr_nonnull(big);
	snprintf(big, size, "[type e]\ncommand = /x\nenv = V=");
	i = strlen(big);
	memset(big + i, 'v', 4094);
	big[i + 4094] = '\0';
	ck_assert_int_eq(parse(big), CONFIG_OK);
	ck_assert_uint_eq(strlen(cfg.types[0].env[0]), 4096);
	big[i + 4094] = 'v';
	big[i + 4095] = '\0';
	fails_at(CONFIG_VALUE, big, strlen(big), 3);
	free(big);
}
END_TEST

START_TEST(test_types_max)
{
	size_t size = 40 * (CONFIG_MAX_TYPES + 1), i;
	char *text, *p;

	text = malloc(size);
	ck_assert_ptr_nonnull(text);
	p = text;
	for (i = 0; i < CONFIG_MAX_TYPES; i++)
		p += snprintf(p, size - (size_t)(p - text),
		    "[type t%zu]\ncommand = /t\n", i);
	ck_assert_int_eq(parse(text), CONFIG_OK);
	ck_assert_uint_eq(cfg.ntypes, CONFIG_MAX_TYPES);
	ck_assert_ptr_nonnull(config_find(&cfg, "t0"));
	ck_assert_ptr_nonnull(config_find(&cfg, "t255"));
	snprintf(p, size - (size_t)(p - text), "[type x]\ncommand = /t\n");
	fails_at(CONFIG_VALUE, text, strlen(text), 2 * CONFIG_MAX_TYPES + 1);
	free(text);
}
END_TEST

START_TEST(test_too_big)
{
	char *text;

	text = malloc(CONFIG_MAX_SIZE + 1);
	ck_assert_ptr_nonnull(text);
	memset(text, '\n', CONFIG_MAX_SIZE + 1);
	ck_assert_int_eq(config_parse(text, CONFIG_MAX_SIZE, &cfg, err,
	    sizeof(err)), CONFIG_OK);
	ck_assert_int_eq(config_parse(text, CONFIG_MAX_SIZE + 1, &cfg, err,
	    sizeof(err)), CONFIG_TOOBIG);
	ck_assert_uint_gt(strlen(err), 0);
	defaults_are(&cfg);
	free(text);
}
END_TEST

START_TEST(test_strerror)
{
	int i, k;

	for (i = 0; i < CONFIG__MAX; i++) {
		ck_assert_ptr_nonnull(config_strerror(i));
		ck_assert_uint_gt(strlen(config_strerror(i)), 0);
		for (k = 0; k < i; k++)
			ck_assert_str_ne(config_strerror(i),
			    config_strerror(k));
	}
	ck_assert_ptr_nonnull(config_strerror(CONFIG__MAX));
	ck_assert_ptr_nonnull(config_strerror(-1));
}
END_TEST

/* Write size bytes of text (repeated) to a new file in dir. */
static void
write_file(const char *path, const char *text, size_t size)
{
	size_t len = strlen(text), off = 0, n;
	FILE *f;

	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	while (off < size) {
		n = size - off < len ? size - off : len;
		ck_assert_uint_eq(fwrite(text, 1, n, f), n);
		off += n;
	}
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_load)
{
	char dir[] = "/tmp/rsvp-config-XXXXXX", path[64], big[64];
	static const char text[] = "jobs = 3\n[type a]\ncommand = /bin/cat\n";

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ok.conf", dir);
	snprintf(big, sizeof(big), "%s/big.conf", dir);

	write_file(path, text, sizeof(text) - 1);
	ck_assert_int_eq(config_load(path, &cfg, err, sizeof(err)), CONFIG_OK);
	ck_assert_uint_eq(cfg.jobs, 3);
	ck_assert_str_eq(config_find(&cfg, "a")->argv[0], "/bin/cat");
	config_free(&cfg);

	/* Exactly the cap is fine; one byte more is not. */
	write_file(big, "#23456789\n", CONFIG_MAX_SIZE);
	ck_assert_int_eq(config_load(big, &cfg, err, sizeof(err)), CONFIG_OK);
	write_file(big, "#23456789\n", CONFIG_MAX_SIZE + 1);
	ck_assert_int_eq(config_load(big, &cfg, err, sizeof(err)),
	    CONFIG_TOOBIG);
	ck_assert_uint_gt(strlen(err), 0);
	defaults_are(&cfg);

	/* A parse error comes through with its line. */
	write_file(path, "jobs = 3\nbogus\n", 15);
	ck_assert_int_eq(config_load(path, &cfg, err, sizeof(err)),
	    CONFIG_SYNTAX);
	ck_assert_str_eq(err, "line 2: expected \"key = value\"");
	defaults_are(&cfg);

	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(config_load(path, &cfg, err, sizeof(err)), CONFIG_IO);
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	defaults_are(&cfg);
	ck_assert_int_eq(config_load(dir, &cfg, err, sizeof(err)), CONFIG_IO);
	ck_assert_uint_gt(strlen(err), 0);
	ck_assert_int_eq(config_load("/dev/null", &cfg, NULL, 0), CONFIG_IO);

	ck_assert_int_eq(unlink(big), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("config");
	tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_globals);
	tcase_add_loop_test(tc, test_bad_value, 0, (int)NITEMS(bad_values));
	tcase_add_test(tc, test_type);
	tcase_add_test(tc, test_type_values);
	tcase_add_test(tc, test_quoting);
	tcase_add_test(tc, test_placeholders);
	tcase_add_test(tc, test_crlf);
	tcase_add_test(tc, test_no_nul);
	tcase_add_loop_test(tc, test_bad, 0, (int)NITEMS(bad));
	tcase_add_test(tc, test_messages);
	tcase_add_test(tc, test_nul);
	tcase_add_test(tc, test_words);
	tcase_add_test(tc, test_long_word);
	tcase_add_test(tc, test_env_max);
	tcase_add_test(tc, test_types_max);
	tcase_add_test(tc, test_too_big);
	tcase_add_test(tc, test_strerror);
	tcase_add_test(tc, test_load);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(config_suite)
