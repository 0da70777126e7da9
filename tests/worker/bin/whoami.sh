#!/bin/sh
# Answers which user runs it.
cat >/dev/null
printf '{"uid":%s}\n' "$(id -u)"
