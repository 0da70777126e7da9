#ifndef RSVP_BUF_H
#define RSVP_BUF_H

#include <stddef.h>

#define WUR __attribute__((warn_unused_result))

/*
 * A growable byte buffer that never grows past its maximum.  The data is
 * always followed by a NUL byte that len does not count, so text can be
 * handed to C string functions; binary data may hold NULs of its own.
 */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	size_t	 max;
};

enum buf_error {
	BUF_OK = 0,
	BUF_TOOBIG,		/* the result would exceed the maximum */
	BUF_NOMEM,		/* an allocation failed */
};

void	buf_init(struct buf *, size_t);
void	buf_reset(struct buf *);
void	buf_free(struct buf *);
int	buf_reserve(struct buf *, size_t) WUR;
int	buf_add(struct buf *, const void *, size_t) WUR;
int	buf_puts(struct buf *, const char *) WUR;
int	buf_printf(struct buf *, const char *, ...) WUR
	    __attribute__((format(printf, 2, 3)));

#endif
