/*
 * A malloc interposer that fails the Nth allocation.  The real allocator
 * (glibc's, ASan's or valgrind's) is found with dlsym(RTLD_NEXT); dlsym
 * may itself allocate before it is known, which a small static arena
 * serves.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "failalloc.h"

void	*malloc(size_t);
void	*calloc(size_t, size_t);
void	*realloc(void *, size_t);
void	*reallocarray(void *, size_t, size_t);

static void	*(*real_malloc)(size_t);
static void	*(*real_calloc)(size_t, size_t);
static void	*(*real_realloc)(void *, size_t);

static unsigned long	countdown;	/* 0: disarmed */
static int		fired;
static int		resolving;
static _Alignas(max_align_t) unsigned char arena[4096];
static size_t		arena_used;

void
failalloc_arm(unsigned long n)
{
	fired = 0;
	countdown = n;
}

void
failalloc_disarm(void)
{
	countdown = 0;
}

int
failalloc_fired(void)
{
	return fired;
}

static void
resolve(void)
{
	if (real_malloc != NULL || resolving)
		return;
	resolving = 1;
	real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	resolving = 0;
	if (real_malloc == NULL || real_calloc == NULL || real_realloc == NULL)
		abort();
}

/* Is this the allocation that must fail? */
static int
fail_now(void)
{
	if (countdown == 0)
		return 0;
	if (--countdown == 0) {
		fired = 1;
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

/* What dlsym asks for before the real allocator is known; never freed. */
static void *
from_arena(size_t n)
{
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (n > sizeof(arena) - arena_used)
		return NULL;
	p = arena + arena_used;
	arena_used += n;
	return p;
}

void *
malloc(size_t n)
{
	resolve();
	if (real_malloc == NULL)
		return from_arena(n);
	if (fail_now())
		return NULL;
	return real_malloc(n);
}

void *
calloc(size_t n, size_t size)
{
	resolve();
	if (real_calloc == NULL)
		return size != 0 && n > SIZE_MAX / size ? NULL :
		    from_arena(n * size);
	if (fail_now())
		return NULL;
	return real_calloc(n, size);
}

void *
realloc(void *p, size_t n)
{
	resolve();
	if (fail_now())
		return NULL;
	return real_realloc(p, n);
}

void *
reallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n * size);
}
