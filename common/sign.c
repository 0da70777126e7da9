#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sign.h"
#include "text.h"

#define MAC_LEN		32	/* HMAC-SHA256 */
#define EXP_DIGITS	19	/* LLONG_MAX has 19 digits */

/* "rsvp1\n" scope "\n" id "\n" exp: the text that is signed. */
#define MSG_MAX		(6 + 6 + 1 + SIGN_ID_MAX + 1 + EXP_DIGITS + 1)

static const char *const messages[SIGN__MAX] = {
	[SIGN_OK] = "no error",
	[SIGN_EMPTY] = "the signing key list is empty or has an empty entry",
	[SIGN_TOOMANY] = "there are more than 8 signing keys",
	[SIGN_BADKID] = "a key id must be 1..32 characters of A-Z a-z 0-9 _ - "
	    "written kid:secret (a bare secret only as the only key)",
	[SIGN_BADSECRET] = "a signing secret must be 1..256 bytes",
	[SIGN_WEAK] = "a signing secret is shorter than 16 bytes, too weak "
	    "to sign with",
	[SIGN_DUPKID] = "two signing keys have the same key id",
	[SIGN_EXPIRED] = "the signature has expired",
	[SIGN_BAD] = "the signature is missing or not valid",
};

static const char *const scopes[SCOPE__MAX] = {
	[SCOPE_STATUS] = "status",
	[SCOPE_RESULT] = "result",
	[SCOPE_CANCEL] = "cancel",
};

/* The query parameters a signature is made of. */
enum param {
	P_EXP,
	P_KID,
	P_SIG,
	P__MAX
};

static const char *const params[P__MAX] = {
	[P_EXP] = "exp",
	[P_KID] = "kid",
	[P_SIG] = "sig",
};

struct span {
	const char	*p;		/* NULL until the parameter is seen */
	size_t		 len;
};

const char *
sign_strerror(enum sign_error e)
{
	if ((unsigned int)e >= SIGN__MAX)
		return "unknown signature error";
	return messages[e];
}

const char *
sign_scope_name(enum sign_scope s)
{
	if ((unsigned int)s >= SCOPE__MAX)
		return NULL;
	return scopes[s];
}

void
sign_keys_clear(struct sign_keys *keys)
{
	OPENSSL_cleanse(keys, sizeof(*keys));
	keys->n = 0;
}

static int
kid_valid(const char *s, size_t len)
{
	size_t i;
	char c;

	if (len == 0 || len > SIGN_KID_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static enum sign_error
add_key(struct sign_keys *keys, const char *kid, size_t kidlen,
    const char *secret, size_t slen)
{
	struct sign_key *k;
	size_t i;

	if (keys->n == SIGN_KEYS_MAX)
		return SIGN_TOOMANY;
	if (!kid_valid(kid, kidlen))
		return SIGN_BADKID;
	if (slen == 0 || slen > SIGN_SECRET_MAX)
		return SIGN_BADSECRET;
	if (slen < SIGN_SECRET_MIN)
		return SIGN_WEAK;
	for (i = 0; i < keys->n; i++)
		if (strlen(keys->keys[i].kid) == kidlen &&
		    memcmp(keys->keys[i].kid, kid, kidlen) == 0)
			return SIGN_DUPKID;
	k = &keys->keys[keys->n++];
	memcpy(k->kid, kid, kidlen);
	k->kid[kidlen] = '\0';
	memcpy(k->secret, secret, slen);
	k->secretlen = slen;
	return SIGN_OK;
}

/* One "kid:secret" entry; the secret is everything after the first ':'. */
static enum sign_error
add_entry(struct sign_keys *keys, const char *p, size_t len)
{
	const char *colon;

	if (len == 0)
		return SIGN_EMPTY;
	colon = memchr(p, ':', len);
	if (colon == NULL)
		return SIGN_BADKID;
	return add_key(keys, p, (size_t)(colon - p), colon + 1,
	    len - (size_t)(colon - p) - 1);
}

enum sign_error
sign_keys_parse(const char *spec, struct sign_keys *out)
{
	enum sign_error e;
	const char *p, *comma;
	size_t len;

	sign_keys_clear(out);
	if (spec == NULL || *spec == '\0')
		return SIGN_EMPTY;
	if (strchr(spec, ':') == NULL && strchr(spec, ',') == NULL) {
		e = add_key(out, "k0", 2, spec, strlen(spec));
	} else {
		for (p = spec;; p = comma + 1) {
			comma = strchr(p, ',');
			len = comma == NULL ? strlen(p) : (size_t)(comma - p);
			e = add_entry(out, p, len);
			if (e != SIGN_OK || comma == NULL)
				break;
		}
	}
	/* Half a key list is no key list: nothing is kept. */
	if (e != SIGN_OK)
		sign_keys_clear(out);
	return e;
}

static int
b64url_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/*
 * A signature back to the MAC's bytes.  The bits left over at the end
 * must be zero, so that each MAC has exactly one spelling.
 */
static int
sig_decode(const char *s, size_t len, unsigned char out[MAC_LEN])
{
	unsigned long acc = 0;
	size_t i, o = 0;
	int bits = 0, d;

	if (len != SIGN_SIG_LEN)
		return -1;
	for (i = 0; i < len; i++) {
		d = b64url_value(s[i]);
		if (d < 0)
			return -1;
		acc = (acc << 6 | (unsigned long)d) & 0xffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == MAC_LEN)
				return -1;
			out[o++] = (unsigned char)(acc >> bits & 0xff);
		}
	}
	if (o != MAC_LEN || (acc & ((1UL << bits) - 1)) != 0)
		return -1;
	return 0;
}

/* The expiry's digits are signed as they stand in the URL. */
static int
sign_mac(const struct sign_key *k, enum sign_scope scope, const char *id,
    size_t idlen, const char *exp, size_t explen, unsigned char mac[MAC_LEN])
{
	char msg[MSG_MAX];
	unsigned int maclen = 0;
	int n;

	if (idlen > SIGN_ID_MAX || explen > EXP_DIGITS)
		return -1;
	n = snprintf(msg, sizeof(msg), "rsvp1\n%s\n%.*s\n%.*s", scopes[scope],
	    (int)idlen, id, (int)explen, exp);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return -1;
	if (HMAC(EVP_sha256(), k->secret, (int)k->secretlen,
	    (const unsigned char *)msg, (size_t)n, mac, &maclen) == NULL ||
	    maclen != MAC_LEN)
		return -1;
	return 0;
}

int
sign_query(const struct sign_keys *keys, enum sign_scope scope,
    const char *id, long long expires, char *out, size_t outlen)
{
	unsigned char mac[MAC_LEN];
	char exp[EXP_DIGITS + 1], sig[SIGN_SIG_LEN + 1];
	size_t idlen;
	int n;

	if (out == NULL || outlen == 0)
		return -1;
	out[0] = '\0';
	if (keys == NULL || keys->n == 0 || (unsigned int)scope >= SCOPE__MAX ||
	    id == NULL || expires < 0)
		return -1;
	idlen = strnlen(id, SIGN_ID_MAX + 1);
	if (idlen == 0 || idlen > SIGN_ID_MAX)
		return -1;
	n = snprintf(exp, sizeof(exp), "%lld", expires);
	if (n < 0 || (size_t)n >= sizeof(exp))
		return -1;
	if (sign_mac(&keys->keys[0], scope, id, idlen, exp, (size_t)n,
	    mac) == -1)
		return -1;
	sig[b64url_encode(sig, mac, MAC_LEN)] = '\0';
	n = snprintf(out, outlen, "exp=%s&kid=%s&sig=%s", exp,
	    keys->keys[0].kid, sig);
	if (n < 0 || (size_t)n >= outlen) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

/*
 * Pick exp, kid and sig out of the &-separated parameters.  One that
 * comes twice makes the query ambiguous, so it is refused.
 */
static int
find_params(const char *q, size_t qlen, struct span found[P__MAX])
{
	size_t i, end, eq, k, n;

	for (k = 0; k < P__MAX; k++) {
		found[k].p = NULL;
		found[k].len = 0;
	}
	for (i = 0; i < qlen; i = end + 1) {
		for (end = i; end < qlen && q[end] != '&'; end++)
			continue;
		for (eq = i; eq < end && q[eq] != '='; eq++)
			continue;
		for (k = 0; k < P__MAX; k++) {
			n = strlen(params[k]);
			if (eq - i != n || memcmp(q + i, params[k], n) != 0)
				continue;
			if (found[k].p != NULL)
				return -1;
			found[k].p = q + (eq < end ? eq + 1 : end);
			found[k].len = eq < end ? end - eq - 1 : 0;
		}
	}
	return 0;
}

static int
parse_exp(const struct span *s, long long *out)
{
	long long v = 0;
	size_t i;
	int d;

	if (s->len == 0 || s->len > EXP_DIGITS)
		return -1;
	for (i = 0; i < s->len; i++) {
		if (s->p[i] < '0' || s->p[i] > '9')
			return -1;
		d = s->p[i] - '0';
		if (v > (LLONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static const struct sign_key *
find_kid(const struct sign_keys *keys, const struct span *kid)
{
	size_t i;

	for (i = 0; i < keys->n; i++)
		if (strlen(keys->keys[i].kid) == kid->len &&
		    memcmp(keys->keys[i].kid, kid->p, kid->len) == 0)
			return &keys->keys[i];
	return NULL;
}

enum sign_error
sign_verify(const struct sign_keys *keys, enum sign_scope scope,
    const char *id, const char *query, size_t qlen, long long now)
{
	struct span found[P__MAX];
	const struct sign_key *k;
	unsigned char got[MAC_LEN], want[MAC_LEN];
	long long exp;
	size_t idlen, i;

	if (keys == NULL || keys->n == 0 || (unsigned int)scope >= SCOPE__MAX ||
	    id == NULL || query == NULL || qlen == 0 || qlen > SIGN_QUERY_MAX)
		return SIGN_BAD;
	idlen = strnlen(id, SIGN_ID_MAX + 1);
	if (idlen == 0 || idlen > SIGN_ID_MAX)
		return SIGN_BAD;
	if (find_params(query, qlen, found) == -1)
		return SIGN_BAD;
	for (i = 0; i < P__MAX; i++)
		if (found[i].p == NULL)
			return SIGN_BAD;
	if (parse_exp(&found[P_EXP], &exp) == -1)
		return SIGN_BAD;
	if (exp <= now)
		return SIGN_EXPIRED;
	k = find_kid(keys, &found[P_KID]);
	if (k == NULL)
		return SIGN_BAD;
	if (sig_decode(found[P_SIG].p, found[P_SIG].len, got) == -1)
		return SIGN_BAD;
	if (sign_mac(k, scope, id, idlen, found[P_EXP].p, found[P_EXP].len,
	    want) == -1)
		return SIGN_BAD;
	/* Constant time, so the MAC cannot be guessed byte by byte. */
	if (CRYPTO_memcmp(got, want, MAC_LEN) != 0)
		return SIGN_BAD;
	return SIGN_OK;
}
