/*
 * rsvp-worker: runs the jobs that rsvp.fcgi and psql queue.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env.h"
#include "log.h"
#include "loop.h"

static _Noreturn void
usage(void)
{
	fprintf(stderr,
	    "usage: rsvp-worker [-j jobs] [-c config] [--poll-interval ms]\n"
	    "           [--heartbeat-interval ms] [--sweep-interval ms]"
	    " [--grace ms]\n"
	    "           [--purge-interval ms] [--kill-grace ms]"
	    " [--prefetch n]\n"
	    "           [--no-listen] [--drain] [--max-time s]"
	    " [--pid-file file]\n");
	exit(2);
}

static unsigned int
number(const char *opt, const char *arg, unsigned long min,
    unsigned long max)
{
	unsigned long v;

	if (parse_ulong(arg, min, max, &v) == -1)
		fatalx("%s must be a whole number from %lu to %lu, not \"%s\"",
		    opt, min, max, arg);
	return (unsigned int)v;
}

/*
 * Handlers never run as root: as root, become the configured user, in a
 * fixed order (groups, gid, uid) and check that it cannot be undone.
 */
static void
drop_privileges(const char *user)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return;
	if (user[0] == '\0')
		fatalx("refusing to run handlers as root: set user = in the"
		    " configuration file");
	errno = 0;
	if ((pw = getpwnam(user)) == NULL)
		fatalx("no such user \"%s\"", user);
	if (pw->pw_uid == 0)
		fatalx("user \"%s\" is root", user);
	if (initgroups(pw->pw_name, pw->pw_gid) == -1 ||
	    setgid(pw->pw_gid) == -1 || setuid(pw->pw_uid) == -1)
		fatal("could not become \"%s\"", user);
	if (setuid(0) != -1)
		fatalx("could still become root after dropping privileges");
}

static void
write_pid(const char *path)
{
	FILE *fp;

	if ((fp = fopen(path, "w")) == NULL)
		fatal("could not open pid file \"%s\"", path);
	fprintf(fp, "%ld\n", (long)getpid());
	if (fclose(fp) == EOF)
		fatal("could not write pid file \"%s\"", path);
}

int
main(int argc, char *argv[])
{
	enum { O_POLL = 256, O_HEARTBEAT, O_SWEEP, O_PURGE, O_GRACE, O_KILL_GRACE,
	    O_NO_LISTEN, O_DRAIN, O_MAX_TIME, O_PID_FILE, O_PREFETCH };
	static const struct option longopts[] = {
		{ "jobs", required_argument, NULL, 'j' },
		{ "config", required_argument, NULL, 'c' },
		{ "poll-interval", required_argument, NULL, O_POLL },
		{ "heartbeat-interval", required_argument, NULL, O_HEARTBEAT },
		{ "sweep-interval", required_argument, NULL, O_SWEEP },
		{ "purge-interval", required_argument, NULL, O_PURGE },
		{ "grace", required_argument, NULL, O_GRACE },
		{ "kill-grace", required_argument, NULL, O_KILL_GRACE },
		{ "no-listen", no_argument, NULL, O_NO_LISTEN },
		{ "drain", no_argument, NULL, O_DRAIN },
		{ "max-time", required_argument, NULL, O_MAX_TIME },
		{ "pid-file", required_argument, NULL, O_PID_FILE },
		{ "prefetch", required_argument, NULL, O_PREFETCH },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct worker_opts o;
	char err[256];
	int ch, rc;

	log_init("rsvp-worker");
	memset(&o, 0, sizeof(o));
	o.listen = 1;
	while ((ch = getopt_long(argc, argv, "j:c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			o.cli.jobs = number("-j", optarg, 1, 1024);
			o.cli_set |= SET_JOBS;
			break;
		case 'c':
			o.config_path = optarg;
			break;
		case O_POLL:
			o.cli.poll_ms = number("--poll-interval", optarg, 10,
			    60000);
			o.cli_set |= SET_POLL;
			break;
		case O_HEARTBEAT:
			o.cli.heartbeat_ms = number("--heartbeat-interval",
			    optarg, 10, 3600000);
			o.cli_set |= SET_HEARTBEAT;
			break;
		case O_SWEEP:
			o.cli.sweep_ms = number("--sweep-interval", optarg, 10,
			    3600000);
			o.cli_set |= SET_SWEEP;
			break;
		case O_PURGE:
			o.cli.purge_ms = number("--purge-interval", optarg, 10,
			    3600000);
			o.cli_set |= SET_PURGE;
			break;
		case O_GRACE:
			o.cli.grace_ms = number("--grace", optarg, 0, 3600000);
			o.cli_set |= SET_GRACE;
			break;
		case O_KILL_GRACE:
			o.cli.kill_grace_ms = number("--kill-grace", optarg, 0,
			    600000);
			o.cli_set |= SET_KILL_GRACE;
			break;
		case O_PREFETCH:
			o.cli.prefetch = number("--prefetch", optarg, 0, 4096);
			o.cli_set |= SET_PREFETCH;
			break;
		case O_NO_LISTEN:
			o.listen = 0;
			break;
		case O_DRAIN:
			o.drain = 1;
			break;
		case O_MAX_TIME:
			o.max_time_s = number("--max-time", optarg, 1, 86400);
			break;
		case O_PID_FILE:
			o.pid_file = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	config_defaults(&o.cfg);
	if (o.config_path != NULL &&
	    config_load(o.config_path, &o.cfg, err, sizeof(err)) != CONFIG_OK)
		fatalx("%s: %s", o.config_path, err);
	opts_apply_cli(&o);
	drop_privileges(o.cfg.user);
	if (o.pid_file != NULL)
		write_pid(o.pid_file);
	rc = worker_run(&o);
	if (o.pid_file != NULL)
		unlink(o.pid_file);
	return rc;
}
