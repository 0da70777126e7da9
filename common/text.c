#include <stddef.h>
#include <string.h>

#include "text.h"

/*
 * Copy text from a handler or a command for a message: control
 * characters and bytes that are not UTF-8 become '?', so the text is safe
 * for JSON and PostgreSQL, and a character is never cut in two.  dst may
 * be src: the copy never runs ahead of what it reads.
 */
void
text_clean(char *dst, size_t dstlen, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0, n, k;
	unsigned int c, cp;

	if (dstlen == 0)
		return;
	while (i < len && o + 1 < dstlen) {
		c = s[i];
		n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 :
		    c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		cp = n == 1 ? c : c & (0x7fU >> n);
		for (k = 1; k < n && i + k < len && (s[i + k] & 0xc0) == 0x80;
		    k++)
			cp = cp << 6 | (s[i + k] & 0x3f);
		/* Overlong forms, surrogates and controls are no good. */
		if (n == 0 || k < n || cp < 0x20 || cp == 0x7f ||
		    (n == 3 && cp < 0x800) || (cp >= 0xd800 && cp <= 0xdfff) ||
		    (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) {
			dst[o++] = '?';
			i++;
			continue;
		}
		if (o + n >= dstlen)
			break;
		memmove(dst + o, s + i, n);
		o += n;
		i += n;
	}
	dst[o] = '\0';
}
