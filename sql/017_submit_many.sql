/*
 * 017: several submits in one transaction.
 *
 * A threaded responder (RSVP_THREADS) gathers the submits that arrive
 * while its previous commit is in flight and sends them as one call:
 * one round trip, one commit, one WAL flush for all of them.  Each
 * submit runs in a subtransaction of its own, so one refused (an unknown
 * type, a reused idempotency key, input jsonb will not take) is answered
 * with its SQLSTATE and message and leaves the others in.  The rows come
 * back in the order of the arrays, ord counting from 1.
 *
 * Without idempotency keys the submits go in as one INSERT, and their
 * statuses are read once per type: jobs inserted by one transaction, of
 * one type, differ in nothing status_by_id shows but their ids (the same
 * now(), the same run_at, the same jobs ahead), read by id.  Should that INSERT fail,
 * say on one input jsonb refuses, each submit is tried on its own.
 */
CREATE FUNCTION rsvp.submit_many(p_types text[], p_inputs text[],
    p_request_ids text[], p_idempotency_keys text[])
RETURNS TABLE (id uuid, type text, state text, progress smallint,
    message text, attempt integer, created_at text, updated_at text,
    started_at text, finished_at text, error_code text,
    error_message text, error_status smallint, result_type text,
    retry_after integer, expires text, ord integer, err_state text,
    err_message text)
LANGUAGE plpgsql AS $$
DECLARE
	n integer := coalesce(pg_catalog.array_length(p_types, 1), 0);
	v_ids uuid[];
	v_in uuid[];
	v_type text;
	v record;
	inserted boolean;
	i integer;
BEGIN
	IF coalesce(pg_catalog.array_length(p_inputs, 1), 0) <> n OR
	    coalesce(pg_catalog.array_length(p_request_ids, 1), 0) <> n OR
	    coalesce(pg_catalog.array_length(p_idempotency_keys, 1), 0) <> n
	    THEN
		RAISE EXCEPTION 'the arrays differ in length'
		    USING ERRCODE = '22023';
	END IF;
	IF n > 0 AND NOT EXISTS (SELECT FROM
	    pg_catalog.unnest(p_idempotency_keys) k WHERE k IS NOT NULL) THEN
		v_ids := ARRAY(SELECT pg_catalog.gen_random_uuid()
		    FROM pg_catalog.generate_series(1, n));
		BEGIN
			WITH ins AS (
				INSERT INTO rsvp.jobs (id, type, input, request_id)
				SELECT v_ids[x.ord], t.name, x.input::jsonb, x.rid
				FROM ROWS FROM (pg_catalog.unnest(p_types),
				    pg_catalog.unnest(p_inputs),
				    pg_catalog.unnest(p_request_ids))
				    WITH ORDINALITY x(type, input, rid, ord)
				JOIN rsvp.job_types t ON t.name = x.type
				ORDER BY x.ord
				RETURNING rsvp.jobs.id
			)
			SELECT pg_catalog.array_agg(ins.id) INTO v_in FROM ins;
			PERFORM pg_catalog.nextval('rsvp.submitted')
			    FROM pg_catalog.unnest(v_in);
			inserted := true;
		EXCEPTION WHEN OTHERS THEN
			inserted := false;	/* one at a time, below */
		END;
		IF inserted THEN
			FOR i IN 1 .. n LOOP
				ord := i;
				IF v_ids[i] = ANY (v_in) THEN
					IF v_type IS DISTINCT FROM p_types[i] THEN
						SELECT * INTO v FROM
						    rsvp.status_by_id(v_ids[i]);
						v_type := p_types[i];
					END IF;
					id := v_ids[i];
					type := v.type;
					state := v.state;
					progress := v.progress;
					message := v.message;
					attempt := v.attempt;
					created_at := v.created_at;
					updated_at := v.updated_at;
					started_at := v.started_at;
					finished_at := v.finished_at;
					error_code := v.error_code;
					error_message := v.error_message;
					error_status := v.error_status;
					result_type := v.result_type;
					retry_after := v.retry_after;
					expires := v.expires;
					err_state := NULL;
					err_message := NULL;
				ELSE
					SELECT NULL, NULL, NULL, NULL, NULL, NULL,
					    NULL, NULL, NULL, NULL, NULL, NULL,
					    NULL, NULL, NULL, NULL, 'RV001',
					    pg_catalog.format('unknown job type "%s"',
					    p_types[i])
					INTO id, type, state, progress, message,
					    attempt, created_at, updated_at,
					    started_at, finished_at, error_code,
					    error_message, error_status,
					    result_type, retry_after, expires,
					    err_state, err_message;
				END IF;
				RETURN NEXT;
			END LOOP;
			RETURN;
		END IF;
	END IF;
	FOR i IN 1 .. n LOOP
		ord := i;
		BEGIN
			SELECT s.id, s.type, s.state, s.progress, s.message,
			    s.attempt, s.created_at, s.updated_at,
			    s.started_at, s.finished_at, s.error_code,
			    s.error_message, s.error_status, s.result_type,
			    s.retry_after, s.expires, NULL, NULL
			INTO id, type, state, progress, message, attempt,
			    created_at, updated_at, started_at, finished_at,
			    error_code, error_message, error_status,
			    result_type, retry_after, expires, err_state,
			    err_message
			FROM rsvp.submit_status(p_types[i], p_inputs[i]::jsonb,
			    p_request_ids[i], p_idempotency_keys[i]) s;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE,
			    err_message = MESSAGE_TEXT;
			SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
			    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
			INTO id, type, state, progress, message, attempt,
			    created_at, updated_at, started_at, finished_at,
			    error_code, error_message, error_status,
			    result_type, retry_after, expires;
		END;
		RETURN NEXT;
	END LOOP;
END
$$;
