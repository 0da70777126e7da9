#ifndef RSVP_ROUTER_H
#define RSVP_ROUTER_H

#include <stddef.h>

struct app;
struct request;
struct response;

/* The one segment a route's "*" matched: a job type or a job id. */
struct route_arg {
	const char	*s;
	size_t		 len;
};

typedef void	route_fn(struct app *, const struct request *,
		    struct response *, const struct route_arg *);

struct route {
	const char	*pattern;	/* "/jobs/" "*" "/result": "*" is one segment */
	unsigned int	 methods;	/* M_* bits */
	route_fn	*fn;
};

enum route_match {
	ROUTE_FOUND = 0,
	ROUTE_NOT_FOUND,	/* no pattern matches the path */
	ROUTE_NO_METHOD,	/* a pattern matches, but not for this method */
};

enum route_match	router_match(const struct route *, size_t,
			    const char *, size_t, unsigned int,
			    const struct route **, struct route_arg *,
			    unsigned int *);

#endif
