#ifndef RSVP_JSON_CHECK_H
#define RSVP_JSON_CHECK_H

#include <stddef.h>

/*
 * A strict RFC 8259 validator for request bodies.  It builds nothing: it
 * only says whether (buf, len) is one JSON text that PostgreSQL's jsonb
 * will take, reading no byte past len and relying on no NUL.
 */
enum json_error {
	JSON_OK = 0,
	JSON_EMPTY,		/* nothing but white space */
	JSON_SYNTAX,		/* not JSON */
	JSON_DEPTH,		/* arrays and objects nested too deep */
	JSON_UTF8,		/* invalid UTF-8 or a lone surrogate escape */
	JSON_NUL,		/* a NUL byte or \u0000, which jsonb refuses */
	JSON_TRAILING,		/* data after the JSON text */
	JSON__MAX
};

const char	*json_strerror(enum json_error);
enum json_error	 json_check(const char *, size_t, unsigned int, size_t *)
		    __attribute__((warn_unused_result));

#endif
