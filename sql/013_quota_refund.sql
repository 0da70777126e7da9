/*
 * 013: a submit that stores nothing costs no quota.
 *
 * The responder counts a submit against its client's quota before the
 * insert, which alone knows whether the type is registered, the input
 * acceptable to jsonb, the idempotency key free.  When it refuses (404,
 * 400, 422), the responder gives the unit back, so that a client's typos
 * do not spend what its real submits need.
 */
CREATE FUNCTION rsvp.give_back_quota(p_client text) RETURNS void
LANGUAGE sql AS $$
	UPDATE rsvp.quota SET used = used - 1
	WHERE client = p_client AND used > 0
$$;
