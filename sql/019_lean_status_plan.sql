/*
 * 019: a status read plans and starts fewer nodes.
 *
 * The expected wait of a queued job (the jobs ahead of it over the live
 * slots) was a subquery of status_by_id, and PostgreSQL builds every
 * subquery of a statement each time it runs it, needed or not: a third
 * of a status read went to starting the two aggregates and the scans of
 * a count taken only for a queued job of a type with a recent run time.
 * That count is now queue_wait(), a function called only then, whose
 * statement is planned once a session.  The answers are the same.
 */
CREATE FUNCTION rsvp.queue_wait(p_type text, p_run_at timestamptz,
    p_avg double precision)
RETURNS double precision
LANGUAGE plpgsql STABLE AS $$
DECLARE
	k double precision;
	n bigint := 0;
BEGIN
	SELECT greatest(1, coalesce(sum(w.slots), 0)) INTO k
	FROM rsvp.workers w;
	IF p_avg * (1 + 10000.0 / k) >= 1 THEN
		SELECT count(*) INTO n FROM (
			SELECT 1 FROM rsvp.jobs a
			WHERE a.state = 'queued' AND a.run_at < p_run_at
			    AND a.type = p_type
			LIMIT least(10000, ceil(3600 * k / greatest(p_avg, 1e-6)))
		) ahead;
	END IF;
	RETURN n / k;
END
$$;

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
			coalesce(s.recent_avg * (1 + CASE
			WHEN s.recent_avg IS NULL THEN 0
			ELSE rsvp.queue_wait(j.type, j.run_at, s.recent_avg)
			END), t.retry_after)
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
