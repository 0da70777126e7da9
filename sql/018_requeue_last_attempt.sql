/*
 * 018: requeue() keeps to max_attempts.
 *
 * The attempt a re-queued job was on counts, so a job re-queued on its
 * last attempt would have been claimed for one past its type's
 * max_attempts.  requeue() now refuses it, saying how to go on: raise
 * max_attempts with set_type() and requeue it, or let its lease lapse
 * (the sweep then fails it) and retry() it with fresh attempts.
 */
CREATE OR REPLACE FUNCTION rsvp.requeue(p_id uuid) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	s text;
	n integer;
	m integer;
BEGIN
	SELECT j.state, j.attempt, coalesce(t.max_attempts, 1) INTO s, n, m
	FROM rsvp.jobs j LEFT JOIN rsvp.job_types t ON t.name = j.type
	WHERE j.id = p_id FOR UPDATE OF j;
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
	ELSIF n >= m THEN
		RAISE EXCEPTION 'job % is on its last attempt (% of %): re-queued,'
		    ' it would run past its type''s max_attempts', p_id, n, m
		    USING ERRCODE = 'RV409',
		    HINT = 'Raise max_attempts with rsvp.set_type() and re-queue'
			' it, or let its lease lapse (the sweep fails it) and'
			' rsvp.retry() it with fresh attempts.';
	END IF;
	UPDATE rsvp.jobs SET state = 'queued', lease_token = NULL,
	    lease_until = NULL, worker = NULL, run_at = now(), progress = 0,
	    message = NULL, cancel_requested = false, updated_at = now()
	WHERE id = p_id;
	PERFORM pg_catalog.pg_notify('rsvp_jobs', '');
	RETURN 'queued';
END
$$;
