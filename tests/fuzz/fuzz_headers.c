/*
 * The header parsers: the input is split at its first NUL byte into a
 * header value and an ETag of ours; each parser also gets the whole input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "headers.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char key[IDEM_KEY_MAX + 1], tag[ETAG_LEN + 1];
	struct prefer p;
	const uint8_t *nul;
	char *copy, *etag;
	size_t vlen;

	if ((copy = malloc(len == 0 ? 1 : len)) == NULL)
		return 0;
	memcpy(copy, data, len);
	if (idem_key_parse(copy, len, key, sizeof(key)) == 0 &&
	    (strlen(key) == 0 || strlen(key) > IDEM_KEY_MAX))
		abort();
	prefer_parse(copy, len, &p);
	if (p.wait < -1)
		abort();

	nul = memchr(data, '\0', len);
	vlen = nul == NULL ? len : (size_t)(nul - data);
	/* Our own tag: the rest of the input, NUL-terminated. */
	if ((etag = malloc(len - vlen + 1)) == NULL) {
		free(copy);
		return 0;
	}
	if (nul != NULL)
		memcpy(etag, nul + 1, len - vlen - 1);
	etag[nul != NULL ? len - vlen - 1 : 0] = '\0';
	(void)etag_matches(copy, vlen, etag);
	if (etag_make(tag, sizeof(tag), copy, len) == 0) {
		if (etag_matches(tag, strlen(tag), tag) != 1)
			abort();
		(void)etag_matches(copy, len, tag);
	}
	free(etag);
	free(copy);
	return 0;
}
