#ifndef RSVP_CONFIG_H
#define RSVP_CONFIG_H

#include <stddef.h>

#include "job.h"

#define CONFIG_MAX_SIZE		(256 * 1024)	/* bytes of config file */
#define CONFIG_MAX_TYPES	256
#define CONFIG_MAX_WORDS	128		/* argv words of a command */
#define CONFIG_MAX_ENV		64

/*
 * An external-command job type from the worker's configuration file:
 *
 *	[type resize]
 *	command = /usr/local/bin/resize --job {id} --attempt {attempt}
 *	result-type = image/png
 *	max-output = 10485760
 *	env = LANG=C.UTF-8
 *
 * The command is an argv template, split into words at blanks; a word may
 * be double-quoted ("a b"), with \" and \\ as its escapes.  In each word
 * {id}, {type} and {attempt} are replaced by the job's; nothing from the
 * job's input ever reaches the argv.  No shell is involved.
 */
struct command_type {
	char	 name[JOB_TYPE_MAX + 1];
	char	*argv[CONFIG_MAX_WORDS + 1];	/* NULL-terminated template */
	char	 result_type[128];		/* default application/json */
	size_t	 max_output;			/* stdout cap, bytes */
	char	*env[CONFIG_MAX_ENV + 1];	/* extra NAME=VALUE, NULL-ended */
};

/*
 * The worker's configuration.  Global keys (before any section):
 *
 *	jobs = 4			handler threads (1..1024)
 *	prefetch = 0			jobs claimed ahead of them (0..4096)
 *	poll-interval = 1000		ms (10..60000)
 *	heartbeat-interval = 5000	ms (10..3600000)
 *	sweep-interval = 1000		ms (10..3600000)
 *	purge-interval = 60000		ms (10..3600000), retention purge
 *	grace = 30000			ms (0..3600000)
 *	kill-grace = 5000		ms between SIGTERM and SIGKILL (0..600000)
 *	user = rsvp			run handlers as this user (when root)
 *
 * '#' starts a comment (outside quotes); blank lines are ignored.
 */
struct worker_config {
	unsigned int		 jobs;
	unsigned int		 prefetch;
	unsigned int		 poll_ms;
	unsigned int		 heartbeat_ms;
	unsigned int		 sweep_ms;
	unsigned int		 purge_ms;
	unsigned int		 grace_ms;
	unsigned int		 kill_grace_ms;
	char			 user[64];
	struct command_type	*types;
	size_t			 ntypes;
};

enum config_error {
	CONFIG_OK = 0,
	CONFIG_IO,		/* the file could not be read */
	CONFIG_TOOBIG,		/* the file is larger than CONFIG_MAX_SIZE */
	CONFIG_SYNTAX,		/* a line is not "key = value" or "[type NAME]" */
	CONFIG_KEY,		/* an unknown key */
	CONFIG_VALUE,		/* a value out of range or malformed */
	CONFIG_DUPLICATE,	/* a type defined twice */
	CONFIG_NOMEM,		/* out of memory */
	CONFIG__MAX
};

void		 config_defaults(struct worker_config *);
const char	*config_strerror(enum config_error);
enum config_error	config_parse(const char *, size_t, struct worker_config *,
			    char *, size_t) __attribute__((warn_unused_result));
enum config_error	config_load(const char *, struct worker_config *,
			    char *, size_t) __attribute__((warn_unused_result));
void		 config_free(struct worker_config *);
const struct command_type	*config_find(const struct worker_config *,
				    const char *);

#endif
