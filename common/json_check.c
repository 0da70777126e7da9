#include <stddef.h>

#include "json_check.h"

struct scan {
	const unsigned char	*p;
	size_t			 len;
	size_t			 pos;
	unsigned int		 depth;
	unsigned int		 max;
};

static enum json_error	value(struct scan *);

static const char *const messages[JSON__MAX] = {
	[JSON_OK] = "valid JSON",
	[JSON_EMPTY] = "the body is empty",
	[JSON_SYNTAX] = "the body is not valid JSON",
	[JSON_DEPTH] = "the JSON is nested too deeply",
	[JSON_UTF8] = "the body is not valid UTF-8",
	[JSON_NUL] = "the JSON contains a NUL character",
	[JSON_TRAILING] = "there is data after the JSON value",
};

const char *
json_strerror(enum json_error e)
{
	if (e < 0 || e >= JSON__MAX)
		return "unknown JSON error";
	return messages[e];
}

static int
peek(const struct scan *s)
{
	return s->pos < s->len ? s->p[s->pos] : -1;
}

static void
space(struct scan *s)
{
	int c;

	while ((c = peek(s)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		s->pos++;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Read the four hex digits of a \u escape; -1 when malformed. */
static long
hex4(struct scan *s)
{
	long v = 0;
	int i, h;

	if (s->len - s->pos < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		if ((h = hexval(s->p[s->pos + i])) < 0)
			return -1;
		v = v * 16 + h;
	}
	s->pos += 4;
	return v;
}

static enum json_error
escape(struct scan *s)
{
	long cp, lo;
	int c;

	if ((c = peek(s)) < 0)
		return JSON_SYNTAX;
	s->pos++;
	switch (c) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n':
	case 'r': case 't':
		return JSON_OK;
	case 'u':
		break;
	default:
		return JSON_SYNTAX;
	}
	if ((cp = hex4(s)) < 0)
		return JSON_SYNTAX;
	if (cp == 0)
		return JSON_NUL;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return JSON_UTF8;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		/* A high surrogate must be followed by a low one. */
		if (s->len - s->pos < 2 || s->p[s->pos] != '\\' ||
		    s->p[s->pos + 1] != 'u')
			return JSON_UTF8;
		s->pos += 2;
		if ((lo = hex4(s)) < 0)
			return JSON_SYNTAX;
		if (lo < 0xdc00 || lo > 0xdfff)
			return JSON_UTF8;
	}
	return JSON_OK;
}

/* One UTF-8 sequence starting at a byte >= 0x80 (RFC 3629, table 3-7). */
static enum json_error
utf8(struct scan *s)
{
	const unsigned char *p = s->p + s->pos;
	size_t left = s->len - s->pos, n, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else
		return JSON_UTF8;
	if (left < n)
		return JSON_UTF8;
	if (p[1] < lo || p[1] > hi)
		return JSON_UTF8;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return JSON_UTF8;
	s->pos += n;
	return JSON_OK;
}

static enum json_error
string(struct scan *s)
{
	enum json_error e;
	int c;

	s->pos++;			/* the opening quote */
	for (;;) {
		if ((c = peek(s)) < 0)
			return JSON_SYNTAX;
		if (c == '"') {
			s->pos++;
			return JSON_OK;
		}
		if (c == '\\') {
			s->pos++;
			if ((e = escape(s)) != JSON_OK)
				return e;
		} else if (c == 0)
			return JSON_NUL;
		else if (c < 0x20)
			return JSON_SYNTAX;
		else if (c >= 0x80) {
			if ((e = utf8(s)) != JSON_OK)
				return e;
		} else
			s->pos++;
	}
}

static int
digits(struct scan *s)
{
	size_t start = s->pos;
	int c;

	while ((c = peek(s)) >= '0' && c <= '9')
		s->pos++;
	return s->pos > start;
}

static enum json_error
number(struct scan *s)
{
	int c;

	if (peek(s) == '-')
		s->pos++;
	if (peek(s) == '0')
		s->pos++;
	else if (!digits(s))
		return JSON_SYNTAX;
	if (peek(s) == '.') {
		s->pos++;
		if (!digits(s))
			return JSON_SYNTAX;
	}
	if ((c = peek(s)) == 'e' || c == 'E') {
		s->pos++;
		if ((c = peek(s)) == '+' || c == '-')
			s->pos++;
		if (!digits(s))
			return JSON_SYNTAX;
	}
	return JSON_OK;
}

static enum json_error
literal(struct scan *s, const char *word, size_t n)
{
	size_t i;

	if (s->len - s->pos < n)
		return JSON_SYNTAX;
	for (i = 0; i < n; i++)
		if (s->p[s->pos + i] != (unsigned char)word[i])
			return JSON_SYNTAX;
	s->pos += n;
	return JSON_OK;
}

/* An array or an object, after its opening bracket. */
static enum json_error
container(struct scan *s, int close)
{
	enum json_error e;

	if (++s->depth > s->max)
		return JSON_DEPTH;
	s->pos++;
	space(s);
	if (peek(s) == close) {
		s->pos++;
		s->depth--;
		return JSON_OK;
	}
	for (;;) {
		if (close == '}') {
			if (peek(s) != '"')
				return peek(s) == 0 ? JSON_NUL : JSON_SYNTAX;
			if ((e = string(s)) != JSON_OK)
				return e;
			space(s);
			if (peek(s) != ':')
				return JSON_SYNTAX;
			s->pos++;
			space(s);
		}
		if ((e = value(s)) != JSON_OK)
			return e;
		space(s);
		if (peek(s) == close) {
			s->pos++;
			s->depth--;
			return JSON_OK;
		}
		if (peek(s) != ',')
			return peek(s) == 0 ? JSON_NUL : JSON_SYNTAX;
		s->pos++;
		space(s);
	}
}

static enum json_error
value(struct scan *s)
{
	int c = peek(s);

	switch (c) {
	case '{':
		return container(s, '}');
	case '[':
		return container(s, ']');
	case '"':
		return string(s);
	case 't':
		return literal(s, "true", 4);
	case 'f':
		return literal(s, "false", 5);
	case 'n':
		return literal(s, "null", 4);
	case 0:
		return JSON_NUL;
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return number(s);
		return c >= 0x80 ? JSON_UTF8 : JSON_SYNTAX;
	}
}

/*
 * Validate (buf, len) with arrays and objects nested at most maxdepth
 * deep.  On error *where, when not NULL, is the offset it was found at.
 */
enum json_error
json_check(const char *buf, size_t len, unsigned int maxdepth, size_t *where)
{
	struct scan s = { (const unsigned char *)buf, len, 0, 0, maxdepth };
	enum json_error e;

	space(&s);
	if (s.pos == s.len)
		e = JSON_EMPTY;
	else if ((e = value(&s)) == JSON_OK) {
		space(&s);
		if (s.pos != s.len)
			e = s.p[s.pos] == 0 ? JSON_NUL : JSON_TRAILING;
	}
	if (where != NULL)
		*where = s.pos;
	return e;
}
