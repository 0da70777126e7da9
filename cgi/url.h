#ifndef RSVP_URL_H
#define RSVP_URL_H

#include <stddef.h>

#include "buf.h"
#include "request.h"

int	url_host_valid(const char *, size_t);
int	url_public_valid(const char *);
int	url_base(struct buf *, const struct request *, const char *, int)
	    __attribute__((warn_unused_result));

#endif
