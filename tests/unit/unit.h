#ifndef RSVP_UNIT_H
#define RSVP_UNIT_H

#include <check.h>

/* Run one suite; the process exits 0 only when every test passed. */
static inline int
unit_run(Suite *s)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}

#define UNIT_MAIN(suite)	int main(void) { return unit_run(suite()); }

#endif
