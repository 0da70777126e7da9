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

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* base64url without padding; dst needs (n * 4 + 2) / 3 bytes. */
size_t
b64url_encode(char *dst, const unsigned char *src, size_t n)
{
	size_t i, o = 0;
	unsigned long v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned long)src[i] << 16 |
		    (unsigned long)src[i + 1] << 8 | src[i + 2];
		dst[o++] = b64url[v >> 18 & 63];
		dst[o++] = b64url[v >> 12 & 63];
		dst[o++] = b64url[v >> 6 & 63];
		dst[o++] = b64url[v & 63];
	}
	if (n - i == 0)
		return o;
	v = (unsigned long)src[i] << 16;
	if (n - i == 2)
		v |= (unsigned long)src[i + 1] << 8;
	dst[o++] = b64url[v >> 18 & 63];
	dst[o++] = b64url[v >> 12 & 63];
	if (n - i == 2)
		dst[o++] = b64url[v >> 6 & 63];
	return o;
}

