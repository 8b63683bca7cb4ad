#!/bin/sh
# d8-clock-jump (docs/runbook.md, "Clock jump"): the wall clock under the
# agent steps an hour forward, then two back (libfaketime; the monotonic
# clock is left alone, as on a real host). A line written once a quarter
# second must keep arriving within seconds: batch waits, retries and
# flushes run on the monotonic clock, so no flush stalls for an hour.
T_SRC=${T_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$T_SRC/t/lib.sh"
t_need python3
FT=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)
t_need "${FT:-/nonexistent/libfaketime.so.1}" "Debian's faketime package"
. "$T_SRC/t/drills/drill.sh"
if drill_asan; then
	# libfaketime must be preloaded, and ASan's runtime must come first.
	t_skip "all" "libfaketime cannot be preloaded under AddressSanitizer"
	t_done
fi
echo "+0" >$D/offset
drill_conf $D/c.conf "{\"type\": \"file\", \"path\": \"$D/sink.ndjson\", \"compress\": \"none\", \"batch\": {\"max_age_ms\": 1000}}" ', "format": "plain"'
LD_PRELOAD=$FT FAKETIME_TIMESTAMP_FILE=$D/offset FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1 \
	"$LOGAGENT" -c $D/c.conf >$D/out 2>$D/err &
AGENT_PID=$!
T_PIDS="$T_PIDS $AGENT_PID"
t_wait_for "grep -q 'serving http' $D/err" 10

# trickle FROM TO: one line each 0.25 s; each must be in the sink within 5 s.
trickle() {
	i=$1
	while [ $i -le $2 ]; do
		echo "line seq=$i" >>$D/app.log
		t_wait_for "grep -q \"seq=$i\\\"\" $D/sink.ndjson" 5 || { echo "seq=$i stalled"; return 1; }
		i=$((i + 1))
	done
}
t_ok 'before: a trickle flows' 'trickle 1 10'
echo "+1h" >$D/offset
t_ok 'the clock an hour ahead: the trickle still flows, stamped with the new time' '
	trickle 11 25 && tail -1 $D/sink.ndjson | python3 -c "
import json, sys, time
t = json.loads(sys.stdin.read())[\"time\"]
print(\"last event time\", t)
assert t[:13] == time.strftime(\"%Y-%m-%dT%H\", time.gmtime(time.time() + 3600)), t
"'
echo "-1h" >$D/offset
t_ok 'then an hour behind real time: no flush waits for the clock to come back' 'trickle 26 45'
t_ok 'detect: /health ok throughout, nothing worse than info in the log' '
	health "h[\"status\"] == \"ok\"" && ! grep -E " (warn|error|fatal):" $D/err
'
t_ok 'nothing lost, nothing twice' 'drill_exact 45 $D/sink.ndjson'
t_stop_agent TERM
t_done
