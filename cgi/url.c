#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "url.h"

static int
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/*
 * host[:port] as a Host header may carry it: a DNS name or IPv4 address
 * (dotted labels of letters, digits and inner hyphens, 1..63 each, 253 in
 * all, a trailing dot allowed), or an IPv6 literal in
 * brackets; the port 1..65535.  Nothing else may reach a URL we emit.
 */
int
url_host_valid(const char *s, size_t len)
{
	size_t i = 0, start, port = 0, pdigits = 0;

	if (len == 0 || len > 261)
		return 0;
	if (s[0] == '[') {
		for (i = 1; i < len && s[i] != ']'; i++)
			if (s[i] == '\0' ||
			    strchr("0123456789abcdefABCDEF:.", s[i]) == NULL)
				return 0;
		if (i == len || i < 3)
			return 0;
		i++;
	} else {
		/* Labels of 1..63, a letter or digit at each end. */
		for (start = i; i < len && s[i] != ':'; i++) {
			if (s[i] == '.') {
				if (i == start || s[i - 1] == '-')
					return 0;
				start = i + 1;
				continue;
			}
			if ((s[i] == '-' && i == start) ||
			    (s[i] != '-' && !is_alnum(s[i])) || i - start >= 63)
				return 0;
		}
		/* A trailing dot is the name's root: "example.org." */
		if (i == 0 || i > 253 || (i > start && s[i - 1] == '-'))
			return 0;
	}
	if (i == len)
		return 1;
	if (s[i] != ':')
		return 0;
	for (i++; i < len; i++, pdigits++) {
		if (s[i] < '0' || s[i] > '9' || pdigits == 5)
			return 0;
		port = port * 10 + (size_t)(s[i] - '0');
	}
	return pdigits > 0 && port >= 1 && port <= 65535;
}

static int
port_valid(const char *p)
{
	size_t n;

	if (p == NULL)
		return 0;
	n = strlen(p);
	return n >= 1 && n <= 5 && strspn(p, "0123456789") == n &&
	    strtoul(p, NULL, 10) >= 1 && strtoul(p, NULL, 10) <= 65535;
}

/* RSVP_PUBLIC_URL: http(s)://host[:port][/path], no query or fragment. */
int
url_public_valid(const char *u)
{
	const char *host, *end;
	size_t i;

	if (strncasecmp(u, "http://", 7) == 0)
		host = u + 7;
	else if (strncasecmp(u, "https://", 8) == 0)
		host = u + 8;
	else
		return 0;
	end = host + strcspn(host, "/");
	if (!url_host_valid(host, (size_t)(end - host)))
		return 0;
	for (i = 0; end[i] != '\0'; i++)
		if (!is_alnum(end[i]) && strchr("/-._~%!$&'()*+,;=:@",
		    end[i]) == NULL)
			return 0;
	return 1;
}

/* Append a decoded path, percent-encoding what a URL path may not hold. */
static int
add_path(struct buf *b, const char *p)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s;
	char enc[3];
	int rc = BUF_OK;

	for (s = (const unsigned char *)p; *s != '\0' && rc == BUF_OK; s++) {
		if (is_alnum(*s) || strchr("/-._~!$&'()*+,;=:@", *s) != NULL)
			rc = buf_add(b, s, 1);
		else {
			enc[0] = '%';
			enc[1] = hex[*s >> 4];
			enc[2] = hex[*s & 15];
			rc = buf_add(b, enc, 3);
		}
	}
	return rc;
}

/*
 * What a trusted proxy says of the original request: the first element
 * of Forwarded (host=, proto=), else X-Forwarded-Host and
 * X-Forwarded-Proto.  A host that is not valid is ignored.
 */
static void
proxied(const struct request *r, char *host, size_t hostlen, int *https)
{
	const char *v, *p, *end, *val;
	size_t n, vlen;

	host[0] = '\0';
	if ((v = request_get(r, "HTTP_FORWARDED")) != NULL) {
		/* The first element is what the client's side of it saw. */
		end = v + strcspn(v, ",");
		for (p = v; p < end; p += n) {
			while (p < end && (*p == ' ' || *p == ';'))
				p++;
			n = strcspn(p, ";,");
			if (n > 5 && strncasecmp(p, "host=", 5) == 0) {
				val = p + 5;
				vlen = n - 5;
				if (vlen >= 2 && val[0] == '"' &&
				    val[vlen - 1] == '"') {
					val++;
					vlen -= 2;
				}
				if (vlen < hostlen && url_host_valid(val, vlen)) {
					memcpy(host, val, vlen);
					host[vlen] = '\0';
				}
			} else if (n > 6 && strncasecmp(p, "proto=", 6) == 0)
				*https = n == 11 &&
				    strncasecmp(p + 6, "https", 5) == 0;
		}
		return;
	}
	if ((v = request_get(r, "HTTP_X_FORWARDED_HOST")) != NULL) {
		/* The first of the list, blanks around it trimmed. */
		v += strspn(v, " ");
		n = strcspn(v, ",");
		while (n > 0 && v[n - 1] == ' ')
			n--;
		if (n < hostlen && url_host_valid(v, n)) {
			memcpy(host, v, n);
			host[n] = '\0';
		}
	}
	if ((v = request_get(r, "HTTP_X_FORWARDED_PROTO")) != NULL) {
		n = strcspn(v, ", ");
		*https = n == 5 && strncasecmp(v, "https", 5) == 0;
	}
}

/*
 * The absolute URL of the mount point, with no trailing slash: the
 * configured public URL when there is one, else the request's scheme and
 * Host (or, when Host is missing or malformed, SERVER_NAME[:SERVER_PORT],
 * or localhost) followed by SCRIPT_NAME.  Only with trust_proxy do the
 * Forwarded headers count: a client must not move a URL elsewhere.
 */
int
url_base(struct buf *b, const struct request *r, const char *public_url,
    int trust_proxy)
{
	const char *host = r->host;
	char fwd[262];
	int rc, https = r->https;
	size_t n;

	if (public_url != NULL) {
		n = strlen(public_url);
		while (n > 0 && public_url[n - 1] == '/')
			n--;
		return buf_add(b, public_url, n);
	}
	if (trust_proxy) {
		proxied(r, fwd, sizeof(fwd), &https);
		if (fwd[0] != '\0')
			host = fwd;
	}
	rc = buf_puts(b, https ? "https://" : "http://");
	if (rc != BUF_OK)
		return rc;
	if (host != NULL && url_host_valid(host, strlen(host)))
		rc = buf_puts(b, host);
	else if (r->server_name != NULL &&
	    url_host_valid(r->server_name, strlen(r->server_name))) {
		rc = buf_puts(b, r->server_name);
		if (rc == BUF_OK && port_valid(r->server_port) &&
		    strcmp(r->server_port, https ? "443" : "80") != 0)
			rc = buf_printf(b, ":%s", r->server_port);
	} else
		rc = buf_puts(b, "localhost");
	if (rc != BUF_OK)
		return rc;
	/* A root mount hands SCRIPT_NAME "/" on some servers. */
	if (strcmp(r->script, "/") == 0)
		return BUF_OK;
	return add_path(b, r->script);
}
