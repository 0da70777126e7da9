#ifndef RSVP_UUID_H
#define RSVP_UUID_H

#include <stddef.h>

#define UUID_LEN 36

/*
 * Check that (s, len) is a UUID in its canonical hyphenated form and copy
 * it, lower-cased and NUL-terminated, to out.  Returns 0 or -1.
 */
int	uuid_parse(const char *, size_t, char [UUID_LEN + 1])
	    __attribute__((warn_unused_result));

#endif
