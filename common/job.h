#ifndef RSVP_JOB_H
#define RSVP_JOB_H

/* The states of a job, as rsvp.jobs.state spells them. */
enum job_state {
	JOB_QUEUED = 0,
	JOB_RUNNING,
	JOB_SUCCEEDED,
	JOB_FAILED,
	JOB_CANCELED,
	JOB__MAX
};

#define JOB_TYPE_MAX	64

const char	*job_state_name(enum job_state);
int		 job_state_parse(const char *, enum job_state *)
		    __attribute__((warn_unused_result));
int		 job_state_terminal(enum job_state);
int		 job_type_valid(const char *, size_t);

#endif
