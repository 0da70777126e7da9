#ifndef RSVP_LOOP_H
#define RSVP_LOOP_H

/* How a worker runs; every timing is configurable so tests can be quick. */
struct worker_opts {
	unsigned int	 jobs;		/* -j: jobs run at once */
	unsigned int	 poll_ms;	/* look for due jobs this often */
	unsigned int	 grace_ms;	/* on SIGTERM, wait this long for jobs */
};

int	worker_run(const struct worker_opts *);

#endif
