/*
 * 006: plans for the batched writes that stay good whatever the table
 * holds.  The workers' claim, finish_many and heartbeat touch a batch of
 * rows each; their plans are made once per session, often while the
 * statistics say that nothing runs.
 *
 * claim joined the locked ids back to rsvp.jobs, and the planner hashed
 * the whole table for it: a claim read every row kept, finished or not
 * (7 ms a claim with 20,000 rows).  The ids now go in as an array, which
 * is looked up in the primary key.
 *
 * finish_many and heartbeat asked for state = 'running' beside the lease
 * token; that let the planner walk the partial index of running jobs and
 * compare every running job with every row of the batch (24 us a job).
 * The token alone says as much: a job has a lease token exactly when it
 * runs (the CHECK of 001), so the condition is dropped and the batch is
 * looked up by id.
 */
CREATE OR REPLACE FUNCTION rsvp.claim(p_worker text, p_types text[],
    p_limit integer)
RETURNS TABLE (id uuid, type text, input jsonb, attempt integer,
    lease_token uuid, timeout_ms bigint, lease_ms bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
	PERFORM pg_catalog.set_config('synchronous_commit', 'off', true);
	RETURN QUERY
	UPDATE rsvp.jobs j SET state = 'running', attempt = j.attempt + 1,
	    lease_token = gen_random_uuid(), lease_until = now() + t.lease,
	    worker = p_worker, progress = 0, message = NULL,
	    cancel_requested = false, started_at = now(), updated_at = now()
	FROM rsvp.job_types t
	WHERE j.id = ANY (ARRAY(
		SELECT q.id FROM rsvp.jobs q
		WHERE q.state = 'queued' AND q.run_at <= now()
		    AND q.type = ANY (p_types)
		ORDER BY q.run_at
		LIMIT p_limit
		FOR UPDATE SKIP LOCKED))
	    AND t.name = j.type
	RETURNING j.id, j.type, j.input, j.attempt, j.lease_token,
	    (extract(epoch FROM t.timeout) * 1000)::bigint,
	    (extract(epoch FROM t.lease) * 1000)::bigint;
END
$$;

CREATE OR REPLACE FUNCTION rsvp.finish_many(p_ids uuid[],
    p_attempts integer[], p_tokens uuid[], p_results bytea[],
    p_result_types text[])
RETURNS SETOF uuid
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY
	UPDATE rsvp.jobs j SET state = 'succeeded', progress = 100,
	    result = f.result, result_type = f.result_type,
	    lease_token = NULL, lease_until = NULL,
	    finished_at = now(), updated_at = now()
	FROM unnest(p_ids, p_attempts, p_tokens, p_results, p_result_types)
	    AS f(id, attempt, token, result, result_type)
	WHERE j.id = f.id AND j.attempt = f.attempt
	    AND j.lease_token = f.token
	RETURNING j.id;
END
$$;

CREATE OR REPLACE FUNCTION rsvp.heartbeat(p_worker text, p_ids uuid[],
    p_attempts integer[], p_tokens uuid[])
RETURNS TABLE (id uuid, cancel_requested boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
	UPDATE rsvp.workers SET heartbeat_at = now() WHERE name = p_worker;
	RETURN QUERY
	UPDATE rsvp.jobs j SET lease_until = now() + coalesce(
	    (SELECT t.lease FROM rsvp.job_types t WHERE t.name = j.type),
	    interval '30 seconds')
	FROM unnest(p_ids, p_attempts, p_tokens) AS h(id, attempt, token)
	WHERE j.id = h.id AND j.attempt = h.attempt
	    AND j.lease_token = h.token
	RETURNING j.id, j.cancel_requested;
END
$$;
