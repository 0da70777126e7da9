#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "inflight.h"
#include "log.h"
#include "text.h"

/*
 * Up to max jobs held, nthreads of them running at once; the others wait
 * in the pool's queue, claimed and leased (the prefetch).
 */
int
inflight_init(struct inflight *f, unsigned int max, unsigned int nthreads,
    int notify_fd)
{
	memset(f, 0, sizeof(*f));
	f->max = max;
	f->cap = 2 * max;
	f->notify_fd = notify_fd;
	f->lease_min = LLONG_MAX;
	f->jobs = calloc(f->cap, sizeof(*f->jobs));
	f->scratch = calloc(f->cap, sizeof(*f->scratch));
	f->claimed = calloc(f->cap, sizeof(*f->claimed));
	if (f->jobs == NULL || f->scratch == NULL || f->claimed == NULL ||
	    (f->pool = pool_new(nthreads, notify_fd)) == NULL) {
		free(f->jobs);
		free(f->scratch);
		free(f->claimed);
		return -1;
	}
	return 0;
}

/* Only once every job has been written back: the threads are joined. */
void
inflight_free(struct inflight *f)
{
	pool_free(f->pool);
	free(f->jobs);
	free(f->scratch);
	free(f->claimed);
	free(f->stats);
}

/* Count an outcome; a failure to count (out of memory) loses only that. */
static void
count(struct inflight *f, const struct job *j, int what)
{
	long long begun;
	struct type_stats *t = NULL, *p;
	size_t i;

	for (i = 0; i < f->nstats; i++)
		if (strcmp(f->stats[i].type, j->type) == 0)
			t = &f->stats[i];
	if (t == NULL) {
		if ((p = realloc(f->stats, (f->nstats + 1) * sizeof(*p))) ==
		    NULL)
			return;
		f->stats = p;
		t = &f->stats[f->nstats++];
		memset(t, 0, sizeof(*t));
		snprintf(t->type, sizeof(t->type), "%s", j->type);
	}
	switch (what) {
	case JOB_SUCCEEDED:
		begun = atomic_load(&j->begun);
		t->succeeded++;
		t->duration_sum += (clock_ms() - (begun ? begun : j->started)) /
		    1000.0;
		t->duration_count++;
		break;
	case JOB_FAILED:
		t->failed++;
		break;
	case JOB_CANCELED:
		t->canceled++;
		break;
	}
}

/* Write the counted outcomes; they are kept for next time on failure. */
int
inflight_flush_stats(struct inflight *f, struct wdb *db)
{
	if (f->nstats == 0)
		return 0;
	if (wdb_record_stats(db, f->stats, f->nstats) == -1)
		return -1;
	f->nstats = 0;
	return 0;
}

/*
 * Free slots: a job whose handler returned holds none while its outcome
 * waits for the writer, so a slow commit does not hold up the next
 * claim; such jobs are bounded by max too.
 */
unsigned int
inflight_free_slots(const struct inflight *f)
{
	unsigned int active = f->n - f->nwrite, room = f->cap - f->n;

	return f->max - active < room ? f->max - active : room;
}

/* The job's handler returned (or never ran): its outcome is to write. */
static void
to_write(struct inflight *f, struct job *j)
{
	if (!j->need_write) {
		j->need_write = 1;
		f->nwrite++;
	}
}

static void
forget(struct inflight *f, unsigned int i)
{
	struct job *j = f->jobs[i];

	f->jobs[i] = f->jobs[--f->n];
	if (j->need_write)
		f->nwrite--;
	if (f->forget != NULL)
		f->forget(j);
	job_free(j);
}

/* Run a claimed job; now is the monotonic time in ms. */
void
inflight_start(struct inflight *f, struct job *j, long long now)
{
	f->jobs[f->n++] = j;
	j->started = now;
	if (j->lease_ms > 0 && j->lease_ms < f->lease_min)
		f->lease_min = j->lease_ms;
	if (j->handler == NULL) {
		/* Claimed for a type this worker cannot run: fail it. */
		job_error(j, 500, "no_handler", "no handler for type %s",
		    j->type);
		j->rc = HANDLER_FAIL;
		j->finished = 1;
		to_write(f, j);
		return;
	}
	pool_run(f->pool, j);
}

/* Make a handler's text safe for the database: valid UTF-8, no NULs. */
static void
clean(char *s, size_t size)
{
	text_clean(s, size, s, strlen(s));
}

/* Write the progress the handlers reported; note which have returned. */
void
inflight_events(struct inflight *f, struct wdb *db)
{
	char message[sizeof(((struct job *)0)->message)];
	struct job *j;
	size_t n, i;
	int dirty, finished, progress;

	n = pool_events(f->pool, f->scratch, f->cap);
	for (i = 0; i < n; i++) {
		j = f->scratch[i];
		pool_lock(f->pool);
		dirty = j->progress_dirty;
		j->progress_dirty = 0;
		progress = j->progress;
		memcpy(message, j->message, sizeof(message));
		finished = j->finished;
		pool_unlock(f->pool);
		if (finished) {
			to_write(f, j);
			continue;
		}
		if (!dirty || db->conn == NULL ||
		    atomic_load(&j->stop) != STOP_NONE)
			continue;
		clean(message, sizeof(message));
		if (wdb_progress(db, j, progress, message) == WDB_FENCED) {
			log_warnx("job %s: lease lost, abandoning it", j->id);
			pool_stop(f->pool, j, STOP_FENCED);
		}
	}
	if (n == f->cap) {
		/* There may be more: come back without sleeping (a full
		 * pipe means the loop wakes anyway). */
		if (write(f->notify_fd, "", 1) == -1)
			return;
	}
}

/* Count a written outcome and say what the database would not take. */
static void
settle(struct inflight *f, struct job *j, enum wdb_rc rc)
{
	if (rc == WDB_DONE && j->ended != JOB__MAX)
		count(f, j, j->ended);
	if (rc == WDB_FENCED && j->what != NULL)
		log_warnx("job %s: lease lost, %s discarded", j->id, j->what);
	else if (rc == WDB_REFUSED)
		log_warnx("job %s: %s refused by the database", j->id,
		    j->what);
}

/*
 * Take back the outcomes the writer has written and free their slots;
 * then, when it is idle, hand it the outcomes waiting to be written, all
 * of them as one batch.  Returns how many slots were freed.
 */
int
inflight_flush(struct inflight *f, struct writer *w)
{
	size_t n, i;
	unsigned int k;
	int freed = 0;

	n = writer_take(w, f->scratch, f->cap);
	for (i = 0; i < n; i++)
		f->scratch[i]->written = 1;
	k = 0;
	while (n > 0 && k < f->n) {
		if (!f->jobs[k]->written) {
			k++;
			continue;
		}
		settle(f, f->jobs[k], f->jobs[k]->wrote);
		forget(f, k);
		freed++;
	}
	if (!writer_idle(w))
		return freed;
	for (k = 0, n = 0; k < f->n; k++)
		if (f->jobs[k]->need_write && !f->jobs[k]->writing) {
			f->jobs[k]->writing = 1;
			f->scratch[n++] = f->jobs[k];
		}
	if (n > 0)
		writer_give(w, f->scratch, n);
	return freed;
}

/*
 * Extend the leases of the running jobs; abandon those no longer ours and
 * stop those asked to cancel.  -1 when the statement failed.
 */
int
inflight_heartbeat(struct inflight *f, struct wdb *db)
{
	struct job *j;
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < f->n; i++)
		if (!f->jobs[i]->need_write &&
		    atomic_load(&f->jobs[i]->stop) != STOP_FENCED)
			f->scratch[n++] = f->jobs[i];
	/* Even with no job: the heartbeat also says the worker is alive. */
	if (wdb_heartbeat(db, f->scratch, n) == -1)
		return -1;
	f->lease_min = LLONG_MAX;
	for (i = 0; i < n; i++)
		if (f->scratch[i]->held && f->scratch[i]->lease_ms > 0 &&
		    f->scratch[i]->lease_ms < f->lease_min)
			f->lease_min = f->scratch[i]->lease_ms;
	for (i = 0; i < n; i++) {
		j = f->scratch[i];
		if (!j->held) {
			log_warnx("job %s: lease lost, abandoning it", j->id);
			pool_stop(f->pool, j, STOP_FENCED);
		} else if (j->cancel)
			pool_stop(f->pool, j, STOP_CANCEL);
	}
	return 0;
}

/*
 * The shortest lease of the jobs held (ms), or LLONG_MAX without one: of
 * those held at the last heartbeat and those claimed since.
 */
long long
inflight_shortest_lease(const struct inflight *f)
{
	return f->lease_min;
}

/* Stop the jobs past their timeout; the next deadline, or LLONG_MAX. */
long long
inflight_deadlines(struct inflight *f, long long now)
{
	long long next = LLONG_MAX, begun, deadline;
	struct job *j;
	unsigned int i;

	for (i = 0; i < f->n; i++) {
		j = f->jobs[i];
		/* A prefetched job's time starts with its handler. */
		if (j->need_write || atomic_load(&j->stop) != STOP_NONE ||
		    j->timeout_ms <= 0 || (begun = atomic_load(&j->begun)) == 0)
			continue;
		deadline = begun + j->timeout_ms;
		if (deadline <= now) {
			log_warnx("job %s: past its timeout, stopping it", j->id);
			pool_stop(f->pool, j, STOP_TIMEOUT);
		} else if (deadline < next)
			next = deadline;
	}
	return next;
}

void
inflight_stop_all(struct inflight *f, enum stop_reason why)
{
	unsigned int i;

	for (i = 0; i < f->n; i++)
		if (!f->jobs[i]->need_write)
			pool_stop(f->pool, f->jobs[i], why);
}

/* A cancel was announced: stop the job if it is one of ours. */
void
inflight_cancel(struct inflight *f, const char *id)
{
	unsigned int i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->jobs[i]->id, id) == 0 && !f->jobs[i]->need_write)
			pool_stop(f->pool, f->jobs[i], STOP_CANCEL);
}
