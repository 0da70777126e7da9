#ifndef RSVP_LOOP_H
#define RSVP_LOOP_H

#include "config.h"

/*
 * How a worker runs: its configuration (file, then command line) and the
 * modes only the command line sets.
 */
struct worker_opts {
	struct worker_config	 cfg;
	const char		*config_path;	/* re-read on SIGHUP */
	struct worker_config	 cli;		/* command-line values ... */
	unsigned int		 cli_set;	/* ... and which were given */
	int			 listen;	/* 0: --no-listen, poll only */
	int			 drain;		/* --drain: exit when idle */
	unsigned int		 max_time_s;	/* --max-time, 0: none */
	const char		*pid_file;
};

/* Bits of cli_set. */
#define SET_JOBS	0x01
#define SET_POLL	0x02
#define SET_HEARTBEAT	0x04
#define SET_SWEEP	0x08
#define SET_GRACE	0x10
#define SET_KILL_GRACE	0x20
#define SET_PURGE	0x40
#define SET_PREFETCH	0x80

void	opts_apply_cli(struct worker_opts *);
int	worker_run(struct worker_opts *);

#endif
