/*
 * The worker's configuration file: global settings first, then one
 * "[type NAME]" section per external-command job type.  The parser is
 * line-based and bounded: it takes (text, len), never reads past len,
 * never relies on a NUL, and names the line of the first error it meets.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "env.h"

#define MAX_OUTPUT_DEFAULT	(16UL * 1024 * 1024)
#define MAX_OUTPUT_MAX		(1024UL * 1024 * 1024)
#define WORD_MAX		4096	/* bytes of an argv word or env line */
#define SHOW_MAX		40	/* bytes of the file a message quotes */

struct parser;

struct key {
	const char	*name;
	int		 in_type;	/* belongs in a [type NAME] section */
	int		 repeat;	/* may be given more than once */
	enum config_error (*set)(struct parser *, const struct key *,
			    const char *, size_t);
	size_t		 off;		/* of the number it sets */
	unsigned long	 min, max;
};

struct parser {
	struct worker_config	*cfg;
	struct command_type	*type;		/* the open section, or NULL */
	size_t			 typeline;	/* the line that opened it */
	size_t			 line;
	unsigned int		 seen;		/* global keys given, bitwise */
	unsigned int		 tseen;		/* the section's keys given */
	size_t			 nenv;		/* the section's env lines */
	char			*err;
	size_t			 errlen;
};

static const char *const reserved_env[] = {
	"RSVP_JOB_ID", "RSVP_JOB_TYPE", "RSVP_ATTEMPT",
};

static const char *const errors[CONFIG__MAX] = {
	[CONFIG_OK] = "no error",
	[CONFIG_IO] = "the file could not be read",
	[CONFIG_TOOBIG] = "the file is too large",
	[CONFIG_SYNTAX] = "syntax error",
	[CONFIG_KEY] = "unknown key",
	[CONFIG_VALUE] = "invalid value",
	[CONFIG_DUPLICATE] = "given twice",
	[CONFIG_NOMEM] = "out of memory",
};

const char *
config_strerror(enum config_error e)
{
	if ((unsigned int)e >= CONFIG__MAX)
		return "unknown error";
	return errors[e];
}

void
config_defaults(struct worker_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->jobs = 4;
	cfg->poll_ms = 1000;
	cfg->heartbeat_ms = 5000;
	cfg->sweep_ms = 1000;
	cfg->purge_ms = 60000;
	cfg->grace_ms = 30000;
	cfg->kill_grace_ms = 5000;
	cfg->types = NULL;
	cfg->ntypes = 0;
}

void
config_free(struct worker_config *cfg)
{
	struct command_type *t;
	size_t i, k;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->ntypes; i++) {
		t = &cfg->types[i];
		for (k = 0; t->argv[k] != NULL; k++)
			free(t->argv[k]);
		for (k = 0; t->env[k] != NULL; k++)
			free(t->env[k]);
	}
	free(cfg->types);
	cfg->types = NULL;
	cfg->ntypes = 0;
}

const struct command_type *
config_find(const struct worker_config *cfg, const char *name)
{
	size_t i;

	if (cfg == NULL || name == NULL)
		return NULL;
	for (i = 0; i < cfg->ntypes; i++)
		if (strcmp(cfg->types[i].name, name) == 0)
			return &cfg->types[i];
	return NULL;
}

/* Say what went wrong on the current line; returns e for a tail call. */
static enum config_error
fail(struct parser *p, enum config_error e, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->err == NULL || p->errlen == 0)
		return e;
	n = snprintf(p->err, p->errlen, "line %zu: ", p->line);
	if (n < 0 || (size_t)n >= p->errlen)
		return e;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return e;
}

/* How much of a piece of the file a message may quote. */
static int
show(size_t len)
{
	return len > SHOW_MAX ? SHOW_MAX : (int)len;
}

static int
blank(char c)
{
	return c == ' ' || c == '\t';
}

static enum config_error
set_number(struct parser *p, const struct key *k, const char *v, size_t n)
{
	char num[24];
	unsigned long u;

	if (n == 0 || n >= sizeof(num))
		goto bad;
	memcpy(num, v, n);
	num[n] = '\0';
	if (parse_ulong(num, k->min, k->max, &u) == -1)
		goto bad;
	/* A type's numbers are sizes, the global ones unsigned ints. */
	if (k->in_type)
		*(size_t *)(void *)((char *)p->type + k->off) = u;
	else
		*(unsigned int *)(void *)((char *)p->cfg + k->off) =
		    (unsigned int)u;
	return CONFIG_OK;
bad:
	return fail(p, CONFIG_VALUE,
	    "%s must be a whole number from %lu to %lu", k->name, k->min,
	    k->max);
}

static enum config_error
set_user(struct parser *p, const struct key *k, const char *v, size_t n)
{
	size_t i;
	char c;

	(void)k;
	if (n >= sizeof(p->cfg->user) || (n > 0 && v[0] == '-'))
		goto bad;
	for (i = 0; i < n; i++) {
		c = v[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')
			continue;
		goto bad;
	}
	memcpy(p->cfg->user, v, n);
	p->cfg->user[n] = '\0';
	return CONFIG_OK;
bad:
	return fail(p, CONFIG_VALUE, "invalid user name \"%.*s\"", show(n), v);
}

/*
 * Split a command into words: blanks separate, double quotes group, and
 * inside quotes \" and \\ stand for " and \.  Each word is copied, so the
 * template owns its argv; config_free releases a partial one.
 */
static enum config_error
set_command(struct parser *p, const struct key *k, const char *v, size_t n)
{
	char word[WORD_MAX], **argv = p->type->argv;
	size_t i = 0, nw = 0, wl;
	int quoted;
	char c;

	(void)k;
	for (;;) {
		while (i < n && blank(v[i]))
			i++;
		if (i == n)
			break;
		if (nw == CONFIG_MAX_WORDS)
			return fail(p, CONFIG_VALUE,
			    "the command has more than %d words",
			    CONFIG_MAX_WORDS);
		wl = 0;
		quoted = 0;
		while (i < n && (quoted || !blank(v[i]))) {
			c = v[i++];
			if (c == '"') {
				quoted = !quoted;
				continue;
			}
			if (quoted && c == '\\' && i < n &&
			    (v[i] == '"' || v[i] == '\\'))
				c = v[i++];
			if (wl == sizeof(word))
				return fail(p, CONFIG_VALUE, "a word of the "
				    "command is longer than %d bytes",
				    WORD_MAX);
			word[wl++] = c;
		}
		if (quoted)
			return fail(p, CONFIG_SYNTAX, "unterminated quote");
		if ((argv[nw] = malloc(wl + 1)) == NULL)
			return fail(p, CONFIG_NOMEM, "out of memory");
		memcpy(argv[nw], word, wl);
		argv[nw][wl] = '\0';
		nw++;
	}
	if (nw == 0)
		return fail(p, CONFIG_VALUE, "the command is empty");
	if (argv[0][0] != '/')
		return fail(p, CONFIG_VALUE,
		    "the command \"%s\" is not an absolute path", argv[0]);
	return CONFIG_OK;
}

/* A media type as a header carries it: no blanks but after a ';'. */
static enum config_error
set_result_type(struct parser *p, const struct key *k, const char *v,
    size_t n)
{
	size_t i;
	char last = '\0';

	(void)k;
	if (n == 0 || n >= sizeof(p->type->result_type))
		goto bad;
	for (i = 0; i < n; i++) {
		if (v[i] < ' ' || v[i] > '~')
			goto bad;
		if (v[i] == ' ' && last != ';')
			goto bad;
		if (v[i] != ' ')
			last = v[i];
	}
	memcpy(p->type->result_type, v, n);
	p->type->result_type[n] = '\0';
	return CONFIG_OK;
bad:
	return fail(p, CONFIG_VALUE, "invalid result-type \"%.*s\"", show(n),
	    v);
}

static enum config_error
set_env(struct parser *p, const struct key *k, const char *v, size_t n)
{
	char **env = p->type->env;
	size_t i, name;

	(void)k;
	for (name = 0; name < n && v[name] != '='; name++)
		if (!(v[name] == '_' || (v[name] >= 'A' && v[name] <= 'Z') ||
		    (v[name] >= 'a' && v[name] <= 'z') ||
		    (name > 0 && v[name] >= '0' && v[name] <= '9')))
			break;
	if (name == 0 || name == n || v[name] != '=')
		return fail(p, CONFIG_VALUE,
		    "env must be NAME=VALUE, not \"%.*s\"", show(n), v);
	for (i = 0; i < sizeof(reserved_env) / sizeof(*reserved_env); i++)
		if (strlen(reserved_env[i]) == name &&
		    memcmp(reserved_env[i], v, name) == 0)
			return fail(p, CONFIG_VALUE,
			    "env %s is set by the worker", reserved_env[i]);
	for (i = 0; i < p->nenv; i++)
		if (strncmp(env[i], v, name + 1) == 0)
			return fail(p, CONFIG_DUPLICATE,
			    "env %.*s is set twice", show(name), v);
	if (p->nenv == CONFIG_MAX_ENV)
		return fail(p, CONFIG_VALUE, "more than %d env lines",
		    CONFIG_MAX_ENV);
	if (n > WORD_MAX)
		return fail(p, CONFIG_VALUE, "env %.*s is longer than %d bytes",
		    show(name), v, WORD_MAX);
	if ((env[p->nenv] = malloc(n + 1)) == NULL)
		return fail(p, CONFIG_NOMEM, "out of memory");
	memcpy(env[p->nenv], v, n);
	env[p->nenv][n] = '\0';
	p->nenv++;
	return CONFIG_OK;
}

#define NUM(n, f, lo, hi) \
	{ n, 0, 0, set_number, offsetof(struct worker_config, f), lo, hi }

static const struct key keys[] = {
	NUM("jobs", jobs, 1, 1024),
	NUM("prefetch", prefetch, 0, 4096),
	NUM("poll-interval", poll_ms, 10, 60000),
	NUM("heartbeat-interval", heartbeat_ms, 10, 3600000),
	NUM("sweep-interval", sweep_ms, 10, 3600000),
	NUM("purge-interval", purge_ms, 10, 3600000),
	NUM("grace", grace_ms, 0, 3600000),
	NUM("kill-grace", kill_grace_ms, 0, 600000),
	{ "user", 0, 0, set_user, 0, 0, 0 },
	{ "command", 1, 0, set_command, 0, 0, 0 },
	{ "result-type", 1, 0, set_result_type, 0, 0, 0 },
	{ "max-output", 1, 0, set_number,
	    offsetof(struct command_type, max_output), 1, MAX_OUTPUT_MAX },
	{ "env", 1, 1, set_env, 0, 0, 0 },
};

/* Close the open section: a type is nothing without its command. */
static enum config_error
end_section(struct parser *p)
{
	size_t line = p->line;

	if (p->type == NULL || p->type->argv[0] != NULL)
		return CONFIG_OK;
	p->line = p->typeline;
	fail(p, CONFIG_VALUE, "type \"%s\" has no command", p->type->name);
	p->line = line;
	return CONFIG_VALUE;
}

static enum config_error
section(struct parser *p, const char *s, size_t n)
{
	struct worker_config *cfg = p->cfg;
	struct command_type *t;
	enum config_error e;
	size_t i;

	if (n < 2 || s[n - 1] != ']')
		return fail(p, CONFIG_SYNTAX, "expected \"[type NAME]\"");
	s++;
	n -= 2;
	while (n > 0 && blank(s[n - 1]))
		n--;
	for (i = 0; i < n && blank(s[i]); i++)
		;
	if (n - i < 5 || memcmp(s + i, "type", 4) != 0 || !blank(s[i + 4]))
		return fail(p, CONFIG_SYNTAX, "expected \"[type NAME]\"");
	for (i += 4; i < n && blank(s[i]); i++)
		;
	s += i;
	n -= i;
	if (!job_type_valid(s, n))
		return fail(p, CONFIG_VALUE, "invalid type name \"%.*s\"",
		    show(n), s);
	if ((e = end_section(p)) != CONFIG_OK)
		return e;
	for (i = 0; i < cfg->ntypes; i++)
		if (strlen(cfg->types[i].name) == n &&
		    memcmp(cfg->types[i].name, s, n) == 0)
			return fail(p, CONFIG_DUPLICATE,
			    "type \"%.*s\" is defined twice", (int)n, s);
	if (cfg->ntypes == CONFIG_MAX_TYPES)
		return fail(p, CONFIG_VALUE, "more than %d types",
		    CONFIG_MAX_TYPES);
	t = reallocarray(cfg->types, cfg->ntypes + 1, sizeof(*t));
	if (t == NULL)
		return fail(p, CONFIG_NOMEM, "out of memory");
	cfg->types = t;
	t = &cfg->types[cfg->ntypes++];
	memset(t, 0, sizeof(*t));
	memcpy(t->name, s, n);
	t->name[n] = '\0';
	snprintf(t->result_type, sizeof(t->result_type), "application/json");
	t->max_output = MAX_OUTPUT_DEFAULT;
	p->type = t;
	p->typeline = p->line;
	p->tseen = 0;
	p->nenv = 0;
	return CONFIG_OK;
}

static enum config_error
assignment(struct parser *p, const char *s, size_t n)
{
	const struct key *k = NULL;
	const char *eq, *v;
	size_t kl, vl, i;
	unsigned int *seen;

	if ((eq = memchr(s, '=', n)) == NULL)
		return fail(p, CONFIG_SYNTAX, "expected \"key = value\"");
	for (kl = (size_t)(eq - s); kl > 0 && blank(s[kl - 1]); kl--)
		;
	v = eq + 1;
	vl = n - (size_t)(v - s);
	while (vl > 0 && blank(*v)) {
		v++;
		vl--;
	}
	if (kl == 0)
		return fail(p, CONFIG_SYNTAX, "expected \"key = value\"");
	for (i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		if (strlen(keys[i].name) == kl &&
		    memcmp(keys[i].name, s, kl) == 0) {
			k = &keys[i];
			break;
		}
	if (k == NULL)
		return fail(p, CONFIG_KEY, "unknown key \"%.*s\"", show(kl), s);
	if (k->in_type && p->type == NULL)
		return fail(p, CONFIG_KEY,
		    "key \"%s\" belongs in a [type NAME] section", k->name);
	if (!k->in_type && p->type != NULL)
		return fail(p, CONFIG_KEY,
		    "key \"%s\" must come before the first section", k->name);
	seen = k->in_type ? &p->tseen : &p->seen;
	if (!k->repeat && (*seen & (1U << i)))
		return fail(p, CONFIG_DUPLICATE, "key \"%s\" is given twice",
		    k->name);
	*seen |= 1U << i;
	return k->set(p, k, v, vl);
}

static enum config_error
parse_line(struct parser *p, const char *s, size_t n)
{
	size_t i;
	int quoted = 0;
	unsigned char c;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '\0')
			return fail(p, CONFIG_SYNTAX,
			    "the line holds a NUL byte");
		if ((c < ' ' && c != '\t') || c == 0x7f)
			return fail(p, CONFIG_SYNTAX,
			    "the line holds a control character");
	}
	/* A '#' starts a comment unless a quoted word of a command holds it. */
	for (i = 0; i < n; i++) {
		if (quoted && s[i] == '\\' && i + 1 < n)
			i++;
		else if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted && s[i] == '#') {
			n = i;
			break;
		}
	}
	while (n > 0 && blank(s[n - 1]))
		n--;
	while (n > 0 && blank(*s)) {
		s++;
		n--;
	}
	if (n == 0)
		return CONFIG_OK;
	if (s[0] == '[')
		return section(p, s, n);
	return assignment(p, s, n);
}

/*
 * Parse a whole configuration into cfg, which need not be initialised: it
 * starts from the defaults.  On error cfg holds the defaults and no types,
 * and err (when given) names the line.
 */
enum config_error
config_parse(const char *text, size_t len, struct worker_config *cfg,
    char *err, size_t errlen)
{
	struct parser p;
	enum config_error e = CONFIG_OK;
	const char *nl;
	size_t i = 0, n;

	config_defaults(cfg);
	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	p.err = err;
	p.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (len > CONFIG_MAX_SIZE) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "the file is larger than %d "
			    "bytes", CONFIG_MAX_SIZE);
		return CONFIG_TOOBIG;
	}
	while (e == CONFIG_OK && i < len) {
		p.line++;
		nl = memchr(text + i, '\n', len - i);
		n = nl == NULL ? len - i : (size_t)(nl - (text + i));
		e = parse_line(&p, text + i, n);
		i += n + (nl != NULL);
	}
	if (e == CONFIG_OK)
		e = end_section(&p);
	if (e != CONFIG_OK) {
		config_free(cfg);
		config_defaults(cfg);
	}
	return e;
}

/* Read at most max + 1 bytes: one more than allowed tells "too large". */
static int
read_capped(int fd, char *buf, size_t max, size_t *len)
{
	ssize_t r;

	*len = 0;
	while (*len <= max) {
		if ((r = read(fd, buf + *len, max + 1 - *len)) == 0)
			break;
		if (r == -1 && errno != EINTR)
			return -1;
		if (r > 0)
			*len += (size_t)r;
	}
	return 0;
}

/* Read a file of at most CONFIG_MAX_SIZE bytes and parse it. */
enum config_error
config_load(const char *path, struct worker_config *cfg, char *err,
    size_t errlen)
{
	enum config_error e = CONFIG_IO;
	const char *why = NULL;
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int fd;

	config_defaults(cfg);
	/* O_NONBLOCK: a FIFO in the file's place must not hang the worker. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1 ||
	    fstat(fd, &st) == -1)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if ((text = malloc(CONFIG_MAX_SIZE + 1)) == NULL) {
		e = CONFIG_NOMEM;
		why = "out of memory";
	} else if (read_capped(fd, text, CONFIG_MAX_SIZE, &len) == -1)
		why = strerror(errno);
	else if (len > CONFIG_MAX_SIZE) {
		e = CONFIG_TOOBIG;
		why = "too large";
	}
	if (fd != -1)
		close(fd);
	if (why == NULL)
		e = config_parse(text, len, cfg, err, errlen);
	else if (err != NULL && errlen > 0 && e == CONFIG_TOOBIG)
		snprintf(err, errlen, "the file is larger than %d bytes",
		    CONFIG_MAX_SIZE);
	else if (err != NULL && errlen > 0)
		snprintf(err, errlen, "could not read the file: %s", why);
	free(text);
	return e;
}
