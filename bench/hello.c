/*
 * hello.fcgi: the smallest FastCGI responder, the ceiling make bench
 * holds the status handler against.  Same library and the same accept
 * loop as the responder, no work.
 */
#include <fcgiapp.h>

int
main(void)
{
	static const char reply[] = "Status: 200 OK\r\n"
	    "Content-Type: application/json\r\n\r\n"
	    "{\"hello\":\"world\"}\n";
	FCGX_Stream *in, *out, *err;
	FCGX_ParamArray envp;

	while (FCGX_Accept(&in, &out, &err, &envp) >= 0)
		FCGX_PutStr(reply, (int)sizeof(reply) - 1, out);
	return 0;
}
