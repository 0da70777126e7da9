-- 002: leases that are kept alive, swept when they lapse, cancellation,
-- the worker registry, and a per-type retry backoff.

ALTER TABLE rsvp.job_types ADD COLUMN backoff interval NOT NULL
    DEFAULT '1 second' CHECK (backoff >= '0');
COMMENT ON COLUMN rsvp.job_types.backoff IS
    'First retry delay; doubles with each attempt (full jitter, at most 1 hour).';

ALTER TABLE rsvp.jobs ADD COLUMN cancel_requested boolean NOT NULL
    DEFAULT false;

CREATE TABLE rsvp.workers (
	name		text PRIMARY KEY,
	host		text NOT NULL,
	pid		integer NOT NULL,
	slots		integer NOT NULL,
	heartbeat	interval NOT NULL,
	started_at	timestamptz NOT NULL DEFAULT now(),
	heartbeat_at	timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rsvp.workers IS
    'Live workers; each heartbeats while it runs and leaves when it stops.';

CREATE FUNCTION rsvp.worker_start(p_name text, p_host text, p_pid integer,
    p_slots integer, p_heartbeat interval DEFAULT '5 seconds')
RETURNS void
LANGUAGE sql AS $$
	INSERT INTO rsvp.workers (name, host, pid, slots, heartbeat)
	    VALUES (p_name, p_host, p_pid, p_slots, p_heartbeat)
	ON CONFLICT (name) DO UPDATE SET slots = excluded.slots,
	    heartbeat = excluded.heartbeat, heartbeat_at = now()
$$;

CREATE FUNCTION rsvp.worker_stop(p_name text) RETURNS void
LANGUAGE sql AS $$
	DELETE FROM rsvp.workers WHERE name = p_name
$$;

/*
 * claim, again: now also tells the worker each job's timeout and lease,
 * so that it can stop a job in time and heartbeat before the lease lapses.
 */
DROP FUNCTION rsvp.claim(text, text[], integer);
CREATE FUNCTION rsvp.claim(p_worker text, p_types text[], p_limit integer)
RETURNS TABLE (id uuid, type text, input jsonb, attempt integer,
    lease_token uuid, timeout_ms bigint, lease_ms bigint)
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
	    cancel_requested = false, started_at = now(), updated_at = now()
	FROM c, rsvp.job_types t
	WHERE j.id = c.id AND t.name = j.type
	RETURNING j.id, j.type, j.input, j.attempt, j.lease_token,
	    (extract(epoch FROM t.timeout) * 1000)::bigint,
	    (extract(epoch FROM t.lease) * 1000)::bigint
$$;

/*
 * heartbeat: extend the leases a worker still holds, in one statement for
 * all of them, and record that the worker is alive.  Answers the jobs
 * whose lease was extended, and whether each was asked to cancel; a job
 * missing from the answer is no longer the worker's.
 */
CREATE FUNCTION rsvp.heartbeat(p_worker text, p_ids uuid[],
    p_attempts integer[], p_tokens uuid[])
RETURNS TABLE (id uuid, cancel_requested boolean)
LANGUAGE sql AS $$
	WITH w AS (
		UPDATE rsvp.workers SET heartbeat_at = now()
		WHERE name = p_worker
	), held AS (
		SELECT * FROM unnest(p_ids, p_attempts, p_tokens)
		    AS h(id, attempt, token)
	)
	UPDATE rsvp.jobs j SET lease_until = now() + coalesce(
	    (SELECT t.lease FROM rsvp.job_types t WHERE t.name = j.type),
	    interval '30 seconds')
	FROM held h
	WHERE j.id = h.id AND j.attempt = h.attempt
	    AND j.lease_token = h.token AND j.state = 'running'
	RETURNING j.id, j.cancel_requested
$$;

/*
 * reap: the sweep.  A running job whose lease has lapsed belongs to a
 * worker that died or froze: queue it again at once, or fail it when its
 * attempts are spent (or cancel it, when that was asked).  Bounded, and
 * safe to run from any number of workers at once.
 */
CREATE FUNCTION rsvp.reap(p_limit integer DEFAULT 1000) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	n integer;
BEGIN
	WITH x AS (
		SELECT j.id, j.attempt, j.cancel_requested,
		    coalesce(t.max_attempts, 1) AS max_attempts
		FROM rsvp.jobs j LEFT JOIN rsvp.job_types t ON t.name = j.type
		WHERE j.state = 'running' AND j.lease_until < now()
		ORDER BY j.lease_until
		LIMIT p_limit
		FOR UPDATE OF j SKIP LOCKED
	), y AS (
		SELECT x.id, CASE
		    WHEN x.cancel_requested THEN 'canceled'
		    WHEN x.attempt < x.max_attempts THEN 'queued'
		    ELSE 'failed' END AS state
		FROM x
	)
	UPDATE rsvp.jobs j SET state = y.state,
	    lease_token = NULL, lease_until = NULL, run_at = now(),
	    error_code = CASE y.state WHEN 'canceled' THEN 'canceled'
		ELSE 'lease_expired' END,
	    error_message = CASE y.state WHEN 'canceled'
		THEN 'the job was canceled'
		ELSE 'the worker running the job stopped answering' END,
	    error_status = CASE y.state WHEN 'failed' THEN 500 END,
	    finished_at = CASE WHEN y.state <> 'queued' THEN now() END,
	    updated_at = now()
	FROM y WHERE j.id = y.id;
	GET DIAGNOSTICS n = ROW_COUNT;
	IF n > 0 THEN
		PERFORM pg_catalog.pg_notify('rsvp_jobs', '');
	END IF;
	-- A worker silent for three of its heartbeats is gone.
	DELETE FROM rsvp.workers
	    WHERE heartbeat_at < now() - 3 * heartbeat - interval '1 second';
	RETURN n;
END
$$;

/*
 * cancel: a queued job is canceled at once and never runs; a running one
 * is asked to stop (its worker hears it on channel rsvp_cancel, or at its
 * next heartbeat) and ends canceled.  Answers 'canceled', 'canceling', the
 * state of a job that had already ended, or NULL for no such job.
 */
CREATE FUNCTION rsvp.cancel(p_id uuid) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	s text;
BEGIN
	SELECT state INTO s FROM rsvp.jobs WHERE id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	IF s = 'queued' THEN
		UPDATE rsvp.jobs SET state = 'canceled', error_code = 'canceled',
		    error_message = 'the job was canceled',
		    finished_at = now(), updated_at = now()
		WHERE id = p_id;
		RETURN 'canceled';
	ELSIF s = 'running' THEN
		UPDATE rsvp.jobs SET cancel_requested = true, updated_at = now()
		WHERE id = p_id;
		PERFORM pg_catalog.pg_notify('rsvp_cancel', p_id::text);
		RETURN 'canceling';
	END IF;
	RETURN s;
END
$$;

-- canceled: a worker stopped a job it was asked to cancel (fenced).
CREATE FUNCTION rsvp.canceled(p_id uuid, p_attempt integer, p_token uuid)
RETURNS boolean
LANGUAGE sql AS $$
	WITH u AS (
		UPDATE rsvp.jobs SET state = 'canceled', lease_token = NULL,
		    lease_until = NULL, error_code = 'canceled',
		    error_message = 'the job was canceled',
		    finished_at = now(), updated_at = now()
		WHERE id = p_id AND attempt = p_attempt
		    AND lease_token = p_token AND state = 'running'
		RETURNING 1
	)
	SELECT count(*) = 1 FROM u
$$;

/*
 * fail, again: the backoff now comes from the type.  The last error is
 * kept when the job is queued again and when it finally fails.
 */
CREATE OR REPLACE FUNCTION rsvp.fail(p_id uuid, p_attempt integer,
    p_token uuid, p_code text, p_message text, p_status integer DEFAULT 500,
    p_retryable boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	j rsvp.jobs;
	t rsvp.job_types;
BEGIN
	SELECT * INTO j FROM rsvp.jobs
	    WHERE id = p_id AND attempt = p_attempt
		AND lease_token = p_token AND state = 'running'
	    FOR UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	SELECT * INTO t FROM rsvp.job_types WHERE name = j.type;
	IF p_retryable AND NOT j.cancel_requested AND
	    j.attempt < coalesce(t.max_attempts, 1) THEN
		UPDATE rsvp.jobs SET state = 'queued', lease_token = NULL,
		    lease_until = NULL, error_code = p_code,
		    error_message = p_message, updated_at = now(),
		    run_at = now() + pg_catalog.random() * least(
			interval '1 hour',
			coalesce(t.backoff, interval '1 second') *
			    2 ^ least(j.attempt - 1, 30))
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
