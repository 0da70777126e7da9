/*
 * 015: purge refuses what it cannot mean, and deletes the oldest first.
 *
 * purge(NULL), purge('1 day', NULL) and a batch of 0 or less deleted
 * nothing and said 0, and purge('-1 day') deleted every finished job, even
 * those that had just finished.  Each is now an error (22023).  And the
 * batch was the first that came of each type's oldest: now the oldest of
 * them all.
 */
CREATE OR REPLACE FUNCTION rsvp.purge(p_older_than interval,
    p_batch integer DEFAULT 1000)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	n integer;
BEGIN
	IF p_older_than IS NULL OR p_older_than < interval '0' THEN
		RAISE EXCEPTION 'purge: the age must be an interval of 0 or more,'
		    ' not %', coalesce(p_older_than::text, 'NULL')
		    USING ERRCODE = '22023';
	END IF;
	IF p_batch IS NULL OR p_batch < 1 THEN
		RAISE EXCEPTION 'purge: the batch must be 1 or more, not %',
		    coalesce(p_batch::text, 'NULL') USING ERRCODE = '22023';
	END IF;
	WITH x AS (
		SELECT e.id FROM rsvp.job_types t
		CROSS JOIN LATERAL (
			SELECT j.id, j.finished_at FROM rsvp.jobs j
			WHERE j.type = t.name AND j.finished_at IS NOT NULL
			    AND j.finished_at < now() - p_older_than
			ORDER BY j.finished_at
			LIMIT p_batch
			FOR UPDATE SKIP LOCKED
		) e
		ORDER BY e.finished_at
		LIMIT p_batch
	), d AS (
		DELETE FROM rsvp.jobs j USING x WHERE j.id = x.id RETURNING 1
	)
	SELECT count(*)::integer INTO n FROM d;
	RETURN n;
END
$$;
