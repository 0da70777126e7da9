#!/bin/sh
# Always asks to be retried, saying which attempt it was.
cat >/dev/null
echo "still busy on attempt $RSVP_ATTEMPT" >&2
exit 75
