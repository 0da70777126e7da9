#ifndef RSVP_HEADERS_H
#define RSVP_HEADERS_H

#include <stddef.h>

/*
 * Parsers for the request headers the responder acts on.  Each takes the
 * value as (buf, len), never reads past len and never needs a NUL; none
 * allocates.
 */

/* The longest Idempotency-Key we keep, and the buffer it needs. */
#define IDEM_KEY_MAX	255

/* "W/" is never ours: a strong tag is a quote, 22 characters, a quote. */
#define ETAG_LEN	24

/*
 * Idempotency-Key: an RFC 8941 sf-string or, leniently, a bare token.  On
 * success out (outlen >= IDEM_KEY_MAX + 1) holds the unescaped key,
 * 1..255 characters, NUL-terminated, and 0 is returned; else -1.
 */
int	idem_key_parse(const char *, size_t, char *, size_t)
	    __attribute__((warn_unused_result));

/*
 * What a Prefer header (RFC 7240) asks for.  Unknown or malformed
 * preferences are ignored, never an error.  The first well-formed
 * occurrence of a preference is the only one considered, even when its
 * value is not understood (RFC 7240 section 2).
 */
struct prefer {
	int	wait;			/* seconds, -1 when absent */
	int	return_representation;
	int	return_minimal;
	int	respond_async;
};

void	prefer_parse(const char *, size_t, struct prefer *);

/*
 * If-None-Match against our own tag (quotes included), with the weak
 * comparison of RFC 9110 13.1.2.  Returns 1 on a match; a malformed
 * list never matches.
 */
int	etag_matches(const char *, size_t, const char *);

/*
 * A strong ETag for a representation: the first 16 bytes of its SHA-256
 * in base64url, quoted.  out needs ETAG_LEN + 1 bytes.  Returns 0 or -1.
 */
int	etag_make(char *, size_t, const void *, size_t)
	    __attribute__((warn_unused_result));

#endif
