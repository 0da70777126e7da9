#ifndef RSVP_RESPONSE_H
#define RSVP_RESPONSE_H

#include <stddef.h>

#include "buf.h"

#define RESPONSE_HEADERS_MAX	4096
#define RESPONSE_BODY_MAX	(64UL * 1024 * 1024)

/*
 * An answer being built: a status, extra header lines and a body.  The
 * FastCGI loop writes it out; handlers never touch the connection.
 */
struct response {
	int		 status;
	const char	*content_type;
	char		 headers[RESPONSE_HEADERS_MAX];
	size_t		 headers_len;
	struct buf	 body;
	char		 job_id[40];	/* for the log line */
	char		 ctype[128];	/* a content type copied in */
	char		 etag[40];	/* the body's ETag, when it has one */
};

void		 response_init(struct response *);
void		 response_free(struct response *);
const char	*http_reason(int);
int		 response_header(struct response *, const char *,
		    const char *);
int		 response_content_type(struct response *, const char *)
		    __attribute__((warn_unused_result));
void		 response_problem(struct response *, int, const char *,
		    const char *);
int		 response_head(const struct response *, struct buf *)
		    __attribute__((warn_unused_result));

#endif
