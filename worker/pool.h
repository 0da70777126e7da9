#ifndef RSVP_POOL_H
#define RSVP_POOL_H

#include <pthread.h>
#include <stdatomic.h>

#include "buf.h"
#include "handler.h"
#include "job.h"
#include "uuid.h"

#define RESULT_MAX	(16UL * 1024 * 1024)

/* Why the main loop asked a running job to stop. */
enum stop_reason {
	STOP_NONE = 0,
	STOP_SHUTDOWN,		/* the worker is exiting: hand the job back */
	STOP_FENCED,		/* the lease is lost: write nothing more */
	STOP_TIMEOUT,		/* ran past its type's timeout: a failed attempt */
	STOP_CANCEL,		/* canceled: record it so */
};

struct command_type;

/*
 * One claimed job.  The main thread owns it; while it runs, its handler
 * thread writes the fields marked (h) under the pool's mutex.
 */
struct job {
	char		 id[UUID_LEN + 1];
	char		 type[JOB_TYPE_MAX + 1];
	char		 token[UUID_LEN + 1];
	int		 attempt;
	char		*input;
	size_t		 input_len;
	const struct handler *handler;
	const struct command_type *command;	/* for external commands */
	void		*owner;			/* the configuration it uses */
	unsigned int	 kill_grace_ms;
	long long	 timeout_ms;
	long long	 lease_ms;
	long long	 started;		/* monotonic ms, claimed */
	atomic_llong	 begun;			/* (h) monotonic ms, started */
	int		 held;			/* scratch for the heartbeat */
	int		 cancel;		/* scratch: cancel was asked */

	int		 progress;		/* (h) */
	char		 message[256];		/* (h) */
	int		 progress_dirty;	/* (h) */
	int		 finished;		/* (h) the handler returned */
	int		 rc;			/* (h) what it returned */
	struct buf	 result;		/* (h) */
	char		 result_type[128];	/* (h) */
	char		 err_code[64];		/* (h) */
	char		 err_message[512];	/* (h) */
	int		 err_status;		/* (h) */

	atomic_int	 stop;			/* an enum stop_reason */
	struct pool	*pool;
	struct job	*next;			/* in the pool's run queue */
	struct job	*next_event;		/* in the pool's event list */
	int		 has_event;
	struct job	*next_write;		/* in the main loop's lists */
	int		 need_write;
	int		 writing;		/* handed to the outcome writer */
	int		 written;		/* and handed back */
	int		 wrote;			/* the write's enum wdb_rc */
	int		 ended;			/* and the state it ended in */
	const char	*what;			/* finish, fail, release, cancel */
};

struct pool;

struct job	*job_new(const char *, const char *, const char *, int,
		    const char *, size_t);
void		 job_free(struct job *);

struct pool	*pool_new(unsigned int, int);
void		 pool_free(struct pool *);
void		 pool_run(struct pool *, struct job *);
void		 pool_stop(struct pool *, struct job *, enum stop_reason);
void		 pool_drop_queued(struct pool *, enum stop_reason);
int		 pool_has_queued(struct pool *);
size_t		 pool_events(struct pool *, struct job **, size_t);
void		 pool_lock(struct pool *);
void		 pool_unlock(struct pool *);

#endif
