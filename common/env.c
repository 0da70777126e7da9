#include <errno.h>
#include <stdlib.h>

#include "env.h"
#include "log.h"

/* Parse a whole decimal number within [min, max]; 0 on success. */
int
parse_ulong(const char *s, unsigned long min, unsigned long max,
    unsigned long *out)
{
	unsigned long v;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
env_ulong(const char *name, unsigned long def, unsigned long min,
    unsigned long max, unsigned long *out)
{
	const char *s;

	s = getenv(name);
	if (s == NULL || *s == '\0') {
		*out = def;
		return 0;
	}
	if (parse_ulong(s, min, max, out) == -1) {
		log_warnx("%s must be a whole number from %lu to %lu, not \"%s\"",
		    name, min, max, s);
		return -1;
	}
	return 0;
}

const char *
env_str(const char *name, const char *def)
{
	const char *s;

	s = getenv(name);
	return s == NULL || *s == '\0' ? def : s;
}
