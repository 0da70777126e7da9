-- 001: job types, jobs, the doorbell and the job state machine.
--
-- Every state change of a job is one of the functions below; the responder,
-- the worker and a person in psql all call the same ones.  The jobs table
-- is the truth, NOTIFY on channel rsvp_jobs is only a doorbell.

CREATE TABLE rsvp.job_types (
	name		text PRIMARY KEY
			CHECK (name ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
	max_attempts	integer NOT NULL DEFAULT 3
			CHECK (max_attempts BETWEEN 1 AND 100),
	timeout		interval NOT NULL DEFAULT '5 minutes'
			CHECK (timeout > '0'),
	lease		interval NOT NULL DEFAULT '30 seconds'
			CHECK (lease >= '1 second'),
	retention	interval NOT NULL DEFAULT '7 days'
			CHECK (retention >= '0'),
	retry_after	integer NOT NULL DEFAULT 1
			CHECK (retry_after BETWEEN 1 AND 86400)
);

COMMENT ON TABLE rsvp.job_types IS
    'Registered job types: a submit of any other type is refused.';
COMMENT ON COLUMN rsvp.job_types.retry_after IS
    'Seconds a client is told to wait before its first poll.';

INSERT INTO rsvp.job_types (name, max_attempts, timeout, retry_after) VALUES
	('echo',	3, '1 minute', 1),
	('sleep',	3, '1 hour', 1),
	('sha256',	3, '1 minute', 1),
	('fail',	1, '1 minute', 1);

CREATE TABLE rsvp.jobs (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	type		text NOT NULL,
	input		jsonb NOT NULL,
	state		text NOT NULL DEFAULT 'queued'
			CHECK (state IN ('queued', 'running', 'succeeded',
			    'failed', 'canceled')),
	progress	smallint NOT NULL DEFAULT 0
			CHECK (progress BETWEEN 0 AND 100),
	message		text,
	result		bytea,
	result_type	text,
	error_code	text,
	error_message	text,
	error_status	smallint
			CHECK (error_status BETWEEN 400 AND 599),
	attempt		integer NOT NULL DEFAULT 0,
	run_at		timestamptz NOT NULL DEFAULT now(),
	lease_until	timestamptz,
	lease_token	uuid,
	worker		text,
	idempotency_key	text,
	request_id	text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	started_at	timestamptz,
	finished_at	timestamptz,
	CHECK ((state = 'running') = (lease_token IS NOT NULL)),
	CHECK ((state IN ('succeeded', 'failed', 'canceled')) =
	    (finished_at IS NOT NULL))
);

COMMENT ON TABLE rsvp.jobs IS
    'One row per job; change it through the rsvp.* functions.';

/*
 * The claim reads the queued jobs in run_at order and the lease sweep
 * reads the running ones by lease expiry.  Both indexes are partial, so
 * their size follows the live queue, not the finished jobs kept.
 */
CREATE INDEX jobs_queued ON rsvp.jobs (run_at) WHERE state = 'queued';
CREATE INDEX jobs_running ON rsvp.jobs (lease_until) WHERE state = 'running';

/*
 * The doorbell.  A worker with free slots and nothing to do arms it before
 * it looks for work one last time and sleeps; a submitter rings it, after
 * its insert has committed, only when it is armed.  Ringing disarms it, so a
 * burst of submits sends one NOTIFY, not one per job, and NOTIFY never sits
 * in the insert's transaction (where it would serialise every commit).
 */
CREATE TABLE rsvp.doorbell (
	one		boolean PRIMARY KEY DEFAULT true CHECK (one),
	armed		boolean NOT NULL DEFAULT false
);
INSERT INTO rsvp.doorbell DEFAULT VALUES;

CREATE FUNCTION rsvp.iso8601(ts timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT pg_catalog.to_char(ts AT TIME ZONE 'UTC',
	    'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

/*
 * enqueue: insert a job and ring nothing.  The caller rings the doorbell
 * with rsvp.ring() once the insert has committed.  Raises RV001 for a type
 * that is not registered.
 */
CREATE FUNCTION rsvp.enqueue(p_type text, p_input jsonb,
    p_request_id text DEFAULT NULL, p_run_at timestamptz DEFAULT NULL)
RETURNS rsvp.jobs
LANGUAGE plpgsql AS $$
DECLARE
	j rsvp.jobs;
BEGIN
	PERFORM FROM rsvp.job_types WHERE name = p_type;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown job type "%"', p_type
		    USING ERRCODE = 'RV001';
	END IF;
	INSERT INTO rsvp.jobs (type, input, request_id, run_at)
	    VALUES (p_type, p_input, p_request_id, coalesce(p_run_at, now()))
	    RETURNING * INTO j;
	RETURN j;
END
$$;

/*
 * ring: wake the sleeping workers if any armed the doorbell.  Runs in its
 * own transaction; when nobody is asleep it writes nothing and costs one
 * index probe.  The NOTIFY needs no durability, so its commit is not flushed.
 */
CREATE FUNCTION rsvp.ring() RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE rsvp.doorbell SET armed = false WHERE armed;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM pg_catalog.set_config('synchronous_commit', 'off', true);
	PERFORM pg_catalog.pg_notify('rsvp_jobs', '');
	RETURN true;
END
$$;

-- arm: a worker is about to sleep; the next submit must ring.
CREATE FUNCTION rsvp.arm() RETURNS void
LANGUAGE sql AS $$
	UPDATE rsvp.doorbell SET armed = true WHERE NOT armed
$$;

/*
 * submit: for people and scripts.  Enqueues and notifies in the same
 * transaction, which is simple and always correct but does not scale; the
 * HTTP responder uses enqueue() and ring() instead.
 */
CREATE FUNCTION rsvp.submit(p_type text, p_input jsonb DEFAULT '{}',
    p_run_at timestamptz DEFAULT NULL)
RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
	j rsvp.jobs;
BEGIN
	j := rsvp.enqueue(p_type, p_input, NULL, p_run_at);
	PERFORM pg_catalog.pg_notify('rsvp_jobs', '');
	RETURN j.id;
END
$$;

/*
 * claim: take up to p_limit due jobs of the given types.  Commits at once
 * with a lease and a fresh lease token; no transaction stays open while the
 * job runs.
 */
CREATE FUNCTION rsvp.claim(p_worker text, p_types text[], p_limit integer)
RETURNS TABLE (id uuid, type text, input jsonb, attempt integer,
    lease_token uuid)
LANGUAGE sql AS $$
	WITH c AS (
		SELECT j.id FROM rsvp.jobs j
		WHERE j.state = 'queued' AND j.run_at <= now()
		    AND j.type = ANY (p_types)
		ORDER BY j.run_at
		LIMIT p_limit
		FOR UPDATE SKIP LOCKED
	)
	UPDATE rsvp.jobs j SET state = 'running', attempt = j.attempt + 1,
	    lease_token = gen_random_uuid(), lease_until = now() + t.lease,
	    worker = p_worker, progress = 0, message = NULL,
	    started_at = now(), updated_at = now()
	FROM c, rsvp.job_types t
	WHERE j.id = c.id AND t.name = j.type
	RETURNING j.id, j.type, j.input, j.attempt, j.lease_token
$$;

/*
 * The fenced writes.  Each changes the job only while the caller still
 * holds its lease (same attempt, same token) and answers whether it did;
 * false tells a worker that the job is no longer its own.
 */
CREATE FUNCTION rsvp.progress(p_id uuid, p_attempt integer, p_token uuid,
    p_progress integer, p_message text)
RETURNS boolean
LANGUAGE sql AS $$
	WITH u AS (
		UPDATE rsvp.jobs SET progress = least(greatest(p_progress, 0), 100),
		    message = p_message, updated_at = now()
		WHERE id = p_id AND attempt = p_attempt
		    AND lease_token = p_token AND state = 'running'
		RETURNING 1
	)
	SELECT count(*) = 1 FROM u
$$;

CREATE FUNCTION rsvp.finish(p_id uuid, p_attempt integer, p_token uuid,
    p_result bytea, p_result_type text)
RETURNS boolean
LANGUAGE sql AS $$
	WITH u AS (
		UPDATE rsvp.jobs SET state = 'succeeded', progress = 100,
		    result = p_result, result_type = p_result_type,
		    lease_token = NULL, lease_until = NULL,
		    finished_at = now(), updated_at = now()
		WHERE id = p_id AND attempt = p_attempt
		    AND lease_token = p_token AND state = 'running'
		RETURNING 1
	)
	SELECT count(*) = 1 FROM u
$$;

/*
 * fail: the attempt failed.  A retryable failure with attempts left goes
 * back to the queue after an exponential backoff with full jitter (1 s,
 * 2 s, 4 s ... capped at an hour); anything else ends the job failed with
 * the error given.  Answers the job's new state, or NULL when fenced off.
 */
CREATE FUNCTION rsvp.fail(p_id uuid, p_attempt integer, p_token uuid,
    p_code text, p_message text, p_status integer DEFAULT 500,
    p_retryable boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	j rsvp.jobs;
	max integer;
BEGIN
	SELECT * INTO j FROM rsvp.jobs
	    WHERE id = p_id AND attempt = p_attempt
		AND lease_token = p_token AND state = 'running'
	    FOR UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	SELECT max_attempts INTO max FROM rsvp.job_types WHERE name = j.type;
	IF p_retryable AND j.attempt < coalesce(max, 1) THEN
		UPDATE rsvp.jobs SET state = 'queued', lease_token = NULL,
		    lease_until = NULL, error_code = p_code,
		    error_message = p_message, updated_at = now(),
		    run_at = now() + pg_catalog.random() *
			least(3600, 2 ^ (j.attempt - 1)) * interval '1 second'
		WHERE id = p_id;
		RETURN 'queued';
	END IF;
	UPDATE rsvp.jobs SET state = 'failed', lease_token = NULL,
	    lease_until = NULL, error_code = p_code, error_message = p_message,
	    error_status = CASE WHEN p_status BETWEEN 400 AND 599
		THEN p_status ELSE 500 END,
	    finished_at = now(), updated_at = now()
	WHERE id = p_id;
	RETURN 'failed';
END
$$;

/*
 * release: hand a job back untouched (the worker is shutting down).  It is
 * queued again at once and the attempt does not count.
 */
CREATE FUNCTION rsvp.release(p_id uuid, p_attempt integer, p_token uuid)
RETURNS boolean
LANGUAGE sql AS $$
	WITH u AS (
		UPDATE rsvp.jobs SET state = 'queued', attempt = attempt - 1,
		    lease_token = NULL, lease_until = NULL, worker = NULL,
		    run_at = now(), progress = 0, message = NULL,
		    updated_at = now()
		WHERE id = p_id AND attempt = p_attempt
		    AND lease_token = p_token AND state = 'running'
		RETURNING 1
	)
	SELECT count(*) = 1 FROM u
$$;

/*
 * status_of: a job as the status monitor shows it, with times in ISO 8601
 * UTC and the type's hint for Retry-After.
 */
CREATE FUNCTION rsvp.status_of(j rsvp.jobs)
RETURNS TABLE (id uuid, type text, state text, progress smallint,
    message text, attempt integer, created_at text, updated_at text,
    started_at text, finished_at text, error_code text,
    error_message text, error_status smallint, result_type text,
    retry_after integer)
LANGUAGE sql STABLE AS $$
	SELECT j.id, j.type, j.state, j.progress, j.message, j.attempt,
	    rsvp.iso8601(j.created_at), rsvp.iso8601(j.updated_at),
	    rsvp.iso8601(j.started_at), rsvp.iso8601(j.finished_at),
	    j.error_code, j.error_message, j.error_status, j.result_type,
	    coalesce((SELECT t.retry_after FROM rsvp.job_types t
		WHERE t.name = j.type), 1)
$$;
