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

static struct json_object *
str_or_null(const char *s)
{
	return s == NULL ? NULL : json_object_new_string(s);
}

static int
add_link(struct json_object *o, const char *name, const struct links *l,
    const char *id, enum link k)
{
	struct buf u;
	int rc;

	buf_init(&u, 4096);
	if ((rc = links_url(l, &u, id, k)) == BUF_OK)
		json_object_object_add(o, name,
		    json_object_new_string_len(u.data, (int)u.len));
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
	int rc = BUF_NOMEM;

	if ((o = json_object_new_object()) == NULL)
		return BUF_NOMEM;
	json_object_object_add(o, "id", json_object_new_string(js->id));
	json_object_object_add(o, "type", json_object_new_string(js->type));
	json_object_object_add(o, "status",
	    json_object_new_string(job_state_name(js->state)));
	json_object_object_add(o, "progress",
	    json_object_new_int(js->progress));
	json_object_object_add(o, "message", str_or_null(js->message));
	json_object_object_add(o, "attempt", json_object_new_int(js->attempt));
	json_object_object_add(o, "created_at", str_or_null(js->created_at));
	json_object_object_add(o, "updated_at", str_or_null(js->updated_at));
	json_object_object_add(o, "started_at", str_or_null(js->started_at));
	json_object_object_add(o, "finished_at", str_or_null(js->finished_at));

	if (js->state == JOB_FAILED || js->state == JOB_CANCELED) {
		if ((err = json_object_new_object()) == NULL)
			goto out;
		json_object_object_add(err, "code", json_object_new_string(
		    js->error_code != NULL ? js->error_code :
		    js->state == JOB_CANCELED ? "canceled" : "failed"));
		json_object_object_add(err, "message", json_object_new_string(
		    js->error_message != NULL ? js->error_message :
		    js->state == JOB_CANCELED ? "the job was canceled" :
		    "the job failed"));
		json_object_object_add(o, "error", err);
	}
	if (js->state == JOB_SUCCEEDED && (flags & DOC_RESOURCE) &&
	    add_link(o, "resourceLocation", l, js->id, LINK_RESULT) != BUF_OK)
		goto out;
	if (js->state == JOB_SUCCEEDED && (flags & DOC_RESULT))
		json_object_object_add(o, "result", result_value(js));

	if ((links = json_object_new_object()) == NULL)
		goto out;
	json_object_object_add(o, "links", links);
	if (add_link(links, "self", l, js->id, LINK_STATUS) != BUF_OK ||
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
