#ifndef RSVP_TEXT_H
#define RSVP_TEXT_H

#include <stddef.h>

void	text_clean(char *, size_t, const char *, size_t);
size_t	b64url_encode(char *, const unsigned char *, size_t);

#endif
