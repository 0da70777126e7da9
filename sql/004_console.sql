-- 004: psql as a console: views to look at the queue, functions to steer
-- it, retention, roles, and a jobs table tuned for a queue's churn.
--
-- The grants themselves live in sql/grants.sql, which sql/migrate applies
-- again after every run of the migrations, so that a function added by a
-- later migration gets its owner and its grants too.

/*
 * Roles are cluster-wide: create the group roles only when missing (a
 * second database in the same cluster shares them).  None can log in; a
 * DBA creates login roles that are members, e.g.
 *	CREATE ROLE web1 LOGIN PASSWORD '...' IN ROLE rsvp_web;
 */
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles
	    WHERE rolname = 'rsvp_admin') THEN
		CREATE ROLE rsvp_admin NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles
	    WHERE rolname = 'rsvp_web') THEN
		CREATE ROLE rsvp_web NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles
	    WHERE rolname = 'rsvp_worker') THEN
		CREATE ROLE rsvp_worker NOLOGIN;
	END IF;
END
$$;
COMMENT ON ROLE rsvp_admin IS 'rsvp: owns the schema; the console';
COMMENT ON ROLE rsvp_web IS 'rsvp: the responder; submit, cancel, read';
COMMENT ON ROLE rsvp_worker IS 'rsvp: the workers; run the state machine';

/*
 * Table health.  A queue table is rewritten all day: every job is inserted,
 * updated three to five times (claim, progress, heartbeat, finish) and
 * later deleted.  Progress writes touch no indexed column and are HOT
 * updates when the page has room, hence fillfactor 80; state changes are
 * not (state is in the partial indexes' predicates) and leave dead tuples
 * and index entries behind, so vacuum runs after 2 % of the table changed
 * rather than 20 %, and without the cost delay that would let it fall
 * behind.  The doorbell and the worker registry are one-page tables
 * updated constantly: vacuum them after a fixed number of updates.
 */
ALTER TABLE rsvp.jobs SET (fillfactor = 80,
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_vacuum_threshold = 1000,
    autovacuum_vacuum_insert_scale_factor = 0.05,
    autovacuum_analyze_scale_factor = 0.02,
    autovacuum_vacuum_cost_delay = 0);
ALTER TABLE rsvp.doorbell SET (autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 0);
ALTER TABLE rsvp.workers SET (autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 0);
ALTER TABLE rsvp.type_stats SET (autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 0);

/*
 * Finished jobs by type and time: the retention purge walks it type by
 * type from the oldest, the duration percentiles read the last hour of a
 * type.  The failures get their own small index, for the recent ones.
 */
CREATE INDEX jobs_finished ON rsvp.jobs (type, finished_at)
    WHERE finished_at IS NOT NULL;
CREATE INDEX jobs_failed ON rsvp.jobs (finished_at) WHERE state = 'failed';

-- Views.  Short column names and rounded intervals: they are read in
-- psql, under \x auto and \watch 2.

/*
 * queue: per type, the live jobs (through the partial indexes) and the
 * finished ones counted by the workers in rsvp.type_stats (jobs finished
 * since the database began, not the rows still kept).  oldest is how long
 * the oldest due job has waited.
 */
CREATE VIEW rsvp.queue AS
WITH live AS (
	SELECT j.type, count(*) AS queued, 0::bigint AS running,
	    min(j.run_at) FILTER (WHERE j.run_at <= now()) AS due
	FROM rsvp.jobs j WHERE j.state = 'queued' GROUP BY j.type
	UNION ALL
	SELECT j.type, 0, count(*), NULL
	FROM rsvp.jobs j WHERE j.state = 'running' GROUP BY j.type
), l AS (
	SELECT type, sum(queued)::bigint AS queued,
	    sum(running)::bigint AS running, min(due) AS due
	FROM live GROUP BY type
)
SELECT coalesce(t.name, l.type, s.type) AS type,
    coalesce(l.queued, 0) AS queued, coalesce(l.running, 0) AS running,
    coalesce(s.succeeded, 0) AS succeeded, coalesce(s.failed, 0) AS failed,
    coalesce(s.canceled, 0) AS canceled,
    date_trunc('second', now() - l.due) AS oldest
FROM rsvp.job_types t
FULL JOIN l ON l.type = t.name
FULL JOIN rsvp.type_stats s ON s.type = coalesce(t.name, l.type)
ORDER BY 1;
COMMENT ON VIEW rsvp.queue IS
    'Per type: jobs queued and running, finished counts, oldest due wait.';

-- running: the jobs being run, by whom, and how long their lease has left.
CREATE VIEW rsvp.running AS
SELECT j.id, j.type, j.worker, j.attempt, j.progress AS pct,
    date_trunc('second', now() - j.started_at) AS took,
    date_trunc('second', j.lease_until - now()) AS lease_left,
    j.cancel_requested AS canceling
FROM rsvp.jobs j
WHERE j.state = 'running'
ORDER BY j.started_at;
COMMENT ON VIEW rsvp.running IS
    'Running jobs with their worker, attempt and the lease they have left.';

-- failures: the last 100 jobs that failed, newest first.
CREATE VIEW rsvp.failures AS
SELECT j.id, j.type, j.attempt, j.error_status AS status,
    j.error_code AS code, j.error_message AS error,
    date_trunc('second', now() - j.finished_at) AS ago
FROM rsvp.jobs j
WHERE j.state = 'failed'
ORDER BY j.finished_at DESC
LIMIT 100;
COMMENT ON VIEW rsvp.failures IS
    'The last 100 failed jobs with their errors, newest first.';

/*
 * durations: how long the jobs that succeeded in the last hour ran (their
 * last attempt), per type, in milliseconds.  The window keeps the read
 * bounded on a table of any size.
 */
CREATE VIEW rsvp.durations AS
SELECT t.name AS type, d.jobs, d.p50, d.p90, d.p99, d.max
FROM rsvp.job_types t
CROSS JOIN LATERAL (
	SELECT count(*) AS jobs,
	    round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x.ms)) AS p50,
	    round(percentile_cont(0.9) WITHIN GROUP (ORDER BY x.ms)) AS p90,
	    round(percentile_cont(0.99) WITHIN GROUP (ORDER BY x.ms)) AS p99,
	    round(max(x.ms)) AS max
	FROM (
		SELECT extract(epoch FROM j.finished_at - j.started_at) * 1000
		    AS ms
		FROM rsvp.jobs j
		WHERE j.type = t.name AND j.finished_at IS NOT NULL
		    AND j.finished_at > now() - interval '1 hour'
		    AND j.state = 'succeeded'
	) x
) d
WHERE d.jobs > 0
ORDER BY 1;
COMMENT ON VIEW rsvp.durations IS
    'Per type, run time percentiles in ms of the last hour''s successes.';

-- heartbeats: the workers, what they run, and when they last spoke.
CREATE VIEW rsvp.heartbeats AS
SELECT w.name, w.slots,
    (SELECT count(*) FROM rsvp.jobs j
	WHERE j.state = 'running' AND j.worker = w.name) AS busy,
    date_trunc('second', now() - w.started_at) AS up,
    date_trunc('second', now() - w.heartbeat_at) AS last_beat,
    now() - w.heartbeat_at > 2 * w.heartbeat + interval '1 second' AS late
FROM rsvp.workers w
ORDER BY w.name;
COMMENT ON VIEW rsvp.heartbeats IS
    'Live workers: slots, jobs running, uptime, time since the last heartbeat.';

-- Functions a person calls.

/*
 * retry: run a failed or canceled job again from scratch: queued at once,
 * attempts counted from zero, error and result cleared.
 */
CREATE FUNCTION rsvp.retry(p_id uuid) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	s text;
BEGIN
	SELECT state INTO s FROM rsvp.jobs WHERE id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no job %', p_id USING ERRCODE = 'RV404';
	END IF;
	IF s = 'running' THEN
		RAISE EXCEPTION 'job % is %: only a failed or canceled job can'
		    ' be retried', p_id, s USING ERRCODE = 'RV409',
		    HINT = 'rsvp.requeue() hands a stuck running job back.';
	ELSIF s NOT IN ('failed', 'canceled') THEN
		RAISE EXCEPTION 'job % is %: only a failed or canceled job can'
		    ' be retried', p_id, s USING ERRCODE = 'RV409';
	END IF;
	UPDATE rsvp.jobs SET state = 'queued', attempt = 0, run_at = now(),
	    progress = 0, message = NULL, result = NULL, result_type = NULL,
	    error_code = NULL, error_message = NULL, error_status = NULL,
	    worker = NULL, cancel_requested = false, started_at = NULL,
	    finished_at = NULL, updated_at = now()
	WHERE id = p_id;
	PERFORM pg_catalog.pg_notify('rsvp_jobs', '');
	RETURN 'queued';
END
$$;

/*
 * requeue: take a running job away from its worker and queue it again at
 * once (the attempt it was on counts).  The lease token is cleared, so
 * whatever the old worker writes about it afterwards changes nothing.
 */
CREATE FUNCTION rsvp.requeue(p_id uuid) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	s text;
BEGIN
	SELECT state INTO s FROM rsvp.jobs WHERE id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no job %', p_id USING ERRCODE = 'RV404';
	END IF;
	IF s IN ('failed', 'canceled') THEN
		RAISE EXCEPTION 'job % is %: only a running job can be'
		    ' re-queued', p_id, s USING ERRCODE = 'RV409',
		    HINT = 'rsvp.retry() runs a failed or canceled job again.';
	ELSIF s <> 'running' THEN
		RAISE EXCEPTION 'job % is %: only a running job can be'
		    ' re-queued', p_id, s USING ERRCODE = 'RV409';
	END IF;
	UPDATE rsvp.jobs SET state = 'queued', lease_token = NULL,
	    lease_until = NULL, worker = NULL, run_at = now(), progress = 0,
	    message = NULL, cancel_requested = false, updated_at = now()
	WHERE id = p_id;
	PERFORM pg_catalog.pg_notify('rsvp_jobs', '');
	RETURN 'queued';
END
$$;

/*
 * purge: delete up to p_batch finished jobs that finished longer than
 * p_older_than ago, oldest first; answers how many.  One batch, one
 * short transaction: call it again (or CALL rsvp.purge_all) for more.
 */
CREATE FUNCTION rsvp.purge(p_older_than interval, p_batch integer DEFAULT 1000)
RETURNS integer
LANGUAGE sql AS $$
	WITH x AS (
		SELECT e.id FROM rsvp.job_types t
		CROSS JOIN LATERAL (
			SELECT j.id FROM rsvp.jobs j
			WHERE j.type = t.name AND j.finished_at IS NOT NULL
			    AND j.finished_at < now() - p_older_than
			ORDER BY j.finished_at
			LIMIT p_batch
			FOR UPDATE SKIP LOCKED
		) e
		LIMIT greatest(p_batch, 0)
	), d AS (
		DELETE FROM rsvp.jobs j USING x WHERE j.id = x.id RETURNING 1
	)
	SELECT count(*)::integer FROM d
$$;

/*
 * purge_expired: the retention.  Deletes up to p_batch finished jobs kept
 * longer than their type's retention; the workers call it on a timer.
 */
CREATE FUNCTION rsvp.purge_expired(p_batch integer DEFAULT 1000)
RETURNS integer
LANGUAGE sql AS $$
	WITH x AS (
		SELECT e.id FROM rsvp.job_types t
		CROSS JOIN LATERAL (
			SELECT j.id FROM rsvp.jobs j
			WHERE j.type = t.name AND j.finished_at IS NOT NULL
			    AND j.finished_at < now() - t.retention
			ORDER BY j.finished_at
			LIMIT p_batch
			FOR UPDATE SKIP LOCKED
		) e
		LIMIT greatest(p_batch, 0)
	), d AS (
		DELETE FROM rsvp.jobs j USING x WHERE j.id = x.id RETURNING 1
	)
	SELECT count(*)::integer FROM d
$$;

/*
 * purge_all: purge in batches until none is left, committing after each
 * so that no transaction holds many row locks or keeps vacuum waiting.
 * A procedure (CALL it, outside a transaction block): a function cannot
 * commit.  It runs with the caller's rights, since a SECURITY DEFINER
 * procedure may not commit either; rsvp.purge does the deleting.
 */
CREATE PROCEDURE rsvp.purge_all(p_older_than interval,
    p_batch integer DEFAULT 1000, INOUT purged bigint DEFAULT 0)
LANGUAGE plpgsql AS $$
DECLARE
	n integer;
BEGIN
	purged := 0;
	LOOP
		n := rsvp.purge(p_older_than, p_batch);
		purged := purged + n;
		COMMIT;
		EXIT WHEN n < p_batch OR n = 0;
	END LOOP;
END
$$;

/*
 * set_type: register a type or change its limits.  Named arguments; a
 * NULL (or an argument left out) leaves that limit as it is, or at its
 * default for a new type:
 *	SELECT * FROM rsvp.set_type('resize', max_attempts => 5,
 *	    timeout => '10 minutes');
 */
CREATE FUNCTION rsvp.set_type(name text, max_attempts integer DEFAULT NULL,
    timeout interval DEFAULT NULL, lease interval DEFAULT NULL,
    retention interval DEFAULT NULL, retry_after integer DEFAULT NULL,
    backoff interval DEFAULT NULL)
RETURNS rsvp.job_types
LANGUAGE sql AS $$
	INSERT INTO rsvp.job_types (name) VALUES (set_type.name)
	    ON CONFLICT (name) DO NOTHING;
	UPDATE rsvp.job_types t SET
	    max_attempts = coalesce(set_type.max_attempts, t.max_attempts),
	    timeout = coalesce(set_type.timeout, t.timeout),
	    lease = coalesce(set_type.lease, t.lease),
	    retention = coalesce(set_type.retention, t.retention),
	    retry_after = coalesce(set_type.retry_after, t.retry_after),
	    backoff = coalesce(set_type.backoff, t.backoff)
	WHERE t.name = set_type.name
	RETURNING t.*;
$$;

/*
 * The responder's reads.  It may not read a job's lease token, so it
 * cannot hand the whole row to status_of() itself: these do, by id.
 */
CREATE FUNCTION rsvp.job_status(p_id uuid)
RETURNS TABLE (id uuid, type text, state text, progress smallint,
    message text, attempt integer, created_at text, updated_at text,
    started_at text, finished_at text, error_code text,
    error_message text, error_status smallint, result_type text,
    retry_after integer, expires text)
LANGUAGE sql STABLE AS $$
	SELECT s.* FROM rsvp.jobs j, LATERAL rsvp.status_of(j) s
	WHERE j.id = p_id
$$;

CREATE FUNCTION rsvp.job_result(p_id uuid)
RETURNS TABLE (id uuid, type text, state text, progress smallint,
    message text, attempt integer, created_at text, updated_at text,
    started_at text, finished_at text, error_code text,
    error_message text, error_status smallint, result_type text,
    retry_after integer, expires text, result bytea)
LANGUAGE sql STABLE AS $$
	SELECT s.*, j.result FROM rsvp.jobs j, LATERAL rsvp.status_of(j) s
	WHERE j.id = p_id
$$;
