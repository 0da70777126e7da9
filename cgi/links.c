#include <stdio.h>

#include "links.h"

static const struct {
	const char	*suffix;
	enum sign_scope	 scope;
} links[LINK__MAX] = {
	[LINK_STATUS] = { "", SCOPE_STATUS },
	[LINK_OPERATION] = { "/status", SCOPE_STATUS },
	[LINK_RESULT] = { "/result", SCOPE_RESULT },
	[LINK_CANCEL] = { "", SCOPE_CANCEL },
};

/* Append the URL of one of a job's resources to b. */
int
links_url(const struct links *l, struct buf *b, const char *id, enum link k)
{
	char query[SIGN_QUERY_LEN];
	int rc;

	if (k < 0 || k >= LINK__MAX)
		return BUF_NOMEM;
	rc = buf_printf(b, "%s/jobs/%s%s", l->base, id, links[k].suffix);
	if (rc != BUF_OK || l->keys == NULL)
		return rc;
	if (sign_query(l->keys, links[k].scope, id, l->expires, query,
	    sizeof(query)) == -1)
		return BUF_NOMEM;
	return buf_printf(b, "?%s", query);
}
