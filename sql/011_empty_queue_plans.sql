/*
 * 011: plans made on an empty queue hold as it grows.
 *
 * A worker and a responder plan each statement once a session, and the
 * session often begins on an empty queue: a fresh install, or a table
 * just truncated.  The planner then sees a table of no pages and no
 * statistics, and the plans it keeps are those for a handful of rows:
 *
 * - claim fetched the rows it locked by reading the whole table for their
 *   tuple ids, and finish_many and heartbeat read the whole table for the
 *   ids of their batch.  As the queue grew under load each claim grew
 *   with it (0.3 ms a claim at the start, 8 ms twenty seconds and 25,000
 *   jobs later), and the pickup latency with it, until autovacuum's next
 *   ANALYZE of the table replanned them.  These three now plan with
 *   sequential scans disabled: each has an index or tuple-id path that is
 *   right at every size, and the setting ends with the function.
 *
 * - finish, fail, release, canceled and progress asked for
 *   state = 'running' beside the lease token, which let the planner walk
 *   the partial index of running jobs (every running job, and every dead
 *   entry it holds) instead of looking the one id up in the primary key.
 *   The token alone says as much: a job has one exactly when it runs (the
 *   CHECK of 001), so the condition is dropped, as 006 did for the batches.
 *
 * A later CREATE OR REPLACE of claim, finish_many or heartbeat must keep
 * the SET clause: replacing a function drops its settings.
 */
ALTER FUNCTION rsvp.claim(text, text[], integer) SET enable_seqscan = off;
ALTER FUNCTION rsvp.finish_many(uuid[], integer[], uuid[], bytea[], text[])
    SET enable_seqscan = off;
ALTER FUNCTION rsvp.heartbeat(text, uuid[], integer[], uuid[])
    SET enable_seqscan = off;

CREATE OR REPLACE FUNCTION rsvp.finish(p_id uuid, p_attempt integer,
    p_token uuid, p_result bytea, p_result_type text)
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE rsvp.jobs SET state = 'succeeded', progress = 100,
	    result = p_result, result_type = p_result_type,
	    lease_token = NULL, lease_until = NULL,
	    finished_at = now(), updated_at = now()
	WHERE id = p_id AND attempt = p_attempt AND lease_token = p_token;
	RETURN FOUND;
END
$$;

CREATE OR REPLACE FUNCTION rsvp.release(p_id uuid, p_attempt integer,
    p_token uuid)
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE rsvp.jobs SET state = 'queued', attempt = attempt - 1,
	    lease_token = NULL, lease_until = NULL, worker = NULL,
	    run_at = now(), progress = 0, message = NULL,
	    updated_at = now()
	WHERE id = p_id AND attempt = p_attempt AND lease_token = p_token;
	RETURN FOUND;
END
$$;

CREATE OR REPLACE FUNCTION rsvp.canceled(p_id uuid, p_attempt integer,
    p_token uuid)
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE rsvp.jobs SET state = 'canceled', lease_token = NULL,
	    lease_until = NULL, error_code = 'canceled',
	    error_message = 'the job was canceled',
	    finished_at = now(), updated_at = now()
	WHERE id = p_id AND attempt = p_attempt AND lease_token = p_token;
	RETURN FOUND;
END
$$;

CREATE OR REPLACE FUNCTION rsvp.progress(p_id uuid, p_attempt integer,
    p_token uuid, p_progress integer, p_message text)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	w boolean;
BEGIN
	UPDATE rsvp.jobs SET progress = least(greatest(p_progress, 0), 100),
	    message = p_message, updated_at = now()
	WHERE id = p_id AND attempt = p_attempt AND lease_token = p_token
	RETURNING watched INTO w;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	IF w THEN
		PERFORM pg_catalog.pg_notify('rsvp_watch', p_id::text);
	END IF;
	RETURN true;
END
$$;

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
	    WHERE id = p_id AND attempt = p_attempt AND lease_token = p_token
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
