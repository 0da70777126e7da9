-- 003: what the HTTP contract needs: idempotent submits, notifications for
-- the jobs clients wait on, per-type statistics (honest Retry-After,
-- /metrics), per-client quotas, and the retention behind Expires.

/*
 * Idempotency-Key: one job per key.  A second submit with the same key
 * and the same type and input gets the first job back; with anything else
 * it is refused (RV422).
 */
ALTER TABLE rsvp.jobs ADD COLUMN IF NOT EXISTS idempotency_key text;
CREATE UNIQUE INDEX jobs_idempotency_key ON rsvp.jobs (idempotency_key)
    WHERE idempotency_key IS NOT NULL;

/*
 * watched: a client is waiting on this job (long-poll or Prefer: wait),
 * so its changes are announced on channel rsvp_watch.  Only such jobs pay
 * for a NOTIFY.
 */
ALTER TABLE rsvp.jobs ADD COLUMN watched boolean NOT NULL DEFAULT false;

-- Submits counted without a row lock that every submit would queue on.
CREATE SEQUENCE rsvp.submitted;

/*
 * Per-type figures the workers add to as they finish jobs (a batch per
 * heartbeat, not a write per job): outcome counters and durations.
 */
CREATE TABLE rsvp.type_stats (
	type		text PRIMARY KEY,
	succeeded	bigint NOT NULL DEFAULT 0,
	failed		bigint NOT NULL DEFAULT 0,
	canceled	bigint NOT NULL DEFAULT 0,
	duration_sum	double precision NOT NULL DEFAULT 0,	-- seconds
	duration_count	bigint NOT NULL DEFAULT 0,
	recent_avg	double precision,			-- seconds, EWMA
	updated_at	timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION rsvp.record_stats(p_types text[], p_succeeded integer[],
    p_failed integer[], p_canceled integer[], p_sum double precision[],
    p_count integer[])
RETURNS void
LANGUAGE sql AS $$
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
	    updated_at = now()
$$;

-- watch: the caller is about to wait on this job.
CREATE FUNCTION rsvp.watch(p_id uuid) RETURNS void
LANGUAGE sql AS $$
	UPDATE rsvp.jobs SET watched = true WHERE id = p_id AND NOT watched
$$;

/*
 * enqueue, again: with an idempotency key, and counted.  Raises RV001 for
 * an unknown type and RV422 for a key used with another request.
 */
DROP FUNCTION rsvp.enqueue(text, jsonb, text, timestamptz);
CREATE FUNCTION rsvp.enqueue(p_type text, p_input jsonb,
    p_request_id text DEFAULT NULL, p_run_at timestamptz DEFAULT NULL,
    p_idempotency_key text DEFAULT NULL)
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
	LOOP
		INSERT INTO rsvp.jobs (type, input, request_id, run_at,
		    idempotency_key)
		VALUES (p_type, p_input, p_request_id, coalesce(p_run_at, now()),
		    p_idempotency_key)
		ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL
		    DO NOTHING
		RETURNING * INTO j;
		IF FOUND THEN
			PERFORM pg_catalog.nextval('rsvp.submitted');
			RETURN j;
		END IF;
		-- The key is taken: by this very request, or by another.
		SELECT * INTO j FROM rsvp.jobs WHERE idempotency_key =
		    p_idempotency_key;
		IF FOUND THEN
			IF j.type <> p_type OR j.input <> p_input THEN
				RAISE EXCEPTION 'idempotency key already used'
				    ' for another request' USING ERRCODE = 'RV422';
			END IF;
			RETURN j;
		END IF;
		-- Purged in between: try the insert again.
	END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION rsvp.submit(p_type text, p_input jsonb DEFAULT '{}',
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
 * Every change of state of a job someone waits on is announced by a
 * trigger, so no function can forget to; progress, which changes no
 * state, announces itself.
 */
CREATE FUNCTION rsvp.announce() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_catalog.pg_notify('rsvp_watch', NEW.id::text);
	RETURN NULL;
END
$$;
CREATE TRIGGER jobs_announce AFTER UPDATE OF state ON rsvp.jobs
    FOR EACH ROW WHEN (NEW.watched AND OLD.state IS DISTINCT FROM NEW.state)
    EXECUTE FUNCTION rsvp.announce();

CREATE OR REPLACE FUNCTION rsvp.progress(p_id uuid, p_attempt integer,
    p_token uuid, p_progress integer, p_message text)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	w boolean;
BEGIN
	UPDATE rsvp.jobs SET progress = least(greatest(p_progress, 0), 100),
	    message = p_message, updated_at = now()
	WHERE id = p_id AND attempt = p_attempt
	    AND lease_token = p_token AND state = 'running'
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

/*
 * A canceled queued job is counted here; finished jobs are counted by the
 * workers through record_stats.
 */
CREATE OR REPLACE FUNCTION rsvp.cancel(p_id uuid) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	s text;
	t text;
BEGIN
	SELECT state, type INTO s, t FROM rsvp.jobs WHERE id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	IF s = 'queued' THEN
		UPDATE rsvp.jobs SET state = 'canceled', error_code = 'canceled',
		    error_message = 'the job was canceled',
		    finished_at = now(), updated_at = now()
		WHERE id = p_id;
		PERFORM rsvp.record_stats(ARRAY[t], ARRAY[0], ARRAY[0],
		    ARRAY[1], ARRAY[0::double precision], ARRAY[0]);
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

/*
 * quota: count one submit of a client against its limit of p_limit per
 * p_window seconds.  Answers 0 when allowed, else the seconds until the
 * window ends.
 */
CREATE TABLE rsvp.quota (
	client		text PRIMARY KEY,
	window_start	timestamptz NOT NULL,
	used		integer NOT NULL
);

CREATE FUNCTION rsvp.take_quota(p_client text, p_limit integer,
    p_window integer)
RETURNS integer
LANGUAGE sql AS $$
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
$$;

/*
 * status_of, again: with an honest Retry-After and the retention.  A
 * running job is expected to take its type's recent average; a queued one
 * waits for the jobs of its type ahead of it, shared among the live
 * workers' slots.  Without figures yet, the type's hint stands.
 */
DROP FUNCTION rsvp.status_of(rsvp.jobs);
CREATE FUNCTION rsvp.status_of(j rsvp.jobs)
RETURNS TABLE (id uuid, type text, state text, progress smallint,
    message text, attempt integer, created_at text, updated_at text,
    started_at text, finished_at text, error_code text,
    error_message text, error_status smallint, result_type text,
    retry_after integer, expires text)
LANGUAGE sql STABLE AS $$
	SELECT j.id, j.type, j.state, j.progress, j.message, j.attempt,
	    rsvp.iso8601(j.created_at), rsvp.iso8601(j.updated_at),
	    rsvp.iso8601(j.started_at), rsvp.iso8601(j.finished_at),
	    j.error_code, j.error_message, j.error_status, j.result_type,
	    CASE WHEN j.state IN ('queued', 'running') THEN
		greatest(1, ceil(coalesce(
		    CASE j.state
		    WHEN 'running' THEN s.recent_avg -
			extract(epoch FROM now() - j.started_at)
		    ELSE greatest(0, extract(epoch FROM j.run_at - now())) +
			s.recent_avg * (1 + (SELECT count(*) FROM (
			    SELECT 1 FROM rsvp.jobs a
			    WHERE a.state = 'queued' AND a.run_at < j.run_at
				AND a.type = j.type
			    LIMIT 10000) ahead)::double precision /
			greatest(1, (SELECT sum(w.slots) FROM rsvp.workers w)))
		    END, t.retry_after, 1)))::integer
	    END,
	    pg_catalog.to_char((coalesce(j.finished_at, now()) +
		coalesce(t.retention, interval '7 days')) AT TIME ZONE 'UTC',
		'Dy, DD Mon YYYY HH24:MI:SS "GMT"')
	FROM (SELECT 1) one
	LEFT JOIN rsvp.job_types t ON t.name = j.type
	LEFT JOIN rsvp.type_stats s ON s.type = j.type
$$;

/*
 * metrics: what /metrics shows, at a cost that follows the live queue
 * and the number of types, never the finished jobs kept.
 */
CREATE FUNCTION rsvp.metrics()
RETURNS TABLE (metric text, type text, state text, value double precision)
LANGUAGE sql STABLE AS $$
	SELECT 'jobs', j.type, j.state, count(*)::double precision
	    FROM rsvp.jobs j WHERE j.state IN ('queued', 'running')
	    GROUP BY j.type, j.state
	UNION ALL
	SELECT 'finished', s.type, x.state, x.n::double precision
	    FROM rsvp.type_stats s, LATERAL (VALUES ('succeeded', s.succeeded),
		('failed', s.failed), ('canceled', s.canceled)) x(state, n)
	UNION ALL
	SELECT 'duration_sum', s.type, NULL, s.duration_sum FROM rsvp.type_stats s
	UNION ALL
	SELECT 'duration_count', s.type, NULL, s.duration_count
	    FROM rsvp.type_stats s
	UNION ALL
	SELECT 'submitted', NULL, NULL,
	    (SELECT CASE WHEN is_called THEN last_value ELSE 0 END
	    FROM rsvp.submitted)::double precision
	UNION ALL
	SELECT 'oldest_queued', NULL, NULL, coalesce(extract(epoch FROM
	    now() - (SELECT min(j.run_at) FROM rsvp.jobs j
		WHERE j.state = 'queued' AND j.run_at <= now())), 0)
	UNION ALL
	SELECT 'workers', NULL, NULL, count(*) FROM rsvp.workers
$$;
