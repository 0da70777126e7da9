#ifndef RSVP_COMMAND_H
#define RSVP_COMMAND_H

#include <stddef.h>

#include "config.h"
#include "handler.h"

/*
 * Run an external command for a job, on a handler thread (it blocks):
 * the argv from the type's template, the job's input JSON on stdin, a
 * clean environment (PATH, RSVP_JOB_ID, RSVP_JOB_TYPE, RSVP_ATTEMPT and
 * the type's env lines), no inherited descriptors, in a process group of
 * its own.  stdout is the result (at most max_output bytes); stderr lines
 * "progress <0-100> [message]" report progress.  Exit 0 is success, 75
 * (EX_TEMPFAIL) a retryable failure, anything else a failure.  When the
 * job is told to stop (job_stopping), the whole process group gets
 * SIGTERM and, kill_grace_ms later, SIGKILL.
 */
int	command_run(struct job *, const struct command_type *, unsigned int);

/*
 * Parse one stderr line (without its newline): "progress N" or
 * "progress N message", N an integer 0..100.  Returns 0 and fills
 * *pct and msg (NUL-terminated, truncated to msglen - 1) or -1.
 */
int	progress_parse(const char *, size_t, int *, char *, size_t);

#endif
