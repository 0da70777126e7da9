#ifndef RSVP_LINKS_H
#define RSVP_LINKS_H

#include "buf.h"
#include "sign.h"

#define LINK_BASE_MAX	2048

/* The URLs of a job; each carries a signature when keys are configured. */
enum link {
	LINK_STATUS = 0,	/* GET /jobs/{id}: the status monitor */
	LINK_OPERATION,		/* GET /jobs/{id}/status: the operation monitor */
	LINK_RESULT,		/* GET /jobs/{id}/result */
	LINK_CANCEL,		/* DELETE /jobs/{id} */
	LINK__MAX
};

struct links {
	char			 base[LINK_BASE_MAX];	/* the mount point's URL */
	const struct sign_keys	*keys;			/* NULL: unsigned */
	long long		 expires;		/* unix seconds */
};

int	links_url(const struct links *, struct buf *, const char *, enum link)
	    __attribute__((warn_unused_result));

#endif
