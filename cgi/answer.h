#ifndef RSVP_ANSWER_H
#define RSVP_ANSWER_H

#include "app.h"
#include "links.h"
#include "router.h"
#include "uuid.h"

/*
 * What the job handlers share: reading the job a URL names (its id and,
 * with signing, its signature), the status document with its headers,
 * and waiting for a job to change.
 */

void	answer_store_error(struct response *, enum store_error);
int	answer_links(struct links *, const struct app *,
	    const struct request *) __attribute__((warn_unused_result));
int	answer_url_header(struct response *, const char *,
	    const struct links *, const char *, enum link);
int	answer_status(struct app *, const struct request *,
	    struct response *, const struct job_status *,
	    const struct links *, int) __attribute__((warn_unused_result));
void	answer_not_modified(const struct request *, struct response *);
int	answer_load(struct app *, const struct request *, struct response *,
	    const struct route_arg *, enum sign_scope, int,
	    struct job_status *) __attribute__((warn_unused_result));
int	answer_wait_seconds(const struct app *, const struct request *,
	    int *);
enum store_error	answer_wait(struct app *, unsigned int, int,
			    struct job_status *, int)
			    __attribute__((warn_unused_result));

#endif
