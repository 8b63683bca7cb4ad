#!/bin/sh
# d6-log-flood (docs/runbook.md, "Log flood"): an application logs at ten
# times its source's rate limit. The limit holds, errors pass, the drops
# are counted and summed up in rate_limit events; once the flood stops the
# normal trickle passes whole. Every line is delivered or counted.
T_SRC=${T_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$T_SRC/t/lib.sh"
. "$T_SRC/t/drills/drill.sh"
drill_conf $D/c.conf '{"type": "stdout", "encoding": "ndjson"}' \
    ', "rate_limit": {"events_per_second": 300, "burst": 300, "summary_interval": "1s"}'
t_agent -c $D/c.conf
t_wait_for "grep -q 'serving http' $D/err" 10
"$LOGGEN" -f json -r 3000 -n 9000 -o $D/app.log

t_ok 'detect: rate_limit summaries, a warning in the log, /health and /metrics counting' '
	t_wait_for "grep -q \"\\\"kind\\\":\\\"rate_limit\\\"\" $D/out" 10 &&
	grep -q "warn: source app: .*rate limit: dropped" $D/err &&
	t_wait_for "health \"h[\\\"sources\\\"][0][\\\"rate_limited\\\"] > 0\"" 5 &&
	test "$(metric "logagent_events_dropped_total{reason=\"rate_limit\"}")" -gt 0
'
sleep 2	# the bucket fills again
"$LOGGEN" -f json -r 50 -n 100 --start 9001 -o $D/app.log
t_ok 'mitigate and recover: every error kept in the flood; the trickle after it passes whole' '
	t_wait_for "grep -q \"\\\"seq\\\":9100}\" $D/out" 15 &&
	python3 - $D/app.log $D/out <<PY
import json, sys
written = [json.loads(l) for l in open(sys.argv[1])]
got = {e["seq"]: e for e in map(json.loads, open(sys.argv[2])) if "seq" in e}
errors = [e["seq"] for e in written if e["level"] == "error"]
assert all(s in got for s in errors), "an error was dropped"
trickle = [s for s in range(9001, 9101) if s not in got]
print("errors in the flood:", len(errors), "kept: all; trickle missing:", trickle)
assert not trickle
PY
'
t_stop_agent TERM
t_ok 'nothing silently lost: delivered + counted as dropped = written' '
	python3 - $D/out <<PY
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
got = [e["seq"] for e in ev if "seq" in e]
dropped = sum(e["dropped"] for e in ev if e.get("kind") == "rate_limit")
print("delivered", len(got), "dropped", dropped)
assert len(got) == len(set(got)) and len(got) + dropped == 9100, (len(got), dropped)
PY
'
t_done
