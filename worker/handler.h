#ifndef RSVP_HANDLER_H
#define RSVP_HANDLER_H

#include <stddef.h>

/*
 * The interface of an in-process job handler.  A handler is a plain
 * blocking function run on one of the worker's threads:
 *
 *	static int
 *	my_handler(struct job *job, const char *input, size_t len)
 *	{
 *		job_progress(job, 50, "halfway");
 *		if (job_stopping(job))
 *			return HANDLER_FAIL;
 *		return job_result(job, "{\"ok\":true}", 11, NULL);
 *	}
 *
 * and is registered by adding a line to the table in builtin.c.  The
 * input is the job's JSON, NUL-terminated.  A handler must return soon
 * after job_stopping() turns true (the job was canceled, timed out or the
 * worker is shutting down); job_sleep() returns early then.
 */
struct job;

enum handler_rc {
	HANDLER_OK = 0,		/* succeeded, with the result set (or none) */
	HANDLER_FAIL = 1,	/* failed for good: retrying cannot help */
	HANDLER_RETRY = 75,	/* failed this time: retry if attempts remain */
};

typedef int	handler_fn(struct job *, const char *, size_t);

struct handler {
	const char	*name;
	handler_fn	*run;
};

void	job_progress(struct job *, int, const char *);
int	job_result(struct job *, const void *, size_t, const char *);
int	job_error(struct job *, int, const char *, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
int	job_stopping(struct job *);
int	job_sleep(struct job *, long);

const struct handler	*builtin_find(const char *);
size_t			 builtin_count(void);
const struct handler	*builtin_at(size_t);

#endif
