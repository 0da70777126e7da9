-- Who may do what.  sql/migrate applies this file after the migrations,
-- every time (it is idempotent), so that whatever a migration adds gets
-- its owner and grants too.  The roles come from 004_console.sql.
--
--   rsvp_admin	owns the schema, every table, view and function: the
--		console (views, retry, requeue, purge, set_type).
--   rsvp_web	the responder: submit, cancel, read status and results.
--		Of rsvp.jobs no lease token, no input, and nothing to write
--		but through the functions below; of the other tables only
--		the columns a status read needs.
--   rsvp_worker	the workers: the state machine, through functions only.
--
-- Every function runs as its owner (SECURITY DEFINER) with an empty
-- search_path, so a role needs EXECUTE on it and nothing on the tables;
-- but status_by_id and status_of are inlined into the queries that call
-- them and run as their caller: only those functions, and the responder's
-- status read with its column grants below, call them.
-- A procedure cannot be SECURITY DEFINER and still COMMIT: purge_all runs
-- as its caller, and only rsvp_admin may call it.

SELECT coalesce(max(version) >= 4, false) AS rsvp_roles
    FROM rsvp.schema_version \gset
\if :rsvp_roles

ALTER SCHEMA rsvp OWNER TO rsvp_admin;

DO $$
DECLARE
	r record;
	/*
	 * Parts of queries, inlined into them: they run as their caller
	 * and no role but the responder's (status_by_id) may call them.
	 */
	internal regprocedure[] := ARRAY['rsvp.status_by_id(uuid)',
	    'rsvp.status_of(rsvp.jobs)'];
BEGIN
	FOR r IN SELECT c.oid::regclass AS name FROM pg_catalog.pg_class c
	    WHERE c.relnamespace = 'rsvp'::regnamespace
		AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
		AND c.relowner <> 'rsvp_admin'::regrole LOOP
		EXECUTE pg_catalog.format('ALTER TABLE %s OWNER TO rsvp_admin',
		    r.name);
	END LOOP;
	FOR r IN SELECT p.oid::regprocedure AS name, p.prokind
	    FROM pg_catalog.pg_proc p
	    WHERE p.pronamespace = 'rsvp'::regnamespace LOOP
		IF r.name = ANY (internal) THEN
			EXECUTE pg_catalog.format(
			    'ALTER FUNCTION %s OWNER TO rsvp_admin', r.name);
			EXECUTE pg_catalog.format('ALTER FUNCTION %s'
			    ' SECURITY INVOKER RESET ALL', r.name);
		ELSIF r.prokind = 'p' THEN
			EXECUTE pg_catalog.format(
			    'ALTER PROCEDURE %s OWNER TO rsvp_admin', r.name);
		ELSE
			EXECUTE pg_catalog.format(
			    'ALTER FUNCTION %s OWNER TO rsvp_admin', r.name);
			EXECUTE pg_catalog.format('ALTER FUNCTION %s'
			    ' SECURITY DEFINER SET search_path = ''''', r.name);
		END IF;
	END LOOP;
	/*
	 * With an empty search_path a session's temporary schema is still
	 * searched first for table and type names: nobody but the admin may
	 * create temporary objects that could stand in for ours.
	 */
	EXECUTE pg_catalog.format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC',
	    pg_catalog.current_database());
	EXECUTE pg_catalog.format('GRANT TEMPORARY ON DATABASE %I TO rsvp_admin',
	    pg_catalog.current_database());
END
$$;

-- Nothing for anyone, then exactly what each role needs.
REVOKE ALL ON SCHEMA rsvp FROM PUBLIC, rsvp_web, rsvp_worker;
REVOKE ALL ON ALL TABLES IN SCHEMA rsvp FROM PUBLIC, rsvp_web, rsvp_worker;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA rsvp FROM PUBLIC, rsvp_web,
    rsvp_worker;
REVOKE ALL ON ALL ROUTINES IN SCHEMA rsvp FROM PUBLIC, rsvp_web,
    rsvp_worker;
ALTER DEFAULT PRIVILEGES FOR ROLE rsvp_admin
    REVOKE EXECUTE ON ROUTINES FROM PUBLIC;

GRANT USAGE ON SCHEMA rsvp TO rsvp_web, rsvp_worker;

-- The responder (cgi/store.c).  It reads a status through status_by_id,
-- as itself: the columns that reads.
GRANT SELECT (id, type, state, progress, message, attempt, run_at,
    created_at, updated_at, started_at, finished_at, error_code,
    error_message, error_status, result, result_type)
    ON rsvp.jobs TO rsvp_web;
GRANT SELECT (name, retry_after, retention) ON rsvp.job_types TO rsvp_web;
GRANT SELECT (type, recent_avg) ON rsvp.type_stats TO rsvp_web;
GRANT EXECUTE ON FUNCTION
    rsvp.status_by_id(uuid),
    rsvp.queue_wait(text, timestamptz, double precision),
    rsvp.submit(text, jsonb, timestamptz),
    rsvp.ring(),
    rsvp.submit_status(text, jsonb, text, text),
    rsvp.submit_many(text[], text[], text[], text[]),
    rsvp.job_status(uuid),
    rsvp.job_result(uuid),
    rsvp.cancel(uuid),
    rsvp.take_quota(text, integer, integer),
    rsvp.give_back_quota(text),
    rsvp.watch(uuid),
    rsvp.metrics()
    TO rsvp_web;

-- The workers (worker/wdb.c).
GRANT EXECUTE ON FUNCTION
    rsvp.claim(text, text[], integer),
    rsvp.arm(),
    rsvp.progress(uuid, integer, uuid, integer, text),
    rsvp.finish(uuid, integer, uuid, bytea, text),
    rsvp.finish_many(uuid[], integer[], uuid[], bytea[], text[]),
    rsvp.fail(uuid, integer, uuid, text, text, integer, boolean),
    rsvp.release(uuid, integer, uuid),
    rsvp.canceled(uuid, integer, uuid),
    rsvp.heartbeat(text, uuid[], integer[], uuid[]),
    rsvp.reap(integer),
    rsvp.worker_start(text, text, integer, integer, interval),
    rsvp.worker_stop(text),
    rsvp.record_stats(text[], integer[], integer[], integer[],
	double precision[], integer[]),
    rsvp.purge_expired(integer)
    TO rsvp_worker;

\endif
