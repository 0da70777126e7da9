#ifndef RSVP_STORE_H
#define RSVP_STORE_H

#include <stddef.h>

#include <libpq-fe.h>

#include "job.h"

/*
 * The responder's side of the database: one persistent connection per
 * process (or thread), prepared statements, and a reconnect when the
 * connection is found dead.  The threads of one process may share a
 * gather, through which their submits go, several to a commit.
 */
struct store;
struct gather;

enum store_error {
	STORE_OK = 0,
	STORE_NOT_FOUND,	/* no job with that id */
	STORE_UNKNOWN_TYPE,	/* the job type is not registered */
	STORE_BAD_INPUT,	/* the database refused the input */
	STORE_UNAVAILABLE,	/* no connection, or the database is too slow */
	STORE_NOMEM,		/* out of memory */
	STORE_CONFLICT,		/* the idempotency key was used for another request */
	STORE_FAILED,		/* any other database error */
	STORE__MAX
};

/* A job as the monitors show it; the strings live in res. */
struct job_status {
	PGresult	*res;
	const char	*id;
	const char	*type;
	enum job_state	 state;
	int		 progress;
	const char	*message;	/* NULL when none */
	int		 attempt;
	const char	*created_at;
	const char	*updated_at;
	const char	*started_at;	/* NULL until it starts */
	const char	*finished_at;	/* NULL until it ends */
	const char	*error_code;
	const char	*error_message;
	int		 error_status;
	const char	*result_type;	/* NULL when there is no result */
	int		 retry_after;
	const char	*expires;	/* an HTTP date */
	unsigned char	*result;	/* with STATUS_RESULT, else NULL */
	size_t		 result_len;
};

#define STATUS_RESULT	0x01	/* also fetch the result */

struct store	*store_new(unsigned long, int);
void		 store_free(struct store *);
struct gather	*gather_new(unsigned long, int);
void		 gather_free(struct gather *);
void		 store_gather(struct store *, struct gather *);
const char	*store_strerror(enum store_error);
enum store_error	store_submit(struct store *, const char *,
			    const char *, const char *, const char *,
			    struct job_status *)
			    __attribute__((warn_unused_result));
enum store_error	store_cancel(struct store *, const char *, char *,
			    size_t) __attribute__((warn_unused_result));
enum store_error	store_quota(struct store *, const char *,
			    unsigned int, unsigned int, int *)
			    __attribute__((warn_unused_result));
enum store_error	store_quota_back(struct store *, const char *)
			    __attribute__((warn_unused_result));
enum store_error	store_watch(struct store *, const char *)
			    __attribute__((warn_unused_result));
enum store_error	store_wait(struct store *, const char *, long long)
			    __attribute__((warn_unused_result));
void		 store_unwatch(struct store *);
enum store_error	store_metrics(struct store *, PGresult **)
			    __attribute__((warn_unused_result));
enum store_error	store_status(struct store *, const char *, int,
			    struct job_status *)
			    __attribute__((warn_unused_result));
enum store_error	store_ping(struct store *)
			    __attribute__((warn_unused_result));
void		 job_status_clear(struct job_status *);

#endif
