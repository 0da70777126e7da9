#ifndef RSVP_APP_H
#define RSVP_APP_H

#include <stddef.h>

#include "request.h"
#include "response.h"
#include "sign.h"
#include "store.h"

/* The responder's configuration, read once from the environment. */
struct config {
	size_t		 max_body;	/* RSVP_MAX_BODY, bytes */
	unsigned int	 max_depth;	/* RSVP_MAX_DEPTH */
	const char	*public_url;	/* RSVP_PUBLIC_URL, or NULL */
	unsigned long	 db_timeout;	/* RSVP_DB_TIMEOUT, milliseconds */
	unsigned int	 max_retry_after;	/* RSVP_MAX_RETRY_AFTER, s */
	unsigned int	 max_wait;	/* RSVP_MAX_WAIT, s */
	int		 pending_status;	/* RSVP_PENDING_STATUS: 200, 202 */
	const char	*cors_origin;	/* RSVP_CORS_ORIGIN: "*" or a list */
	int		 trust_proxy;	/* RSVP_TRUST_PROXY */
	int		 signing;	/* RSVP_SIGNING_KEY is set */
	struct sign_keys keys;
	unsigned int	 signing_ttl;	/* RSVP_SIGNING_TTL, s */
	unsigned int	 quota;		/* RSVP_QUOTA: submits ... */
	unsigned int	 quota_window;	/* ... per this many seconds */
	char		 quota_param[80];	/* HTTP_X_API_KEY or REMOTE_ADDR */
	int		 pooler;	/* RSVP_POOLER=transaction */
	unsigned int	 threads;	/* RSVP_THREADS, FastCGI only */
};

struct app {
	struct config	 cfg;
	struct store	*store;
};

struct route_arg;

int	app_config_load(struct config *) __attribute__((warn_unused_result));
void	app_handle(struct app *, struct request *, struct response *,
	    body_reader *, void *);

/* The handlers: jobs.c, monitor.c, ops.c. */
void	jobs_submit(struct app *, const struct request *, struct response *,
	    const struct route_arg *);
void	jobs_cancel(struct app *, const struct request *, struct response *,
	    const struct route_arg *);
void	jobs_status(struct app *, const struct request *, struct response *,
	    const struct route_arg *);
void	jobs_operation(struct app *, const struct request *,
	    struct response *, const struct route_arg *);
void	jobs_result(struct app *, const struct request *, struct response *,
	    const struct route_arg *);
void	ops_health(struct app *, const struct request *, struct response *,
	    const struct route_arg *);
void	ops_metrics(struct app *, const struct request *, struct response *,
	    const struct route_arg *);

#endif
