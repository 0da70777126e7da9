/*
 * 014: a live worker swept from rsvp.workers registers again.
 *
 * The sweep deletes a worker that missed three heartbeats: one stopped
 * (SIGSTOP, a paused virtual machine) or starved that long is taken for
 * dead, its jobs re-queued.  When it comes back it keeps heartbeating and
 * claiming, but its heartbeat only updated its row, and there was none:
 * it stayed out of rsvp.workers and rsvp.heartbeats, and its slots out of
 * every Retry-After, for the rest of its life.  Its heartbeat now answers
 * a row with no id when the worker has no row, and the worker registers
 * again (worker/wdb.c).
 *
 * The rest is 006's heartbeat; the SET of 011 is set again: replacing a
 * function drops its settings.
 */
CREATE OR REPLACE FUNCTION rsvp.heartbeat(p_worker text, p_ids uuid[],
    p_attempts integer[], p_tokens uuid[])
RETURNS TABLE (id uuid, cancel_requested boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
	UPDATE rsvp.workers SET heartbeat_at = now() WHERE name = p_worker;
	IF NOT FOUND THEN
		RETURN QUERY SELECT NULL::uuid, NULL::boolean;
	END IF;
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
ALTER FUNCTION rsvp.heartbeat(text, uuid[], integer[], uuid[])
    SET enable_seqscan = off;
