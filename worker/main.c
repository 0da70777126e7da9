/*
 * rsvp-worker: runs the jobs that rsvp.fcgi and psql queue.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "env.h"
#include "log.h"
#include "loop.h"

static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: rsvp-worker [-j jobs] [--poll-interval ms]"
	    " [--grace ms]\n");
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

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "jobs", required_argument, NULL, 'j' },
		{ "poll-interval", required_argument, NULL, 'p' },
		{ "grace", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct worker_opts opts = { 4, 1000, 30000 };
	int ch;

	log_init("rsvp-worker");
	while ((ch = getopt_long(argc, argv, "j:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			opts.jobs = number("-j", optarg, 1, 1024);
			break;
		case 'p':
			opts.poll_ms = number("--poll-interval", optarg, 10,
			    60000);
			break;
		case 'g':
			opts.grace_ms = number("--grace", optarg, 0, 3600000);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	return worker_run(&opts);
}
