/* progress_parse: a line an external command writes on stderr. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "fuzz.h"

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
	char msg[64], tiny[1], *copy;
	int pct = -1;

	if ((copy = malloc(len == 0 ? 1 : len)) == NULL)
		return 0;
	memcpy(copy, data, len);
	if (progress_parse(copy, len, &pct, msg, sizeof(msg)) == 0 &&
	    (pct < 0 || pct > 100 || strlen(msg) >= sizeof(msg)))
		abort();
	(void)progress_parse(copy, len, &pct, tiny, sizeof(tiny));
	(void)progress_parse(copy, len, &pct, NULL, 0);
	free(copy);
	return 0;
}
