/*
 * The progress lines an external command writes on stderr.
 */
#include <stddef.h>
#include <string.h>

#include "command.h"
#include "text.h"

int
progress_parse(const char *s, size_t len, int *pct, char *msg,
    size_t msglen)
{
	size_t i = 8, digits = 0;
	int v = 0;

	if (len < i || memcmp(s, "progress", i) != 0)
		return -1;
	if (i == len || (s[i] != ' ' && s[i] != '\t'))
		return -1;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		if (++digits > 3)
			return -1;
		v = v * 10 + (s[i++] - '0');
	}
	if (digits == 0 || v > 100)
		return -1;
	if (i < len && s[i] != ' ' && s[i] != '\t')
		return -1;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	*pct = v;
	if (msg != NULL)
		text_clean(msg, msglen, s + i, len - i);
	return 0;
}
