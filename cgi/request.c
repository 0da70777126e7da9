#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "env.h"
#include "request.h"

/* Never read more than this when throwing a refused body away. */
#define DRAIN_MAX	(64UL * 1024 * 1024)

static const char *const messages[REQ__MAX] = {
	[REQ_OK] = "no error",
	[REQ_BADLENGTH] = "Content-Length is not a valid length",
	[REQ_TOOBIG] = "the body is too large",
	[REQ_SHORT] = "the body is shorter than its Content-Length",
	[REQ_READ] = "the body could not be read",
	[REQ_NOMEM] = "out of memory",
};

static const struct {
	const char	*name;
	unsigned int	 bit;
} methods[] = {
	{ "GET", M_GET },
	{ "HEAD", M_HEAD },
	{ "POST", M_POST },
	{ "PUT", M_PUT },
	{ "DELETE", M_DELETE },
	{ "PATCH", M_PATCH },
	{ "OPTIONS", M_OPTIONS },
};

const char *
request_strerror(enum request_error e)
{
	if (e < 0 || e >= REQ__MAX)
		return "unknown request error";
	return messages[e];
}

/* Look a CGI parameter up in a NULL-terminated "NAME=value" array. */
const char *
request_param(char **envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* A CGI parameter of the request, such as "HTTP_PREFER"; NULL if absent. */
const char *
request_get(const struct request *r, const char *name)
{
	return request_param(r->envp, name);
}

/*
 * A client's X-Request-ID is kept when it is 1..128 printable ASCII
 * characters other than quotes and backslashes; otherwise, or when there
 * is none, a random one is made.
 */
static void
request_id(struct request *r, const char *given)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[16];
	size_t i, n;

	if (given != NULL) {
		n = strlen(given);
		for (i = 0; i < n; i++)
			if (given[i] <= ' ' || given[i] > '~' ||
			    given[i] == '"' || given[i] == '\\')
				break;
		if (n > 0 && n <= REQUEST_ID_MAX && i == n) {
			memcpy(r->request_id, given, n + 1);
			return;
		}
	}
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		memset(rnd, 0, sizeof(rnd));
	for (i = 0; i < sizeof(rnd); i++) {
		r->request_id[2 * i] = hex[rnd[i] >> 4];
		r->request_id[2 * i + 1] = hex[rnd[i] & 15];
	}
	r->request_id[2 * sizeof(rnd)] = '\0';
}

enum request_error
request_parse(struct request *r, char **envp)
{
	const char *s;
	unsigned long len;
	size_t i;

	memset(r, 0, sizeof(*r));
	buf_init(&r->body, 0);
	r->envp = envp;

	r->method_name = request_param(envp, "REQUEST_METHOD");
	if (r->method_name == NULL)
		r->method_name = "GET";
	r->method = M_OTHER;
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(r->method_name, methods[i].name) == 0)
			r->method = methods[i].bit;

	r->script = request_param(envp, "SCRIPT_NAME");
	if (r->script == NULL)
		r->script = "";
	r->path = request_param(envp, "PATH_INFO");
	if (r->path == NULL || *r->path == '\0')
		r->path = "/";
	r->pathlen = strlen(r->path);
	r->query = request_param(envp, "QUERY_STRING");
	if (r->query == NULL)
		r->query = "";
	r->content_type = request_param(envp, "CONTENT_TYPE");
	r->host = request_param(envp, "HTTP_HOST");
	r->server_name = request_param(envp, "SERVER_NAME");
	r->server_port = request_param(envp, "SERVER_PORT");
	s = request_param(envp, "HTTPS");
	r->https = s != NULL && (strcasecmp(s, "on") == 0 ||
	    strcmp(s, "1") == 0);
	s = request_param(envp, "REQUEST_SCHEME");
	if (s != NULL && strcasecmp(s, "https") == 0)
		r->https = 1;
	request_id(r, request_param(envp, "HTTP_X_REQUEST_ID"));

	/*
	 * nginx sends CONTENT_LENGTH="" with a GET and a chunked upload to
	 * plain CGI has none: both mean "read to the end".
	 */
	s = request_param(envp, "CONTENT_LENGTH");
	if (s != NULL && *s != '\0') {
		if (parse_ulong(s, 0, (unsigned long)SSIZE_MAX, &len) == -1)
			return REQ_BADLENGTH;
		r->has_length = 1;
		r->content_length = len;
	}
	return REQ_OK;
}

/*
 * Read the body, at most max bytes.  With a Content-Length exactly that
 * many bytes are read; without one, everything up to the end.
 */
enum request_error
request_read_body(struct request *r, size_t max, body_reader *rd, void *arg)
{
	size_t want, chunk;
	ssize_t n;

	if (r->has_length && r->content_length > max)
		return REQ_TOOBIG;
	/* Without a length, one byte past the maximum tells it is too big. */
	want = r->has_length ? r->content_length : max + 1;
	r->body.max = want;
	while (r->body.len < want) {
		chunk = want - r->body.len;
		if (chunk > 65536)
			chunk = 65536;
		if (buf_reserve(&r->body, chunk) != BUF_OK)
			return REQ_NOMEM;
		n = rd(arg, r->body.data + r->body.len, chunk);
		if (n < 0)
			return REQ_READ;
		if (n == 0)
			break;
		r->body.len += (size_t)n;
		r->body.data[r->body.len] = '\0';
	}
	if (r->has_length && r->body.len < want)
		return REQ_SHORT;
	if (!r->has_length && r->body.len > max)
		return REQ_TOOBIG;
	return REQ_OK;
}

/*
 * Read and drop what is left of a refused body, so that the web server
 * delivers our answer instead of resetting the connection.
 */
void
request_drain(struct request *r, body_reader *rd, void *arg)
{
	char scratch[8192];
	size_t total = 0;
	ssize_t n;

	if (r->has_length && r->content_length == 0)
		return;
	while (total < DRAIN_MAX &&
	    (n = rd(arg, scratch, sizeof(scratch))) > 0)
		total += (size_t)n;
}

void
request_free(struct request *r)
{
	buf_free(&r->body);
}

/* application/json or any application/...+json, with parameters. */
int
request_is_json(const struct request *r)
{
	const char *ct = r->content_type, *slash, *end;
	size_t n;

	if (ct == NULL)
		return 0;
	while (*ct == ' ')
		ct++;
	n = strcspn(ct, "; \t");
	end = ct + n;
	if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
		return 1;
	slash = memchr(ct, '/', n);
	if (slash == NULL || (size_t)(slash - ct) != 11 ||
	    strncasecmp(ct, "application", 11) != 0)
		return 0;
	return end - slash > 6 && strncasecmp(end - 5, "+json", 5) == 0;
}
