/*
 * The hot paths, planned once per session.  Every function runs as its
 * owner with an empty search_path (grants.sql), and a SQL-language
 * function called that way is never inlined: it is parsed and planned
 * again on every call, which made a status read cost 0.9 ms where the
 * row read costs 0.03 ms.  PL/pgSQL keeps its plans for the session, so
 * the functions the responder and the workers call per request and per
 * job are PL/pgSQL from here on, with the same arguments and results.
 */

/*
 * status_by_id: a job as the status monitor shows it, by id; the status
 * functions below are it and little more.  It reads the row's columns
 * itself: a whole row handed to a function is taken apart again for
 * every column named.  It is inlined into the queries that call it
 * (grants.sql leaves it running as its caller, and only the owner's
 * functions call it).  The count of the jobs ahead is made only when it
 * can matter.
 * Counting the queue on every submit and poll costs up to 10,000 rows a
 * call, which under a backlog is most of what a submit costs.  The count
 * moves Retry-After only when the type has a recent run time and the
 * queue's wait can reach a second: with avg seconds a job and slots live
 * slots, at most avg * (1 + n / slots).  Past an hour of wait (the
 * responder's ceiling is lower) counting on cannot change the answer.
 */
CREATE FUNCTION rsvp.status_by_id(p_id uuid)
RETURNS TABLE (id uuid, type text, state text, progress smallint,
    message text, attempt integer, created_at text, updated_at text,
    started_at text, finished_at text, error_code text,
    error_message text, error_status smallint, result_type text,
    retry_after integer, expires text)
LANGUAGE sql STABLE AS $$
	SELECT j.id, j.type, j.state, j.progress, j.message, j.attempt,
	    pg_catalog.to_char(j.created_at AT TIME ZONE 'UTC', k.iso),
	    pg_catalog.to_char(j.updated_at AT TIME ZONE 'UTC', k.iso),
	    pg_catalog.to_char(j.started_at AT TIME ZONE 'UTC', k.iso),
	    pg_catalog.to_char(j.finished_at AT TIME ZONE 'UTC', k.iso),
	    j.error_code, j.error_message, j.error_status, j.result_type,
	    CASE WHEN j.state IN ('queued', 'running') THEN
		greatest(1, ceil(coalesce(
		    CASE j.state
		    WHEN 'running' THEN s.recent_avg -
			extract(epoch FROM now() - j.started_at)
		    ELSE greatest(0, extract(epoch FROM j.run_at - now())) +
			s.recent_avg * (1 + CASE
			WHEN s.recent_avg IS NULL OR
			    s.recent_avg * (1 + 10000.0 / k.slots) < 1 THEN 0
			ELSE (SELECT count(*) FROM (
			    SELECT 1 FROM rsvp.jobs a
			    WHERE a.state = 'queued' AND a.run_at < j.run_at
				AND a.type = j.type
			    LIMIT least(10000, ceil(3600 * k.slots /
				greatest(s.recent_avg, 1e-6)))) ahead)
			END::double precision / k.slots)
		    END, t.retry_after, 1)))::integer
	    END,
	    pg_catalog.to_char((coalesce(j.finished_at, now()) +
		coalesce(t.retention, interval '7 days')) AT TIME ZONE 'UTC',
		'Dy, DD Mon YYYY HH24:MI:SS "GMT"')
	FROM (SELECT greatest(1, coalesce(sum(w.slots), 0)) AS slots,
	    'YYYY-MM-DD"T"HH24:MI:SS.US"Z"' AS iso
	    FROM rsvp.workers w) k
	CROSS JOIN rsvp.jobs j
	LEFT JOIN rsvp.job_types t ON t.name = j.type
	LEFT JOIN rsvp.type_stats s ON s.type = j.type
	WHERE j.id = p_id
$$;

-- status_of: the same, for a row in hand (by its id).
CREATE OR REPLACE FUNCTION rsvp.status_of(j rsvp.jobs)
RETURNS TABLE (id uuid, type text, state text, progress smallint,
    message text, attempt integer, created_at text, updated_at text,
    started_at text, finished_at text, error_code text,
    error_message text, error_status smallint, result_type text,
    retry_after integer, expires text)
LANGUAGE sql STABLE AS $$
	SELECT * FROM rsvp.status_by_id(j.id)
$$;

-- submit_status: enqueue and answer the new job's status, for the responder.
CREATE FUNCTION rsvp.submit_status(p_type text, p_input jsonb,
    p_request_id text DEFAULT NULL, p_idempotency_key text DEFAULT NULL)
RETURNS TABLE (id uuid, type text, state text, progress smallint,
    message text, attempt integer, created_at text, updated_at text,
    started_at text, finished_at text, error_code text,
    error_message text, error_status smallint, result_type text,
    retry_after integer, expires text)
LANGUAGE plpgsql AS $$
DECLARE
	j rsvp.jobs;
BEGIN
	j := rsvp.enqueue(p_type, p_input, p_request_id, NULL,
	    p_idempotency_key);
	RETURN QUERY SELECT * FROM rsvp.status_by_id(j.id);
END
$$;

CREATE OR REPLACE FUNCTION rsvp.job_status(p_id uuid)
RETURNS TABLE (id uuid, type text, state text, progress smallint,
    message text, attempt integer, created_at text, updated_at text,
    started_at text, finished_at text, error_code text,
    error_message text, error_status smallint, result_type text,
    retry_after integer, expires text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN QUERY SELECT * FROM rsvp.status_by_id(p_id);
END
$$;

CREATE OR REPLACE FUNCTION rsvp.job_result(p_id uuid)
RETURNS TABLE (id uuid, type text, state text, progress smallint,
    message text, attempt integer, created_at text, updated_at text,
    started_at text, finished_at text, error_code text,
    error_message text, error_status smallint, result_type text,
    retry_after integer, expires text, result bytea)
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN QUERY SELECT s.*, j.result FROM rsvp.status_by_id(p_id) s,
	    rsvp.jobs j WHERE j.id = p_id;
END
$$;

/*
 * claim's commit is not waited for: were it lost in a crash, the jobs are
 * still queued and run again (as for any crash while they run), and the
 * outcome the worker writes later is fenced off.  An outcome's commit is
 * flushed, and with it every claim before it.
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
	    (extract(epoch FROM t.lease) * 1000)::bigint;
END
$$;

CREATE OR REPLACE FUNCTION rsvp.finish(p_id uuid, p_attempt integer,
    p_token uuid, p_result bytea, p_result_type text)
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE rsvp.jobs SET state = 'succeeded', progress = 100,
	    result = p_result, result_type = p_result_type,
	    lease_token = NULL, lease_until = NULL,
	    finished_at = now(), updated_at = now()
	WHERE id = p_id AND attempt = p_attempt
	    AND lease_token = p_token AND state = 'running';
	RETURN FOUND;
END
$$;

/*
 * finish_many: finish several jobs in one statement and one commit, each
 * fenced as finish() is.  Answers the ids finished; a job missing from
 * the answer is no longer the caller's.
 */
CREATE FUNCTION rsvp.finish_many(p_ids uuid[], p_attempts integer[],
    p_tokens uuid[], p_results bytea[], p_result_types text[])
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
	    AND j.lease_token = f.token AND j.state = 'running'
	RETURNING j.id;
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
	WHERE id = p_id AND attempt = p_attempt
	    AND lease_token = p_token AND state = 'running';
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
	WHERE id = p_id AND attempt = p_attempt
	    AND lease_token = p_token AND state = 'running';
	RETURN FOUND;
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
	    AND j.lease_token = h.token AND j.state = 'running'
	RETURNING j.id, j.cancel_requested;
END
$$;

CREATE OR REPLACE FUNCTION rsvp.arm()
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE rsvp.doorbell SET armed = true WHERE NOT armed;
END
$$;

CREATE OR REPLACE FUNCTION rsvp.watch(p_id uuid)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE rsvp.jobs SET watched = true WHERE id = p_id AND NOT watched;
END
$$;

CREATE OR REPLACE FUNCTION rsvp.record_stats(p_types text[],
    p_succeeded integer[], p_failed integer[], p_canceled integer[],
    p_sum double precision[], p_count integer[])
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO rsvp.type_stats AS s (type, succeeded, failed, canceled,
	    duration_sum, duration_count, recent_avg)
	SELECT t, su, fa, ca, sm, ct, CASE WHEN ct > 0 THEN sm / ct END
	FROM unnest(p_types, p_succeeded, p_failed, p_canceled, p_sum, p_count)
	    AS x(t, su, fa, ca, sm, ct)
	ON CONFLICT (type) DO UPDATE SET
	    succeeded = s.succeeded + excluded.succeeded,
	    failed = s.failed + excluded.failed,
	    canceled = s.canceled + excluded.canceled,
	    duration_sum = s.duration_sum + excluded.duration_sum,
	    duration_count = s.duration_count + excluded.duration_count,
	    recent_avg = CASE WHEN excluded.duration_count = 0 THEN s.recent_avg
		WHEN s.recent_avg IS NULL THEN excluded.recent_avg
		ELSE 0.7 * s.recent_avg + 0.3 * excluded.recent_avg END,
	    updated_at = now();
END
$$;

CREATE OR REPLACE FUNCTION rsvp.take_quota(p_client text, p_limit integer,
    p_window integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	wait integer;
BEGIN
	INSERT INTO rsvp.quota AS q (client, window_start, used)
	    VALUES (p_client, now(), 1)
	ON CONFLICT (client) DO UPDATE SET
	    window_start = CASE WHEN q.window_start <= now() -
		p_window * interval '1 second' THEN now() ELSE q.window_start END,
	    used = CASE WHEN q.window_start <= now() -
		p_window * interval '1 second' THEN 1 ELSE q.used + 1 END
	RETURNING CASE WHEN q.used <= p_limit THEN 0 ELSE greatest(1,
	    ceil(extract(epoch FROM q.window_start +
		p_window * interval '1 second' - now())))::integer END
	INTO wait;
	RETURN wait;
END
$$;
