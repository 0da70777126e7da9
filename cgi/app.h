#ifndef RSVP_APP_H
#define RSVP_APP_H

#include <stddef.h>

#include "request.h"
#include "response.h"
#include "store.h"

/* The responder's configuration, read once from the environment. */
struct config {
	size_t		 max_body;	/* RSVP_MAX_BODY, bytes */
	unsigned int	 max_depth;	/* RSVP_MAX_DEPTH */
	const char	*public_url;	/* RSVP_PUBLIC_URL, or NULL */
	unsigned long	 db_timeout;	/* RSVP_DB_TIMEOUT, milliseconds */
	unsigned int	 max_retry_after;	/* RSVP_MAX_RETRY_AFTER, s */
};

struct app {
	struct config	 cfg;
	struct store	*store;
};

int	app_config_load(struct config *) __attribute__((warn_unused_result));
void	app_handle(struct app *, struct request *, struct response *,
	    body_reader *, void *);

/* The handlers, in jobs.c. */
struct route_arg;
void	jobs_submit(struct app *, const struct request *, struct response *,
	    const struct route_arg *);
void	jobs_status(struct app *, const struct request *, struct response *,
	    const struct route_arg *);
void	jobs_operation(struct app *, const struct request *,
	    struct response *, const struct route_arg *);
void	jobs_result(struct app *, const struct request *, struct response *,
	    const struct route_arg *);
void	ops_health(struct app *, const struct request *, struct response *,
	    const struct route_arg *);

#endif
