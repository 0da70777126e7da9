/*
 * External commands as job handlers.  A command is started with fork
 * and execve of an argv, never through a shell.  The worker's threads
 * block every signal and the worker ignores SIGPIPE; the child undoes
 * both, takes a process group of its own, asks to be killed should the
 * worker die, and keeps no inherited descriptor, all with system calls
 * alone before it runs a line of the command.  One poll loop
 * feeds stdin and drains stdout and stderr together, so that no pipe can
 * fill up and leave the command and the worker waiting on each other.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "command.h"
#include "text.h"
#include "json_check.h"
#include "clock.h"
#include "log.h"
#include "pool.h"

#define ENV_PATH	"PATH=/usr/local/bin:/usr/bin:/bin"
#define WORD_MAX	(64 * 1024)	/* bytes of one expanded argv word */
#define ERRLINE_MAX	1024		/* bytes kept of one stderr line */
#define POLL_MS		100
#define DRAIN_MS	1000		/* reading on once the child exited */
#define CHUNK		16384
#define JSON_DEPTH	1000
#define EXIT_TEMPFAIL	75

/* One running command, as the poll loop sees it. */
struct run {
	struct job	*job;
	pid_t		 pid;
	int		 in, out, err;		/* our pipe ends, or -1 */
	size_t		 off;			/* input bytes written */
	struct buf	 res;			/* stdout */
	char		 line[ERRLINE_MAX];	/* stderr, up to its newline */
	size_t		 linelen;
	char		 last[512];		/* the last other stderr line */
	int		 status;		/* from waitpid */
	int		 exited;
	int		 too_big;		/* stdout passed its cap */
	int		 failed;		/* no memory, or poll failed */
	int		 term_sent;
	int		 kill_sent;
	long long	 exit_at, term_at;
	char		 env_id[sizeof("RSVP_JOB_ID=") + UUID_LEN];
	char		 env_type[sizeof("RSVP_JOB_TYPE=") + JOB_TYPE_MAX];
	char		 env_attempt[32];
};

static void
close_fd(int *fd)
{
	if (*fd != -1) {
		close(*fd);
		*fd = -1;
	}
}

/*
 * One argv word with {id}, {type} and {attempt} replaced, in *out; a
 * BUF_ error when it would pass WORD_MAX or memory runs out.
 */
static int
expand(const char *tmpl, const struct job *j, char **out)
{
	static const char *const names[] = { "{id}", "{type}", "{attempt}" };
	const char *vals[3];
	char attempt[16];
	struct buf b;
	size_t i, n;
	int rc;

	snprintf(attempt, sizeof(attempt), "%d", j->attempt);
	vals[0] = j->id;
	vals[1] = j->type;
	vals[2] = attempt;
	buf_init(&b, WORD_MAX);
	/* Adding nothing still allocates: an empty word is "", not NULL. */
	if ((rc = buf_add(&b, "", 0)) != BUF_OK)
		return rc;
	while (*tmpl != '\0') {
		for (i = 0; i < 3; i++) {
			n = strlen(names[i]);
			if (strncmp(tmpl, names[i], n) == 0)
				break;
		}
		if (i < 3)
			rc = buf_puts(&b, vals[i]);
		else {
			/* Any other brace is plain text. */
			n = 1 + strcspn(tmpl + 1, "{");
			rc = buf_add(&b, tmpl, n);
		}
		if (rc != BUF_OK) {
			buf_free(&b);
			return rc;
		}
		tmpl += n;
	}
	*out = b.data;
	return BUF_OK;
}

static void
free_words(char **argv)
{
	size_t i;

	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
}

/* A close-on-exec pipe with both ends above 2, out of dup2's way. */
static int
pipe_high(int p[2])
{
	int i, fd;

	if (pipe2(p, O_CLOEXEC) == -1)
		return errno;
	for (i = 0; i < 2; i++) {
		if (p[i] > 2)
			continue;
		if ((fd = fcntl(p[i], F_DUPFD_CLOEXEC, 3)) == -1) {
			fd = errno;
			close(p[0]);
			close(p[1]);
			p[0] = p[1] = -1;
			return fd;
		}
		close(p[i]);
		p[i] = fd;
	}
	return 0;
}

/*
 * The child's side of spawn(): only system calls from here to execve.
 * A process group of its own (the parent sets it too: whichever runs
 * first), SIGKILL should the worker die before it (PR_SET_PDEATHSIG:
 * a worker killed outright leaves no command running a job whose lease
 * will lapse and whose next attempt would run beside it), default
 * dispositions, an empty mask, the pipes on 0, 1 and 2, nothing else
 * across the exec.  Why it failed goes up the status pipe.
 */
static _Noreturn void
child(int in, int out, int err, int status, pid_t parent,
    char *const argv[], char *const envp[])
{
	struct sigaction dfl;
	sigset_t none;
	int sig, e;

	setpgid(0, 0);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
		goto fail;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			/* Fails, harmlessly, for the signals glibc keeps. */
			sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1 ||
	    dup2(in, 0) == -1 || dup2(out, 1) == -1 || dup2(err, 2) == -1 ||
	    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == -1)
		goto fail;
	execve(argv[0], argv, envp);
fail:
	e = errno;
	(void)!write(status, &e, sizeof(e));
	_exit(127);
}

/*
 * Start the command; 0 or an errno value.  fork, not posix_spawn: only a
 * child of our own can ask to die with us, and the one thread that
 * forks is the one that waits for it, for as long as the command runs.
 */
static int
spawn(struct run *r, char *const argv[], char *const envp[])
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	int st[2] = { -1, -1 };
	pid_t parent = getpid();
	ssize_t got;
	int rc = 0, e;

	if ((rc = pipe_high(in)) != 0 || (rc = pipe_high(out)) != 0 ||
	    (rc = pipe_high(err)) != 0 || (rc = pipe_high(st)) != 0)
		goto done;
	if ((r->pid = fork()) == -1) {
		rc = errno;
		goto done;
	}
	if (r->pid == 0)
		child(in[0], out[1], err[1], st[1], parent, argv, envp);
	setpgid(r->pid, r->pid);
	close_fd(&st[1]);
	/* Nothing until the exec closes the pipe; an errno if it failed. */
	while ((got = read(st[0], &e, sizeof(e))) == -1 && errno == EINTR)
		;
	if (got == (ssize_t)sizeof(e)) {
		rc = e;
		while (waitpid(r->pid, NULL, 0) == -1 && errno == EINTR)
			;
	}
done:
	close_fd(&st[0]);
	close_fd(&st[1]);
	close_fd(&in[0]);
	close_fd(&out[1]);
	close_fd(&err[1]);
	if (rc != 0) {
		close_fd(&in[1]);
		close_fd(&out[0]);
		close_fd(&err[0]);
		return rc;
	}
	r->in = in[1];
	r->out = out[0];
	r->err = err[0];
	fcntl(r->in, F_SETFL, O_NONBLOCK);
	fcntl(r->out, F_SETFL, O_NONBLOCK);
	fcntl(r->err, F_SETFL, O_NONBLOCK);
	return 0;
}

/* Reap the child if it has exited; its group dies with it. */
static void
reap(struct run *r)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, r->pid, &si, WEXITED | WNOHANG | WNOWAIT) == -1) {
		if (errno != ECHILD)
			return;
		/* Someone else reaped it: an outcome we cannot know. */
		r->failed = 1;
	} else if (si.si_pid == 0)
		return;
	else {
		/*
		 * Until it is reaped the zombie holds the group's id, so
		 * the group can be killed without hitting a stranger's.
		 */
		kill(-r->pid, SIGKILL);
		while (waitpid(r->pid, &r->status, 0) == -1 && errno == EINTR)
			;
	}
	r->exited = 1;
	r->exit_at = clock_ms();
}

static void
stderr_line(struct run *r)
{
	char msg[sizeof(r->job->message)];
	size_t n = r->linelen, i;
	int pct;

	r->linelen = 0;
	if (n > 0 && r->line[n - 1] == '\r')
		n--;
	if (progress_parse(r->line, n, &pct, msg, sizeof(msg)) == 0)
		job_progress(r->job, pct, msg);
	else {
		/* A blank line would only hide the one before it. */
		for (i = 0; i < n && (r->line[i] == ' ' || r->line[i] == '\t');
		    i++)
			;
		if (i < n)
			text_clean(r->last, sizeof(r->last), r->line, n);
	}
}

static void
kill_group(struct run *r, int sig)
{
	/* Once the child is reaped its group's id may belong to another. */
	if (!r->exited)
		kill(-r->pid, sig);
}

/* Move what is ready on one pipe; an end or an error closes it. */
static void
pump(struct run *r, int *fd)
{
	char chunk[CHUNK];
	ssize_t got;
	size_t i, want;
	int rc;

	if (fd == &r->in) {
		want = r->job->input_len - r->off;
		got = write(r->in, r->job->input + r->off,
		    want < CHUNK ? want : CHUNK);
		if (got > 0)
			r->off += (size_t)got;
		/* EPIPE only means the command does not want its input. */
		if ((got == -1 && errno != EAGAIN && errno != EINTR) ||
		    r->off == r->job->input_len)
			close_fd(&r->in);
		return;
	}
	if ((got = read(*fd, chunk, sizeof(chunk))) == -1 &&
	    (errno == EAGAIN || errno == EINTR))
		return;
	if (got <= 0) {
		if (fd == &r->err && r->linelen > 0)
			stderr_line(r);
		close_fd(fd);
		return;
	}
	if (fd == &r->out) {
		if ((rc = buf_add(&r->res, chunk, (size_t)got)) != BUF_OK) {
			/* Too much, or no memory: either way it is over. */
			if (rc == BUF_TOOBIG)
				r->too_big = 1;
			else
				r->failed = 1;
			kill_group(r, SIGKILL);
			close_fd(fd);
		}
		return;
	}
	/* The rest of an over-long line is dropped, not taken for a new one. */
	for (i = 0; i < (size_t)got; i++) {
		if (chunk[i] == '\n')
			stderr_line(r);
		else if (r->linelen < sizeof(r->line))
			r->line[r->linelen++] = chunk[i];
	}
}

/* SIGTERM to the group when the job is told to stop, SIGKILL later. */
static void
stop(struct run *r, unsigned int grace)
{
	long long now = clock_ms();

	if (!r->term_sent && job_stopping(r->job)) {
		r->term_sent = 1;
		r->term_at = now;
		kill_group(r, SIGTERM);
	}
	if (r->term_sent && !r->kill_sent && now - r->term_at >= grace) {
		r->kill_sent = 1;
		kill_group(r, SIGKILL);
	}
}

static void
supervise(struct run *r, unsigned int grace)
{
	struct pollfd pfd[3];
	int *fds[3] = { &r->in, &r->out, &r->err };
	int i, n;

	for (;;) {
		if (!r->exited)
			reap(r);
		if (r->exited && ((r->out == -1 && r->err == -1) ||
		    clock_ms() - r->exit_at >= DRAIN_MS))
			break;
		stop(r, grace);
		for (i = 0; i < 3; i++) {
			pfd[i].fd = *fds[i];
			pfd[i].events = i == 0 ? POLLOUT : POLLIN;
			pfd[i].revents = 0;
		}
		/* With every pipe closed only the exit is left to wait for. */
		n = poll(pfd, 3, r->in == -1 && r->out == -1 && r->err == -1 ?
		    10 : POLL_MS);
		if (n == -1 && errno != EINTR) {
			log_warn("poll");
			r->failed = 1;
			kill_group(r, SIGKILL);
			while (!r->exited && waitpid(r->pid, &r->status, 0) ==
			    -1 && errno == EINTR)
				;
			r->exited = 1;
			break;
		}
		for (i = 0; i < 3 && n > 0; i++)
			if (pfd[i].revents != 0 && *fds[i] != -1)
				pump(r, fds[i]);
	}
	for (i = 0; i < 3; i++)
		close_fd(fds[i]);
}

/* Is the result type JSON: application/json or a +json suffix? */
static int
is_json(const char *type)
{
	size_t n = strcspn(type, ";");

	while (n > 0 && type[n - 1] == ' ')
		n--;
	return n == 0 || (n == 16 && strncasecmp(type, "application/json",
	    16) == 0) || (n >= 5 && strncasecmp(type + n - 5, "+json", 5) == 0);
}

static int
outcome(struct run *r, const struct command_type *t)
{
	struct job *j = r->job;
	const char *last = r->last;
	char code[32];
	int st = r->status;

	if (job_stopping(j))
		return job_error(j, 500, "stopped", "the command was stopped");
	if (r->too_big)
		return job_error(j, 500, "output_too_large",
		    "the command wrote more than %zu bytes", r->res.max);
	if (r->failed) {
		job_error(j, 500, "internal", "the command could not be "
		    "supervised");
		return HANDLER_RETRY;
	}
	if (WIFSIGNALED(st)) {
		snprintf(code, sizeof(code), "signal_%d", WTERMSIG(st));
		if (*last != '\0')
			return job_error(j, 500, code, "%s", last);
		return job_error(j, 500, code, "the command was killed by "
		    "signal %d", WTERMSIG(st));
	}
	if (WEXITSTATUS(st) == EXIT_TEMPFAIL) {
		job_error(j, 503, "tempfail", "%s", *last != '\0' ? last :
		    "the command asked to be retried");
		return HANDLER_RETRY;
	}
	if (WEXITSTATUS(st) != 0) {
		snprintf(code, sizeof(code), "exit_%d", WEXITSTATUS(st));
		if (*last != '\0')
			return job_error(j, 500, code, "%s", last);
		return job_error(j, 500, code, "the command exited with "
		    "status %d", WEXITSTATUS(st));
	}
	/* No output is no result: the job succeeds without one. */
	if (r->res.len == 0)
		return HANDLER_OK;
	if (is_json(t->result_type) && json_check(r->res.data, r->res.len,
	    JSON_DEPTH, NULL) != JSON_OK)
		return job_error(j, 500, "invalid_result",
		    "the command's output is not valid JSON");
	return job_result(j, r->res.data, r->res.len,
	    t->result_type[0] != '\0' ? t->result_type : NULL);
}

/*
 * The environment is built from nothing: PATH, the job's three variables
 * and the type's env lines, whose PATH (if any) replaces ours.
 */
static void
make_env(struct run *r, char **envp, const struct command_type *t)
{
	static char path[] = ENV_PATH;
	const struct job *j = r->job;
	size_t i, n = 0;

	snprintf(r->env_id, sizeof(r->env_id), "RSVP_JOB_ID=%s", j->id);
	snprintf(r->env_type, sizeof(r->env_type), "RSVP_JOB_TYPE=%s",
	    j->type);
	snprintf(r->env_attempt, sizeof(r->env_attempt), "RSVP_ATTEMPT=%d",
	    j->attempt);
	for (i = 0; i < CONFIG_MAX_ENV && t->env[i] != NULL; i++)
		if (strncmp(t->env[i], "PATH=", 5) == 0)
			break;
	if (i == CONFIG_MAX_ENV || t->env[i] == NULL)
		envp[n++] = path;
	envp[n++] = r->env_id;
	envp[n++] = r->env_type;
	envp[n++] = r->env_attempt;
	for (i = 0; i < CONFIG_MAX_ENV && t->env[i] != NULL; i++)
		envp[n++] = t->env[i];
	envp[n] = NULL;
}

int
command_run(struct job *j, const struct command_type *t,
    unsigned int kill_grace_ms)
{
	char *argv[CONFIG_MAX_WORDS + 1], *envp[4 + CONFIG_MAX_ENV + 1];
	char ebuf[128];
	struct run r;
	size_t i;
	int rc;

	if (job_stopping(j))
		return job_error(j, 500, "stopped", "the command was stopped");
	memset(argv, 0, sizeof(argv));
	for (i = 0; i < CONFIG_MAX_WORDS && t->argv[i] != NULL; i++)
		if ((rc = expand(t->argv[i], j, &argv[i])) != BUF_OK) {
			free_words(argv);
			if (rc == BUF_TOOBIG)
				return job_error(j, 500, "spawn_failed",
				    "a word of the command is longer than %d "
				    "bytes", WORD_MAX);
			job_error(j, 500, "spawn_failed", "out of memory");
			return HANDLER_RETRY;
		}
	if (argv[0] == NULL)
		return job_error(j, 500, "spawn_failed",
		    "the command is empty");
	memset(&r, 0, sizeof(r));
	r.job = j;
	r.in = r.out = r.err = -1;
	make_env(&r, envp, t);
	/* The job's result can hold no more than RESULT_MAX anyway. */
	buf_init(&r.res, t->max_output == 0 || t->max_output > RESULT_MAX ?
	    RESULT_MAX : t->max_output);
	rc = spawn(&r, argv, envp);
	free_words(argv);
	if (rc != 0) {
		job_error(j, 500, "spawn_failed", "could not run \"%s\": %s",
		    t->argv[0], strerror_r(rc, ebuf, sizeof(ebuf)));
		/* Running short of processes, memory or descriptors passes. */
		return rc == EAGAIN || rc == ENOMEM || rc == EMFILE ||
		    rc == ENFILE ? HANDLER_RETRY : HANDLER_FAIL;
	}
	if (j->input_len == 0)
		close_fd(&r.in);
	supervise(&r, kill_grace_ms);
	rc = outcome(&r, t);
	buf_free(&r.res);
	return rc;
}
