#include <stddef.h>
#include <string.h>

#include "job.h"

static const char *const names[JOB__MAX] = {
	[JOB_QUEUED] = "queued",
	[JOB_RUNNING] = "running",
	[JOB_SUCCEEDED] = "succeeded",
	[JOB_FAILED] = "failed",
	[JOB_CANCELED] = "canceled",
};

const char *
job_state_name(enum job_state s)
{
	if (s < 0 || s >= JOB__MAX)
		return "unknown";
	return names[s];
}

int
job_state_parse(const char *s, enum job_state *out)
{
	int i;

	for (i = 0; i < JOB__MAX; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum job_state)i;
			return 0;
		}
	return -1;
}

int
job_state_terminal(enum job_state s)
{
	return s == JOB_SUCCEEDED || s == JOB_FAILED || s == JOB_CANCELED;
}

/* A type name as rsvp.job_types allows it: [a-z0-9][a-z0-9_.-]{0,63}. */
int
job_type_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > JOB_TYPE_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9'))
			continue;
		if (i > 0 && (s[i] == '_' || s[i] == '.' || s[i] == '-'))
			continue;
		return 0;
	}
	return 1;
}
