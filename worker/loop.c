/*
 * The worker's event loop: one thread polls the database socket (for the
 * doorbell), the handler threads' event pipe, the signal pipe and timers;
 * it claims jobs when it has free slots and writes what the handlers
 * report, fenced by each job's lease.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "pool.h"
#include "wdb.h"

#define RECONNECT_MIN_MS	100
#define RECONNECT_MAX_MS	5000

struct loop {
	const struct worker_opts *opts;
	struct wdb	 db;
	struct pool	*pool;
	struct job	**running;	/* opts->jobs slots */
	unsigned int	 nrunning;
	struct job	**events;
	int		 evpipe[2];
	int		 want_claim;
	int		 stopping;
	long long	 next_poll;
	long long	 next_connect;
	long		 backoff_ms;
	long long	 grace_end;
};

static int sigpipe[2] = { -1, -1 };

static void
on_signal(int sig)
{
	unsigned char c = (unsigned char)sig;
	int saved = errno;

	(void)write(sigpipe[1], &c, 1);
	errno = saved;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
nonblocking_pipe(int fds[2])
{
	if (pipe(fds) == -1)
		return -1;
	if (fcntl(fds[0], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(fds[1], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(fds[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(fds[1], F_SETFD, FD_CLOEXEC) == -1)
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

static void
forget(struct loop *l, struct job *j)
{
	unsigned int i;

	for (i = 0; i < l->nrunning; i++)
		if (l->running[i] == j) {
			l->running[i] = l->running[--l->nrunning];
			break;
		}
	job_free(j);
}

static void
disconnected(struct loop *l)
{
	if (l->next_connect == 0) {
		l->next_connect = now_ms() + l->backoff_ms;
		log_warnx("reconnecting in %ld ms", l->backoff_ms);
	}
}

static void
try_connect(struct loop *l)
{
	if (l->db.conn != NULL || now_ms() < l->next_connect)
		return;
	if (wdb_open(&l->db) == -1) {
		l->backoff_ms = l->backoff_ms * 2 > RECONNECT_MAX_MS ?
		    RECONNECT_MAX_MS : l->backoff_ms * 2;
		l->next_connect = now_ms() + l->backoff_ms;
		return;
	}
	log_info("connected as %s", l->db.name);
	l->backoff_ms = RECONNECT_MIN_MS;
	l->next_connect = 0;
	/* Sweep: whatever arrived while we were away is due now. */
	l->want_claim = 1;
}

/*
 * Write a finished job's outcome.  Returns 0 when the job is done with
 * (written, fenced off or refused) and -1 when the connection is lost,
 * so the write is tried again after a reconnect.
 */
static int
write_outcome(struct loop *l, struct job *j)
{
	enum wdb_rc rc;
	const char *what;

	if (atomic_load(&j->stop) == STOP_FENCED)
		return 0;
	if (j->rc == HANDLER_OK) {
		what = "finish";
		rc = wdb_finish(&l->db, j);
	} else if (atomic_load(&j->stop) == STOP_SHUTDOWN) {
		what = "release";
		rc = wdb_release(&l->db, j);
	} else {
		what = "fail";
		rc = wdb_fail(&l->db, j, j->rc == HANDLER_RETRY);
	}
	if (rc == WDB_LOST)
		return -1;
	if (rc == WDB_FENCED)
		log_warnx("job %s: lease lost, %s discarded", j->id, what);
	else if (rc == WDB_REFUSED)
		log_warnx("job %s: %s refused by the database", j->id, what);
	return 0;
}

/* Write what the handlers reported since the last time. */
static void
handle_events(struct loop *l)
{
	char message[sizeof(((struct job *)0)->message)];
	struct job *j;
	size_t n, i;
	int dirty, finished, progress;

	drain_fd(l->evpipe[0]);
	n = pool_events(l->pool, l->events, l->opts->jobs);
	for (i = 0; i < n; i++) {
		j = l->events[i];
		pool_lock(l->pool);
		dirty = j->progress_dirty;
		j->progress_dirty = 0;
		progress = j->progress;
		memcpy(message, j->message, sizeof(message));
		finished = j->finished;
		pool_unlock(l->pool);
		if (finished) {
			j->need_write = 1;
			continue;
		}
		if (!dirty || l->db.conn == NULL ||
		    atomic_load(&j->stop) != STOP_NONE)
			continue;
		switch (wdb_progress(&l->db, j, progress, message)) {
		case WDB_FENCED:
			log_warnx("job %s: lease lost, abandoning it", j->id);
			pool_stop(l->pool, j, STOP_FENCED);
			break;
		case WDB_LOST:
			disconnected(l);
			break;
		default:
			break;
		}
	}
	if (n == l->opts->jobs) {
		/* There may be more: come back without sleeping. */
		(void)write(l->evpipe[1], "", 1);
	}
}

/* Write the outcomes of finished jobs and free their slots. */
static void
flush_outcomes(struct loop *l)
{
	unsigned int i = 0;
	struct job *j;

	while (i < l->nrunning) {
		j = l->running[i];
		if (!j->need_write) {
			i++;
			continue;
		}
		if (l->db.conn == NULL || write_outcome(l, j) == -1) {
			disconnected(l);
			return;
		}
		forget(l, j);
		l->want_claim = 1;
	}
}

static void
start(struct loop *l, struct job *j)
{
	l->running[l->nrunning++] = j;
	if (j->handler == NULL) {
		/* Claimed for a type this worker cannot run: fail it. */
		job_error(j, 500, "no_handler", "no handler for type %s",
		    j->type);
		j->rc = HANDLER_FAIL;
		j->finished = 1;
		j->need_write = 1;
		return;
	}
	pool_run(l->pool, j);
}

static int
claim(struct loop *l, int *got)
{
	struct job *batch[256];
	int free_slots, n, i;

	*got = 0;
	free_slots = (int)(l->opts->jobs - l->nrunning);
	if (free_slots > (int)(sizeof(batch) / sizeof(batch[0])))
		free_slots = (int)(sizeof(batch) / sizeof(batch[0]));
	if (free_slots <= 0)
		return 0;
	if (wdb_claim(&l->db, free_slots, batch, &n) == -1)
		return -1;
	for (i = 0; i < n; i++)
		start(l, batch[i]);
	*got = n;
	return 0;
}

/*
 * Claim as many due jobs as there are free slots.  When the queue runs
 * dry with slots left, arm the doorbell and look once more: a job that
 * committed before the arm is seen now, one that commits after it rings.
 */
static void
claim_work(struct loop *l)
{
	int asked, got;

	if (l->stopping || l->db.conn == NULL || !l->want_claim)
		return;
	l->want_claim = 0;
	asked = (int)(l->opts->jobs - l->nrunning);
	if (asked <= 0)
		return;
	if (claim(l, &got) == -1)
		goto lost;
	if (got == asked) {
		l->want_claim = 1;	/* there may be more */
		return;
	}
	if (wdb_arm(&l->db) == -1 || claim(l, &got) == -1)
		goto lost;
	return;
lost:
	if (l->db.conn == NULL)
		disconnected(l);
}

static void
handle_signals(struct loop *l)
{
	unsigned char c;
	unsigned int i;

	while (read(sigpipe[0], &c, 1) == 1) {
		if ((c == SIGTERM || c == SIGINT) && !l->stopping) {
			log_info("stopping: %u job(s) running, %u ms grace",
			    l->nrunning, l->opts->grace_ms);
			l->stopping = 1;
			l->grace_end = now_ms() + l->opts->grace_ms;
		} else if (c == SIGTERM || c == SIGINT) {
			/* A second signal: hand everything back now. */
			l->grace_end = now_ms();
		}
	}
	if (l->stopping && now_ms() >= l->grace_end)
		for (i = 0; i < l->nrunning; i++)
			if (!l->running[i]->need_write)
				pool_stop(l->pool, l->running[i],
				    STOP_SHUTDOWN);
}

static int
poll_timeout(const struct loop *l)
{
	long long t = now_ms(), until = l->next_poll;

	if (l->want_claim && l->db.conn != NULL && !l->stopping &&
	    l->nrunning < l->opts->jobs)
		return 0;
	if (l->db.conn == NULL && l->next_connect < until)
		until = l->next_connect;
	if (l->stopping && l->grace_end > t && l->grace_end < until)
		until = l->grace_end;
	return until <= t ? 0 : (int)(until - t);
}

static int
setup(struct loop *l, const struct worker_opts *opts)
{
	struct sigaction sa;

	memset(l, 0, sizeof(*l));
	l->opts = opts;
	l->backoff_ms = RECONNECT_MIN_MS;
	if (wdb_init(&l->db) == -1) {
		log_warnx("too many handler types");
		return -1;
	}
	if (nonblocking_pipe(sigpipe) == -1 || nonblocking_pipe(l->evpipe) == -1) {
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

	l->running = calloc(opts->jobs, sizeof(*l->running));
	l->events = calloc(opts->jobs, sizeof(*l->events));
	if (l->running == NULL || l->events == NULL) {
		log_warnx("out of memory");
		return -1;
	}
	if ((l->pool = pool_new(opts->jobs, l->evpipe[1])) == NULL) {
		log_warnx("could not start the handler threads");
		return -1;
	}
	return 0;
}

int
worker_run(const struct worker_opts *opts)
{
	struct pollfd pfd[3];
	struct loop l;
	int nfds, stuck = 0;

	if (setup(&l, opts) == -1)
		return 1;
	l.want_claim = 1;
	l.next_poll = now_ms() + opts->poll_ms;
	log_info("started: %u slot(s), poll every %u ms", opts->jobs,
	    opts->poll_ms);

	for (;;) {
		try_connect(&l);
		flush_outcomes(&l);
		if (l.stopping && l.nrunning == 0)
			break;
		if (l.stopping && now_ms() >= l.grace_end + 5000) {
			/* A handler ignores its stop; its lease will lapse. */
			stuck = 1;
			break;
		}
		claim_work(&l);

		pfd[0].fd = sigpipe[0];
		pfd[1].fd = l.evpipe[0];
		pfd[2].fd = l.db.conn != NULL ? PQsocket(l.db.conn) : -1;
		pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
		nfds = pfd[2].fd >= 0 ? 3 : 2;
		if (poll(pfd, (nfds_t)nfds, poll_timeout(&l)) == -1 &&
		    errno != EINTR) {
			log_warn("poll");
			break;
		}
		if (pfd[0].revents & POLLIN)
			handle_signals(&l);
		if (pfd[1].revents & POLLIN)
			handle_events(&l);
		if (nfds == 3 && pfd[2].revents != 0) {
			if (wdb_notified(&l.db) > 0)
				l.want_claim = 1;
			if (l.db.conn == NULL)
				disconnected(&l);
		}
		if (now_ms() >= l.next_poll) {
			l.want_claim = 1;
			l.next_poll = now_ms() + opts->poll_ms;
		}
		if (l.stopping)
			handle_signals(&l);
	}

	wdb_close(&l.db);
	if (stuck) {
		log_warnx("exiting with %u job(s) that did not stop",
		    l.nrunning);
		return 1;
	}
	pool_free(l.pool);
	free(l.running);
	free(l.events);
	log_info("stopped");
	return 0;
}
