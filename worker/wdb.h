#ifndef RSVP_WDB_H
#define RSVP_WDB_H

#include <libpq-fe.h>

#include "pool.h"

/* The worker's database session: claims and the fenced writes. */
struct wdb {
	PGconn	*conn;
	char	 host[64];
	char	 name[128];	/* host:pid, recorded on the jobs it runs */
	char	*types;		/* the types it handles, as a text[] */
	int	 listen;	/* LISTEN for the doorbell and cancels */
	int	 outcomes;	/* the outcome writer's: not in rsvp.workers */
	int	 slots;
	unsigned int heartbeat_ms;
};

/* Called for each job id announced on channel rsvp_cancel. */
typedef void	cancel_fn(void *, const char *);

/* What a write did. */
enum wdb_rc {
	WDB_DONE = 0,		/* written */
	WDB_FENCED = 1,		/* the lease is no longer ours: nothing written */
	WDB_LOST = -1,		/* the connection is gone: try again later */
	WDB_REFUSED = -2,	/* the database refused it: do not retry */
};

void	wdb_init(struct wdb *, int, int, unsigned int);
int	wdb_set_types(struct wdb *, const char *const *, size_t)
	    __attribute__((warn_unused_result));
void	wdb_free(struct wdb *);
int	wdb_open(struct wdb *) __attribute__((warn_unused_result));
void	wdb_close(struct wdb *);
int	wdb_claim(struct wdb *, int, struct job **, int *)
	    __attribute__((warn_unused_result));
int	wdb_arm(struct wdb *) __attribute__((warn_unused_result));
int	wdb_notified(struct wdb *, cancel_fn *, void *)
	    __attribute__((warn_unused_result));
int	wdb_buffered(struct wdb *, cancel_fn *, void *);
int	wdb_reap(struct wdb *) __attribute__((warn_unused_result));
int	wdb_purge(struct wdb *, int) __attribute__((warn_unused_result));
int	wdb_heartbeat(struct wdb *, struct job **, size_t)
	    __attribute__((warn_unused_result));
void	wdb_unregister(struct wdb *);
int	wdb_begin(struct wdb *) __attribute__((warn_unused_result));
int	wdb_commit(struct wdb *) __attribute__((warn_unused_result));
void	wdb_rollback(struct wdb *);
enum wdb_rc	wdb_progress(struct wdb *, const struct job *, int,
		    const char *) __attribute__((warn_unused_result));
enum wdb_rc	wdb_finish(struct wdb *, const struct job *)
		    __attribute__((warn_unused_result));
enum wdb_rc	wdb_finish_many(struct wdb *, struct job **, size_t)
		    __attribute__((warn_unused_result));
enum wdb_rc	wdb_fail(struct wdb *, const struct job *, int, int *)
		    __attribute__((warn_unused_result));
struct type_stats;
int		wdb_record_stats(struct wdb *, const struct type_stats *,
		    size_t) __attribute__((warn_unused_result));
enum wdb_rc	wdb_release(struct wdb *, const struct job *)
		    __attribute__((warn_unused_result));
enum wdb_rc	wdb_canceled(struct wdb *, const struct job *)
		    __attribute__((warn_unused_result));

#endif
