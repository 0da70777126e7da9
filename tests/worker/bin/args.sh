#!/bin/sh
# Records its argv and stdin, to show the input never reaches the argv.
{
	for a in "$@"; do printf '[%s]\n' "$a"; done
	printf 'stdin: '
	cat
	echo
} > "$OUT/args-$RSVP_JOB_ID"
echo '{}'
