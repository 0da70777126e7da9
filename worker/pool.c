/*
 * The handler threads.  The main loop hands claimed jobs to the pool;
 * a thread runs each one's handler and reports progress and the outcome
 * back through an event list and a byte on a pipe the main loop polls.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "pool.h"

struct pool {
	pthread_mutex_t	 mu;
	pthread_cond_t	 work;		/* a job was queued, or exit */
	pthread_cond_t	 wake;		/* a job was told to stop */
	struct job	*queue;
	struct job	*queue_tail;
	struct job	*events;
	int		 notify_fd;
	int		 exiting;
	unsigned int	 nthreads;
	pthread_t	*threads;
};

struct job *
job_new(const char *id, const char *type, const char *token, int attempt,
    const char *input, size_t len)
{
	struct job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	if ((j->input = malloc(len + 1)) == NULL) {
		free(j);
		return NULL;
	}
	memcpy(j->input, input, len);
	j->input[len] = '\0';
	j->input_len = len;
	snprintf(j->id, sizeof(j->id), "%s", id);
	snprintf(j->type, sizeof(j->type), "%s", type);
	snprintf(j->token, sizeof(j->token), "%s", token);
	j->attempt = attempt;
	buf_init(&j->result, RESULT_MAX);
	atomic_init(&j->stop, STOP_NONE);
	atomic_init(&j->begun, 0);
	return j;
}

void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	buf_free(&j->result);
	free(j->input);
	free(j);
}

/* Wake the main loop; a full pipe already wakes it: ignore EAGAIN. */
static void
ring(struct pool *p)
{
	char c = 1;

	while (write(p->notify_fd, &c, 1) == -1 && errno == EINTR)
		;
}

/*
 * Queue an event for the main loop; the caller holds the mutex.  Only
 * the first event of a list rings: the main loop empties the pipe before
 * it takes the list, so later ones are taken with the first.
 */
static void
post(struct pool *p, struct job *j)
{
	int first = p->events == NULL;

	if (!j->has_event) {
		j->has_event = 1;
		j->next_event = p->events;
		p->events = j;
	}
	if (first)
		ring(p);
}

void
job_progress(struct job *j, int pct, const char *msg)
{
	struct pool *p = j->pool;

	pthread_mutex_lock(&p->mu);
	j->progress = pct < 0 ? 0 : pct > 100 ? 100 : pct;
	snprintf(j->message, sizeof(j->message), "%s", msg != NULL ? msg : "");
	j->progress_dirty = 1;
	post(p, j);
	pthread_mutex_unlock(&p->mu);
}

int
job_result(struct job *j, const void *data, size_t len, const char *type)
{
	buf_reset(&j->result);
	if (buf_add(&j->result, data, len) != BUF_OK)
		return job_error(j, 500, "result_too_large",
		    "the result is larger than %lu bytes", RESULT_MAX);
	snprintf(j->result_type, sizeof(j->result_type), "%s",
	    type != NULL ? type : "application/json");
	return HANDLER_OK;
}

int
job_error(struct job *j, int status, const char *code, const char *fmt, ...)
{
	va_list ap;

	j->err_status = status;
	snprintf(j->err_code, sizeof(j->err_code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(j->err_message, sizeof(j->err_message), fmt, ap);
	va_end(ap);
	return HANDLER_FAIL;
}

int
job_stopping(struct job *j)
{
	return atomic_load(&j->stop) != STOP_NONE;
}

/* Sleep ms milliseconds; -1 as soon as the job is told to stop. */
int
job_sleep(struct job *j, long ms)
{
	struct pool *p = j->pool;
	struct timespec until;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&p->mu);
	while (!job_stopping(j) && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&p->wake, &p->mu, &until);
	pthread_mutex_unlock(&p->mu);
	return job_stopping(j) ? -1 : 0;
}

static void *
thread_main(void *arg)
{
	struct pool *p = arg;
	struct job *j;
	int rc;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (p->queue == NULL && !p->exiting)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->queue == NULL) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		j = p->queue;
		p->queue = j->next;
		if (p->queue == NULL)
			p->queue_tail = NULL;
		pthread_mutex_unlock(&p->mu);

		atomic_store(&j->begun, clock_ms());
		if (job_stopping(j))
			rc = HANDLER_FAIL;
		else
			rc = j->handler->run(j, j->input, j->input_len);

		pthread_mutex_lock(&p->mu);
		j->rc = rc;
		j->finished = 1;
		post(p, j);
		pthread_mutex_unlock(&p->mu);
	}
}

struct pool *
pool_new(unsigned int nthreads, int notify_fd)
{
	sigset_t all, old;
	struct pool *p;
	unsigned int i;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if ((p->threads = calloc(nthreads, sizeof(*p->threads))) == NULL) {
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->wake, NULL);
	p->notify_fd = notify_fd;

	/* Signals are the main loop's: the threads block them all. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < nthreads; i++) {
		if (pthread_create(&p->threads[i], NULL, thread_main, p) != 0) {
			log_warnx("could not start handler thread %u", i);
			break;
		}
		p->nthreads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (p->nthreads == 0) {
		pool_free(p);
		return NULL;
	}
	return p;
}

/* Join the threads.  Jobs still running keep their threads: see loop.c. */
void
pool_free(struct pool *p)
{
	unsigned int i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->exiting = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->mu);
	free(p->threads);
	free(p);
}

void
pool_run(struct pool *p, struct job *j)
{
	j->pool = p;
	j->next = NULL;
	pthread_mutex_lock(&p->mu);
	if (p->queue_tail != NULL)
		p->queue_tail->next = j;
	else
		p->queue = j;
	p->queue_tail = j;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
}

/* Nonzero when a claimed job waits for a thread (the prefetch is not dry). */
int
pool_has_queued(struct pool *p)
{
	int queued;

	pthread_mutex_lock(&p->mu);
	queued = p->queue != NULL;
	pthread_mutex_unlock(&p->mu);
	return queued;
}

/*
 * The jobs no thread has started yet (the prefetch) leave the queue and
 * end at once, stopped for why, without running.
 */
void
pool_drop_queued(struct pool *p, enum stop_reason why)
{
	struct job *j;
	int none;

	pthread_mutex_lock(&p->mu);
	while ((j = p->queue) != NULL) {
		p->queue = j->next;
		none = STOP_NONE;
		atomic_compare_exchange_strong(&j->stop, &none, (int)why);
		j->rc = HANDLER_FAIL;
		j->finished = 1;
		post(p, j);
	}
	p->queue_tail = NULL;
	pthread_mutex_unlock(&p->mu);
}

void
pool_stop(struct pool *p, struct job *j, enum stop_reason why)
{
	int none = STOP_NONE;

	pthread_mutex_lock(&p->mu);
	atomic_compare_exchange_strong(&j->stop, &none, (int)why);
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->mu);
}

/*
 * Take up to max jobs with news.  The caller reads their (h) fields
 * between pool_lock and pool_unlock; a job that has news again by then
 * is simply listed again.
 */
size_t
pool_events(struct pool *p, struct job **out, size_t max)
{
	struct job *j;
	size_t n = 0;

	pthread_mutex_lock(&p->mu);
	while (n < max && (j = p->events) != NULL) {
		p->events = j->next_event;
		j->next_event = NULL;
		j->has_event = 0;
		out[n++] = j;
	}
	if (p->events != NULL)
		ring(p);	/* more than max: come back for the rest */
	pthread_mutex_unlock(&p->mu);
	return n;
}

void
pool_lock(struct pool *p)
{
	pthread_mutex_lock(&p->mu);
}

void
pool_unlock(struct pool *p)
{
	pthread_mutex_unlock(&p->mu);
}
