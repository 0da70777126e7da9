#ifndef RSVP_WRITER_H
#define RSVP_WRITER_H

#include <stddef.h>

#include "pool.h"
#include "wdb.h"

/*
 * The outcome writer: a thread with a database session of its own that
 * writes the outcomes of finished jobs, fenced by their leases, a batch
 * at a time and one commit a batch.  An outcome's commit waits for the
 * log to reach the disk; on its own session that wait no longer holds up
 * the claims, heartbeats and doorbells of the main loop's session.
 *
 * The main loop hands it a batch when it holds none (writer_give) and
 * takes the batch back once written (writer_take): each job's wrote,
 * ended and what then say what was written.  A batch is written whole
 * however long the database is away; only writer_free gives up on it.
 */
struct writer;

struct writer	*writer_new(const struct wdb *, unsigned int, int);
void		 writer_free(struct writer *);
int		 writer_idle(struct writer *);
void		 writer_give(struct writer *, struct job **, size_t);
size_t		 writer_take(struct writer *, struct job **, size_t);

#endif
