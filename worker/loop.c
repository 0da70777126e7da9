/*
 * The worker's event loop.  One thread polls the database socket (the
 * doorbell and cancels), the handler threads' event pipe, a signal pipe
 * and its timers: claim when slots are free, heartbeat the leases, sweep
 * lapsed ones, stop jobs past their timeout, and write outcomes back.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "inflight.h"
#include "clock.h"
#include "log.h"
#include "loop.h"

#define RECONNECT_MIN_MS	100
#define RECONNECT_MAX_MS	5000
#define PURGE_BATCH		1000	/* jobs deleted per statement */
#define STUCK_MS		5000	/* after grace and kill-grace */

/* A configuration and the running jobs that still use its types. */
struct cfgref {
	struct worker_config	 cfg;
	unsigned int		 refs;
	int			 retired;
};

struct loop {
	struct worker_opts	*opts;
	struct wdb		 db;
	struct inflight		 f;
	struct writer		*w;
	struct cfgref		*cur;
	int			 evpipe[2];
	int			 want_claim;
	int			 stopping;
	int			 idle;		/* a claim found nothing to do */
	long long		 next_poll;
	long long		 next_heartbeat;
	long long		 last_heartbeat;
	long long		 next_sweep;
	long long		 next_purge;
	long long		 purged;	/* by this round of purges */
	long long		 next_deadline;
	long long		 next_connect;
	long long		 grace_end;
	long long		 max_end;
	long			 backoff_ms;
};

static int sigpipe[2] = { -1, -1 };

static int
h_command(struct job *j, const char *input, size_t len)
{
	(void)input;
	(void)len;
	return command_run(j, j->command, j->kill_grace_ms);
}

static const struct handler command_handler = { "command", h_command };

static void
on_signal(int sig)
{
	unsigned char c = (unsigned char)sig;
	int saved = errno;

	if (write(sigpipe[1], &c, 1) == -1) {
		/* A full pipe already holds a wake-up. */
	}
	errno = saved;
}

static int
nonblocking_pipe(int fds[2])
{
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) == -1)
		return -1;
	return 0;
}

static void
drain_fd(int fd)
{
	char scratch[256];

	while (read(fd, scratch, sizeof(scratch)) > 0)
		;
}

/* Command-line values win over the file's, at start and after SIGHUP. */
void
opts_apply_cli(struct worker_opts *o)
{
	if (o->cli_set & SET_JOBS)
		o->cfg.jobs = o->cli.jobs;
	if (o->cli_set & SET_PREFETCH)
		o->cfg.prefetch = o->cli.prefetch;
	if (o->cli_set & SET_POLL)
		o->cfg.poll_ms = o->cli.poll_ms;
	if (o->cli_set & SET_HEARTBEAT)
		o->cfg.heartbeat_ms = o->cli.heartbeat_ms;
	if (o->cli_set & SET_SWEEP)
		o->cfg.sweep_ms = o->cli.sweep_ms;
	if (o->cli_set & SET_PURGE)
		o->cfg.purge_ms = o->cli.purge_ms;
	if (o->cli_set & SET_GRACE)
		o->cfg.grace_ms = o->cli.grace_ms;
	if (o->cli_set & SET_KILL_GRACE)
		o->cfg.kill_grace_ms = o->cli.kill_grace_ms;
}

static void
cfg_release(struct cfgref *r)
{
	if (r != NULL && r->retired && r->refs == 0) {
		config_free(&r->cfg);
		free(r);
	}
}

static void
job_forgotten(struct job *j)
{
	struct cfgref *r = j->owner;

	if (r != NULL) {
		r->refs--;
		cfg_release(r);
	}
}

/* Claim what the built-ins and the configured commands can run. */
static int
set_types(struct loop *l)
{
	const char *names[CONFIG_MAX_TYPES + 64];
	size_t n = 0, i, k;

	for (i = 0; i < l->cur->cfg.ntypes; i++)
		names[n++] = l->cur->cfg.types[i].name;
	for (i = 0; i < builtin_count() && n < sizeof(names) / sizeof(*names);
	    i++) {
		for (k = 0; k < l->cur->cfg.ntypes; k++)
			if (strcmp(names[k], builtin_at(i)->name) == 0)
				break;
		if (k == l->cur->cfg.ntypes)
			names[n++] = builtin_at(i)->name;
	}
	return wdb_set_types(&l->db, names, n);
}

/* SIGHUP: read the configuration file again. */
static void
reload(struct loop *l)
{
	struct worker_opts *o = l->opts;
	struct cfgref *r;
	char err[256];
	unsigned int jobs = o->cfg.jobs, prefetch = o->cfg.prefetch;

	if (o->config_path == NULL) {
		log_info("SIGHUP: no configuration file to reload");
		return;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		log_warnx("SIGHUP: out of memory, configuration kept");
		return;
	}
	if (config_load(o->config_path, &r->cfg, err, sizeof(err)) !=
	    CONFIG_OK) {
		log_warnx("SIGHUP: %s: %s; configuration kept", o->config_path,
		    err);
		free(r);
		return;
	}
	o->cfg = r->cfg;
	opts_apply_cli(o);
	r->cfg = o->cfg;
	if (r->cfg.jobs != jobs)
		log_warnx("SIGHUP: jobs stays %u until a restart", jobs);
	o->cfg.jobs = r->cfg.jobs = jobs;
	if (r->cfg.prefetch != prefetch)
		log_warnx("SIGHUP: prefetch stays %u until a restart", prefetch);
	o->cfg.prefetch = r->cfg.prefetch = prefetch;
	l->cur->retired = 1;
	cfg_release(l->cur);
	l->cur = r;
	if (set_types(l) == -1)
		log_warnx("SIGHUP: could not list the job types");
	l->want_claim = 1;
	log_info("configuration reloaded: %zu command type(s)", r->cfg.ntypes);
}

static void
disconnected(struct loop *l)
{
	if (l->next_connect == 0) {
		l->next_connect = clock_ms() + l->backoff_ms;
		log_warnx("database connection lost; reconnecting in %ld ms",
		    l->backoff_ms);
	}
}

static void
sweep(struct loop *l)
{
	int n;

	if ((n = wdb_reap(&l->db)) > 0) {
		log_info("re-queued %d job(s) whose lease had lapsed", n);
		l->want_claim = 1;
	}
	l->next_sweep = clock_ms() + l->opts->cfg.sweep_ms;
}

/*
 * The retention: delete finished jobs past their type's retention, one
 * bounded batch (one short transaction) per turn of the loop, so claims
 * and heartbeats go on in between; a full batch means more are due at
 * once.  Every worker does it; SKIP LOCKED keeps them apart.
 */
static void
purge(struct loop *l)
{
	int n;

	n = wdb_purge(&l->db, PURGE_BATCH);
	if (n > 0)
		l->purged += n;
	if (n == PURGE_BATCH) {
		l->next_purge = clock_ms();
		return;
	}
	if (l->purged > 0)
		log_info("purged %lld finished job(s) past their retention",
		    l->purged);
	l->purged = 0;
	l->next_purge = clock_ms() + l->opts->cfg.purge_ms;
}

static void
try_connect(struct loop *l)
{
	if (l->db.conn != NULL || clock_ms() < l->next_connect)
		return;
	if (wdb_open(&l->db) == -1) {
		l->backoff_ms = l->backoff_ms * 2 > RECONNECT_MAX_MS ?
		    RECONNECT_MAX_MS : l->backoff_ms * 2;
		l->next_connect = clock_ms() + l->backoff_ms;
		return;
	}
	log_info("connected as %s", l->db.name);
	l->backoff_ms = RECONNECT_MIN_MS;
	l->next_connect = 0;
	/* Whatever happened while we were away is due now. */
	sweep(l);
	l->next_heartbeat = 0;
	l->want_claim = 1;
}

static void
start(struct loop *l, struct job *j)
{
	const struct command_type *t;

	t = config_find(&l->cur->cfg, j->type);
	if (t != NULL) {
		j->handler = &command_handler;
		j->command = t;
		j->kill_grace_ms = l->opts->cfg.kill_grace_ms;
		j->owner = l->cur;
		l->cur->refs++;
	} else
		j->handler = builtin_find(j->type);
	inflight_start(&l->f, j, clock_ms());
}

/*
 * Claim up to a free slot's worth of due jobs: *asked says how many were
 * asked for, *got how many came.
 */
static int
claim(struct loop *l, int *asked, int *got)
{
	struct job **batch = l->f.claimed;
	int i;

	*got = 0;
	if ((*asked = (int)inflight_free_slots(&l->f)) <= 0)
		return 0;
	if (wdb_claim(&l->db, *asked, batch, got) == -1)
		return -1;
	for (i = 0; i < *got; i++)
		start(l, batch[i]);
	return 0;
}

/*
 * Claim as many due jobs as there are free slots.  When the queue runs
 * dry with slots left, arm the doorbell and look once more: a job that
 * committed before the arm is seen now, one that commits after it rings.
 * While claimed jobs still wait for a thread, the claim waits until half
 * the slots are free: claims of a slot or two at a time cost a statement
 * each and starve nobody.
 */
static void
claim_work(struct loop *l)
{
	unsigned int free_slots;
	int asked, got;

	if (l->stopping || l->db.conn == NULL || !l->want_claim)
		return;
	l->want_claim = 0;
	free_slots = inflight_free_slots(&l->f);
	if (free_slots == 0 ||
	    (free_slots < l->f.max / 2 && pool_has_queued(l->f.pool)))
		return;		/* asked again as slots free */
	if (claim(l, &asked, &got) == -1)
		goto lost;
	if (got == asked) {
		l->want_claim = 1;	/* there may be more */
		return;
	}
	if (l->db.listen &&
	    (wdb_arm(&l->db) == -1 || claim(l, &asked, &got) == -1))
		goto lost;
	if (l->f.n == 0)
		l->idle = 1;
	return;
lost:
	if (l->db.conn == NULL)
		disconnected(l);
}

static void
begin_stop(struct loop *l, const char *why)
{
	if (l->stopping)
		return;
	log_info("stopping (%s): %u job(s) running, %u ms grace", why,
	    l->f.n, l->opts->cfg.grace_ms);
	l->stopping = 1;
	l->grace_end = clock_ms() + l->opts->cfg.grace_ms;
	/* Claimed ahead and not started: hand them back now. */
	pool_drop_queued(l->f.pool, STOP_SHUTDOWN);
}

static void
handle_signals(struct loop *l)
{
	unsigned char c;

	while (read(sigpipe[0], &c, 1) == 1) {
		if (c == SIGHUP)
			reload(l);
		else if (!l->stopping)
			begin_stop(l, c == SIGINT ? "SIGINT" : "SIGTERM");
		else
			l->grace_end = clock_ms();	/* a second signal */
	}
}

static void
on_cancel(void *arg, const char *id)
{
	struct loop *l = arg;

	inflight_cancel(&l->f, id);
}

/*
 * When the next heartbeat is due: heartbeat_ms after the last, and sooner
 * when a job's lease is shorter, three beats a lease, so that a live
 * worker's lease never lapses whatever its type's lease and the interval.
 */
static long long
heartbeat_due(const struct loop *l)
{
	long long lease = inflight_shortest_lease(&l->f);

	if (lease != LLONG_MAX && l->last_heartbeat + lease / 3 <
	    l->next_heartbeat)
		return l->last_heartbeat + lease / 3;
	return l->next_heartbeat;
}

static int
poll_timeout(const struct loop *l)
{
	long long t = clock_ms(), until = l->next_poll;

	if (l->want_claim && l->db.conn != NULL && !l->stopping &&
	    inflight_free_slots(&l->f) > 0)
		return 0;
	if (l->db.conn == NULL && l->next_connect < until)
		until = l->next_connect;
	if (l->db.conn != NULL && heartbeat_due(l) < until)
		until = heartbeat_due(l);
	if (l->db.conn != NULL && l->next_sweep < until)
		until = l->next_sweep;
	if (l->db.conn != NULL && !l->stopping && l->next_purge < until)
		until = l->next_purge;
	if (l->next_deadline < until)
		until = l->next_deadline;
	if (l->stopping && l->grace_end > t && l->grace_end < until)
		until = l->grace_end;
	if (l->max_end != 0 && !l->stopping && l->max_end < until)
		until = l->max_end;
	return until <= t ? 0 : until - t > INT_MAX ? INT_MAX : (int)(until - t);
}

/* The timers: heartbeat, sweep, timeouts, --max-time, the grace period. */
static void
timers(struct loop *l)
{
	long long t = clock_ms();

	if (l->db.conn != NULL && t >= heartbeat_due(l)) {
		if ((inflight_heartbeat(&l->f, &l->db) == -1 ||
		    inflight_flush_stats(&l->f, &l->db) == -1) &&
		    l->db.conn == NULL)
			disconnected(l);
		l->last_heartbeat = t;
		l->next_heartbeat = t + l->opts->cfg.heartbeat_ms;
	}
	if (l->db.conn != NULL && t >= l->next_sweep)
		sweep(l);
	if (l->db.conn != NULL && t >= l->next_purge && !l->stopping)
		purge(l);
	l->next_deadline = inflight_deadlines(&l->f, t);
	if (t >= l->next_poll) {
		l->want_claim = 1;
		l->next_poll = t + l->opts->cfg.poll_ms;
	}
	if (l->max_end != 0 && t >= l->max_end)
		begin_stop(l, "--max-time reached");
	if (l->stopping && t >= l->grace_end)
		inflight_stop_all(&l->f, STOP_SHUTDOWN);
}

static int
setup(struct loop *l, struct worker_opts *opts)
{
	struct sigaction sa;

	memset(l, 0, sizeof(*l));
	l->opts = opts;
	l->backoff_ms = RECONNECT_MIN_MS;
	if ((l->cur = calloc(1, sizeof(*l->cur))) == NULL)
		return -1;
	l->cur->cfg = opts->cfg;
	wdb_init(&l->db, opts->listen, (int)opts->cfg.jobs,
	    opts->cfg.heartbeat_ms);
	if (set_types(l) == -1) {
		log_warnx("could not list the job types");
		return -1;
	}
	if (nonblocking_pipe(sigpipe) == -1 ||
	    nonblocking_pipe(l->evpipe) == -1) {
		log_warn("pipe");
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (inflight_init(&l->f, opts->cfg.jobs + opts->cfg.prefetch,
	    opts->cfg.jobs, l->evpipe[1]) == -1) {
		log_warnx("could not start the handler threads");
		return -1;
	}
	l->f.forget = job_forgotten;
	if ((l->w = writer_new(&l->db, l->f.cap, l->evpipe[1])) == NULL) {
		log_warnx("could not start the outcome writer");
		return -1;
	}
	l->next_poll = clock_ms() + opts->cfg.poll_ms;
	l->next_deadline = LLONG_MAX;
	if (opts->max_time_s > 0)
		l->max_end = clock_ms() + (long long)opts->max_time_s * 1000;
	l->want_claim = 1;
	return 0;
}

int
worker_run(struct worker_opts *opts)
{
	struct pollfd pfd[3];
	struct loop l;
	int nfds, stuck = 0;

	if (setup(&l, opts) == -1)
		return 1;
	log_info("started: %u slot(s), %u prefetched, poll every %u ms%s%s",
	    opts->cfg.jobs, opts->cfg.prefetch,
	    opts->cfg.poll_ms, opts->listen ? "" : ", no LISTEN",
	    opts->drain ? ", draining" : "");

	for (;;) {
		try_connect(&l);
		if (inflight_flush(&l.f, l.w) > 0)
			l.want_claim = 1;
		if (l.stopping && l.f.n == 0)
			break;
		if (l.stopping && clock_ms() >= l.grace_end +
		    opts->cfg.kill_grace_ms + STUCK_MS) {
			stuck = 1;
			break;
		}
		timers(&l);
		claim_work(&l);
		if (opts->drain && l.idle && l.f.n == 0 && !l.stopping) {
			log_info("drained: no job is due");
			break;
		}
		l.idle = 0;
		/* A doorbell or a cancel read along with an answer. */
		if (wdb_buffered(&l.db, on_cancel, &l) > 0)
			l.want_claim = 1;

		pfd[0].fd = sigpipe[0];
		pfd[1].fd = l.evpipe[0];
		pfd[2].fd = l.db.conn != NULL ? PQsocket(l.db.conn) : -1;
		pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
		pfd[0].revents = pfd[1].revents = pfd[2].revents = 0;
		nfds = pfd[2].fd >= 0 ? 3 : 2;
		if (poll(pfd, (nfds_t)nfds, poll_timeout(&l)) == -1 &&
		    errno != EINTR) {
			log_warn("poll");
			break;
		}
		if (pfd[0].revents & POLLIN)
			handle_signals(&l);
		if (pfd[1].revents & POLLIN) {
			drain_fd(l.evpipe[0]);
			inflight_events(&l.f, &l.db);
		}
		if (nfds == 3 && pfd[2].revents != 0) {
			if (wdb_notified(&l.db, on_cancel, &l) > 0)
				l.want_claim = 1;
			if (l.db.conn == NULL)
				disconnected(&l);
		}
	}

	if (stuck) {
		/* A handler ignores its stop: its lease will lapse. */
		log_warnx("exiting with %u job(s) that did not stop", l.f.n);
		wdb_unregister(&l.db);
		return 1;
	}
	if (inflight_flush_stats(&l.f, &l.db) == -1)
		log_warnx("could not record the last outcomes' statistics");
	wdb_unregister(&l.db);
	wdb_free(&l.db);
	writer_free(l.w);
	inflight_free(&l.f);
	l.cur->retired = 1;
	cfg_release(l.cur);
	log_info("stopped");
	return 0;
}
