/*
 * 010: arming the doorbell waits for no disk.
 *
 * A worker arms the doorbell each time the queue runs dry, and under a
 * steady stream of submits that is after nearly every claim.  Its commit
 * was flushed like any other, so the worker waited out a WAL flush before
 * its last look for work and again before it could sleep; the jobs
 * submitted meanwhile waited with it.  The arm needs only to be seen by
 * the next ring, which a commit is at once, flushed or not; lost in a
 * crash, it is armed again by the first claim that finds nothing.
 */
CREATE OR REPLACE FUNCTION rsvp.arm() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_catalog.set_config('synchronous_commit', 'off', true);
	UPDATE rsvp.doorbell SET armed = true WHERE NOT armed;
END
$$;
