#ifndef RSVP_INFLIGHT_H
#define RSVP_INFLIGHT_H

#include "pool.h"
#include "wdb.h"
#include "writer.h"

/*
 * The jobs a worker holds: handed to the handler threads, watched for
 * their timeouts, kept alive by the heartbeat, and written back, fenced by
 * their leases, when their handlers return.
 */
/* Outcomes counted per type, written in a batch with the heartbeat. */
struct type_stats {
	char		 type[JOB_TYPE_MAX + 1];
	int		 succeeded;
	int		 failed;
	int		 canceled;
	double		 duration_sum;		/* seconds, succeeded only */
	int		 duration_count;
};

struct inflight {
	struct pool	 *pool;
	struct job	**jobs;
	struct job	**scratch;
	struct job	**claimed;	/* a claim's new jobs */
	unsigned int	  n;
	unsigned int	  max;		/* jobs claimed and running at once */
	unsigned int	  cap;		/* and those with outcomes to write */
	unsigned int	  nwrite;	/* jobs with outcomes to write */
	int		  notify_fd;
	void		(*forget)(struct job *);	/* called on each job freed */
	struct type_stats *stats;
	size_t		  nstats;
	long long	  lease_min;	/* see inflight_shortest_lease() */
};

int		 inflight_init(struct inflight *, unsigned int, unsigned int, int)
		    __attribute__((warn_unused_result));
void		 inflight_free(struct inflight *);
void		 inflight_start(struct inflight *, struct job *, long long);
void		 inflight_events(struct inflight *, struct wdb *);
int		 inflight_flush(struct inflight *, struct writer *);
int		 inflight_heartbeat(struct inflight *, struct wdb *)
		    __attribute__((warn_unused_result));
long long	 inflight_deadlines(struct inflight *, long long);
long long	 inflight_shortest_lease(const struct inflight *);
void		 inflight_stop_all(struct inflight *, enum stop_reason);
void		 inflight_cancel(struct inflight *, const char *);
unsigned int	 inflight_free_slots(const struct inflight *);
int		 inflight_flush_stats(struct inflight *, struct wdb *)
		    __attribute__((warn_unused_result));

#endif
