/*
 * rsvp.fcgi: the responder.  The only file that speaks libfcgi: it accepts
 * requests (FastCGI) or takes the one it was started for (plain CGI),
 * copies them into a struct request, and writes the struct response back.
 */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <openssl/crypto.h>

#include "app.h"
#include "clock.h"
#include "log.h"

extern char **environ;

typedef int	body_writer(void *, const char *, size_t);

static ssize_t
fcgi_read(void *arg, char *p, size_t n)
{
	FCGX_Stream *in = arg;
	int r;

	r = FCGX_GetStr(p, n > INT_MAX ? INT_MAX : (int)n, in);
	if (r == 0 && FCGX_GetError(in) != 0)
		return -1;
	return r;
}

static int
fcgi_write(void *arg, const char *p, size_t n)
{
	FCGX_Stream *out = arg;
	int chunk;

	while (n > 0) {
		chunk = n > INT_MAX ? INT_MAX : (int)n;
		if (FCGX_PutStr(p, chunk, out) != chunk)
			return -1;
		p += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

static ssize_t
cgi_read(void *arg, char *p, size_t n)
{
	ssize_t r;

	(void)arg;
	do
		r = read(STDIN_FILENO, p, n);
	while (r == -1 && errno == EINTR);
	return r;
}

static int
cgi_write(void *arg, const char *p, size_t n)
{
	ssize_t r;

	(void)arg;
	while (n > 0) {
		r = write(STDOUT_FILENO, p, n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* A path fit for the log: printable, bounded. */
static void
log_path(char *out, size_t len, const char *script, const char *path)
{
	size_t i = 0;
	const char *s;
	int pass;

	for (pass = 0; pass < 2; pass++)
		for (s = pass == 0 ? script : path; *s != '\0' &&
		    i + 1 < len; s++)
			out[i++] = *s > ' ' && *s <= '~' ? *s : '?';
	out[i] = '\0';
}

static void
serve(struct app *app, char **envp, body_reader *rd, void *rdarg,
    body_writer *wr, void *wrarg)
{
	struct request req;
	struct response resp;
	enum request_error e;
	struct buf head;
	char path[256];
	long long start = clock_us();

	response_init(&resp);
	buf_init(&head, 8192);
	if ((e = request_parse(&req, envp)) != REQ_OK) {
		request_drain(&req, rd, rdarg);
		response_problem(&resp, 400, "bad_request",
		    request_strerror(e));
	} else
		app_handle(app, &req, &resp, rd, rdarg);

	if (response_head(&resp, &head) != BUF_OK) {
		response_problem(&resp, 500, "internal", "response too large");
		buf_reset(&head);
		if (response_head(&resp, &head) != BUF_OK)
			buf_reset(&head);
	}
	if (wr(wrarg, head.data, head.len) == 0 && req.method != M_HEAD)
		(void)wr(wrarg, resp.body.data, resp.body.len);

	log_path(path, sizeof(path), req.script, req.path);
	log_info("%s %s %d %s %lldus %s", req.method == M_OTHER ? "OTHER" :
	    req.method_name, path, resp.status,
	    resp.job_id[0] != '\0' ? resp.job_id : "-", clock_us() - start,
	    req.request_id);
	buf_free(&head);
	request_free(&req);
	response_free(&resp);
}

/*
 * The database connections of a process, one per thread; a request takes
 * the one last given back, so that however many threads there are, a
 * light load keeps to one connection (and one warm server process).
 * Those taken are the requests in hand: a process told to stop answers
 * them before it exits.
 */
struct pool {
	pthread_mutex_t	 mu;
	pthread_cond_t	 all_back;
	struct store	**free;
	unsigned int	 nfree;
	unsigned int	 n;
};

struct thread {
	struct app	 app;
	struct pool	*pool;
};

static struct store *
pool_take(struct pool *p)
{
	struct store *st;

	pthread_mutex_lock(&p->mu);
	/* As many connections as threads: one is always free. */
	st = p->free[--p->nfree];
	pthread_mutex_unlock(&p->mu);
	return st;
}

static void
pool_give(struct pool *p, struct store *st)
{
	pthread_mutex_lock(&p->mu);
	p->free[p->nfree++] = st;
	if (p->nfree == p->n)
		pthread_cond_signal(&p->all_back);
	pthread_mutex_unlock(&p->mu);
}

/*
 * FastCGI requests, one after the other.  Each thread blocks in accept(2)
 * on the shared socket, which Linux serialises itself, waking one thread
 * per connection.
 */
static void *
accept_loop(void *arg)
{
	struct thread *t = arg;
	FCGX_Request rq;

	if (FCGX_InitRequest(&rq, 0, 0) != 0)
		fatalx("could not initialise FastCGI");
	while (FCGX_Accept_r(&rq) >= 0) {
		t->app.store = pool_take(t->pool);
		serve(&t->app, rq.envp, fcgi_read, rq.in, fcgi_write, rq.out);
		FCGX_Finish_r(&rq);
		pool_give(t->pool, t->app.store);
	}
	return NULL;
}

/*
 * RSVP_THREADS: n threads, their connections, and, with more than one,
 * a gather of the submits they take in.  Only the first thread takes
 * signals: libfcgi's SIGTERM and SIGUSR1 end its accept, then the process
 * ends once the requests other threads hold are answered.
 */
static void
serve_fastcgi(const struct config *cfg, unsigned int n)
{
	struct gather *g = NULL;
	struct thread *ts;
	struct pool pool;
	sigset_t all, old;
	pthread_t tid;
	unsigned int i;

	if ((ts = calloc(n, sizeof(*ts))) == NULL ||
	    (pool.free = calloc(n, sizeof(*pool.free))) == NULL)
		fatal("calloc");
	if (n > 1 && (g = gather_new(cfg->db_timeout, cfg->pooler)) == NULL)
		fatal("gather_new");
	/*
	 * glibc would give each thread an arena of its own, which keeps
	 * 100-200 KB of freed memory apiece; the threads' caches take the
	 * small allocations, so two arenas are enough to share.
	 */
	if (n > 1)
		mallopt(M_ARENA_MAX, 2);
	pthread_mutex_init(&pool.mu, NULL);
	pthread_cond_init(&pool.all_back, NULL);
	pool.n = pool.nfree = n;
	for (i = 0; i < n; i++) {
		if ((pool.free[i] = store_new(cfg->db_timeout,
		    cfg->pooler)) == NULL)
			fatal("store_new");
		if (g != NULL)
			store_gather(pool.free[i], g);
		ts[i].app.cfg = *cfg;
		ts[i].pool = &pool;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 1; i < n; i++)
		if ((errno = pthread_create(&tid, NULL, accept_loop,
		    &ts[i])) != 0 || (errno = pthread_detach(tid)) != 0)
			fatal("pthread_create");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	accept_loop(&ts[0]);
	pthread_mutex_lock(&pool.mu);
	while (pool.nfree < pool.n)
		pthread_cond_wait(&pool.all_back, &pool.mu);
	pthread_mutex_unlock(&pool.mu);
	/* The others still wait in accept(2): exit ends them. */
	if (n > 1)
		exit(0);
	store_free(pool.free[0]);
	free(pool.free);
	free(ts);
}

int
main(void)
{
	struct app app;

	log_init("rsvp.fcgi");
	if (geteuid() == 0)
		fatalx("refusing to run as root: run it as the web server's"
		    " user");
	if (app_config_load(&app.cfg) == -1)
		fatalx("invalid configuration");
	/* A client that goes away must not kill the process. */
	signal(SIGPIPE, SIG_IGN);
	/*
	 * Set libcrypto up now, while memory is plenty: OpenSSL 3 does not
	 * survive an allocation failure in its lazy first-use set-up.
	 */
	if (OPENSSL_init_crypto(0, NULL) != 1)
		fatalx("could not initialise libcrypto");

	if (FCGX_IsCGI()) {
		if ((app.store = store_new(app.cfg.db_timeout,
		    app.cfg.pooler)) == NULL)
			fatal("store_new");
		serve(&app, environ, cgi_read, NULL, cgi_write, NULL);
		store_free(app.store);
		return 0;
	}
	if (FCGX_Init() != 0)
		fatalx("could not initialise FastCGI");
	serve_fastcgi(&app.cfg, app.cfg.threads);
	return 0;
}
