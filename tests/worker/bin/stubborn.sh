#!/bin/sh
# Ignores SIGTERM and leaves a grandchild behind; records both pids.
trap '' TERM
sleep 1000 &
echo "$$ $!" > "$OUT/stubborn-$RSVP_JOB_ID"
while :; do sleep 1; done
