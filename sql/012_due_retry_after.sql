/*
 * 012: a job due later is told to come back when it is due.
 *
 * The Retry-After of a queued job was the time until it is due plus its
 * expected wait, falling back to the type's hint when the type had no
 * run times yet; the fallback took the whole sum, so a job due in an hour
 * of a type never run was told to poll again in a second.  Now only the
 * expected wait falls back to the hint: an hour and a second (clamped by
 * RSVP_MAX_RETRY_AFTER in the responder).
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
			coalesce(s.recent_avg * (1 + CASE
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
