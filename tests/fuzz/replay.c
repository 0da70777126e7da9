/*
 * Feed each file named on the command line to a harness, once: the
 * regression inputs of tests/fuzz/regress/ and the seed corpora replayed
 * by any C compiler, without libFuzzer.  A crash is the failure.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

#define REPLAY_MAX	(1024 * 1024)

int
main(int argc, char *argv[])
{
	FILE *f;
	char *data;
	size_t len;
	int i;

	if (LLVMFuzzerInitialize(&argc, &argv) != 0)
		return 1;
	if ((data = malloc(REPLAY_MAX)) == NULL) {
		fprintf(stderr, "replay: out of memory\n");
		return 1;
	}
	for (i = 1; i < argc; i++) {
		if ((f = fopen(argv[i], "rb")) == NULL) {
			fprintf(stderr, "replay: could not open \"%s\"\n",
			    argv[i]);
			free(data);
			return 1;
		}
		len = fread(data, 1, REPLAY_MAX, f);
		fclose(f);
		(void)LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	}
	free(data);
	printf("replay: %d input(s) ran\n", argc - 1);
	return 0;
}
