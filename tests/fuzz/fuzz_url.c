/* url_host_valid on the bytes, url_public_valid on them as a string. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "url.h"

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
	size_t i;

	if ((copy = malloc(len + 1)) == NULL)
		return 0;
	memcpy(copy, data, len);
	if (url_host_valid(copy, len)) {
		/* Nothing a header could be split with gets through. */
		for (i = 0; i < len; i++)
			if ((unsigned char)copy[i] <= ' ' ||
			    (unsigned char)copy[i] > '~' || copy[i] == '/')
				abort();
	}
	copy[len] = '\0';
	if (url_public_valid(copy)) {
		for (i = 0; copy[i] != '\0'; i++)
			if ((unsigned char)copy[i] <= ' ' ||
			    (unsigned char)copy[i] > '~' || copy[i] == '?' ||
			    copy[i] == '#')
				abort();
	}
	free(copy);
	return 0;
}
