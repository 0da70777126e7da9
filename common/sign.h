#ifndef RSVP_SIGN_H
#define RSVP_SIGN_H

#include <stddef.h>

/*
 * The valet key (SPEC 1.5): a URL for one job carries an expiry, a key id
 * and an HMAC-SHA256 over ("rsvp1", scope, job id, expiry), so that it
 * can be handed to someone else and stops working on its own.
 */

#define SIGN_KEYS_MAX	8
#define SIGN_KID_MAX	32
#define SIGN_SECRET_MIN	16
#define SIGN_SECRET_MAX	256
#define SIGN_ID_MAX	128	/* the longest job id we sign */
#define SIGN_QUERY_MAX	4096	/* the longest query we look at */
#define SIGN_SIG_LEN	43	/* base64url of 32 bytes, no padding */

/* "exp=" 19 digits "&kid=" kid "&sig=" sig, and a NUL. */
#define SIGN_QUERY_LEN	(4 + 19 + 5 + SIGN_KID_MAX + 5 + SIGN_SIG_LEN + 1)

struct sign_key {
	char		kid[SIGN_KID_MAX + 1];
	unsigned char	secret[SIGN_SECRET_MAX];
	size_t		secretlen;
};

/* The first key signs; all of them verify, so keys can be rotated. */
struct sign_keys {
	struct sign_key	keys[SIGN_KEYS_MAX];
	size_t		n;
};

enum sign_error {
	SIGN_OK = 0,
	SIGN_EMPTY,		/* no key, or an empty entry in the list */
	SIGN_TOOMANY,		/* more than SIGN_KEYS_MAX keys */
	SIGN_BADKID,		/* a key id is missing or malformed */
	SIGN_BADSECRET,		/* a secret is empty or too long */
	SIGN_WEAK,		/* a secret is shorter than SIGN_SECRET_MIN */
	SIGN_DUPKID,		/* two keys have the same id */
	SIGN_EXPIRED,		/* the signature's expiry has passed */
	SIGN_BAD,		/* no valid signature */
	SIGN__MAX
};

/*
 * What a signature allows.  status: GET /jobs/{id} and GET
 * /jobs/{id}/status; result: GET /jobs/{id}/result; cancel: DELETE
 * /jobs/{id} and POST /jobs/{id}/cancel.
 */
enum sign_scope {
	SCOPE_STATUS,
	SCOPE_RESULT,
	SCOPE_CANCEL,
	SCOPE__MAX
};

const char	*sign_strerror(enum sign_error);
const char	*sign_scope_name(enum sign_scope);

/*
 * RSVP_SIGNING_KEY: "kid:secret[,kid:secret...]", or one bare secret,
 * whose kid is "k0".  On error out holds no key.
 */
enum sign_error	sign_keys_parse(const char *, struct sign_keys *)
		    __attribute__((warn_unused_result));

/* Wipe the secrets. */
void		sign_keys_clear(struct sign_keys *);

/*
 * Write "exp=<expires>&kid=<kid>&sig=<sig>" for the job id to out
 * (SIGN_QUERY_LEN bytes are always enough).  Returns 0 or -1.
 */
int		sign_query(const struct sign_keys *, enum sign_scope,
		    const char *, long long, char *, size_t)
		    __attribute__((warn_unused_result));

/*
 * Check the exp, kid and sig parameters of a query string (query, qlen),
 * ignoring the others, at time now.
 */
enum sign_error	sign_verify(const struct sign_keys *, enum sign_scope,
		    const char *, const char *, size_t, long long)
		    __attribute__((warn_unused_result));

#endif
