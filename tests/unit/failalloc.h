#ifndef RSVP_FAILALLOC_H
#define RSVP_FAILALLOC_H

/*
 * Allocation-failure injection (failalloc.c): once armed with n, the nth
 * call to malloc, calloc, realloc or reallocarray from then on fails with
 * ENOMEM, and only that one.  Linked only into tests/unit/test_nomem.
 */
void		failalloc_arm(unsigned long);
void		failalloc_disarm(void);
int		failalloc_fired(void);

#endif
