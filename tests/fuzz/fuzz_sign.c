/*
 * Signatures: the first byte picks a scope and a job id, the rest is a
 * query string verified against fixed keys; the input, NUL-terminated,
 * is also parsed as an RSVP_SIGNING_KEY list.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sign.h"

static struct sign_keys keys;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sign_keys_parse("k1:0123456789abcdef0123456789abcdef,"
	    "old:fedcba9876543210fedcba9876543210", &keys) != SIGN_OK)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const char *const ids[] = {
		"0b9e6c9e-2f43-4d53-9a3a-7c1f1f6a2b10", "x", "",
	};
	struct sign_keys parsed;
	char q[SIGN_QUERY_LEN], *copy;
	enum sign_error e;
	enum sign_scope scope;
	const char *id;

	if (len == 0)
		return 0;
	scope = (enum sign_scope)(data[0] % (SCOPE__MAX + 1));
	id = ids[(data[0] >> 4) % 3];
	if ((copy = malloc(len)) == NULL)
		return 0;
	memcpy(copy, data + 1, len - 1);
	e = sign_verify(&keys, scope, id, copy, len - 1, 1700000000LL);
	if (e == SIGN_OK && (scope >= SCOPE__MAX || *id == '\0'))
		abort();
	(void)sign_strerror(e);
	/* A query we signed always verifies. */
	if (scope < SCOPE__MAX && *id != '\0' &&
	    sign_query(&keys, scope, id, 1700000100LL, q, sizeof(q)) == 0 &&
	    sign_verify(&keys, scope, id, q, strlen(q), 1700000000LL) !=
	    SIGN_OK)
		abort();
	copy[len - 1] = '\0';
	e = sign_keys_parse(copy, &parsed);
	if (e == SIGN_OK && (parsed.n == 0 || parsed.n > SIGN_KEYS_MAX))
		abort();
	if (e != SIGN_OK && parsed.n != 0)
		abort();
	sign_keys_clear(&parsed);
	free(copy);
	return 0;
}
