/*
 * The outcome writer: one thread, one database session, one batch of
 * finished jobs at a time (writer.h).  It owns the batch's jobs from
 * writer_give until writer_take; the main loop touches none of them
 * meanwhile.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "text.h"
#include "writer.h"

#define RECONNECT_MIN_MS	100
#define RECONNECT_MAX_MS	5000

struct writer {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;		/* a batch was given, or exit */
	pthread_t	 thread;
	struct wdb	 db;
	struct job	**batch;
	size_t		 n;
	size_t		 max;
	int		 written;	/* the batch is written: take it */
	int		 exiting;
	int		 notify_fd;
	int		 warned;	/* the session's loss was logged */
};

/* Make a handler's text safe for the database: valid UTF-8, no NULs. */
static void
clean(char *s, size_t size)
{
	text_clean(s, size, s, strlen(s));
}

/*
 * Write one finished job's outcome, noting in the job what was written
 * and how the job ended.
 */
static enum wdb_rc
write_outcome(struct wdb *db, struct job *j)
{
	int stop = atomic_load(&j->stop);

	j->ended = JOB__MAX;
	j->what = NULL;
	if (stop == STOP_FENCED)
		return WDB_FENCED;	/* no longer ours: nothing to write */
	clean(j->err_code, sizeof(j->err_code));
	clean(j->err_message, sizeof(j->err_message));
	if (j->rc == HANDLER_OK) {
		j->what = "finish";
		j->ended = JOB_SUCCEEDED;
		return wdb_finish(db, j);
	}
	if (stop == STOP_SHUTDOWN) {
		j->what = "release";
		return wdb_release(db, j);
	}
	if (stop == STOP_CANCEL) {
		j->what = "cancel";
		j->ended = JOB_CANCELED;
		return wdb_canceled(db, j);
	}
	j->what = "fail";
	if (stop == STOP_TIMEOUT)
		job_error(j, 500, "timeout", "the job ran past its"
		    " timeout of %lld ms", j->timeout_ms);
	return wdb_fail(db, j, stop == STOP_TIMEOUT ||
	    j->rc == HANDLER_RETRY, &j->ended);
}

/* A success to write with finish_many: it returned OK, the lease is ours. */
static int
succeeded(struct job *j)
{
	return j->rc == HANDLER_OK && atomic_load(&j->stop) != STOP_FENCED;
}

/*
 * Write the batch together: the successes in one statement, and when
 * there are others, all in one transaction, so that one commit (one
 * flush of the log) ends them all.  0 when all were written; -1 when
 * nothing was (the session lost, or a write refused: the caller then
 * writes them one at a time).
 */
static int
write_together(struct writer *w)
{
	struct job **ok, *j;
	size_t i, nok = 0, others = 0;
	enum wdb_rc rc;

	if ((ok = calloc(w->n, sizeof(*ok))) == NULL)
		return -1;
	for (i = 0; i < w->n; i++) {
		j = w->batch[i];
		if (succeeded(j)) {
			j->what = "finish";
			j->ended = JOB_SUCCEEDED;
			ok[nok++] = j;
		} else
			others++;
	}
	if (others > 0 && wdb_begin(&w->db) == -1)
		goto fail;
	if (nok > 0 && wdb_finish_many(&w->db, ok, nok) != WDB_DONE)
		goto undo;
	for (i = 0; others > 0 && i < w->n; i++) {
		j = w->batch[i];
		if (succeeded(j))
			continue;
		rc = write_outcome(&w->db, j);
		if (rc == WDB_LOST || rc == WDB_REFUSED)
			goto undo;
		j->wrote = rc;
	}
	if (others > 0 && wdb_commit(&w->db) == -1)
		goto fail;
	free(ok);
	return 0;
undo:
	if (others > 0)
		wdb_rollback(&w->db);
fail:
	for (i = 0; i < w->n; i++)
		w->batch[i]->wrote = WDB_LOST;
	free(ok);
	return -1;
}

/* Sleep up to ms, or less when told to exit; nonzero when exiting. */
static int
nap(struct writer *w, long ms)
{
	struct timespec until;
	int exiting;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->mu);
	while (!w->exiting &&
	    pthread_cond_timedwait(&w->cv, &w->mu, &until) != ETIMEDOUT)
		;
	exiting = w->exiting;
	pthread_mutex_unlock(&w->mu);
	return exiting;
}

static int
exiting(struct writer *w)
{
	int e;

	pthread_mutex_lock(&w->mu);
	e = w->exiting;
	pthread_mutex_unlock(&w->mu);
	return e;
}

/*
 * Write the whole batch, reconnecting with backoff for as long as it
 * takes: outcomes computed while the database is away are written once
 * it is back (still fenced).  -1 only when told to exit first.
 */
static int
write_batch(struct writer *w)
{
	long backoff = RECONNECT_MIN_MS;
	size_t i, left;
	enum wdb_rc rc;

	for (;;) {
		if (exiting(w))
			return -1;
		if (w->db.conn == NULL && wdb_open(&w->db) == -1) {
			if (!w->warned)
				log_warnx("outcome session lost; reconnecting");
			w->warned = 1;
			if (nap(w, backoff))
				return -1;
			backoff = backoff * 2 > RECONNECT_MAX_MS ?
			    RECONNECT_MAX_MS : backoff * 2;
			continue;
		}
		if (w->warned)
			log_info("outcome session connected again");
		w->warned = 0;
		for (i = 0, left = 0; i < w->n; i++)
			left += w->batch[i]->wrote == WDB_LOST;
		if (left > 1 && left == w->n && write_together(w) == 0)
			return 0;
		for (i = 0, left = 0; i < w->n; i++) {
			if (w->batch[i]->wrote != WDB_LOST)
				continue;
			if ((rc = write_outcome(&w->db, w->batch[i])) ==
			    WDB_LOST) {
				left++;
				break;
			}
			w->batch[i]->wrote = rc;
		}
		if (left == 0)
			return 0;
	}
}

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	char c = 1;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->exiting && (w->n == 0 || w->written))
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->exiting)
			break;
		pthread_mutex_unlock(&w->mu);
		if (write_batch(w) == -1) {
			pthread_mutex_lock(&w->mu);
			break;
		}
		pthread_mutex_lock(&w->mu);
		w->written = 1;
		/* A full pipe already wakes the main loop: ignore EAGAIN. */
		while (write(w->notify_fd, &c, 1) == -1 && errno == EINTR)
			;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/*
 * A writer for up to max jobs a batch, in the name of the worker whose
 * session main is; notify_fd gets a byte when a batch is written.
 */
struct writer *
writer_new(const struct wdb *main, unsigned int max, int notify_fd)
{
	struct writer *w;
	sigset_t all, old;
	int rc;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	if ((w->batch = calloc(max, sizeof(*w->batch))) == NULL) {
		free(w);
		return NULL;
	}
	w->max = max;
	w->notify_fd = notify_fd;
	wdb_init(&w->db, 0, main->slots, main->heartbeat_ms);
	memcpy(w->db.host, main->host, sizeof(w->db.host));
	memcpy(w->db.name, main->name, sizeof(w->db.name));
	w->db.outcomes = 1;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	/* Signals are the main loop's. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&w->thread, NULL, writer_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		free(w->batch);
		free(w);
		return NULL;
	}
	return w;
}

/* Stop the thread, giving up on a batch not yet written. */
void
writer_free(struct writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->exiting = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	wdb_free(&w->db);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w->batch);
	free(w);
}

/* Nonzero when the writer holds no batch: writer_give may be called. */
int
writer_idle(struct writer *w)
{
	int idle;

	pthread_mutex_lock(&w->mu);
	idle = w->n == 0;
	pthread_mutex_unlock(&w->mu);
	return idle;
}

/* Hand over n (at most the writer's max) finished jobs; it must be idle. */
void
writer_give(struct writer *w, struct job **jobs, size_t n)
{
	size_t i;

	if (n > w->max)
		n = w->max;
	pthread_mutex_lock(&w->mu);
	for (i = 0; i < n; i++) {
		jobs[i]->wrote = WDB_LOST;	/* not yet written */
		w->batch[i] = jobs[i];
	}
	w->n = n;
	w->written = 0;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* Take back the written batch into out (room for max); how many. */
size_t
writer_take(struct writer *w, struct job **out, size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&w->mu);
	if (w->written && w->n <= max) {
		memcpy(out, w->batch, w->n * sizeof(*out));
		n = w->n;
		w->n = 0;
		w->written = 0;
	}
	pthread_mutex_unlock(&w->mu);
	return n;
}
