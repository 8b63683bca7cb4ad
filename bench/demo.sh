#!/bin/sh
# SPDX-License-Identifier: MIT
# demo.sh: make demo. A generator appends web-service logs to a temp file
# and logagent --tail shows them, for DEMO_SECONDS (default 10) or until Ctrl-C.
set -u
B=${T_BUILD:-.}
secs=${DEMO_SECONDS:-10}
dir=$(mktemp -d)
log=$dir/app.log
trap 'kill $gen 2>/dev/null; rm -rf "$dir"' EXIT INT TERM
"$B/bench/loggen" -o "$log" -r 8 -d "$((secs + 2))" -f mixed &
gen=$!
echo "demo: writing web-service logs to $log; logagent --tail for ${secs}s (Ctrl-C to stop sooner)" >&2
# timeout sends SIGINT, as Ctrl-C would: logagent flushes and exits 0.
timeout -s INT "$secs" "$B/logagent" --tail "$log"
rc=$?
[ $rc = 124 ] && rc=0
exit $rc
