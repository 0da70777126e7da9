#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "doc.h"

/* application/json, or any type with a +json suffix. */
int
doc_is_json_type(const char *t)
{
	size_t n;

	if (t == NULL)
		return 0;
	n = strcspn(t, "; \t");
	if (n == 16 && strncasecmp(t, "application/json", 16) == 0)
		return 1;
	return n > 5 && strncasecmp(t + n - 5, "+json", 5) == 0;
}

/*
 * Add a member; a value that could not be made (v NULL though made is
 * set) or could not be added is out of memory: *bad is set, so that a
 * half-built document is never sent.
 */
static void
put(struct json_object *o, const char *name, struct json_object *v,
    int made, int *bad)
{
	if (made && v == NULL) {
		*bad = 1;
		return;
	}
	if (json_object_object_add(o, name, v) != 0) {
		json_object_put(v);
		*bad = 1;
	}
}

static void
put_str(struct json_object *o, const char *name, const char *s, int *bad)
{
	put(o, name, s == NULL ? NULL : json_object_new_string(s), s != NULL,
	    bad);
}

static int
add_link(struct json_object *o, const char *name, const struct links *l,
    const char *id, enum link k)
{
	struct buf u;
	int rc, bad = 0;

	buf_init(&u, 4096);
	if ((rc = links_url(l, &u, id, k)) == BUF_OK) {
		put(o, name, json_object_new_string_len(u.data, (int)u.len), 1,
		    &bad);
		if (bad)
			rc = BUF_NOMEM;
	}
	buf_free(&u);
	return rc;
}

static struct json_object *
result_value(const struct job_status *js)
{
	struct json_tokener *tok;
	struct json_object *v;

	if (js->result == NULL || !doc_is_json_type(js->result_type))
		return NULL;
	/* The worker stored valid JSON; the depth only bounds the parse. */
	if ((tok = json_tokener_new_ex(1000)) == NULL)
		return NULL;
	v = json_tokener_parse_ex(tok, (const char *)js->result,
	    (int)js->result_len);
	if (v == NULL && json_tokener_get_error(tok) == json_tokener_continue)
		v = json_tokener_parse_ex(tok, "", 1);
	json_tokener_free(tok);
	return v;
}

/*
 * The status document of SPEC 1.2: the job, its links and, once it has
 * ended, its error or (with flags) its result and where to fetch it.
 */
int
doc_status(struct buf *out, const struct job_status *js,
    const struct links *l, int flags)
{
	struct json_object *o, *links, *err;
	const char *text;
	int rc = BUF_NOMEM, bad = 0;

	if ((o = json_object_new_object()) == NULL)
		return BUF_NOMEM;
	put_str(o, "id", js->id, &bad);
	put_str(o, "type", js->type, &bad);
	put_str(o, "status", job_state_name(js->state), &bad);
	put(o, "progress", json_object_new_int(js->progress), 1, &bad);
	put_str(o, "message", js->message, &bad);
	put(o, "attempt", json_object_new_int(js->attempt), 1, &bad);
	put_str(o, "created_at", js->created_at, &bad);
	put_str(o, "updated_at", js->updated_at, &bad);
	put_str(o, "started_at", js->started_at, &bad);
	put_str(o, "finished_at", js->finished_at, &bad);

	if (js->state == JOB_FAILED || js->state == JOB_CANCELED) {
		if ((err = json_object_new_object()) == NULL)
			goto out;
		put_str(err, "code", js->error_code != NULL ? js->error_code :
		    js->state == JOB_CANCELED ? "canceled" : "failed", &bad);
		put_str(err, "message", js->error_message != NULL ?
		    js->error_message : js->state == JOB_CANCELED ?
		    "the job was canceled" : "the job failed", &bad);
		put(o, "error", err, 1, &bad);
	}
	if (bad)
		goto out;
	if (js->state == JOB_SUCCEEDED && (flags & DOC_RESOURCE) &&
	    add_link(o, "resourceLocation", l, js->id, LINK_RESULT) != BUF_OK)
		goto out;
	if (js->state == JOB_SUCCEEDED && (flags & DOC_RESULT))
		put(o, "result", result_value(js), 0, &bad);

	if ((links = json_object_new_object()) == NULL)
		goto out;
	put(o, "links", links, 1, &bad);
	if (bad || add_link(links, "self", l, js->id, LINK_STATUS) != BUF_OK ||
	    add_link(links, "result", l, js->id, LINK_RESULT) != BUF_OK ||
	    add_link(links, "operation", l, js->id, LINK_OPERATION) != BUF_OK ||
	    add_link(links, "cancel", l, js->id, LINK_CANCEL) != BUF_OK)
		goto out;

	text = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text == NULL)
		goto out;
	if ((rc = buf_puts(out, text)) == BUF_OK)
		rc = buf_puts(out, "\n");
out:
	json_object_put(o);
	return rc;
}
