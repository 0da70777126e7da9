/*
 * 009: the responder's reads and its submit, with less work a call.
 *
 * status_by_id summed the workers' slots for every status read, though
 * the sum matters only to a queued job of a type with a recent run time;
 * it is now taken only then.
 *
 * submit_status called enqueue, a function of its own with its own
 * search_path to set and restore, which looked the type up, inserted,
 * and handed the whole new row back.  Without an idempotency key (the
 * common case) it now inserts itself, checking the type in the same
 * statement, and keeps only the id.  With a key it still calls enqueue,
 * which knows how to meet a key already used.
 *
 * grants.sql lets the responder call status_by_id itself (it is inlined
 * into the responder's own statement) instead of through job_status, a
 * PL/pgSQL function returning a table, which cost a third of a read.
 */
CREATE OR REPLACE FUNCTION rsvp.status_by_id(p_id uuid)
RETURNS TABLE (id uuid, type text, state text, progress smallint,
    message text, attempt integer, created_at text, updated_at text,
    started_at text, finished_at text, error_code text,
    error_message text, error_status smallint, result_type text,
    retry_after integer, expires text)
LANGUAGE sql STABLE AS $$
	SELECT j.id, j.type, j.state, j.progress, j.message, j.attempt,
	    pg_catalog.to_char(j.created_at AT TIME ZONE 'UTC',
		'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
	    pg_catalog.to_char(j.updated_at AT TIME ZONE 'UTC',
		'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
	    pg_catalog.to_char(j.started_at AT TIME ZONE 'UTC',
		'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
	    pg_catalog.to_char(j.finished_at AT TIME ZONE 'UTC',
		'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
	    j.error_code, j.error_message, j.error_status, j.result_type,
	    CASE WHEN j.state IN ('queued', 'running') THEN
		greatest(1, ceil(coalesce(
		    CASE j.state
		    WHEN 'running' THEN s.recent_avg -
			extract(epoch FROM now() - j.started_at)
		    ELSE greatest(0, extract(epoch FROM j.run_at - now())) +
			s.recent_avg * (1 + CASE
			WHEN s.recent_avg IS NULL THEN 0
			ELSE (SELECT CASE
			    WHEN s.recent_avg * (1 + 10000.0 / k.slots) < 1
				THEN 0
			    ELSE (SELECT count(*) FROM (
				SELECT 1 FROM rsvp.jobs a
				WHERE a.state = 'queued'
				    AND a.run_at < j.run_at AND a.type = j.type
				LIMIT least(10000, ceil(3600 * k.slots /
				    greatest(s.recent_avg, 1e-6)))) ahead)
			    END::double precision / k.slots
			    FROM (SELECT greatest(1, coalesce(sum(w.slots), 0))
				AS slots FROM rsvp.workers w) k)
			END)
		    END, t.retry_after, 1)))::integer
	    END,
	    pg_catalog.to_char((coalesce(j.finished_at, now()) +
		coalesce(t.retention, interval '7 days')) AT TIME ZONE 'UTC',
		'Dy, DD Mon YYYY HH24:MI:SS "GMT"')
	FROM rsvp.jobs j
	LEFT JOIN rsvp.job_types t ON t.name = j.type
	LEFT JOIN rsvp.type_stats s ON s.type = j.type
	WHERE j.id = p_id
$$;

CREATE OR REPLACE FUNCTION rsvp.submit_status(p_type text, p_input jsonb,
    p_request_id text DEFAULT NULL, p_idempotency_key text DEFAULT NULL)
RETURNS TABLE (id uuid, type text, state text, progress smallint,
    message text, attempt integer, created_at text, updated_at text,
    started_at text, finished_at text, error_code text,
    error_message text, error_status smallint, result_type text,
    retry_after integer, expires text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_id uuid;
BEGIN
	IF p_idempotency_key IS NOT NULL THEN
		v_id := (rsvp.enqueue(p_type, p_input, p_request_id, NULL,
		    p_idempotency_key)).id;
	ELSE
		INSERT INTO rsvp.jobs (type, input, request_id)
		    SELECT t.name, p_input, p_request_id
		    FROM rsvp.job_types t WHERE t.name = p_type
		    RETURNING id INTO v_id;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'unknown job type "%"', p_type
			    USING ERRCODE = 'RV001';
		END IF;
		PERFORM pg_catalog.nextval('rsvp.submitted');
	END IF;
	RETURN QUERY SELECT * FROM rsvp.status_by_id(v_id);
END
$$;
