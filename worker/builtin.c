/*
 * The built-in handlers, for demos, tests and make bench: echo, sleep,
 * sha256, fail, noop.
 * Add a handler of your own by writing a function like these and a line
 * in the table at the end.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "handler.h"

#define SLEEP_MAX	3600.0	/* seconds a sleep job may ask for */

/* Parse the input as a JSON object; NULL (with the job's error set) if not. */
static struct json_object *
input_object(struct job *job, const char *input, size_t len)
{
	struct json_tokener *tok;
	struct json_object *o = NULL;

	/* The input is NUL-terminated: parsing the NUL ends a bare number. */
	if ((tok = json_tokener_new_ex(1024)) != NULL) {
		o = json_tokener_parse_ex(tok, input, (int)len + 1);
		json_tokener_free(tok);
	}
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		job_error(job, 422, "invalid_input",
		    "the input must be a JSON object");
		return NULL;
	}
	return o;
}

/* echo: the result is the input. */
static int
h_echo(struct job *job, const char *input, size_t len)
{
	return job_result(job, input, len, "application/json");
}

/* sleep {"seconds": N}: sleep N seconds, reporting progress. */
static int
h_sleep(struct job *job, const char *input, size_t len)
{
	struct json_object *o, *v;
	char msg[64], out[64];
	double secs;
	long total_ms, step_ms, done_ms = 0;
	int n;

	if ((o = input_object(job, input, len)) == NULL)
		return HANDLER_FAIL;
	secs = 1.0;
	if (json_object_object_get_ex(o, "seconds", &v)) {
		if (!json_object_is_type(v, json_type_int) &&
		    !json_object_is_type(v, json_type_double)) {
			json_object_put(o);
			return job_error(job, 422, "invalid_input",
			    "\"seconds\" must be a number");
		}
		secs = json_object_get_double(v);
	}
	json_object_put(o);
	if (!(secs >= 0 && secs <= SLEEP_MAX))
		return job_error(job, 422, "invalid_input",
		    "\"seconds\" must be from 0 to %.0f", SLEEP_MAX);

	total_ms = (long)(secs * 1000);
	/* Twenty steps, but no more than five progress updates a second. */
	step_ms = total_ms / 20 < 200 ? 200 : total_ms / 20;
	while (done_ms < total_ms) {
		n = (int)(done_ms * 100 / (total_ms ? total_ms : 1));
		snprintf(msg, sizeof(msg), "slept %.1f of %.1f s",
		    done_ms / 1000.0, secs);
		job_progress(job, n, msg);
		if (job_sleep(job, step_ms < total_ms - done_ms ? step_ms :
		    total_ms - done_ms) == -1)
			return job_error(job, 500, "stopped",
			    "the job was stopped");
		done_ms += step_ms;
	}
	snprintf(out, sizeof(out), "{\"slept\":%g}", secs);
	return job_result(job, out, strlen(out), "application/json");
}

/* sha256 {"data": "text"}: the SHA-256 of the text, in hex. */
static int
h_sha256(struct job *job, const char *input, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	struct json_object *o, *v;
	char out[160];
	size_t n;
	int ok;

	if ((o = input_object(job, input, len)) == NULL)
		return HANDLER_FAIL;
	if (!json_object_object_get_ex(o, "data", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		json_object_put(o);
		return job_error(job, 422, "invalid_input",
		    "the input must have a string \"data\"");
	}
	ok = EVP_Digest(json_object_get_string(v),
	    (size_t)json_object_get_string_len(v), md, &mdlen, EVP_sha256(),
	    NULL);
	json_object_put(o);
	if (!ok)
		return job_error(job, 500, "internal", "SHA-256 failed");
	n = (size_t)snprintf(out, sizeof(out), "{\"sha256\":\"");
	for (i = 0; i < mdlen && n + 2 < sizeof(out); i++) {
		out[n++] = hex[md[i] >> 4];
		out[n++] = hex[md[i] & 15];
	}
	n += (size_t)snprintf(out + n, sizeof(out) - n, "\"}");
	return job_result(job, out, n, "application/json");
}

/*
 * fail {"code": "...", "message": "...", "status": 4xx|5xx}: fail with
 * that error; each member is optional (code "failed", status 500).
 */
static int
h_fail(struct job *job, const char *input, size_t len)
{
	const char *code = "failed", *message = "the job failed as asked";
	struct json_object *o, *v;
	int status = 500, rc;

	if ((o = input_object(job, input, len)) == NULL)
		return HANDLER_FAIL;
	if (json_object_object_get_ex(o, "code", &v) &&
	    json_object_is_type(v, json_type_string))
		code = json_object_get_string(v);
	if (json_object_object_get_ex(o, "message", &v) &&
	    json_object_is_type(v, json_type_string))
		message = json_object_get_string(v);
	if (json_object_object_get_ex(o, "status", &v) &&
	    json_object_is_type(v, json_type_int) &&
	    json_object_get_int(v) >= 400 && json_object_get_int(v) <= 599)
		status = json_object_get_int(v);
	rc = job_error(job, status, code, "%s", message);
	json_object_put(o);
	return rc;
}

/*
 * noop: nothing, as fast as possible.  The result is when the handler
 * started, {"started_us": microseconds since the epoch}: make bench
 * compares it with the submit's commit for the pickup latency.
 */
static int
h_noop(struct job *job, const char *input, size_t len)
{
	struct timespec ts;
	char out[48];
	int n;

	(void)input;
	(void)len;
	clock_gettime(CLOCK_REALTIME, &ts);
	n = snprintf(out, sizeof(out), "{\"started_us\":%lld}",
	    (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
	return job_result(job, out, (size_t)n, "application/json");
}

static const struct handler builtins[] = {
	{ "echo", h_echo },
	{ "sleep", h_sleep },
	{ "sha256", h_sha256 },
	{ "fail", h_fail },
	{ "noop", h_noop },
};

const struct handler *
builtin_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strcmp(builtins[i].name, name) == 0)
			return &builtins[i];
	return NULL;
}

size_t
builtin_count(void)
{
	return sizeof(builtins) / sizeof(builtins[0]);
}

const struct handler *
builtin_at(size_t i)
{
	return i < builtin_count() ? &builtins[i] : NULL;
}
