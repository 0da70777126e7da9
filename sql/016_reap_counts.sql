/*
 * 016: the jobs the sweep ends are counted.
 *
 * rsvp.type_stats counts the jobs each type has ended (rsvp.queue and
 * /metrics show them): the workers count what their handlers end, and
 * cancel() a queued job it cancels.  The sweep, which fails a job whose
 * worker stopped answering with its attempts spent, or cancels one that
 * was asked to stop, counted nothing.  It now counts what it ends.
 */
CREATE OR REPLACE FUNCTION rsvp.reap(p_limit integer DEFAULT 1000)
RETURNS integer
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
	), u AS (
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
		FROM y WHERE j.id = y.id
		RETURNING j.type, y.state
	), c AS (
		SELECT u.type, count(*) AS reaped,
		    count(*) FILTER (WHERE u.state = 'failed') AS failed,
		    count(*) FILTER (WHERE u.state = 'canceled') AS canceled
		FROM u GROUP BY u.type
	), s AS (
		INSERT INTO rsvp.type_stats AS s (type, failed, canceled)
		SELECT c.type, c.failed, c.canceled FROM c
		WHERE c.failed + c.canceled > 0
		ON CONFLICT (type) DO UPDATE SET
		    failed = s.failed + excluded.failed,
		    canceled = s.canceled + excluded.canceled,
		    updated_at = now()
	)
	SELECT coalesce(sum(c.reaped), 0) INTO n FROM c;
	IF n > 0 THEN
		PERFORM pg_catalog.pg_notify('rsvp_jobs', '');
	END IF;
	-- A worker silent for three of its heartbeats is gone.
	DELETE FROM rsvp.workers
	    WHERE heartbeat_at < now() - 3 * heartbeat - interval '1 second';
	RETURN n;
END
$$;
