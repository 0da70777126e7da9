/* The worker's configuration file parser on any text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
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
	struct worker_config cfg;
	char err[256], *copy;
	enum config_error e;
	size_t i;

	if ((copy = malloc(len == 0 ? 1 : len)) == NULL)
		return 0;
	memcpy(copy, data, len);
	e = config_parse(copy, len, &cfg, err, sizeof(err));
	(void)config_strerror(e);
	if (e != CONFIG_OK && cfg.ntypes != 0)
		abort();
	for (i = 0; i < cfg.ntypes; i++) {
		if (cfg.types[i].argv[0] == NULL ||
		    cfg.types[i].argv[0][0] != '/')
			abort();
		if (config_find(&cfg, cfg.types[i].name) == NULL)
			abort();
	}
	config_free(&cfg);
	/* A short error buffer must still be safe. */
	e = config_parse(copy, len, &cfg, err, 5);
	config_free(&cfg);
	free(copy);
	return 0;
}
