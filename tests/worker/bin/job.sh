#!/bin/sh
# A handler for the tests: sleeps {"seconds": N} with progress lines and
# answers which attempt ran it.
secs=$(jq -r '.seconds // 0')
i=0
while [ "$i" -lt "$secs" ]; do
	echo "progress $((i * 100 / secs)) step $i" >&2
	sleep 1
	i=$((i + 1))
done
printf '{"attempt":%s,"id":"%s"}\n' "$RSVP_ATTEMPT" "$RSVP_JOB_ID"
