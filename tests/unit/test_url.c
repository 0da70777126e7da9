/*
 * Unit tests for cgi/url.c: which Host values may reach a URL we emit,
 * RSVP_PUBLIC_URL checking, and the base URL built for Location headers.
 */
#include <string.h>

#include <check.h>

#include "unit.h"

#include "buf.h"
#include "request.h"
#include "url.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))
#define P(s)		s, sizeof(s) - 1

static const char *const hosts_ok[] = {
	"example.org",
	"EXAMPLE.Org",
	"localhost",
	"a",
	"a-b.c-d",
	"127.0.0.1",
	"[::1]",
	"[::1]:8080",
	"[2001:DB8::1]:443",
	"[::ffff:1.2.3.4]",
	"example.org:1",
	"example.org:65535",
	"example.org:8080",
	"example.org.",
	"example.org.:8080",
	"1.example",
	"xn--bcher-kva.example",
};

START_TEST(test_host_ok)
{
	const char *h = hosts_ok[_i];

	ck_assert_msg(url_host_valid(h, strlen(h)) == 1, "\"%s\" refused", h);
}
END_TEST

static const struct {
	const char	*s;
	size_t		 len;
} hosts_bad[] = {
	{ P("") },
	{ P("a:0") },
	{ P("a:65536") },
	{ P("a:123456") },
	{ P("a:99999") },
	{ P("a:") },
	{ P("a:-1") },
	{ P("a:8o") },
	{ P("a:80:80") },
	{ P("a b") },
	{ P("a\r\nb") },
	{ P("a\tb") },
	{ P("a/b") },
	{ P("a@b") },
	{ P("a_b") },
	{ P("a\0b") },
	{ P("\xc3\xa9.org") },
	{ P("[zz]") },
	{ P("[") },
	{ P("[]") },
	{ P("[:]") },
	{ P("[::1") },
	{ P("[::1]x") },
	{ P("[::1]:") },
	{ P("[::1]:0") },
	{ P("[::1\0]") },
	{ P(":80") },
	{ P("-a") },
	{ P(".a") },
	{ P(".") },
	{ P("x..y") },
	{ P("a.-b") },
	{ P("a-.b") },
	{ P("a-") },
	{ P("a.b-:80") },
	{ P("a..") },
};

START_TEST(test_host_bad)
{
	ck_assert_msg(url_host_valid(hosts_bad[_i].s, hosts_bad[_i].len) == 0,
	    "case %d (\"%s\") accepted", _i, hosts_bad[_i].s);
}
END_TEST

START_TEST(test_host_length)
{
	char h[300];

	/* Four labels, 63 + 63 + 63 + 61 and three dots: 253. */
	memset(h, 'a', sizeof(h));
	h[63] = h[127] = h[191] = '.';
	ck_assert_int_eq(url_host_valid(h, 253), 1);
	ck_assert_int_eq(url_host_valid(h, 254), 0);
	ck_assert_int_eq(url_host_valid(h, 300), 0);
	memcpy(h + 253, ":8080", 5);
	ck_assert_int_eq(url_host_valid(h, 258), 1);
	/* A label of 63 is a name, one of 64 is not. */
	ck_assert_int_eq(url_host_valid(h + 64, 63), 1);
	h[127] = 'a';
	ck_assert_int_eq(url_host_valid(h + 64, 64), 0);
	/* Only len bytes count: the rest of the buffer is not read. */
	ck_assert_int_eq(url_host_valid("ab cd", 2), 1);
	ck_assert_int_eq(url_host_valid("a:80x", 4), 1);
}
END_TEST

static const struct {
	const char	*u;
	int		 ok;
} publics[] = {
	{ "http://example.org", 1 },
	{ "https://example.org/", 1 },
	{ "https://example.org:8443/rsvp/api", 1 },
	{ "HTTPS://example.org", 1 },
	{ "http://[::1]:8080/p", 1 },
	{ "http://h/a%20b/~x-y_z.", 1 },
	{ "ftp://example.org", 0 },
	{ "example.org", 0 },
	{ "//example.org", 0 },
	{ "http:/example.org", 0 },
	{ "http://", 0 },
	{ "http:///path", 0 },
	{ "http://a b/", 0 },
	{ "http://h/p?q=1", 0 },
	{ "http://h/p#f", 0 },
	{ "http://user@h/", 0 },
	{ "http://h:0/", 0 },
	{ "http://h:65536", 0 },
	{ "http://h/a b", 0 },
	{ "http://h/\r\nX: y", 0 },
	{ "http://h/\"", 0 },
	{ "http://h/<script>", 0 },
	{ "", 0 },
};

START_TEST(test_public)
{
	ck_assert_msg(url_public_valid(publics[_i].u) == publics[_i].ok,
	    "\"%s\": want %d", publics[_i].u, publics[_i].ok);
}
END_TEST

static const struct {
	int		 https;
	const char	*host;
	const char	*server_name;
	const char	*server_port;
	const char	*script;
	const char	*public_url;
	const char	*want;
} bases[] = {
	{ 1, "example.org:8443", "srv", "80", "/rsvp", NULL,
	    "https://example.org:8443/rsvp" },
	{ 0, "h", NULL, NULL, "", NULL, "http://h" },
	{ 0, "[::1]:8080", NULL, NULL, "", NULL, "http://[::1]:8080" },
	/* A bad Host falls back to SERVER_NAME[:SERVER_PORT]. */
	{ 0, "bad host", "srv.local", "8080", "", NULL,
	    "http://srv.local:8080" },
	{ 0, "a\r\nb", "srv", "8080", "", NULL, "http://srv:8080" },
	{ 0, "", "srv", "8080", "", NULL, "http://srv:8080" },
	{ 0, NULL, "srv", "80", "", NULL, "http://srv" },
	{ 1, NULL, "srv", "443", "", NULL, "https://srv" },
	{ 1, NULL, "srv", "80", "", NULL, "https://srv:80" },
	{ 0, NULL, "srv", "443", "", NULL, "http://srv:443" },
	{ 0, NULL, "srv", NULL, "", NULL, "http://srv" },
	{ 0, NULL, "srv", "0", "", NULL, "http://srv" },
	{ 0, NULL, "srv", "65536", "", NULL, "http://srv" },
	{ 0, NULL, "srv", "8x", "", NULL, "http://srv" },
	{ 0, NULL, "srv", "", "", NULL, "http://srv" },
	/* Both bad: localhost. */
	{ 0, "a b", "c d", "8080", "", NULL, "http://localhost" },
	{ 1, NULL, NULL, "8443", "", NULL, "https://localhost" },
	{ 0, "a\nb", "", NULL, "/x", NULL, "http://localhost/x" },
	/* SCRIPT_NAME. */
	{ 0, "h", NULL, NULL, "/", NULL, "http://h" },
	{ 0, "h", NULL, NULL, "/a b/c", NULL, "http://h/a%20b/c" },
	{ 0, "h", NULL, NULL, "/a%b", NULL, "http://h/a%25b" },
	{ 0, "h", NULL, NULL, "/x?y#z\"<>", NULL,
	    "http://h/x%3Fy%23z%22%3C%3E" },
	{ 0, "h", NULL, NULL, "/\xc3\xa9\r\n", NULL, "http://h/%C3%A9%0D%0A" },
	{ 0, "h", NULL, NULL, "/a-b_c.d~e/f:g@h", NULL,
	    "http://h/a-b_c.d~e/f:g@h" },
	/* A public URL wins, without its trailing slashes. */
	{ 0, "h", "srv", "80", "/x", "https://pub.example/api///",
	    "https://pub.example/api" },
	{ 0, "h", NULL, NULL, "", "https://pub.example/",
	    "https://pub.example" },
	{ 1, NULL, NULL, NULL, "", "http://pub.example:8080",
	    "http://pub.example:8080" },
};

START_TEST(test_base)
{
	struct request r;
	struct buf b;

	memset(&r, 0, sizeof(r));
	r.https = bases[_i].https;
	r.host = bases[_i].host;
	r.server_name = bases[_i].server_name;
	r.server_port = bases[_i].server_port;
	r.script = bases[_i].script;
	buf_init(&b, 4096);
	ck_assert_int_eq(url_base(&b, &r, bases[_i].public_url, 0), BUF_OK);
	ck_assert_ptr_nonnull(b.data);
	ck_assert_str_eq(b.data, bases[_i].want);
	ck_assert_uint_eq(b.len, strlen(bases[_i].want));
	buf_free(&b);
}
END_TEST

/* url_base appends to what the buffer holds, within its maximum. */
START_TEST(test_base_append)
{
	struct request r;
	struct buf b;

	memset(&r, 0, sizeof(r));
	r.host = "example.org";
	r.script = "/rsvp";
	buf_init(&b, 4096);
	ck_assert_int_eq(buf_puts(&b, "<"), BUF_OK);
	ck_assert_int_eq(url_base(&b, &r, NULL, 0), BUF_OK);
	ck_assert_str_eq(b.data, "<http://example.org/rsvp");
	buf_free(&b);

	buf_init(&b, 12);
	ck_assert_int_ne(url_base(&b, &r, NULL, 0), BUF_OK);
	ck_assert_uint_le(b.len, 12);
	buf_free(&b);

	buf_init(&b, 5);
	ck_assert_int_eq(url_base(&b, &r, "http://pub.example", 0), BUF_TOOBIG);
	buf_free(&b);
}
END_TEST

static Suite *
url_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("url");
	tc = tcase_create("core");
	tcase_add_loop_test(tc, test_host_ok, 0, (int)NITEMS(hosts_ok));
	tcase_add_loop_test(tc, test_host_bad, 0, (int)NITEMS(hosts_bad));
	tcase_add_test(tc, test_host_length);
	tcase_add_loop_test(tc, test_public, 0, (int)NITEMS(publics));
	tcase_add_loop_test(tc, test_base, 0, (int)NITEMS(bases));
	tcase_add_test(tc, test_base_append);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(url_suite)
