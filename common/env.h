#ifndef RSVP_ENV_H
#define RSVP_ENV_H

/*
 * Configuration comes from the environment, because that is what
 * FcgidInitialEnv, lighttpd's bin-environment, spawn-fcgi and systemd hand
 * a process.  A value that is set but malformed or out of range is an
 * error, never silently replaced by the default.
 */

int	env_ulong(const char *, unsigned long, unsigned long, unsigned long,
	    unsigned long *) __attribute__((warn_unused_result));
const char	*env_str(const char *, const char *);
int	parse_ulong(const char *, unsigned long, unsigned long,
	    unsigned long *) __attribute__((warn_unused_result));

#endif
