#include <stddef.h>

#include "uuid.h"

int
uuid_parse(const char *s, size_t len, char out[UUID_LEN + 1])
{
	size_t i;
	char c;

	if (len != UUID_LEN)
		return -1;
	for (i = 0; i < UUID_LEN; i++) {
		c = s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return -1;
		} else if (c >= '0' && c <= '9') {
			/* a digit */
		} else if (c >= 'a' && c <= 'f') {
			/* a lower-case hex letter */
		} else if (c >= 'A' && c <= 'F') {
			c = (char)(c - 'A' + 'a');
		} else
			return -1;
		out[i] = c;
	}
	out[UUID_LEN] = '\0';
	return 0;
}
