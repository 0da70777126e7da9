#ifndef RSVP_REQUEST_H
#define RSVP_REQUEST_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

/* Methods are bits, so a route can allow a set of them. */
enum method {
	M_GET = 1 << 0,
	M_HEAD = 1 << 1,
	M_POST = 1 << 2,
	M_PUT = 1 << 3,
	M_DELETE = 1 << 4,
	M_PATCH = 1 << 5,
	M_OPTIONS = 1 << 6,
	M_OTHER = 1 << 7,
};

#define REQUEST_ID_MAX	128

/*
 * What the responder needs of one request, copied out of the CGI
 * environment so that handlers never see libfcgi.  The strings point into
 * the environment and live as long as the request does.
 */
struct request {
	unsigned int	 method;
	const char	*method_name;
	const char	*path;		/* the route below the mount point */
	size_t		 pathlen;
	const char	*script;	/* the mount point, may be "" */
	const char	*query;
	const char	*content_type;
	const char	*host;		/* the Host header, unchecked */
	const char	*server_name;
	const char	*server_port;
	int		 https;
	int		 has_length;	/* CONTENT_LENGTH was given */
	size_t		 content_length;
	char		 request_id[REQUEST_ID_MAX + 1];
	struct buf	 body;
	char		**envp;		/* every other parameter */
};

enum request_error {
	REQ_OK = 0,
	REQ_BADLENGTH,		/* CONTENT_LENGTH is not a number */
	REQ_TOOBIG,		/* the body is larger than allowed */
	REQ_SHORT,		/* the body ended before CONTENT_LENGTH */
	REQ_READ,		/* reading the body failed */
	REQ_NOMEM,		/* out of memory */
	REQ__MAX
};

/* Reads up to n bytes of the body; 0 at its end, -1 on error. */
typedef ssize_t	body_reader(void *, char *, size_t);

const char	*request_strerror(enum request_error);
const char	*request_param(char **, const char *);
const char	*request_get(const struct request *, const char *);
enum request_error	request_parse(struct request *, char **)
			    __attribute__((warn_unused_result));
enum request_error	request_read_body(struct request *, size_t,
			    body_reader *, void *)
			    __attribute__((warn_unused_result));
void		 request_drain(struct request *, body_reader *, void *);
void		 request_free(struct request *);
int		 request_is_json(const struct request *);

#endif
