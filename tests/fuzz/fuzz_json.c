/* json_check on any bytes, at a small and at the default depth. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "json_check.h"

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
	char *copy;
	size_t where;
	enum json_error e;

	/* An exact-size copy, so that ASan sees any read past len. */
	if ((copy = malloc(len == 0 ? 1 : len)) == NULL)
		return 0;
	memcpy(copy, data, len);
	e = json_check(copy, len, 64, &where);
	if (where > len || (unsigned int)e >= JSON__MAX)
		abort();
	(void)json_strerror(e);
	if ((unsigned int)json_check(copy, len, 2, NULL) >= JSON__MAX)
		abort();
	free(copy);
	return 0;
}
