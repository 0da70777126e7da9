#include <string.h>

#include "router.h"

/* Does (path, len) match pattern?  A "*" takes one non-empty segment. */
static int
match(const char *pattern, const char *path, size_t len,
    struct route_arg *arg)
{
	size_t i = 0, start;

	for (; *pattern != '\0'; pattern++) {
		if (*pattern == '*') {
			start = i;
			while (i < len && path[i] != '/') {
				if (path[i] == '\0')
					return 0;
				i++;
			}
			if (i == start)
				return 0;
			arg->s = path + start;
			arg->len = i - start;
		} else if (i < len && path[i] == *pattern)
			i++;
		else
			return 0;
	}
	return i == len;
}

/*
 * Find the route for a path and method.  When the path matches only for
 * other methods, *allowed says which, for the 405's Allow header.
 */
enum route_match
router_match(const struct route *table, size_t n, const char *path,
    size_t len, unsigned int method, const struct route **found,
    struct route_arg *arg, unsigned int *allowed)
{
	struct route_arg a;
	size_t i;

	*allowed = 0;
	for (i = 0; i < n; i++) {
		a.s = NULL;
		a.len = 0;
		if (!match(table[i].pattern, path, len, &a))
			continue;
		*allowed |= table[i].methods;
		if (table[i].methods & method) {
			*found = &table[i];
			*arg = a;
			return ROUTE_FOUND;
		}
	}
	return *allowed != 0 ? ROUTE_NO_METHOD : ROUTE_NOT_FOUND;
}
