#ifndef RSVP_DOC_H
#define RSVP_DOC_H

#include "buf.h"
#include "links.h"
#include "store.h"

#define DOC_RESULT	0x01	/* once succeeded, embed "result" */
#define DOC_RESOURCE	0x02	/* once succeeded, add "resourceLocation" */

int	doc_is_json_type(const char *);
int	doc_status(struct buf *, const struct job_status *,
	    const struct links *, int) __attribute__((warn_unused_result));

#endif
