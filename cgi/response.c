#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "response.h"

static const struct {
	int		 code;
	const char	*reason;
} reasons[] = {
	{ 200, "OK" },
	{ 202, "Accepted" },
	{ 204, "No Content" },
	{ 303, "See Other" },
	{ 304, "Not Modified" },
	{ 400, "Bad Request" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 409, "Conflict" },
	{ 410, "Gone" },
	{ 413, "Content Too Large" },
	{ 415, "Unsupported Media Type" },
	{ 422, "Unprocessable Content" },
	{ 429, "Too Many Requests" },
	{ 500, "Internal Server Error" },
	{ 503, "Service Unavailable" },
};

const char *
http_reason(int code)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == code)
			return reasons[i].reason;
	return code >= 500 ? "Server Error" : code >= 400 ? "Client Error" :
	    "Unknown";
}

void
response_init(struct response *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 200;
	buf_init(&r->body, RESPONSE_BODY_MAX);
}

void
response_free(struct response *r)
{
	buf_free(&r->body);
}

/* A header token: letters, digits and hyphens. */
static int
valid_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

/*
 * Add a header line.  A value holding any control character (CR and LF
 * above all) is refused, so no client text can split a header.
 */
int
response_header(struct response *r, const char *name, const char *value)
{
	const unsigned char *p;
	int n;

	if (!valid_name(name))
		return -1;
	for (p = (const unsigned char *)value; *p != '\0'; p++)
		if ((*p < ' ' && *p != '\t') || *p == 0x7f)
			return -1;
	n = snprintf(r->headers + r->headers_len,
	    sizeof(r->headers) - r->headers_len, "%s: %s\r\n", name, value);
	if (n < 0 || (size_t)n >= sizeof(r->headers) - r->headers_len) {
		r->headers[r->headers_len] = '\0';
		return -1;
	}
	r->headers_len += (size_t)n;
	return 0;
}

/* Use a content type that came from elsewhere (the database). */
int
response_content_type(struct response *r, const char *type)
{
	size_t i, n = strlen(type);

	if (n == 0 || n >= sizeof(r->ctype))
		return -1;
	for (i = 0; i < n; i++)
		if (type[i] < ' ' || type[i] > '~')
			return -1;
	memcpy(r->ctype, type, n + 1);
	r->content_type = r->ctype;
	return 0;
}

/*
 * Replace the answer with an RFC 9457 problem document that also carries
 * the "error": {"code", "message"} member Azure-style clients read.
 */
/* Add a member that must be there; -1 when it could not be made. */
static int
problem_put(struct json_object *o, const char *name, struct json_object *v)
{
	if (v == NULL)
		return -1;
	if (json_object_object_add(o, name, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

void
response_problem(struct response *r, int status, const char *code,
    const char *detail)
{
	struct json_object *o, *e;
	const char *text;

	r->status = status;
	r->content_type = "application/problem+json";
	buf_reset(&r->body);
	o = json_object_new_object();
	e = json_object_new_object();
	if (o == NULL || e == NULL) {
		json_object_put(o);
		json_object_put(e);
		return;
	}
	/* Out of memory half-way sends no body rather than half of one. */
	if (problem_put(o, "type", json_object_new_string("about:blank")) ||
	    problem_put(o, "title", json_object_new_string(http_reason(status))) ||
	    problem_put(o, "status", json_object_new_int(status)) ||
	    problem_put(o, "detail", json_object_new_string(detail)) ||
	    problem_put(e, "code", json_object_new_string(code)) ||
	    problem_put(e, "message", json_object_new_string(detail))) {
		json_object_put(o);
		json_object_put(e);
		return;
	}
	if (problem_put(o, "error", e)) {
		json_object_put(o);
		return;
	}
	text = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text == NULL || buf_puts(&r->body, text) != BUF_OK ||
	    buf_puts(&r->body, "\n") != BUF_OK)
		buf_reset(&r->body);
	json_object_put(o);
}

/* The CGI response head: Status, Content-Type, Content-Length, the rest. */
int
response_head(const struct response *r, struct buf *out)
{
	int rc;

	rc = buf_printf(out, "Status: %d %s\r\n", r->status,
	    http_reason(r->status));
	if (rc == BUF_OK && r->content_type != NULL)
		rc = buf_printf(out, "Content-Type: %s\r\n", r->content_type);
	if (rc == BUF_OK && r->status != 204 && r->status != 304)
		rc = buf_printf(out, "Content-Length: %zu\r\n", r->body.len);
	if (rc == BUF_OK)
		rc = buf_add(out, r->headers, r->headers_len);
	if (rc == BUF_OK)
		rc = buf_puts(out, "\r\n");
	return rc;
}
