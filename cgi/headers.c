#include <limits.h>
#include <stddef.h>
#include <string.h>

/*
 * SHA-256 straight, not through EVP: a responder hashes a few hundred
 * bytes per answer, and EVP's first fetch of a digest sets up the
 * provider's method store, which touches 2 MB of libcrypto per process
 * and allocates a context per call.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "headers.h"
#include "text.h"

/* How much of the SHA-256 of a representation its ETag keeps. */
#define ETAG_BYTES	16

/*
 * A token or the inside of a quoted-string, as it stands in the header.
 * A quoted one still holds its backslashes, which word_getc() drops.
 */
struct word {
	const char	*p;
	size_t		 len;
	int		 quoted;
};

static int
is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* The token characters of RFC 9110 5.6.2. */
static int
is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static size_t
skip_blanks(const char *v, size_t len, size_t i)
{
	while (i < len && is_blank((unsigned char)v[i]))
		i++;
	return i;
}

static size_t
scan_token(const char *v, size_t len, size_t i)
{
	while (i < len && is_tchar((unsigned char)v[i]))
		i++;
	return i;
}

/*
 * A quoted-string (RFC 9110 5.6.4) starting at v[i]: any byte but the
 * controls other than HTAB, with backslash escaping the next one.  Sets
 * *end just past the closing quote.
 */
static int
scan_quoted(const char *v, size_t len, size_t i, size_t *end)
{
	unsigned char c;

	for (i++; i < len; i++) {
		c = (unsigned char)v[i];
		if (c == '"') {
			*end = i + 1;
			return 0;
		}
		if (c == '\\' && ++i == len)
			break;
		c = (unsigned char)v[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return -1;
	}
	return -1;
}

/* The next character of a word, unescaped; 0 at its end. */
static int
word_getc(const struct word *w, size_t *i, unsigned char *c)
{
	if (*i >= w->len)
		return 0;
	if (w->quoted && w->p[*i] == '\\' && *i + 1 < w->len)
		(*i)++;
	*c = (unsigned char)w->p[(*i)++];
	return 1;
}

static int
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
word_ieq(const struct word *w, const char *lit)
{
	size_t i = 0;
	unsigned char c;

	for (; *lit != '\0'; lit++)
		if (word_getc(w, &i, &c) == 0 ||
		    lower(c) != lower((unsigned char)*lit))
			return 0;
	return word_getc(w, &i, &c) == 0;
}

/* delta-seconds: one or more digits; what does not fit is INT_MAX. */
static int
word_delta(const struct word *w, int *out)
{
	size_t i = 0;
	unsigned char c;
	int n = 0, any = 0;

	while (word_getc(w, &i, &c)) {
		if (c < '0' || c > '9')
			return -1;
		n = n > (INT_MAX - (c - '0')) / 10 ? INT_MAX :
		    n * 10 + (c - '0');
		any = 1;
	}
	if (!any)
		return -1;
	*out = n;
	return 0;
}

/*
 * token [ BWS "=" BWS ( token / quoted-string ) ] from v[*ip].  An empty
 * value is no value (RFC 7240 section 2), so val->len is 0 for both.
 */
static int
parse_pair(const char *v, size_t len, size_t *ip, struct word *name,
    struct word *val)
{
	size_t i = *ip, j, end;

	j = scan_token(v, len, i);
	if (j == i)
		return -1;
	name->p = v + i;
	name->len = j - i;
	name->quoted = 0;
	val->p = v + j;
	val->len = 0;
	val->quoted = 0;
	*ip = j;
	i = skip_blanks(v, len, j);
	if (i == len || v[i] != '=')
		return 0;
	i = skip_blanks(v, len, i + 1);
	if (i < len && v[i] == '"') {
		if (scan_quoted(v, len, i, &end) == -1)
			return -1;
		val->p = v + i + 1;
		val->len = end - i - 2;
		val->quoted = 1;
	} else {
		end = scan_token(v, len, i);
		if (end == i)
			return -1;
		val->p = v + i;
		val->len = end - i;
	}
	*ip = end;
	return 0;
}

/*
 * One list element: a preference and its parameters, which we do not
 * use but must get past.  On success *ip is at the ',' or the end.
 */
static int
parse_element(const char *v, size_t len, size_t *ip, struct word *name,
    struct word *val)
{
	struct word pname, pval;
	size_t i = *ip;

	if (parse_pair(v, len, &i, name, val) == -1)
		return -1;
	for (;;) {
		i = skip_blanks(v, len, i);
		if (i == len || v[i] == ',')
			break;
		if (v[i] != ';')
			return -1;
		i = skip_blanks(v, len, i + 1);
		if (i == len || v[i] == ',' || v[i] == ';')
			continue;
		if (parse_pair(v, len, &i, &pname, &pval) == -1)
			return -1;
	}
	*ip = i;
	return 0;
}

/* Past a malformed element: to the next comma outside quotes. */
static size_t
skip_element(const char *v, size_t len, size_t i)
{
	int quoted = 0;

	for (; i < len; i++) {
		if (quoted && v[i] == '\\')
			i++;
		else if (v[i] == '"')
			quoted = !quoted;
		else if (!quoted && v[i] == ',')
			break;
	}
	return i < len ? i : len;
}

void
prefer_parse(const char *v, size_t len, struct prefer *out)
{
	struct word name, val;
	size_t i = 0;
	int seen_wait = 0, seen_return = 0, seen_async = 0, n;

	out->wait = -1;
	out->return_representation = 0;
	out->return_minimal = 0;
	out->respond_async = 0;
	if (v == NULL)
		return;
	while (i < len) {
		if (is_blank((unsigned char)v[i]) || v[i] == ',') {
			i++;
			continue;
		}
		if (parse_element(v, len, &i, &name, &val) == -1) {
			i = skip_element(v, len, i);
			continue;
		}
		if (word_ieq(&name, "wait")) {
			if (!seen_wait && word_delta(&val, &n) == 0)
				out->wait = n;
			seen_wait = 1;
		} else if (word_ieq(&name, "return")) {
			if (!seen_return) {
				out->return_representation =
				    word_ieq(&val, "representation");
				out->return_minimal = word_ieq(&val, "minimal");
			}
			seen_return = 1;
		} else if (word_ieq(&name, "respond-async")) {
			/* It takes no value: one we do not know is ignored. */
			if (!seen_async && val.len == 0)
				out->respond_async = 1;
			seen_async = 1;
		}
	}
}

/* The body of the key inside the quotes of an sf-string. */
static int
idem_quoted(const char *s, size_t len, char *out)
{
	size_t i, n = 0;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '"') {
			/* Nothing may follow the closing quote. */
			if (i + 1 != len || n == 0)
				return -1;
			out[n] = '\0';
			return 0;
		}
		if (c == '\\') {
			if (++i == len)
				return -1;
			c = (unsigned char)s[i];
			if (c != '"' && c != '\\')
				return -1;
		} else if (c < 0x20 || c > 0x7e)
			return -1;
		if (n == IDEM_KEY_MAX)
			return -1;
		out[n++] = (char)c;
	}
	return -1;
}

static int
idem_token(const char *s, size_t len, char *out)
{
	size_t i;
	unsigned char c;

	if (len > IDEM_KEY_MAX)
		return -1;
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c <= 0x20 || c > 0x7e || c == ',' || c == '"' || c == '\\')
			return -1;
		out[i] = (char)c;
	}
	out[len] = '\0';
	return 0;
}

int
idem_key_parse(const char *v, size_t len, char *out, size_t outlen)
{
	size_t i, end;
	int rc;

	if (out == NULL || outlen < IDEM_KEY_MAX + 1)
		return -1;
	out[0] = '\0';
	if (v == NULL)
		return -1;
	i = skip_blanks(v, len, 0);
	end = len;
	while (end > i && is_blank((unsigned char)v[end - 1]))
		end--;
	if (i == end)
		return -1;
	if (v[i] == '"')
		rc = idem_quoted(v + i + 1, end - i - 1, out);
	else
		rc = idem_token(v + i, end - i, out);
	/* A refused key leaves nothing half-copied behind. */
	if (rc == -1)
		out[0] = '\0';
	return rc;
}

/* An opaque-tag character (RFC 9110 8.8.3): no blanks, no quotes. */
static int
is_etagc(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c != 0x7f);
}

int
etag_matches(const char *inm, size_t len, const char *etag)
{
	size_t ourlen, i, j, end;
	int found = 0;

	if (inm == NULL || etag == NULL)
		return 0;
	/* Weak comparison: W/ counts on neither side. */
	if (strncmp(etag, "W/", 2) == 0)
		etag += 2;
	ourlen = strlen(etag);
	if (ourlen < 2 || etag[0] != '"' || etag[ourlen - 1] != '"')
		return 0;
	i = skip_blanks(inm, len, 0);
	end = len;
	while (end > i && is_blank((unsigned char)inm[end - 1]))
		end--;
	if (end - i == 1 && inm[i] == '*')
		return 1;
	/* The whole list is checked before a match counts. */
	while (i < len) {
		if (is_blank((unsigned char)inm[i]) || inm[i] == ',') {
			i++;
			continue;
		}
		if (len - i >= 2 && inm[i] == 'W' && inm[i + 1] == '/')
			i += 2;
		if (i == len || inm[i] != '"')
			return 0;
		for (j = i + 1; j < len && is_etagc((unsigned char)inm[j]); j++)
			continue;
		if (j == len || inm[j] != '"')
			return 0;
		j++;
		if (j - i == ourlen && memcmp(inm + i, etag, ourlen) == 0)
			found = 1;
		i = skip_blanks(inm, len, j);
		if (i < len && inm[i] != ',')
			return 0;
	}
	return found;
}

int
etag_make(char *out, size_t outlen, const void *data, size_t len)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256_CTX ctx;

	if (out == NULL || outlen < ETAG_LEN + 1)
		return -1;
	if (data == NULL && len != 0)
		return -1;
	if (data == NULL)
		data = "";
	if (SHA256_Init(&ctx) != 1 || SHA256_Update(&ctx, data, len) != 1 ||
	    SHA256_Final(md, &ctx) != 1)
		return -1;
	out[0] = '"';
	if (b64url_encode(out + 1, md, ETAG_BYTES) != ETAG_LEN - 2)
		return -1;
	out[ETAG_LEN - 1] = '"';
	out[ETAG_LEN] = '\0';
	return 0;
}
